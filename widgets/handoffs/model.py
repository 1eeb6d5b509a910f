"""The open customer's handoffs between teams, with the watchdog's verdict in words and colour."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont
from typing_extensions import override

from console.handoff_rules import HandoffState, handoff_state
from console.promise_rules import span_words
from domain.records import HandoffRecord
from widgets.promise_text import handoff_brush, handoff_kind_label, short_time, team_label
from widgets.table_model import RecordTableModel
from widgets.text import one_line

_ROOT = QModelIndex()
HandoffRole = Qt.ItemDataRole.UserRole + 1
LIVE_ROLES = [
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.AccessibleTextRole,
    Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.FontRole,
]


class HandoffColumn(IntEnum):
    STATE = 0
    KIND = 1
    SUMMARY = 2
    TEAMS = 3
    ACKNOWLEDGE_BY = 4
    DONE_BY = 5


class HandoffModel(RecordTableModel):
    """A handful of rows per customer; the state column is re-read on every tick (a deadline may pass)."""

    def __init__(
        self,
        now: datetime,
        zone: tzinfo | None = None,
        parent: QObject | None = None,
        *,
        sender_only: bool = False,
    ) -> None:
        """`sender_only`: the teams column names only the sending team (a team's own list, where every
        row goes to that team)."""
        super().__init__(parent)
        self._sender_only = sender_only
        self._now = now
        self._zone = zone
        self._rows: list[HandoffRecord] = []
        self._bold = QFont()
        self._bold.setBold(True)
        self._headers = {
            HandoffColumn.STATE: self.tr("State"),
            HandoffColumn.KIND: self.tr("Kind"),
            HandoffColumn.SUMMARY: self.tr("What"),
            HandoffColumn.TEAMS: self.tr("From") if sender_only else self.tr("From → to"),
            HandoffColumn.ACKNOWLEDGE_BY: self.tr("Acknowledge by"),
            HandoffColumn.DONE_BY: self.tr("Done by"),
        }

    def set_handoffs(self, handoffs: Sequence[HandoffRecord], now: datetime) -> None:
        self.beginResetModel()
        self._rows = list(handoffs)
        self._now = now
        self.endResetModel()

    def handoff_at(self, row: int) -> HandoffRecord | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def dropped_count(self) -> int:
        return sum(1 for h in self._rows if handoff_state(h, self._now) is HandoffState.DROPPED)

    def tick(self, now: datetime) -> None:
        self._now = now
        if self._rows:
            column = HandoffColumn.STATE
            self.dataChanged.emit(self.index(0, column), self.index(len(self._rows) - 1, column), LIVE_ROLES)

    @override
    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        handoff = self.handoff_at(index.row()) if index.isValid() else None
        if handoff is None or not 0 <= index.column() < len(HandoffColumn):
            return None
        column = HandoffColumn(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(handoff, column)
        state = handoff_state(handoff, self._now)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column is HandoffColumn.STATE or state is HandoffState.DROPPED:
                return handoff_brush(state)
            return None
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if state is HandoffState.DROPPED else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(handoff, state)
        if role == HandoffRole:
            return handoff
        return None

    def _text(self, handoff: HandoffRecord, column: HandoffColumn) -> str:
        if column is HandoffColumn.STATE:
            return self.state_text(handoff)
        if column is HandoffColumn.KIND:
            return handoff_kind_label(handoff.kind)
        if column is HandoffColumn.SUMMARY:
            return one_line(handoff.summary)
        if column is HandoffColumn.TEAMS:
            if self._sender_only:
                return team_label(handoff.from_team)
            return f"{team_label(handoff.from_team)} → {team_label(handoff.to_team)}"
        if column is HandoffColumn.ACKNOWLEDGE_BY:
            return short_time(handoff.acknowledge_by, self._zone)
        return short_time(handoff.done_by, self._zone) if handoff.done_by is not None else ""

    def state_text(self, handoff: HandoffRecord) -> str:
        """`Not acknowledged — 2 days late`, `Acknowledged by Pete, Thu 26 Nov 10:02`, `Done …`."""
        state = handoff_state(handoff, self._now)
        if state is HandoffState.DROPPED:
            late = span_words(self._now - handoff.acknowledge_by)
            return self.tr("Not acknowledged — %1 late").replace("%1", late)
        if state is HandoffState.AWAITING:
            left = span_words(handoff.acknowledge_by - self._now)
            return self.tr("Awaiting acknowledgement (%1 left)").replace("%1", left)
        if state is HandoffState.CANCELLED:
            return self.tr("Cancelled")
        if state is HandoffState.DONE:
            when = short_time(handoff.done_at, self._zone) if handoff.done_at else ""
            return self.tr("Done %1").replace("%1", when).strip()
        who = handoff.acknowledged_by_name or self.tr("the team")
        when = short_time(handoff.acknowledged_at, self._zone) if handoff.acknowledged_at else ""
        text = self.tr("Acknowledged by %1, %2").replace("%1", who).replace("%2", when)
        if state is HandoffState.LATE:
            return self.tr("%1 — past done-by").replace("%1", text)
        return text

    def _tooltip(self, handoff: HandoffRecord, state: HandoffState) -> str:
        lines = [
            f"{handoff_kind_label(handoff.kind)}: {handoff.summary}",
            self.tr("Handed from %1 to %2 by %3, %4")
            .replace("%1", team_label(handoff.from_team))
            .replace("%2", team_label(handoff.to_team))
            .replace("%3", handoff.created_by_name)
            .replace("%4", short_time(handoff.created_at, self._zone)),
            self.tr("Acknowledge by %1").replace("%1", short_time(handoff.acknowledge_by, self._zone)),
        ]
        if handoff.done_by is not None:
            lines.append(self.tr("Done by %1").replace("%1", short_time(handoff.done_by, self._zone)))
        if handoff.case_reference:
            lines.append(self.tr("Case: %1").replace("%1", handoff.case_reference))
        lines.append(self.state_text(handoff))
        if state is HandoffState.DROPPED:
            lines.append(
                self.tr("Nobody has picked this up: do not tell the customer it is being dealt with.")
            )
        return "\n".join(lines)
