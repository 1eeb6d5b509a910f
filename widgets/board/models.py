"""The board's table models: promises at risk or broken, late handoffs, root causes and per-advisor
measures. Each answers SORT_ROLE with a value that sorts right (numbers, times), for a proxy."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt
from typing_extensions import override

from console.board.measures import AdvisorMeasures, RootCauseRank
from console.money import format_pence
from console.promise_rules import countdown, span_words
from domain.records import PromiseRecord
from storage.queries.board import LateHandoff
from widgets.promise_text import AMBER_BRUSH, RED_BRUSH, kind_label, short_time, team_label
from widgets.table_model import RecordTableModel

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_ROOT = QModelIndex()
BROKEN_LAST = 1e11  # seconds: sorts any broken promise after every one still at risk
DASH = "—"
_DISPLAY = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole)
_ROLES = frozenset((*_DISPLAY, SORT_ROLE, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.TextAlignmentRole))


def pct_words(value: float | None, of: int) -> str:
    return DASH if value is None else f"{value:.0f}% of {of}"


class _BoardModel(RecordTableModel):
    """Rows are set in one reset; subclasses give each cell's text and its sort key."""

    _sorted_by: tuple[int, Qt.SortOrder] | None = None

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._apply_sort()
        self.endResetModel()

    @override
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorted here, once per key (a proxy would ask data() for two keys per comparison: too slow
        for thousands of broken promises)."""
        self.beginResetModel()
        self._sorted_by = (column, order)
        self._apply_sort()
        self.endResetModel()

    def _apply_sort(self) -> None:
        if self._sorted_by is None:
            return
        column, order = self._sorted_by
        self._rows.sort(
            key=lambda record: self.sort_key(record, column),
            reverse=order == Qt.SortOrder.DescendingOrder,
        )

    def row_at(self, row: int) -> Any:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    @override
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    @override
    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._headers)

    def text(self, record: Any, column: int) -> str:
        raise NotImplementedError

    def sort_key(self, record: Any, column: int) -> Any:
        return self.text(record, column)

    def brush(self, record: Any, column: int) -> Any:
        return None

    def alignment(self, column: int) -> Any:
        return None

    @override
    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role not in _ROLES or not index.isValid():
            return None
        record = self.row_at(index.row())
        if record is None or not 0 <= index.column() < len(self._headers):
            return None
        if role in _DISPLAY:
            return self.text(record, index.column())
        if role == SORT_ROLE:
            return self.sort_key(record, index.column())
        if role == Qt.ItemDataRole.ForegroundRole:
            return self.brush(record, index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self.alignment(index.column())
        return None


class RiskColumn(IntEnum):
    STATE = 0
    DUE = 1
    LATE = 2
    OWNER = 3
    CUSTOMER = 4
    KIND = 5
    CASE = 6


class PromiseRiskModel(_BoardModel):
    """Open promises across the team due within the hour or already broken; countdowns move each tick."""

    def __init__(self, now: datetime, zone: tzinfo, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[PromiseRecord] = []
        self._now = now
        self._zone = zone
        self._headers = {
            RiskColumn.STATE: self.tr("State"),
            RiskColumn.DUE: self.tr("Due"),
            RiskColumn.LATE: self.tr("Due in / late by"),
            RiskColumn.OWNER: self.tr("Owner"),
            RiskColumn.CUSTOMER: self.tr("Customer"),
            RiskColumn.KIND: self.tr("Promise"),
            RiskColumn.CASE: self.tr("Case"),
        }

    def promise_at(self, row: int) -> PromiseRecord | None:
        record = self.row_at(row)
        return record if isinstance(record, PromiseRecord) else None

    def tick(self, now: datetime) -> None:
        self._now = now
        if self._rows:
            self.dataChanged.emit(
                self.index(0, RiskColumn.STATE), self.index(len(self._rows) - 1, RiskColumn.LATE)
            )

    def broken(self, promise: PromiseRecord) -> bool:
        return self._now >= promise.due_at

    @override
    def text(self, record: PromiseRecord, column: int) -> str:
        match column:
            case RiskColumn.STATE:
                return self.tr("Broken") if self.broken(record) else self.tr("At risk")
            case RiskColumn.DUE:
                return short_time(record.due_at, self._zone)
            case RiskColumn.LATE:
                return countdown(record.due_at, self._now)
            case RiskColumn.OWNER:
                return record.owner_name
            case RiskColumn.CUSTOMER:
                return f"{record.customer_name} ({record.account_number})"
            case RiskColumn.KIND:
                return kind_label(record.kind)
            case _:
                return record.case_reference or DASH

    @override
    def sort_key(self, record: PromiseRecord, column: int) -> Any:
        if column == RiskColumn.STATE:  # those still to save first, soonest due; then the broken ones
            return record.due_at.timestamp() + (BROKEN_LAST if self.broken(record) else 0.0)
        if column in (RiskColumn.DUE, RiskColumn.LATE):
            return record.due_at.timestamp()
        return self.text(record, column)

    @override
    def brush(self, record: PromiseRecord, column: int) -> Any:
        if column in (RiskColumn.STATE, RiskColumn.LATE):
            return RED_BRUSH if self.broken(record) else AMBER_BRUSH
        return None


class HandoffColumn(IntEnum):
    TEAM = 0
    LATE = 1
    CUSTOMER = 2
    CASE = 3
    SUMMARY = 4
    FROM = 5


class LateHandoffModel(_BoardModel):
    """Handoffs not acknowledged by their deadline, by receiving team."""

    def __init__(self, now: datetime, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[LateHandoff] = []
        self._now = now
        self._headers = {
            HandoffColumn.TEAM: self.tr("Receiving team"),
            HandoffColumn.LATE: self.tr("Past deadline by"),
            HandoffColumn.CUSTOMER: self.tr("Customer"),
            HandoffColumn.CASE: self.tr("Case"),
            HandoffColumn.SUMMARY: self.tr("What"),
            HandoffColumn.FROM: self.tr("Handed by"),
        }

    def set_now(self, now: datetime) -> None:
        self._now = now

    @override
    def text(self, record: LateHandoff, column: int) -> str:
        match column:
            case HandoffColumn.TEAM:
                return team_label(record.to_team)
            case HandoffColumn.LATE:
                return span_words(max(self._now - record.acknowledge_by, timedelta(0)))
            case HandoffColumn.CUSTOMER:
                return f"{record.customer_name} ({record.account_number})"
            case HandoffColumn.CASE:
                return record.case_reference or DASH
            case HandoffColumn.SUMMARY:
                return record.summary
            case _:
                return f"{record.created_by_name} ({team_label(record.from_team)})"

    @override
    def sort_key(self, record: LateHandoff, column: int) -> Any:
        if column == HandoffColumn.LATE:
            return -record.acknowledge_by.timestamp()
        return self.text(record, column)

    @override
    def brush(self, record: LateHandoff, column: int) -> Any:
        return RED_BRUSH if column == HandoffColumn.LATE else None


class CauseColumn(IntEnum):
    CAUSE = 0
    CASES = 1
    SHARE = 2
    CUMULATIVE = 3
    FIX = 4
    FAULT = 5


class RootCauseModel(_BoardModel):
    """The Pareto ranking as a table, with the two feedback scores side by side."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[RootCauseRank] = []
        self._rank: dict[str, int] = {}
        self._headers = {
            CauseColumn.CAUSE: self.tr("Root cause"),
            CauseColumn.CASES: self.tr("Cases"),
            CauseColumn.SHARE: self.tr("%"),
            CauseColumn.CUMULATIVE: self.tr("Cum."),
            CauseColumn.FIX: self.tr("Fix handled"),
            CauseColumn.FAULT: self.tr("Fault happening"),
        }

    @override
    def set_rows(self, rows: Sequence[Any]) -> None:
        self._rank = {cause.category: rank for rank, cause in enumerate(rows, start=1)}
        super().set_rows(rows)

    @override
    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            tips: dict[int, str] = {
                CauseColumn.FIX: self.tr("Average feedback on how the fix was handled, 1 (poor) to 5 (good)"),
                CauseColumn.FAULT: self.tr("Average feedback on the fault having happened at all, 1 to 5"),
                CauseColumn.CUMULATIVE: self.tr("Share of all closed cases, this cause and those above it"),
            }
            return tips.get(section)
        return super().headerData(section, orientation, role)

    @override
    def text(self, record: RootCauseRank, column: int) -> str:
        match column:
            case CauseColumn.CAUSE:
                return f"{self._rank.get(record.category, 0)}. {record.category}"
            case CauseColumn.CASES:
                return str(record.cases)
            case CauseColumn.SHARE:
                return f"{record.share_pct:.0f}%"
            case CauseColumn.CUMULATIVE:
                return f"{record.cumulative_pct:.0f}%"
            case CauseColumn.FIX:
                return _score(record.fix_score_average, record.feedback_count)
            case _:
                return _score(record.fault_score_average, record.feedback_count)

    @override
    def sort_key(self, record: RootCauseRank, column: int) -> Any:
        match column:
            case CauseColumn.CAUSE:
                return self._rank.get(record.category, 0)
            case CauseColumn.CASES | CauseColumn.SHARE | CauseColumn.CUMULATIVE:
                return record.cases
            case CauseColumn.FIX:
                return -1.0 if record.fix_score_average is None else record.fix_score_average
            case _:
                return -1.0 if record.fault_score_average is None else record.fault_score_average

    @override
    def alignment(self, column: int) -> Any:
        if column == CauseColumn.CAUSE:
            return None
        return RIGHT


