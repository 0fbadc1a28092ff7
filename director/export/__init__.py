"""Exports: the cut as MP4, takes as files, the storyboard, interchange files for an editing suite.

No Qt here: the storyboard PDF is drawn with fpdf2 (storyboard_pdf.py), fed by the pure layout in
storyboard.py, so the command line and the window write it with the same code. Every exporter streams, reports progress through a callback, checks a
cancel callable, and writes through a temporary file renamed into place, so an interrupted export
never leaves a half-written file under the name the user asked for.

Entry points (gather the inputs on the UI thread, run the call in a director.ui.export_tasks.ExportTask):
- mp4.export_cut_mp4(cut, project.media, dest, Mp4Options(...), progress=, is_cancelled=) -> Mp4Result
- takes.export_takes(list_of_TakeInfo, project.media, folder, project_name=, progress=, is_cancelled=) -> TakesResult
- interchange.export_interchange(cut, take_infos(project, ids), project.media, dest, fmt, name=, ...) -> InterchangeResult
- storyboard.build_storyboard(project, "cut"|"shots", cut) -> Storyboard, then
  contact_sheet.render_contact_sheet(board, project.media, dest.png, ...) or
  storyboard_pdf.render_storyboard_pdf(board, project.media, dest.pdf, panels_per_page=6, ...)
- takeinfo.take_info(project, take_id) -> TakeInfo: what every export says about a take, read from
  its recorded recipe (or saying plainly that it has none)
A cancel raises common.ExportCancelled (a DirectorError).
"""
