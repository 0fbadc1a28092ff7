"""The cast a shot uses as references (#18: the Cast panel's checkbox, `director cast use`) reaches the
jobs that can take references: `director control render` without --cast/--reference, and Generate
from Previz (the window's guided path) — recorded in the recipe with each image's SHA-256. Queued
only (--no-wait): what VACE then receives from a recipe's references is test_control's."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from director.cli import main
from director.store import jobs as store_jobs
from director.store.media import sha256_file
from director.store.project import Project
from director.store.script import list_cast
from director.store.shots import find_shot

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def clip(n=9, w=64, h=48):
    frames = np.zeros((n, h, w, 3), np.uint8)
    for i in range(n):
        frames[i, 12:36, 8 + 2 * i:32 + 2 * i] = 255
    return frames


def film_with_mara(tmp_path, capsys) -> tuple[Path, str]:
    film = tmp_path / "film.director"
    Project.create(film).close()
    face = tmp_path / "mara.png"
    cv2.imwrite(str(face), np.full((48, 48, 3), (40, 80, 160), np.uint8))
    assert main(["script", "import", str(film), str(FIXTURES / "lighthouse.fountain")]) == 0
    assert main(["cast", "image", str(film), "Mara", str(face)]) == 0
    capsys.readouterr()
    with Project.open(film, readonly=True) as p:
        (image,) = [c.images for c in list_cast(p) if c.name == "Mara"][0]
    return film, image


def test_control_render_uses_the_cast_the_shot_uses(tmp_path, capsys):
    from director.engine import encoders
    from director.engine.media_out import encode_mp4

    film, image = film_with_mara(tmp_path, capsys)
    source = tmp_path / "walk.mp4"
    source.write_bytes(encode_mp4(clip(), Fraction(12), encoders.choose(None, "final", cuda=False)))

    def queue() -> dict:
        assert main(["control", "render", str(film), "--shot", "3A", "--preset", "tiny-wan21-vace", "--video", str(source),
                     "--mode", "edges", "--seed", "2", "--no-wait", "--json"]) == 0
        job = json.loads(capsys.readouterr().out)["queued"][0]
        with Project.open(film, readonly=True) as p:
            return store_jobs.job_recipe(p, job).control

    assert queue()["references"] == []  # nobody chosen yet
    assert main(["cast", "use", str(film), "3A", "Mara"]) == 0
    capsys.readouterr()
    control = queue()
    with Project.open(film, readonly=True) as p:
        assert control["references"] == [{"media_path": image, "sha256": sha256_file(p.media.path(image))}]
    assert main(["cast", "use", str(film), "3A", "Mara", "--off"]) == 0
    capsys.readouterr()
    assert queue()["references"] == []


def test_generate_from_previz_takes_the_shots_cast_references(tmp_path, capsys):
    from director.engine import encoders
    from director.engine.media_out import encode_mp4
    from director.engine.previz.guide import queue_from_previz
    from director.store import jobs, takes

    film, image = film_with_mara(tmp_path, capsys)
    assert main(["cast", "use", str(film), "3A", "Mara"]) == 0
    capsys.readouterr()
    with Project.open(film) as p:
        shot = find_shot(p, "3A")
        depth = p.media.put_bytes(encode_mp4(clip(), Fraction(12), encoders.choose(None, "final", cuda=False)), "mp4")
        job, _ = jobs.create_job(p, shot_id=shot.id, camera_id=None, prompt_id=None, preset="tiny-t2v", params={}, seeds=[1])
        take = takes.insert_take(p, job, {"seed": 1, "kind": "video", "media_path": depth, "width": 64, "height": 48,
                                          "frames": 9, "fps_num": 12, "fps_den": 1, "extra": {"artifacts": {"depth": depth}}})
        queued = queue_from_previz(p, take, "tiny-wan21-vace", seeds=[5], seed_mode="fixed")
        control = store_jobs.job_recipe(p, queued.job_ids[0]).control
        assert control["video"]["media_path"] == depth
        assert [r["media_path"] for r in control["references"]] == [image]
