"""The board's two charts (QtCharts): the iceberg per week, and the root-cause Pareto. Each also says
its numbers in words (`summary()`, set as the view's accessible description and shown under it)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QCoreApplication, QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QWidget

from console.board.measures import IcebergWeek, RootCauseRank
from console.working_time import LONDON

# The silent signals in cool colours under the complaints' red tip; 4.5:1 against white for the labels.
SIGNAL_COLOURS = ("#1f4e79", "#2e75b6", "#5b9bd5", "#8fb8de", "#bdd7ee")
COMPLAINT_COLOUR = "#a50e0e"
RATIO_COLOUR = "#222222"
BAR_COLOUR = "#2e75b6"
# The Pareto chart shows this many causes; the table beside it has them all.
PARETO_BARS = 8


def _t(text: str) -> str:
    return QCoreApplication.translate("BoardCharts", text)


def _nice_max(value: float) -> float:
    """A round axis maximum at or above `value` (1, 2, 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def _count_axis(largest: float) -> QValueAxis:
    """A 0-based axis of whole counts whose every tick falls on a whole number (no "0, 0, 1, 1, 2")."""
    top = _nice_max(largest)
    axis = QValueAxis()
    axis.setRange(0, top)
    axis.setTickCount(int(top) + 1 if top <= 5 else 6)  # nice maxima above 5 divide by 5
    axis.setLabelFormat("%d")
    return axis


class _Chart(QChartView):
    """A chart view with no animation (painted at once), antialiased, with a compact legend."""

    def __init__(self, object_name: str, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setAccessibleName(accessible_name)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self._summary = ""
        chart = QChart()
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.setBackgroundRoundness(0)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF() - 1, 7))
        chart.legend().setFont(font)
        self._small = font
        title = QFont(self.font())
        title.setBold(True)
        chart.setTitleFont(title)
        self.setChart(chart)
        self.setMinimumHeight(self.fontMetrics().height() * 14)

    def summary(self) -> str:
        return self._summary

    def _reset(self, title: str) -> QChart:
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        chart.setTitle(title)
        return chart

    def _say(self, text: str) -> None:
        self._summary = text
        self.setAccessibleDescription(text)
        self.setToolTip(text)


class IcebergChart(_Chart):
    """`icebergChart`: per week, the silent signals stacked under the formal complaints, and the ratio."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "icebergChart", _t("Iceberg chart: formal complaints and silent signals per week"), parent
        )

    def show_weeks(self, weeks: Sequence[IcebergWeek]) -> None:
        chart = self._reset(_t("Silent signals under formal complaints, per week"))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        names = [
            _t("Repeat contacts"),
            _t("Broken promises"),
            _t("Reopened cases"),
            _t("Handoffs missed"),
            _t("Several channels"),
        ]
        values = [
            [w.repeat_contacts for w in weeks],
            [w.broken_promises for w in weeks],
            [w.reopened_cases for w in weeks],
            [w.missed_handoffs for w in weeks],
            [w.multichannel_cases for w in weeks],
        ]
        bars = QStackedBarSeries()
        for name, colour, counts in zip(names, SIGNAL_COLOURS, values, strict=True):
            bar_set = QBarSet(name)
            bar_set.setColor(QColor(colour))
            bar_set.setBorderColor(QColor(colour))
            bar_set.append([float(c) for c in counts])
            bars.append(bar_set)
        complaints = QBarSet(_t("Formal complaints"))
        complaints.setColor(QColor(COMPLAINT_COLOUR))
        complaints.setBorderColor(QColor(COMPLAINT_COLOUR))
        complaints.append([float(w.formal_complaints) for w in weeks])
        bars.append(complaints)
        bars.setBarWidth(0.6)
        chart.addSeries(bars)

        ratio = QLineSeries()
        ratio.setName(_t("Per complaint (right)"))
        pen = QPen(QColor(RATIO_COLOUR))
        pen.setWidthF(2.0)
        ratio.setPen(pen)
        ratio.setPointsVisible(True)
        ratios = [w.ratio for w in weeks]
        for index, value in enumerate(ratios):
            if value is not None:
                ratio.append(QPointF(index, value))
        chart.addSeries(ratio)

        weeks_axis = QBarCategoryAxis()
        weeks_axis.append([_week_label(w) for w in weeks])
        weeks_axis.setLabelsFont(self._small)
        chart.addAxis(weeks_axis, Qt.AlignmentFlag.AlignBottom)
        bars.attachAxis(weeks_axis)
        ratio.attachAxis(weeks_axis)
        counts_axis = _count_axis(max((w.silent_signals + w.formal_complaints for w in weeks), default=0))
        counts_axis.setLabelsFont(self._small)
        counts_axis.setTitleText(_t("count"))
        chart.addAxis(counts_axis, Qt.AlignmentFlag.AlignLeft)
        bars.attachAxis(counts_axis)
        ratio_axis = QValueAxis()
        ratio_axis.setRange(0, _nice_max(max((r for r in ratios if r is not None), default=0.0)))
        ratio_axis.applyNiceNumbers()
        ratio_axis.setLabelFormat("%.0f")
        ratio_axis.setLabelsFont(self._small)
        ratio_axis.setTitleText(_t("per complaint"))
        chart.addAxis(ratio_axis, Qt.AlignmentFlag.AlignRight)
        ratio.attachAxis(ratio_axis)
        self._say(iceberg_words(weeks))


def _week_label(week: IcebergWeek) -> str:
    return week.start.astimezone(LONDON).strftime("%d %b")


def iceberg_words(weeks: Sequence[IcebergWeek]) -> str:
    """The iceberg in words, a sentence per week: the chart's text alternative."""
    if not weeks:
        return _t("No weeks to show.")
    lines = []
    for week in weeks:
        ratio = (
            _t("%1 signals per complaint").replace("%1", f"{week.ratio:.1f}")
            if week.ratio is not None
            else _t("no complaint")
        )
        lines.append(
            _t(
                "Week of %1: %2 formal complaints, %3 silent signals (%4 repeat contacts, %5 broken "
                "promises, %6 reopened cases, %7 handoffs missed, %8 cases on several channels): %9."
            )
            .replace("%1", _week_label(week))
            .replace("%2", str(week.formal_complaints))
            .replace("%3", str(week.silent_signals))
            .replace("%4", str(week.repeat_contacts))
            .replace("%5", str(week.broken_promises))
            .replace("%6", str(week.reopened_cases))
            .replace("%7", str(week.missed_handoffs))
            .replace("%8", str(week.multichannel_cases))
            .replace("%9", ratio)
        )
    return "\n".join(lines)


