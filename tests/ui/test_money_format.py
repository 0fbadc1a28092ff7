"""One money formatter (#21, item 10): the same amount reads the same in the shot list, the Costs
panel, the take viewer, the storyboard and the CLI (`shot list`, `take show`, `report costs`).

Before, `director shot list` printed '1000.00' (no currency, no separator) and `director take
show` the exact '1000.000000 USD' while the panels said '1,000.00 USD'."""

from __future__ import annotations

from decimal import Decimal

from test_one_truth import on_screen
from test_timeline_fixtures import RED, make_take

from director.cli import main
from director.core.cost import currency_decimals, format_money
from director.store import shots
from director.store import timeline as st
from director.store.cameras import list_cameras
from director.store.project import Project
from director.ui.models.cost_model import COL_MONEY
from director.ui.storyboard_view import PanelRole

EXPECTED = "1,000.00 USD"  # 360 GPU s at 10,000 an hour


def test_format_money_follows_the_currency_decimals():
    assert format_money(Decimal("1234.5"), "USD") == "1,234.50 USD"
    assert format_money(Decimal("1234.5"), "JPY") == "1,234 JPY"  # half-even: no yen cents
    assert format_money(Decimal("1.2345"), "KWD") == "1.234 KWD"
    assert format_money(Decimal("0.0036"), "USD") == "0.0036 USD"  # under a cent never reads as free
    assert format_money(Decimal(0), "EUR") == "0.00 EUR"
    assert format_money(None, "USD") == "—"
    assert currency_decimals("jpy") == 0 and currency_decimals("XYZ") == 2


def test_the_same_amount_reads_the_same_in_every_panel_and_the_cli(window, tmp_path, qtbot, capsys):
    project = Project.create(tmp_path / "film", width=128, height=96)
    project.update_settings(gpu_price_per_hour="10000")
    shot, _ = shots.add_shot(project, "1", "Rooftop", cameras=("A",))
    (camera,) = [c.id for c in list_cameras(project, shot.id)]
    take_id = make_take(project, shot.id, camera, RED)
    st.insert_shot(project, shot.id, duration=24).apply(project)
    path = project.path
    project.close()

    assert window.open_project(path)
    on_screen(window, qtbot)
    shot_list = window.panel("shots").model
    qtbot.waitUntil(lambda: shot_list.is_filled, timeout=5000)
    board = window.panel("storyboard").board
    costs = window.panel("costs").model
    panel = next(board.index(r).data(PanelRole) for r in range(board.rowCount()))
    row = next(r for r in range(costs.rowCount()) if costs.group(r).key == "1")
    viewer = window.panel("viewer")
    viewer.show_take(take_id)
    shown = {
        "shot list": shot_list.data(shot_list.shot_index(shot.id, 2)),
        "costs panel": costs.data(costs.index(row, COL_MONEY)),
        "storyboard": panel["money"],
        "take viewer": viewer.fields["cost"].text().split(" (")[0],
    }
    assert set(shown.values()) == {EXPECTED}, shown
    window.close_project()

    capsys.readouterr()
    assert main(["shot", "list", str(path)]) == 0
    assert EXPECTED in capsys.readouterr().out
    assert main(["take", "show", str(path), str(take_id)]) == 0
    assert f"cost {EXPECTED}" in capsys.readouterr().out
    assert main(["report", "costs", str(path), "--by", "shot"]) == 0
    assert EXPECTED in capsys.readouterr().out
