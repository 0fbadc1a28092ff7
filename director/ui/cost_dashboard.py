"""CostDashboard: the cost dock. A table grouped by shot, scene, camera, preset or day, the totals,
and three charts: spend per shot, cumulative spend over time, human versus GPU time per shot.

Named after the ledger it shows (`store/ledger.py`, model `CostModel`). Every figure comes from the
ledger's own sums (grouped and totalled in SQL), so the dock, `director report` and the CSV always
agree.

It works only while someone looks (issue #24): a change to money or human time marks it stale; a
hidden dock does nothing more, a shown one reads the ledger again on the project's reads thread
(`read_costs`, one read transaction) and puts the result in place in one model update. Charts are
drawn from that result when their tab is shown, never from every job row: the spend line is summed
per hour in SQL (`store.cost_series`), and the per-shot charts show the shots that cost most, the
rest summed in one bar.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from director.core.budget import BudgetVerdict
from director.core.changes import Changes
from director.core.cost import GROUPINGS, GroupRow, Totals, format_money, from_micros
from director.store import budget, cost_series, ledger
from director.store.project import Project
from director.ui.flow_layout import FlowLayout
from director.ui.freshness import Freshness
from director.ui.hints import for_window
from director.ui.models.cost_model import CostModel
from director.ui.undo import ProjectSession

CHART_BARS = 40  # a chart of a thousand bars says nothing: the costliest shots, the rest in one bar
TABLE_WIDTHS = (110, 60, 80, 110, 100, 110, 80)


def _category_label(key: str) -> str:
    return key or "—"


@dataclass(frozen=True)
class CostPicture:
    """Everything the dock shows, read in one transaction on the reads thread."""

    by: str
    totals: Totals
    groups: list[GroupRow]  # the table, grouped by `by`
    by_shot: list[GroupRow]  # the per-shot charts
    spend: list[cost_series.SpendPoint]  # the cumulative line
    project_yield: ledger.Yield
    budgets: BudgetVerdict


def read_costs(project: Project, by: str) -> CostPicture:
    """The dock's figures: totals, groups and chart series summed in SQL (runs off the UI thread)."""
    groups = ledger.grouped(project, by)
    by_shot = groups if by == "shot" else ledger.grouped(project, "shot")
    return CostPicture(by, ledger.totals(project), groups, by_shot, cost_series.spend_over_time(project),
                       ledger.project_yield(project), budget.budget_status(project))


def top_groups(groups: list[GroupRow], weight, limit: int = CHART_BARS) -> list[GroupRow]:
    """At most `limit` bars: the heaviest `limit - 1` groups in their own order and one bar summing
    the others, so the bars still add up to the whole."""
    if len(groups) <= limit:
        return list(groups)
    keep = {id(g) for g in sorted(groups, key=weight, reverse=True)[: limit - 1]}
    rest = [g for g in groups if id(g) not in keep]
    other = GroupRow(f"{len(rest)} others")
    for g in rest:
        other.jobs += g.jobs
        other.gpu_s += g.gpu_s
        other.wall_s += g.wall_s
        other.energy_wh += g.energy_wh
        other.job_micros += g.job_micros
        other.expense_micros += g.expense_micros
        other.human_s += g.human_s
    return [replace(g) for g in groups if id(g) in keep] + [other]


