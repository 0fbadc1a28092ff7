"""A sweep is recorded as a group, its grid puts every cell on the right axes, cells fill as takes
land, and the grid exports as PNG and PDF (`director sweep list|show|export`)."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from director.cli import main
from director.store import sweeps as store_sweeps
from director.store.project import Project


@pytest.fixture
def film(shot_project):
    path = shot_project.path
    shot_project.close()
    return str(path)


def test_a_2x2x2_sweep_is_recorded_and_its_grid_has_8_cells_on_the_right_axes(film, capsys):
    argv = ["sweep", film, "--shot", "12A", "--presets", "tiny-t2i,tiny-t2v", "--seeds", "1,2", "--steps", "2,3", "--frames", "9", "--no-wait", "--json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    with Project.open(film, readonly=True) as p:
        [info] = store_sweeps.list_sweeps(p)
        assert info.id == out["sweep"] and info.cells == 8 and info.done == 0
        assert info.axes == {"prompt": ["v1"], "seed": [1, 2], "preset": ["tiny-t2i", "tiny-t2v"], "camera": ["A"], "steps": [2, 3]}
        grid = store_sweeps.sweep_grid(p, info.id)
        layout = grid.layout()
        assert layout.x_axis == "steps" and layout.y_axes == ("seed", "preset")
        assert (len(layout.rows), len(layout.columns)) == (4, 2)
        placed = {}
        for r, (seed, preset) in enumerate(layout.rows):
            for c, steps in enumerate(layout.columns):
                cell = layout.cell(r, c)
                assert (cell.axes["seed"], cell.axes["preset"], cell.axes["steps"]) == (seed, preset, steps)
                placed[cell.job_id] = cell.state
        assert sorted(placed) == sorted(out["queued"]) and set(placed.values()) == {"queued"}
        assert store_sweeps.sweep_of_job(p, out["queued"][3]) == info.id
        turned = grid.layout("preset")  # the other axes down instead
        assert turned.y_axes == ("seed", "steps") and len(turned.columns) == 2 and len(turned.rows) == 4
        assert sum(turned.cell(r, c) is not None for r in range(4) for c in range(2)) == 8
    assert main(["sweep", "show", film, str(info.id), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["columns"] == ["steps 2", "steps 3"] and [r["label"] for r in shown["rows"]] == [
        "seed 1 · tiny-t2i", "seed 1 · tiny-t2v", "seed 2 · tiny-t2i", "seed 2 · tiny-t2v"]
    assert main(["sweep", "show", film, str(info.id), "--x", "lens"]) == 1
    assert "no axis 'lens'" in capsys.readouterr().err
    assert main(["sweep", "show", film, "99"]) == 1
    assert "no sweep 99" in capsys.readouterr().err


def test_cells_fill_as_takes_land_and_the_grid_exports_as_png_and_pdf(film, tmp_path, capsys):
    assert main(["sweep", film, "--shot", "12A", "--presets", "tiny-t2i", "--seeds", "1,2", "--steps", "2,3", "--json"]) == 0
    capsys.readouterr()
    assert main(["sweep", "list", film, "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert listed["cells"] == 4 and listed["done"] == 4
    with Project.open(film, readonly=True) as p:
        layout = store_sweeps.sweep_grid(p, listed["sweep"]).layout()
        assert layout.x_axis == "steps" and layout.y_axes == ("seed",)
        takes = [layout.cell(r, c).take_id for r in range(2) for c in range(2)]
        assert None not in takes and len(set(takes)) == 4
        assert store_sweeps.sweep_of_take(p, takes[0]) == listed["sweep"]
    png, pdf = tmp_path / "grid.png", tmp_path / "grid.pdf"
    assert main(["sweep", "export", film, str(listed["sweep"]), "--png", str(png), "--pdf", str(pdf), "--cell-width", "128"]) == 0
    image = cv2.imread(str(png))
    assert image is not None and image.shape[1] > 2 * 128 and image.shape[0] > 2 * 85
    # Every cell shows its take, not a card: the tiny model's pixels are far from the card's grey.
    card_grey = np.full(3, 225)
    assert not np.all(np.abs(image.reshape(-1, 3).astype(int) - card_grey).sum(axis=1) < 4)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") + data.count(b"/Type /Page>") >= 1
    assert main(["sweep", "export", film, str(listed["sweep"])]) == 1
    assert "--png FILE and/or --pdf FILE" in capsys.readouterr().err


def test_a_cell_whose_take_went_to_the_bin_says_so(film, tmp_path, capsys):
    assert main(["sweep", film, "--shot", "12A", "--presets", "tiny-t2i", "--seeds", "1,2", "--json"]) == 0
    capsys.readouterr()
    from director.store.edits import DeleteTake

    with Project.open(film) as p:
        [info] = store_sweeps.list_sweeps(p)
        layout = store_sweeps.sweep_grid(p, info.id).layout()
        assert layout.x_axis == "seed" and layout.y_axes == ()
        gone = layout.cell(0, 0).take_id
        DeleteTake(gone).apply(p)
        cell = store_sweeps.sweep_grid(p, info.id).layout().cell(0, 0)
        assert cell.take_id is None and cell.status_text == "take in the bin"
        assert store_sweeps.get_sweep(p, info.id).done == 1
