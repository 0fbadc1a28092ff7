"""Two cuts side by side: length, shots used, what the takes shown cost (the ledger's split) and
what the shots used cost in all; `director timeline compare`."""

from __future__ import annotations

import json
from decimal import Decimal

from director.cli import main
from director.store import cuts, ledger, timeline
from director.store.cut_compare import compare_cuts
from tests.export.conftest import add_take


def _two_cuts(film):
    """'Cut' shows red then green; 'Short' (a copy) loses green and shows blue instead."""
    p = film.project
    for name in ("red", "green"):
        timeline.insert_take(p, film.take_ids[name]).apply(p)
    dup = cuts.duplicate_cut(p, None, "Short")
    dup.apply(p)
    green_clip = timeline.load_timeline(p, dup.timeline_id).tracks[0].items[1].id
    timeline.ripple_delete(p, green_clip).apply(p)
    timeline.insert_take(p, film.take_ids["blue"], timeline_id=dup.timeline_id).apply(p)
    # A second, unused take of the red shot: the shot cost more than the take the cuts show.
    spare = add_take(p, film.shot_ids["10"], film.takes["red"].prompt_id, "image", film.takes["still"].media_path, 320, 240, 1, seed=7, gpu_s=100.0)
    return spare


def test_compare_reads_length_shots_and_the_ledgers_money(film):
    spare = _two_cuts(film)
    p = film.project
    found = compare_cuts(p, "Cut", "short")
    a, b = found.a, found.b
    assert (a.name, b.name) == ("Cut", "Short")
    assert (a.frames, b.frames) == (60, 60) and a.timecode == p.settings().rate.timecode(60)
    assert a.shots == ("10", "20") and b.shots == ("10", "30")
    assert found.only_in_a == ("20",) and found.only_in_b == ("30",) and found.in_both == ("10",) and found.different_takes == ()
    per_take = ledger.take_money(p, [film.take_ids["red"], film.take_ids["green"], film.take_ids["blue"], spare])
    # 3.60 an hour: 36 s is 0.036, 72 s 0.072, 108 s 0.108; the spare take is 100 s.
    assert per_take[film.take_ids["red"]] == Decimal("0.036") and per_take[film.take_ids["blue"]] == Decimal("0.108")
    assert a.takes_money == Decimal("0.108") and b.takes_money == Decimal("0.144")
    spend = ledger.spend_by_shot(p)
    assert a.shots_spend == spend[film.shot_ids["10"]] + spend[film.shot_ids["20"]] == Decimal("0.208")
    assert b.shots_spend == Decimal("0.244")


def test_a_job_with_two_takes_splits_its_money_between_them(film):
    p = film.project
    red = film.takes["red"]
    from director.store import takes

    second = takes.insert_take(p, red.job_id, {"seed": 999, "variant": 1, "kind": "video", "media_path": red.media_path, "width": 320,
                                                "height": 240, "frames": 30, "fps_num": 24, "fps_den": 1})
    shares = ledger.take_money(p, [red.id, second])
    assert shares[red.id] + shares[second] == Decimal("0.036") and shares[red.id] == Decimal("0.018")


def test_timeline_compare_from_the_command_line(film, capsys):
    _two_cuts(film)
    path = film.project.path
    film.project.close()
    assert main(["timeline", "compare", str(path), "Cut", "Short", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["a"]["shots"] == ["10", "20"] and out["b"]["shots"] == ["10", "30"]
    assert out["a"]["takes_money"] == "0.108" and out["takes_money_difference"] == "0.036" and out["frames_difference"] == 0
    assert main(["timeline", "compare", str(path), "Cut", "Short"]) == 0
    text = capsys.readouterr().out
    assert "Cost of the takes shown" in text and "Only in this cut" in text and "20" in text
    assert main(["timeline", "compare", str(path), "Cut", "Nope"]) == 1
    assert "no cut called 'Nope'; cuts: Cut, Short" in capsys.readouterr().err
