"""Handing work from the open customer to another team (the acknowledge-by shown before saving)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget
from typing_extensions import override

from console.handoff_rules import HandoffRuleError, check_new_handoff
from console.teams import TeamList
from domain.records import CaseSummary
from domain.vocabulary import HandoffKind, Team
from widgets.dialog_parts import ErrorLabel, SaveDialog, button_box, note_edit, open_case_combo
from widgets.promise_text import handoff_kind_label, short_time


@dataclass(frozen=True)
class HandOffRequest:
    to_team: Team
    kind: HandoffKind
    needed: str
    case_id: uuid.UUID | None


class HandOffDialog(SaveDialog):
    """`handOffDialog`: the team (`handoffTeam`), what is needed (`handoffNeeded`), the case, and the
    acknowledge-by time the team's hours give (`handoffAckBy`), re-worked when the team changes."""

    def __init__(
        self,
        teams: TeamList,
        from_team: Team,
        acknowledge_by: Callable[[Team], datetime],
        zone: ZoneInfo,
        cases: Sequence[CaseSummary] = (),
        chosen_case: uuid.UUID | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("handOffDialog")
        self.setWindowTitle(self.tr("Hand off to another team"))
        self.from_team = from_team
        self._acknowledge_by, self._zone, self._teams = acknowledge_by, zone, teams
        self.team_combo = QComboBox(self)
        self.team_combo.setObjectName("handoffTeam")
        self.team_combo.setAccessibleName(self.tr("Team"))
        for info in teams.teams:
            if info.team is not from_team:
                hours = self.tr("acknowledges within %1 working hours").replace(
                    "%1", str(info.acknowledge_hours)
                )
                self.team_combo.addItem(f"{info.words} ({hours})", info.team.value)
        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("handoffKind")
        self.kind_combo.setAccessibleName(self.tr("Kind"))
        for kind in (HandoffKind.TASK, HandoffKind.ORDER):
            self.kind_combo.addItem(handoff_kind_label(kind), kind.value)
        self.case_combo = open_case_combo(cases, chosen_case, self)
        self.case_combo.setObjectName("handoffCase")
        self.needed_edit = note_edit(
            self.tr("What is needed"), self.tr("What the other team must do, in words they can act on"), self
        )
        self.needed_edit.setObjectName("handoffNeeded")
        self.ack_by = QLineEdit(self)
        self.ack_by.setObjectName("handoffAckBy")
        self.ack_by.setReadOnly(True)
        self.ack_by.setAccessibleName(self.tr("Acknowledge by"))
        self.ack_by.setToolTip(self.tr("Worked out from the team's acknowledge time in UK working hours"))
        problem = QLabel(teams.problem or "", self)
        problem.setObjectName("handoffTeamsProblem")
        problem.setWordWrap(True)
        problem.setVisible(teams.problem is not None)
        self.error = ErrorLabel("handoffError", self)
        self.buttons, self.save_button = button_box(self, self.tr("Hand off"))
        self.buttons.accepted.connect(self.submit)
        form = QFormLayout()
        form.addRow(self.tr("&Team:"), self.team_combo)
        form.addRow(self.tr("&Kind:"), self.kind_combo)
        form.addRow(self.tr("&Case:"), self.case_combo)
        form.addRow(self.tr("&Needed:"), self.needed_edit)
        form.addRow(self.tr("Acknowledge by:"), self.ack_by)
        layout = QVBoxLayout(self)
        layout.addWidget(problem)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.team_combo.currentIndexChanged.connect(self.show_acknowledge_by)
        self.show_acknowledge_by()
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)

    def team(self) -> Team | None:
        value = self.team_combo.currentData()
        return Team(value) if value else None

    def choose_team(self, team: Team) -> None:
        self.team_combo.setCurrentIndex(self.team_combo.findData(team.value))

    def show_acknowledge_by(self, *_: object) -> None:
        team = self.team()
        self.ack_by.setText(short_time(self._acknowledge_by(team), self._zone) if team else "")

    @override
    def payload(self) -> HandOffRequest:
        team = self.team()
        if team is None:
            raise ValueError(self.tr("choose the team to hand to"))
        needed = self.needed_edit.toPlainText()
        try:
            check_new_handoff(self.from_team, team, needed)
        except HandoffRuleError as error:
            self.needed_edit.setFocus()
            raise ValueError(str(error)) from None
        case = self.case_combo.currentData()
        return HandOffRequest(
            team,
            HandoffKind(self.kind_combo.currentData()),
            needed.strip(),
            uuid.UUID(case) if case else None,
        )
