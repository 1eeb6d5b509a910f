"""Promises as table models with live countdowns: the open customer's promises and the advisor's worklist.

Both models hold their rows and, per row, the due time as a float timestamp. A tick records the time
and announces the countdown and state cells whose words can have changed since the last tick; the
words are computed in `data()`, so only for the rows a view actually paints.

Countdowns read in minutes (or coarser, rounded to the nearest) outside the last minute, so a row's
words change only when the clock passes one second of the minute, counted from its due time
(`WORDS_CHANGE_AT`): rows are kept in 60 buckets by that second, and a one-second tick looks at one
bucket and at the rows within a minute of being due.
Of those, only rows a view shows are announced (each announcement costs a call into the view's
Python `dataChanged`); a row scrolled into view later is painted, and read, afresh.
"""

from __future__ import annotations

import uuid
import weakref
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QTableView
from typing_extensions import override

from console.normalise import format_phone
from console.promise_rules import DEFAULT_DUE_SOON, WORDS_CHANGE_AT, Urgency, countdown, urgency
from domain.records import PromiseRecord
from widgets.promise_text import (
    GREY_BRUSH,
    clock_time,
    ended_label,
    kind_label,
    short_time,
    urgency_brush,
    urgency_label,
)
from widgets.table_model import RecordTableModel
from widgets.text import age, one_line

_ROOT = QModelIndex()
PromiseRole = Qt.ItemDataRole.UserRole + 1
# What a tick changes: the words, their colour and weight, and what a screen reader reads.
LIVE_ROLES = [
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.AccessibleTextRole,
    Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.FontRole,
]

_ANSWERED = frozenset(
    {
        *LIVE_ROLES,
        Qt.ItemDataRole.ToolTipRole,
        PromiseRole,
    }
)


class PromiseColumn(IntEnum):
    CUSTOMER = 0
    ACCOUNT = 1
    KIND = 2
    DUE = 3
    COUNTDOWN = 4
    STATE = 5
    OWNER = 6
    CASE = 7