class ParetoChart(_Chart):
    """`rootCauseChart`: closed cases per root cause, most first, with the cumulative share as a line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("rootCauseChart", _t("Root causes chart: closed cases per root cause"), parent)

    def show_causes(self, causes: Sequence[RootCauseRank], period_words: str) -> None:
        chart = self._reset(_t("Cases closed %1, by root cause").replace("%1", period_words))
        shown = list(causes[:PARETO_BARS])
        bar_set = QBarSet(_t("Closed cases"))
        bar_set.setColor(QColor(BAR_COLOUR))
        bar_set.setBorderColor(QColor(BAR_COLOUR))
        bar_set.append([float(c.cases) for c in shown])
        bars = QBarSeries()
        bars.append(bar_set)
        bars.setBarWidth(0.7)
        chart.addSeries(bars)
        running = QLineSeries()
        running.setName(_t("Cumulative share (right)"))
        pen = QPen(QColor(COMPLAINT_COLOUR))
        pen.setWidthF(2.0)
        running.setPen(pen)
        running.setPointsVisible(True)
        for index, cause in enumerate(shown):
            running.append(QPointF(index, cause.cumulative_pct))
        chart.addSeries(running)

        causes_axis = QBarCategoryAxis()
        causes_axis.append([str(rank) for rank in range(1, len(shown) + 1)] or [""])
        causes_axis.setTitleText(_t("rank (see the table)"))
        causes_axis.setLabelsFont(self._small)
        chart.addAxis(causes_axis, Qt.AlignmentFlag.AlignBottom)
        bars.attachAxis(causes_axis)
        running.attachAxis(causes_axis)
        counts_axis = _count_axis(max((c.cases for c in shown), default=0))
        counts_axis.setLabelsFont(self._small)
        counts_axis.setTitleText(_t("cases"))
        chart.addAxis(counts_axis, Qt.AlignmentFlag.AlignLeft)
        bars.attachAxis(counts_axis)
        share_axis = QValueAxis()
        share_axis.setRange(0, 100)
        share_axis.setTickCount(5)
        share_axis.setLabelFormat("%d%%")
        share_axis.setLabelsFont(self._small)
        chart.addAxis(share_axis, Qt.AlignmentFlag.AlignRight)
        running.attachAxis(share_axis)
        self._say(pareto_words(causes, period_words))


def pareto_words(causes: Sequence[RootCauseRank], period_words: str) -> str:
    """The ranking in words: the chart's text alternative."""
    if not causes:
        return _t("No cases were closed %1.").replace("%1", period_words)
    total = sum(c.cases for c in causes)
    lines = [_t("%1 cases closed %2, by root cause:").replace("%1", str(total)).replace("%2", period_words)]
    for rank, cause in enumerate(causes, start=1):
        scores = (
            _t("fix handled %1, fault happening %2 (%3 answers)")
            .replace("%1", f"{cause.fix_score_average:.1f}")
            .replace("%2", f"{cause.fault_score_average or 0:.1f}")
            .replace("%3", str(cause.feedback_count))
            if cause.fix_score_average is not None
            else _t("no feedback")
        )
        lines.append(
            f"{rank}. {cause.category}: {cause.cases} ({cause.share_pct:.0f}%, "
            f"{cause.cumulative_pct:.0f}% so far); {scores}"
        )
    return "\n".join(lines)
