"""The customer's cases as a table model: open ones first (as the service orders them), in bold."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from typing_extensions import override

from console.case_rules import awaiting_confirmation, status_words
from console.clock import Clock
from domain.records import CaseSummary
from domain.vocabulary import CaseStatus, Confirmation
from widgets.table_model import RecordTableModel
from widgets.text import age, local_time, one_line

_ROOT = QModelIndex()
CaseRole = Qt.ItemDataRole.UserRole + 1
# Dark amber: marks an open case's status and keeps a contrast above 4.5:1 on white and light grey.
OPEN_STATUS_BRUSH = QBrush(QColor("#8a4600"))


class CaseColumn(IntEnum):
    REFERENCE = 0
    TITLE = 1
    STATUS = 2
    OWNER = 3
    AGE = 4
    NEXT_STEP = 5


class CaseModel(RecordTableModel):
    """A handful of rows per customer, so the whole list is held; ages are measured on the injected clock."""

    def __init__(self, clock: Clock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._rows: list[CaseSummary] = []
        self._bold = QFont()
        self._bold.setBold(True)
        self._headers = {
            CaseColumn.REFERENCE: self.tr("Reference"),
            CaseColumn.TITLE: self.tr("Title"),
            CaseColumn.STATUS: self.tr("Status"),
            CaseColumn.OWNER: self.tr("Owner"),
            CaseColumn.AGE: self.tr("Age"),
            CaseColumn.NEXT_STEP: self.tr("Next step"),
        }

    def set_cases(self, cases: Sequence[CaseSummary]) -> None:
        self.beginResetModel()
        self._rows = list(cases)
        self.endResetModel()

    @property
    def cases(self) -> list[CaseSummary]:
        return list(self._rows)

    def case_at(self, row: int) -> CaseSummary | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    @property
    def open_count(self) -> int:
        return sum(1 for case in self._rows if case.status.is_open)

    @property
    def awaiting_count(self) -> int:
        """Resolved cases whose fix the customer has not yet confirmed."""
        return sum(1 for case in self._rows if awaiting_confirmation(case))

    @override
    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        case = self.case_at(index.row()) if index.isValid() else None
        if case is None or not 0 <= index.column() < len(CaseColumn):
            return None
        column = CaseColumn(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(case, column)
        if role == Qt.ItemDataRole.FontRole and case.status.is_open:
            return self._bold
        if role == Qt.ItemDataRole.ForegroundRole and column is CaseColumn.STATUS and self._pending(case):
            return OPEN_STATUS_BRUSH
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(case)
        if role == CaseRole:
            return case
        return None

    @staticmethod
    def _pending(case: CaseSummary) -> bool:
        """Still work to do: open, or resolved and awaiting the customer's confirmation."""
        return case.status.is_open or awaiting_confirmation(case)

    def _text(self, case: CaseSummary, column: CaseColumn) -> str:
        if column is CaseColumn.REFERENCE:
            return case.reference
        if column is CaseColumn.TITLE:
            if case.formal_complaint:
                return self.tr("%1 (formal complaint)").replace("%1", case.title)
            return case.title
        if column is CaseColumn.STATUS:
            return status_words(case)
        if column is CaseColumn.OWNER:
            return case.owner_name or self.tr("Unowned")
        if column is CaseColumn.AGE:
            if case.status.is_open or case.resolved_at is None:
                return age(case.opened_at, self._clock.now())
            return self.tr("took %1").replace("%1", age(case.opened_at, case.resolved_at))
        return one_line(case.next_step or "")

    def _tooltip(self, case: CaseSummary) -> str:
        lines = [
            f"{case.reference}: {case.title}",
            self.tr("Status: %1").replace("%1", status_words(case)),
            self.tr("Opened %1").replace("%1", local_time(case.opened_at)),
        ]
        if case.target_at is not None:
            lines.append(self.tr("Target %1").replace("%1", local_time(case.target_at)))
        if case.resolved_at is not None:
            lines.append(self.tr("Resolved %1").replace("%1", local_time(case.resolved_at)))
        if case.next_step:
            lines.append(self.tr("Next step: %1").replace("%1", case.next_step))
        lines.extend(self._resolution_lines(case))
        return "\n".join(lines)

    def _resolution_lines(self, case: CaseSummary) -> list[str]:
        lines = []
        if case.root_cause_category:
            lines.append(
                self.tr("Root cause: %1 — %2")
                .replace("%1", case.root_cause_category)
                .replace("%2", case.root_cause_text or "")
            )
        if case.status is CaseStatus.RESOLVED and case.confirmation is not Confirmation.CONFIRMED:
            lines.append(
                self.tr("Awaiting the customer's confirmation (%1 tries without reaching them)").replace(
                    "%1", str(case.confirmation_attempts)
                )
            )
        if case.confirmation is Confirmation.TOLD_IN_WRITING:
            lines.append(self.tr("Closed without confirmation: customer told in writing"))
        if case.reopened_count:
            lines.append(self.tr("Reopened %1 times").replace("%1", str(case.reopened_count)))
        if case.formal_complaint and case.complaint_deadline_at is not None:
            lines.append(
                self.tr("Formal complaint: 8 weeks are up %1").replace(
                    "%1", local_time(case.complaint_deadline_at)
                )
            )
        if case.deadlock_at is not None:
            lines.append(self.tr("Deadlock declared %1").replace("%1", local_time(case.deadlock_at)))
        if case.adr_letter_sent_at is not None:
            lines.append(
                self.tr("Ombudsman letter sent %1").replace("%1", local_time(case.adr_letter_sent_at))
            )
        return lines
