"""The timeline's "Sound: J/L Cut…" dialog opens on the clip's current offsets (#21): it opened on
0 and 0 whatever was set, so OK after changing one value silently reset the other."""

from __future__ import annotations

from test_audio_timeline import RATE, lanes, reloaded  # noqa: F401 - the fixture

from director.core.audio import frame_to_sample
from director.store import audio


def test_the_jl_dialog_shows_the_current_values_and_keeps_the_one_not_changed(lanes, qtbot):  # noqa: F811
    session, view, _ = lanes
    clip_id = view.timeline.tracks[0].items[0].id
    dialog = view.audio.jl_dialog(clip_id)
    assert dialog.values() == (0, 0)
    with reloaded(view, qtbot):
        assert view.audio.set_jl(clip_id, 3, 6)
    dialog = view.audio.jl_dialog(clip_id)
    qtbot.addWidget(dialog)
    assert dialog.values() == (3, 6) and dialog.opened_with == (3, 6)
    dialog.lag.setValue(9)  # change the L only
    with reloaded(view, qtbot):
        view.audio.set_jl(clip_id, *dialog.values())
    assert audio.clip_jl(session.project, clip_id) == audio.ca.JL(frame_to_sample(3, RATE), frame_to_sample(9, RATE))
    # Undo goes back to what the dialog opened on.
    with reloaded(view, qtbot):
        session.undo_stack.undo()
    assert view.audio.jl_dialog(clip_id).values() == (3, 6)