class CostDashboard(QWidget):
    """A QWidget for a dock: `CostDashboard(session)`. Signals: `refreshed()` when a new reading of
    the ledger is shown, `exported(path)` when a report was written."""

    exported = Signal(str)  # the path a report was written to
    refreshed = Signal()

    def __init__(self, session: ProjectSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("CostDashboard")
        self.session = session
        self._project = session.project
        self.model = CostModel(None, "shot", self)
        self.picture: CostPicture | None = None
        self._drawn: set[int] = set()  # chart tabs drawn from the current picture

        self.grouping = QComboBox()
        self.grouping.addItems(list(GROUPINGS))
        self.grouping.currentTextChanged.connect(self._on_grouping_changed)
        self.export_csv_button = QPushButton("Export CSV…")
        self.export_csv_button.clicked.connect(lambda: self._ask_export("csv"))
        self.export_json_button = QPushButton("Export JSON…")
        self.export_json_button.clicked.connect(lambda: self._ask_export("json"))
        bar = FlowLayout(spacing=6)  # wraps in the 240 px Costs dock instead of scrolling sideways
        bar.addWidget(QLabel("Group by"))
        bar.addWidget(self.grouping)
        bar.addWidget(self.export_csv_button)
        bar.addWidget(self.export_json_button)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        # Fixed widths: resizing to contents measured every row of a 1,000-shot table per refresh.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate(TABLE_WIDTHS):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        self.totals_label = QLabel("Reading the ledger…")
        self.totals_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.totals_label.setWordWrap(True)
        self.yield_label = QLabel()
        self.yield_label.setWordWrap(True)
        self.budget_label = QLabel()
        self.budget_label.setWordWrap(True)
        self.budget_label.hide()

        # QtCharts loads when a chart is first drawn, not with the window.
        self.spend_view = self.cumulative_view = self.time_view = None
        self.tabs = QTabWidget()
        self.tabs.addTab(self.table, "Table")
        self._chart_pages = {}
        for title in ("Spend per shot", "Spend over time", "Human vs GPU"):
            page = QWidget()
            QVBoxLayout(page).setContentsMargins(0, 0, 0, 0)
            self._chart_pages[self.tabs.addTab(page, title)] = page
        self.tabs.currentChanged.connect(lambda _i: self._draw_current_chart())

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.totals_label)
        layout.addWidget(self.yield_label)
        layout.addWidget(self.budget_label)
        self.freshness = Freshness(self, self._request, session=session)
        session.changed.connect(self.on_changes)

    # -- refreshing ----------------------------------------------------------------------------

    @Slot(object)
    def on_changes(self, changes: Changes) -> None:
        """Stale only for what the ledger shows: money (a job metered, an expense, a job queued against
        a budget), human time, the project's currency. A job starting changes none of it."""
        if changes.costs or changes.time_log or changes.project:
            self.freshness.mark_stale()

    def refresh(self) -> None:
        """Read the ledger again now (when shown; a hidden dock reads when it is next shown)."""
        self.freshness.mark_stale()
        self.freshness.refresh_now()

    def _request(self) -> None:
        by = self.grouping.currentText()
        self.session.reads.submit("costs", lambda project: read_costs(project, by), self._apply)

    def _apply(self, picture: CostPicture) -> None:
        if picture.by != self.grouping.currentText():
            return  # regrouped meanwhile: that read is on its way
        self.picture = picture
        self.model.show(picture.by, picture.groups, picture.totals)
        totals = picture.totals
        cur = totals.currency
        text = (
            f"Total {format_money(totals.money, cur)}: jobs {format_money(from_micros(totals.job_micros), cur)}"
            f" ({totals.jobs} jobs, {totals.gpu_s / 60:.1f} GPU min) + expenses {format_money(from_micros(totals.expense_micros), cur)}."
            f" Human time {totals.human_s / 3600:.2f} h ({totals.auto_s / 3600:.2f} h tracked, {totals.manual_s / 3600:.2f} h logged)."
        )
        for code, micros in totals.other.items():
            text += f" Also {format_money(from_micros(micros), code)} in {code}, not converted."
        if totals.final_micros:
            text += (f" Drafts {format_money(from_micros(totals.draft_micros), cur)} against finals "
                     f"{format_money(from_micros(totals.final_micros), cur)}.")
        self.totals_label.setText(text)
        y = picture.project_yield
        per_s = y.money_per_approved_s
        self.yield_label.setText(
            f"Yield: {y.takes} takes, {y.selected} selected"
            + (f" ({y.takes_per_selected:.1f} per selected)" if y.takes_per_selected else "")
            + f"; {format_money(y.rejected_money, cur)} on rejected takes"
            + (f"; {format_money(per_s, cur)} per approved second" if per_s is not None else "; no approved screen time yet")
        )
        budgets = picture.budgets
        self.budget_label.setText(for_window(budgets.message()) if budgets.lines else "No budgets set.")
        self.budget_label.setVisible(bool(budgets.lines))
        self._drawn.clear()
        self._draw_current_chart()
        self.refreshed.emit()

    # -- charts --------------------------------------------------------------------------------

    def draw_charts(self) -> None:
        """Draw every chart from the current reading now (tests, exports of a picture)."""
        for index in self._chart_pages:
            self._draw(index)

    def _draw_current_chart(self) -> None:
        index = self.tabs.currentIndex()
        if index in self._chart_pages and index not in self._drawn:
            self._draw(index)

    def _draw(self, index: int) -> None:
        if self.picture is None:
            return
        from PySide6.QtCharts import QChartView
        from PySide6.QtGui import QPainter

        page = self._chart_pages[index]
        view = page.findChild(QChartView)
        if view is None:
            view = QChartView(page)
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setMinimumHeight(160)
            page.layout().addWidget(view)
        picture, currency = self.picture, self.picture.totals.currency
        title = self.tabs.tabText(index)
        if title == "Spend per shot":
            self.spend_view = view
            chart = self._spend_chart(top_groups(picture.by_shot, lambda g: g.money_micros), currency)
        elif title == "Spend over time":
            self.cumulative_view = view
            chart = self._cumulative_chart(picture.spend, currency)
        else:
            self.time_view = view
            chart = self._time_chart(top_groups(picture.by_shot, lambda g: g.human_s + g.gpu_s))
        old = view.chart()
        view.setChart(chart)
        if old is not None:
            old.deleteLater()  # the view gives up ownership of the chart it drops
        self._drawn.add(index)

    def _spend_chart(self, groups, currency: str):
        from PySide6.QtCharts import QBarSet, QChart, QStackedBarSeries

        chart = QChart()
        chart.setTitle(f"Spend per shot ({currency})")
        jobs, expenses = QBarSet("jobs"), QBarSet("expenses")
        jobs.append([float(from_micros(g.job_micros)) for g in groups])
        expenses.append([float(from_micros(g.expense_micros)) for g in groups])
        series = QStackedBarSeries()  # a bar's height is the shot's whole spend
        series.append(jobs)
        series.append(expenses)
        self._bars(chart, series, [_category_label(g.key) for g in groups])
        return chart

    def _time_chart(self, groups):
        from PySide6.QtCharts import QBarSeries, QBarSet, QChart

        chart = QChart()
        chart.setTitle("Human vs GPU time per shot (hours)")
        human, gpu = QBarSet("human"), QBarSet("GPU")
        human.append([g.human_s / 3600 for g in groups])
        gpu.append([g.gpu_s / 3600 for g in groups])
        series = QBarSeries()
        series.append(human)
        series.append(gpu)
        self._bars(chart, series, [_category_label(g.key) for g in groups])
        return chart

    @staticmethod
    def _bars(chart, series, categories: list[str]) -> None:
        from PySide6.QtCharts import QBarCategoryAxis, QValueAxis

        chart.addSeries(series)
        x = QBarCategoryAxis()
        x.append(categories)
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(x)
        y = QValueAxis()
        y.setLabelFormat("%.2f")
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(y)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)

    def _cumulative_chart(self, spend: list[cost_series.SpendPoint], currency: str):
        """Money spent so far against time: one point per hour that had any spend (project currency)."""
        from PySide6.QtCharts import QChart, QDateTimeAxis, QLineSeries, QValueAxis
        from PySide6.QtCore import QPointF

        chart = QChart()
        chart.setTitle(f"Cumulative spend ({currency})")
        chart.legend().hide()
        series = QLineSeries()
        points = []
        for p in spend:
            try:
                stamp = datetime.fromisoformat(p.when).timestamp() * 1000
            except (TypeError, ValueError):
                continue
            points.append(QPointF(stamp, float(from_micros(p.cumulative_micros))))
        series.append(points)
        chart.addSeries(series)
        x = QDateTimeAxis()
        x.setFormat("dd MMM HH:mm")
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(x)
        y = QValueAxis()
        y.setLabelFormat("%.2f")
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(y)
        if points:
            x.setRange(datetime.fromtimestamp(points[0].x() / 1000 - 60), datetime.fromtimestamp(points[-1].x() / 1000 + 60))
            y.setRange(0, max(points[-1].y(), 0.01) * 1.05)
        return chart

    # -- exports -------------------------------------------------------------------------------

    def export(self, path: str | Path, fmt: str) -> Path:
        """Write the report the table shows (grouped as it is) as CSV or JSON."""
        from director.export.costs import build_report

        written = build_report(self._project, "costs", self.grouping.currentText()).write(path, fmt)
        self.exported.emit(str(written))
        return written

    def _ask_export(self, fmt: str) -> None:
        default = str(self._project.path.with_name(f"{self._project.path.stem}-costs-by-{self.grouping.currentText()}.{fmt}"))
        path, _ = QFileDialog.getSaveFileName(self, "Export costs", default, f"{fmt.upper()} (*.{fmt})")
        if path:
            self.export(path, fmt)

    @Slot(str)
    def _on_grouping_changed(self, by: str) -> None:
        self.refresh()