def _score(value: float | None, count: int) -> str:
    return DASH if value is None else f"{value:.1f} ({count})"


class AdvisorColumn(IntEnum):
    ADVISOR = 0
    TEAM = 1
    KEPT = 2
    FCR = 3
    REPEAT = 4
    ACKNOWLEDGE = 5
    GOODWILL = 6
    LIMIT = 7
    OFFERS = 8


class AdvisorModel(_BoardModel):
    """Per-advisor service measures for the period (every active advisor: a few hundred rows)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[AdvisorMeasures] = []
        self._headers = {
            AdvisorColumn.ADVISOR: self.tr("Advisor"),
            AdvisorColumn.TEAM: self.tr("Team"),
            AdvisorColumn.KEPT: self.tr("Promises kept on time"),
            AdvisorColumn.FCR: self.tr("First-contact resolution"),
            AdvisorColumn.REPEAT: self.tr("Repeat contacts"),
            AdvisorColumn.ACKNOWLEDGE: self.tr("Avg time to acknowledge"),
            AdvisorColumn.GOODWILL: self.tr("Goodwill given"),
            AdvisorColumn.LIMIT: self.tr("Limit per payment"),
            AdvisorColumn.OFFERS: self.tr("Offers while case open"),
        }

    @property
    def advisors(self) -> list[AdvisorMeasures]:
        return list(self._rows)

    @override
    def text(self, record: AdvisorMeasures, column: int) -> str:
        match column:
            case AdvisorColumn.ADVISOR:
                return record.name
            case AdvisorColumn.TEAM:
                return team_label(record.team)
            case AdvisorColumn.KEPT:
                return pct_words(record.promises_kept_pct, record.promises_due)
            case AdvisorColumn.FCR:
                return pct_words(record.first_contact_resolution_pct, record.cases_resolved)
            case AdvisorColumn.REPEAT:
                return pct_words(record.repeat_contact_pct, record.contacts)
            case AdvisorColumn.ACKNOWLEDGE:
                wait = record.average_acknowledge
                return DASH if wait is None else span_words(wait)
            case AdvisorColumn.GOODWILL:
                if not record.goodwill_count:
                    return DASH
                above = self.tr(", %1 above limit").replace("%1", str(record.goodwill_over_limit))
                return (
                    f"{format_pence(record.goodwill_pence)} ({record.goodwill_count}"
                    f"{above if record.goodwill_over_limit else ''})"
                )
            case AdvisorColumn.LIMIT:
                return format_pence(record.goodwill_limit_pence)
            case _:
                return str(record.offers_while_case_open)

    @override
    def sort_key(self, record: AdvisorMeasures, column: int) -> Any:
        def rate(value: float | None) -> float:
            return -1.0 if value is None else value

        match column:
            case AdvisorColumn.KEPT:
                return rate(record.promises_kept_pct)
            case AdvisorColumn.FCR:
                return rate(record.first_contact_resolution_pct)
            case AdvisorColumn.REPEAT:
                return rate(record.repeat_contact_pct)
            case AdvisorColumn.ACKNOWLEDGE:
                wait = record.average_acknowledge
                return -1.0 if wait is None else wait.total_seconds()
            case AdvisorColumn.GOODWILL:
                return record.goodwill_pence
            case AdvisorColumn.LIMIT:
                return record.goodwill_limit_pence
            case AdvisorColumn.OFFERS:
                return record.offers_while_case_open
            case _:
                return self.text(record, column)

    @override
    def brush(self, record: AdvisorMeasures, column: int) -> Any:
        if column == AdvisorColumn.OFFERS and record.offers_while_case_open:
            return RED_BRUSH
        return None

    @override
    def alignment(self, column: int) -> Any:
        if column in (AdvisorColumn.ADVISOR, AdvisorColumn.TEAM):
            return None
        return RIGHT


class FilterOnlyProxy(QSortFilterProxyModel):
    """Filters a board model's rows and leaves their order to it: a sort is passed to the source,
    which sorts once per key. Sorting in the proxy asked data() for two keys per comparison (about
    9,000 calls into Python to sort 500 advisors, at every refresh of the board)."""

    @override
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        source = self.sourceModel()
        if source is not None:
            source.sort(column, order)
