"""CostDashboard: the cost dock. A table grouped by shot, scene, camera, preset or day, the totals,
and three charts: spend per shot, cumulative spend over time, human versus GPU time per shot.

Named after the ledger it shows (`store/ledger.py`, model `CostModel`). Every figure comes from the
ledger's rows and totals, so the dock, `director report` and the CSV always agree. It reads the
ledger again only when a `Changes` says costs, jobs or time changed.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QDateTimeAxis,
    QLineSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from director.core.changes import Changes
from director.core.cost import GROUPINGS, format_money, from_micros, group_rows
from director.export.costs import build_report
from director.store import budget, ledger, timelog
from director.store.project import Project
from director.ui.hints import for_window
from director.ui.models.cost_model import CostModel


def _category_label(key: str) -> str:
    return key or "—"


class CostDashboard(QWidget):
    """A QWidget for a dock: `CostDashboard(project)`; connect the window's changes to `on_changes`."""

    exported = Signal(str)  # the path a report was written to

    def __init__(self, project: Project, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("CostDashboard")
        self._project = project
        self.model = CostModel(project, "shot", self)

        self.grouping = QComboBox()
        self.grouping.addItems(list(GROUPINGS))
        self.grouping.currentTextChanged.connect(self._on_grouping_changed)
        self.export_csv_button = QPushButton("Export CSV…")
        self.export_csv_button.clicked.connect(lambda: self._ask_export("csv"))
        self.export_json_button = QPushButton("Export JSON…")
        self.export_json_button.clicked.connect(lambda: self._ask_export("json"))
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Group by"))
        bar.addWidget(self.grouping)
        bar.addStretch(1)
        bar.addWidget(self.export_csv_button)
        bar.addWidget(self.export_json_button)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.totals_label = QLabel()
        self.totals_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.totals_label.setWordWrap(True)
        self.yield_label = QLabel()
        self.yield_label.setWordWrap(True)
        self.budget_label = QLabel()
        self.budget_label.setWordWrap(True)

        self.spend_view = self._chart_view()
        self.cumulative_view = self._chart_view()
        self.time_view = self._chart_view()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.table, "Table")
        self.tabs.addTab(self.spend_view, "Spend per shot")
        self.tabs.addTab(self.cumulative_view, "Spend over time")
        self.tabs.addTab(self.time_view, "Human vs GPU")

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.totals_label)
        layout.addWidget(self.yield_label)
        layout.addWidget(self.budget_label)
        self.refresh()

    # -- refreshing ----------------------------------------------------------------------------

    @Slot(object)
    def on_changes(self, changes: Changes) -> None:
        """Refresh only for what the ledger shows: costs, jobs, or human time."""
        if changes.costs or changes.jobs or changes.time_log:
            self.refresh()

    def refresh(self) -> None:
        self.model.reload()
        totals = self.model.totals()
        cur = totals.currency
        text = (
            f"Total {format_money(totals.money, cur)}: jobs {format_money(from_micros(totals.job_micros), cur)}"
            f" ({totals.jobs} jobs, {totals.gpu_s / 60:.1f} GPU min) + expenses {format_money(from_micros(totals.expense_micros), cur)}."
            f" Human time {totals.human_s / 3600:.2f} h ({totals.auto_s / 3600:.2f} h tracked, {totals.manual_s / 3600:.2f} h logged)."
        )
        for code, micros in totals.other.items():
            text += f" Also {format_money(from_micros(micros), code)} in {code}, not converted."
        self.totals_label.setText(text)
        y = ledger.project_yield(self._project)
        per_s = y.money_per_approved_s
        self.yield_label.setText(
            f"Yield: {y.takes} takes, {y.selected} selected"
            + (f" ({y.takes_per_selected:.1f} per selected)" if y.takes_per_selected else "")
            + f"; {format_money(y.rejected_money, cur)} on rejected takes"
            + (f"; {format_money(per_s, cur)} per approved second" if per_s is not None else "; no approved screen time yet")
        )
        budgets = budget.budget_status(self._project)
        self.budget_label.setText(for_window(budgets.message()) if budgets.lines else "No budgets set.")
        self.budget_label.setVisible(bool(budgets.lines))
        self._draw_charts()

    # -- charts --------------------------------------------------------------------------------

    def _chart_view(self) -> QChartView:
        view = QChartView()
        view.setRenderHint(QPainter.RenderHint.Antialiasing)
        view.setMinimumHeight(160)
        return view

    @staticmethod
    def _replace_chart(view: QChartView, chart: QChart) -> None:
        old = view.chart()
        view.setChart(chart)
        if old is not None:
            old.deleteLater()  # the view gives up ownership of the chart it drops

    def _draw_charts(self) -> None:
        cost = ledger.cost_rows(self._project)
        time = timelog.time_rows(self._project)
        currency = self.model.totals().currency
        by_shot = group_rows(cost, time, "shot", currency)
        self._replace_chart(self.spend_view, self._spend_chart(by_shot, currency))
        self._replace_chart(self.cumulative_view, self._cumulative_chart(cost, currency))
        self._replace_chart(self.time_view, self._time_chart(by_shot))

    def _spend_chart(self, groups, currency: str) -> QChart:
        chart = QChart()
        chart.setTitle(f"Spend per shot ({currency})")
        jobs, expenses = QBarSet("jobs"), QBarSet("expenses")
        for g in groups:
            jobs.append(float(from_micros(g.job_micros)))
            expenses.append(float(from_micros(g.expense_micros)))
        series = QStackedBarSeries()  # a bar's height is the shot's whole spend
        series.append(jobs)
        series.append(expenses)
        self._bars(chart, series, [_category_label(g.key) for g in groups])
        return chart

    def _time_chart(self, groups) -> QChart:
        chart = QChart()
        chart.setTitle("Human vs GPU time per shot (hours)")
        human, gpu = QBarSet("human"), QBarSet("GPU")
        for g in groups:
            human.append(g.human_s / 3600)
            gpu.append(g.gpu_s / 3600)
        series = QBarSeries()
        series.append(human)
        series.append(gpu)
        self._bars(chart, series, [_category_label(g.key) for g in groups])
        return chart

    @staticmethod
    def _bars(chart: QChart, series: QBarSeries | QStackedBarSeries, categories: list[str]) -> None:
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

    def _cumulative_chart(self, cost, currency: str) -> QChart:
        """Money spent so far against time, one step per job or expense (in the project currency)."""
        chart = QChart()
        chart.setTitle(f"Cumulative spend ({currency})")
        chart.legend().hide()
        series = QLineSeries()
        running = 0
        for r in cost:
            if r.currency != currency:
                continue
            running += r.money_micros
            stamp = datetime.fromisoformat(r.when).timestamp() * 1000
            series.append(stamp, float(from_micros(running)))
        chart.addSeries(series)
        x = QDateTimeAxis()
        x.setFormat("dd MMM HH:mm")
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(x)
        y = QValueAxis()
        y.setLabelFormat("%.2f")
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(y)
        points = series.points()
        if points:
            x.setRange(
                datetime.fromtimestamp(points[0].x() / 1000 - 60),
                datetime.fromtimestamp(points[-1].x() / 1000 + 60),
            )
            y.setRange(0, max(points[-1].y(), 0.01) * 1.05)
        return chart

    # -- exports -------------------------------------------------------------------------------

    def export(self, path: str | Path, fmt: str) -> Path:
        """Write the report the table shows (grouped as it is) as CSV or JSON."""
        written = build_report(self._project, "costs", self.model.by).write(path, fmt)
        self.exported.emit(str(written))
        return written

    def _ask_export(self, fmt: str) -> None:
        default = str(self._project.path.with_name(f"{self._project.path.stem}-costs-by-{self.model.by}.{fmt}"))
        path, _ = QFileDialog.getSaveFileName(self, "Export costs", default, f"{fmt.upper()} (*.{fmt})")
        if path:
            self.export(path, fmt)

    @Slot(str)
    def _on_grouping_changed(self, by: str) -> None:
        self.model.set_grouping(by)