class PromiseTableModel(RecordTableModel):
    """Promises shown in `COLUMNS` order; COUNTDOWN and STATE are adjacent (one range per tick)."""

    COLUMNS: tuple[PromiseColumn, ...] = (
        PromiseColumn.KIND,
        PromiseColumn.DUE,
        PromiseColumn.COUNTDOWN,
        PromiseColumn.STATE,
        PromiseColumn.OWNER,
        PromiseColumn.CASE,
    )

    def __init__(
        self,
        now: datetime,
        due_soon: timedelta = DEFAULT_DUE_SOON,
        zone: tzinfo | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._now = now
        self._due_soon = due_soon
        self._zone = zone
        self._rows: list[PromiseRecord] = []
        self._due_ts: list[float] = []
        self._by_second: list[list[int]] = []  # second of the minute -> rows whose words change then
        self._open_by_due: list[tuple[float, int]] = []  # (due, row) of open rows, soonest first
        self._views: list[weakref.ref[QTableView]] = []
        self._indexed = True
        self._first_live = self.COLUMNS.index(PromiseColumn.COUNTDOWN)
        self._last_live = self.COLUMNS.index(PromiseColumn.STATE)
        if self._last_live != self._first_live + 1:
            raise ValueError("the countdown and state columns must be next to each other")
        self._bold = QFont()
        self._bold.setBold(True)
        self._headers = {
            PromiseColumn.CUSTOMER: self.tr("Customer"),
            PromiseColumn.ACCOUNT: self.tr("Account"),
            PromiseColumn.KIND: self.tr("Promise"),
            PromiseColumn.DUE: self.tr("Due"),
            PromiseColumn.COUNTDOWN: self.tr("Countdown"),
            PromiseColumn.STATE: self.tr("State"),
            PromiseColumn.OWNER: self.tr("Owner"),
            PromiseColumn.CASE: self.tr("Case"),
        }

    # -- what is shown --------------------------------------------------------------------------

    def set_promises(self, promises: Sequence[PromiseRecord], now: datetime) -> None:
        self.beginResetModel()
        self._rows = list(promises)
        self._due_ts = [p.due_at.timestamp() for p in self._rows]
        self._indexed = False  # built at the first tick, so opening the list does not wait for it
        self._now = now
        self.endResetModel()

    def _index_change_times(self) -> None:
        soon = int(self._due_soon.total_seconds())
        by_second: list[list[int]] = [[] for _ in range(60)]
        open_by_due: list[tuple[float, int]] = []
        for row, promise in enumerate(self._rows):
            if promise.is_open:
                due_ts = self._due_ts[row]
                open_by_due.append((due_ts, row))
                # Words change on one phase of the due time's minute; the colour turns at due - due_soon.
                second = (int(due_ts) + WORDS_CHANGE_AT) % 60
                by_second[second].append(row)
                turn = (int(due_ts) - soon) % 60
                if turn != second:
                    by_second[turn].append(row)
            elif promise.closed_at is not None:  # "ended 5 minutes ago"
                by_second[int(promise.closed_at.timestamp()) % 60].append(row)
        self._by_second = by_second
        open_by_due.sort()
        self._open_by_due = open_by_due

    def promise_at(self, row: int) -> PromiseRecord | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, promise_id: uuid.UUID) -> int:
        return next((row for row, p in enumerate(self._rows) if p.id == promise_id), -1)

    def column_of(self, column: PromiseColumn) -> int:
        return self.COLUMNS.index(column)

    @property
    def now(self) -> datetime:
        return self._now

    @property
    def due_soon(self) -> timedelta:
        return self._due_soon

    def open_counts(self) -> tuple[int, int]:
        """(open, overdue) at the last tick."""
        now_ts = self._now.timestamp()
        open_rows = [ts for ts, p in zip(self._due_ts, self._rows, strict=True) if p.is_open]
        return len(open_rows), sum(1 for ts in open_rows if ts <= now_ts)

    # -- the shared ticker ----------------------------------------------------------------------

    def add_view(self, view: QTableView) -> None:
        """`view` shows this model: from now on a tick announces only the changes in rows views show."""
        self._views.append(weakref.ref(view))

    def tick(self, now: datetime) -> None:
        """The time moved on: announce the countdown and state cells whose words may have changed."""
        before, self._now = self._now, now
        if not self._rows:
            return
        for first, last in self.changed_runs(before, now, self._shown_rows()):
            self.dataChanged.emit(
                self.index(first, self._first_live), self.index(last, self._last_live), LIVE_ROLES
            )

    def _shown_rows(self) -> list[tuple[int, int]] | None:
        """(first, last) rows each visible view shows; None when no view was added (announce all)."""
        if not self._views:
            return None
        shown = []
        for ref in self._views:
            view = ref()
            if view is None or not view.isVisible():
                continue
            first = view.rowAt(0)
            if first < 0:
                continue
            last = view.rowAt(view.viewport().height() - 1)
            shown.append((first, last if last >= 0 else len(self._rows) - 1))
        return shown

    def changed_runs(
        self, before: datetime, now: datetime, shown: list[tuple[int, int]] | None = None
    ) -> list[tuple[int, int]]:
        """Runs of rows (first, last) whose live words can differ between `before` and `now`.

        A superset is fine (a cell repainted with the same words); a missed row is not. A clock that
        went back or jumped a minute or more changes everything. With `shown`, only rows in those
        (first, last) ranges count.
        """
        if not self._indexed:
            self._index_change_times()
            self._indexed = True
        start, end = before.timestamp(), now.timestamp()
        if end < start or end - start >= 60:
            rows: set[int] = set(range(len(self._rows)))
        else:
            rows = set()
            for second in range(int(start // 1), int(end // 1) + 1):
                rows.update(self._by_second[second % 60])
            # Within a minute of the due time the words count seconds.
            low = bisect_left(self._open_by_due, (start - 61, -1))
            high = bisect_right(self._open_by_due, (end + 61, len(self._rows)))
            rows.update(row for _, row in self._open_by_due[low:high])
        if shown is not None:
            rows = {row for first, last in shown for row in range(first, last + 1) if row in rows}
        runs: list[tuple[int, int]] = []
        for row in sorted(rows):
            if runs and runs[-1][1] == row - 1:
                runs[-1] = (runs[-1][0], row)
            else:
                runs.append((row, row))
        return runs

    # -- the table ------------------------------------------------------------------------------

    @override
    def visible_columns(self) -> Sequence[PromiseColumn]:
        return self.COLUMNS

    @override
    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role not in _ANSWERED or not index.isValid():
            return None  # most of what a delegate asks per cell: answered without a look at the row
        row, section = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= section < len(self.COLUMNS)):
            return None
        promise = self._rows[row]
        column = self.COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(promise, column)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._spoken(promise, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(promise, column)
        if role == Qt.ItemDataRole.FontRole:
            live = column in (PromiseColumn.COUNTDOWN, PromiseColumn.STATE)
            overdue = promise.is_open and self._due_ts[row] <= self._now.timestamp()
            return self._bold if live and overdue else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(promise)
        if role == PromiseRole:
            return promise
        return None

    def _urgency(self, promise: PromiseRecord) -> Urgency:
        return urgency(promise.due_at, self._now, self._due_soon)

    def _text(self, promise: PromiseRecord, column: PromiseColumn) -> str:
        if column is PromiseColumn.COUNTDOWN:
            if promise.is_open:
                return countdown(promise.due_at, self._now)
            if promise.closed_at is not None:
                return self.tr("ended %1 ago").replace("%1", age(promise.closed_at, self._now))
            return ""
        if column is PromiseColumn.STATE:
            if not promise.is_open:
                return ended_label(promise.status)
            state = urgency_label(self._urgency(promise))
            if promise.escalated_at is not None:
                return self.tr("%1, escalated").replace("%1", state)
            return state
        if column is PromiseColumn.CUSTOMER:
            return promise.customer_name
        if column is PromiseColumn.ACCOUNT:
            return promise.account_number
        if column is PromiseColumn.KIND:
            return kind_label(promise.kind)
        if column is PromiseColumn.DUE:
            due = short_time(promise.due_at, self._zone)
            if promise.window_end_at is not None:
                return f"{due}–{clock_time(promise.window_end_at, self._zone)}"
            return due
        if column is PromiseColumn.OWNER:
            return promise.owner_name
        return promise.case_reference or ""

    def _spoken(self, promise: PromiseRecord, column: PromiseColumn) -> str:
        text = self._text(promise, column)
        if column is PromiseColumn.DUE:
            return self.tr("due %1").replace("%1", text)
        return text

    def _foreground(self, promise: PromiseRecord, column: PromiseColumn) -> Any:
        if not promise.is_open:
            return GREY_BRUSH
        if column in (PromiseColumn.COUNTDOWN, PromiseColumn.STATE):
            return urgency_brush(self._urgency(promise))
        return None

    def _tooltip(self, promise: PromiseRecord) -> str:
        lines = [
            self.tr("%1 for %2 (account %3)")
            .replace("%1", kind_label(promise.kind))
            .replace("%2", promise.customer_name)
            .replace("%3", promise.account_number),
            self.tr("Due %1").replace("%1", short_time(promise.due_at, self._zone)),
        ]
        if promise.window_end_at is not None:
            lines.append(
                self.tr("Window until %1").replace("%1", short_time(promise.window_end_at, self._zone))
            )
        lines.append(self.tr("Owner: %1").replace("%1", promise.owner_name))
        if promise.phone_e164:
            lines.append(self.tr("Call: %1").replace("%1", format_phone(promise.phone_e164)))
        if promise.case_reference:
            lines.append(self.tr("Case: %1").replace("%1", promise.case_reference))
        if promise.note:
            lines.append(self.tr("Note: %1").replace("%1", one_line(promise.note)))
        if promise.escalated_at is not None:
            lines.append(
                self.tr("Escalated to the supervisor %1").replace(
                    "%1", short_time(promise.escalated_at, self._zone)
                )
            )
        if not promise.is_open:
            ended = ended_label(promise.status)
            if promise.closed_at is not None:
                ended = f"{ended}, {short_time(promise.closed_at, self._zone)}"
            lines.append(self.tr("Ended: %1").replace("%1", ended))
            if promise.outcome:
                lines.append(one_line(promise.outcome))
        elif self._urgency(promise) is Urgency.OVERDUE:
            lines.append(self.tr("Overdue: record an outcome (Enter)"))
        return "\n".join(lines)


class CustomerPromiseModel(PromiseTableModel):
    """The open customer's promises: open ones by due time, then the most recently ended."""


class WorklistModel(PromiseTableModel):
    """Every open promise the user owns, across customers, soonest first; finds the ones newly due soon.

    Rows are sorted by due time, so "due soon or overdue by now" is a prefix of the rows: a binary
    search finds its end, and only rows not seen before are looked at, once each.
    """

    COLUMNS = (
        PromiseColumn.CUSTOMER,
        PromiseColumn.ACCOUNT,
        PromiseColumn.KIND,
        PromiseColumn.DUE,
        PromiseColumn.COUNTDOWN,
        PromiseColumn.STATE,
    )

    def __init__(
        self,
        now: datetime,
        due_soon: timedelta = DEFAULT_DUE_SOON,
        zone: tzinfo | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(now, due_soon, zone, parent)
        self._announced: set[uuid.UUID] = set()  # kept across reloads: each promise is announced once
        self._scanned = 0  # rows before this index have been looked at since the last reload

    @override
    def set_promises(self, promises: Sequence[PromiseRecord], now: datetime) -> None:
        ordered = sorted((p for p in promises if p.is_open), key=lambda p: p.due_at)
        super().set_promises(ordered, now)
        self._scanned = 0

    def newly_due(self, now: datetime) -> list[PromiseRecord]:
        """Promises that are due soon or overdue at `now` and were not reported before (each once)."""
        limit = bisect_right(self._due_ts, (now + self._due_soon).timestamp())
        found = []
        for row in range(self._scanned, limit):
            promise = self._rows[row]
            if promise.id not in self._announced:
                self._announced.add(promise.id)
                found.append(promise)
        self._scanned = max(self._scanned, limit)
        return found

    def overdue_count(self, now: datetime) -> int:
        return bisect_right(self._due_ts, now.timestamp())

    def due_by(self, now: datetime) -> list[PromiseRecord]:
        """The promises due soon or overdue at `now`, soonest first (a prefix of the rows)."""
        return self._rows[: bisect_right(self._due_ts, (now + self._due_soon).timestamp())]
