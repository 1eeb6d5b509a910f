"""The user's team's handoffs (`teamHandoffs`: whom each is for, open that customer, acknowledge,
complete with what was done), handing the open customer's work to another team (`handOffDialog`), and
telling the sender, once, when their handoff is acknowledged or done (`handoffNewsBanner`)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget
from typing_extensions import override

from console.clock import Clock
from console.handoff_rules import HandoffMove, HandoffRuleError, next_move
from console.teams import standard_teams
from domain.records import CaseSummary, CustomerProfile, HandoffRecord
from domain.vocabulary import HandoffStatus, Team
from widgets.controller import SAVED_FOR, Controller
from widgets.handoffs.done_dialog import HandoffDoneDialog
from widgets.handoffs.model import HandoffColumn, HandoffModel
from widgets.jobs import Change, ChangeKind, Jobs
from widgets.promise_text import team_label
from widgets.promises.panels import HandoffPanel, PromiseBanner
from widgets.team_handoffs.dialogs import HandOffDialog, HandOffRequest

if TYPE_CHECKING:
    from widgets.workbench import Workbench

log = logging.getLogger(__name__)


class HandoffNewsBanner(PromiseBanner):
    """`handoffNewsBanner`: "Provisioning acknowledged your handoff: Office move order"; like the
    promise banner, it asks before a handoff's customer replaces the caller's pane."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("handoffNewsBanner")
        self.text.setObjectName("handoffNewsBannerText")

    @override
    def _name_buttons(self) -> None:
        super()._name_buttons()
        if not self.asking:  # the promise banner's words, said of a handoff
            self.open_button.setAccessibleName(self.tr("Open the customer of this handoff"))
            self.dismiss_button.setAccessibleName(self.tr("Dismiss the handoff notice"))

    def tell(self, text: str, customer_id: uuid.UUID | None) -> None:
        self.announce(text, customer_id, overdue=False)

    def confirm_open(self, question: str, customer_id: uuid.UUID) -> None:
        """Ask, as the promise banner does, before `customer_id`'s pane replaces the caller's:
        Open anyway, or Stay on the call."""
        self.announce("", customer_id, overdue=False)
        self.ask(question)

    @override
    def _dismiss(self) -> None:
        asked = self.asking
        super()._dismiss()
        if asked:  # Stay on the call: the question goes (the news under it was replaced by it)
            self.hide()


class TeamHandoffsController(Controller):
    """Owns the team's handoff list, the hand-off dialog and the news banner; inert while nobody is
    signed in."""

    # A customer should be opened (from the banner or the list): carries the customer id.
    open_customer_requested = Signal(object)
    # The list was read: carries how many live handoffs the team has (for the tab's text).
    team_title = Signal(str)

    def __init__(
        self,
        jobs: Jobs,
        workbench: Workbench | None,
        clock: Clock,
        zone: ZoneInfo,
        profile: Callable[[], CustomerProfile | None],
        selected_case: Callable[[], CaseSummary | None],
        parent: QObject | None = None,
        in_call: Callable[[], bool | None] = lambda: False,
    ) -> None:
        """`in_call`: whether a call is in hand (then opening another customer asks first)."""
        super().__init__(parent)
        self._jobs, self._workbench, self._clock, self._zone = jobs, workbench, clock, zone
        self._profile, self._selected_case, self._in_call = profile, selected_case, in_call
        self._told_since = clock.now()
        self._told: set[tuple[uuid.UUID, HandoffStatus]] = set()
        self._customer_id: uuid.UUID | None = None
        self.model = HandoffModel(clock.now(), zone, self, sender_only=True, with_customer=True)
        self.panel = HandoffPanel(self.model, name="teamHandoffs", title=self.tr("Handoffs to my team"))
        header = self.panel.view.horizontalHeader()
        # Every row comes to this team: the column names the sender only, and gives "What" the room.
        sender = self.panel.view.fontMetrics().horizontalAdvance(team_label(Team.FIELD_ENGINEERS))
        header.resizeSection(HandoffColumn.TEAMS, sender + 24)
        header.moveSection(header.visualIndex(HandoffColumn.CUSTOMER), HandoffColumn.KIND)  # who, then what
        self.panel.complete_button.setText(self.tr("Complete…"))
        self.banner = HandoffNewsBanner()
        self.banner.open_customer_requested.connect(self._open_from_banner)
        self.panel.acknowledge_button.clicked.connect(self.acknowledge)
        self.panel.complete_button.clicked.connect(self.complete)
        self.panel.open_button.clicked.connect(self._open_selected)
        self.panel.view.activated.connect(self._open_selected)
        self.panel.view.selectionModel().currentRowChanged.connect(self.update_actions)
        self.model.modelReset.connect(self.update_actions)
        jobs.changed.connect(self._changed)
        self.update_actions()

    # -- the team's list --------------------------------------------------------------------------

    def refresh(self) -> None:
        if self._workbench is None:
            self.panel.view.set_empty_text(self.tr("Not available: nobody signed in."))
            return
        service, since = self._workbench.handoffs, self._told_since
        self._jobs.read(lambda: (service.for_my_team(), service.moved_on_since(since)), self._show).latest(
            "team-handoffs"
        ).run()

    def _show(self, read: tuple[list[HandoffRecord], list[HandoffRecord]]) -> None:
        mine, moved = read
        self.model.set_handoffs(mine, self._clock.now())
        # As on the pane: done-by dates are rare, their column takes room only when one has a date.
        self.panel.view.setColumnHidden(HandoffColumn.DONE_BY, all(h.done_by is None for h in mine))
        self.panel.view.set_empty_text(self.tr("Nothing handed to your team is waiting."))
        self.team_title.emit(self.tr("Team handoffs (%1)").replace("%1", str(len(mine))) if mine else "")
        self._tell(moved)

    def _changed(self, change: Change) -> None:
        if change.kind in (ChangeKind.HANDOFF, ChangeKind.ARRIVED, ChangeKind.TEAM):
            self.refresh()

    def selected(self) -> HandoffRecord | None:
        index = self.panel.view.currentIndex()
        return self.model.handoff_at(index.row()) if index.isValid() else None

    def update_actions(self, *_: object) -> None:
        handoff = self.selected()
        move = next_move(handoff) if handoff is not None and self._workbench is not None else None
        self.panel.open_button.setEnabled(handoff is not None)
        self.panel.acknowledge_button.setEnabled(move is HandoffMove.ACKNOWLEDGE)
        self.panel.complete_button.setEnabled(move is HandoffMove.COMPLETE)

    def _open_selected(self) -> None:
        """Open the selected handoff's customer (Enter or Open customer); over a call with another
        customer's pane open, the banner asks first."""
        handoff = self.selected()
        if handoff is None:
            return
        profile = self._profile()
        if self._in_call() and profile is not None and profile.id != handoff.customer_id:
            question = self.banner.over_call_question(profile.full_name, self.model.customer_text(handoff))
            self.banner.confirm_open(question, handoff.customer_id)
            return
        if self.banner.asking:  # a question asked before is answered by opening
            self.banner.hide()
        self.open_customer_requested.emit(handoff.customer_id)

    def acknowledge(self) -> None:
        handoff = self.selected()
        if handoff is None or self._workbench is None:
            return
        step = self._workbench.handoffs.acknowledge
        self._jobs.change(lambda: step(handoff), announce=self._moved).failed(self._refused).run()

    def complete(self) -> None:
        handoff = self.selected()
        if handoff is None or self._workbench is None:
            return
        self.open_dialog(HandoffDoneDialog(handoff.summary), self._save_done)

    def _save_done(self, note: str) -> None:
        handoff, dialog = self.selected(), self.dialog
        if handoff is None or self._workbench is None:
            return
        step = self._workbench.handoffs.complete
        self._jobs.change(
            lambda: step(handoff, note), lambda _done: self.saved_in(dialog), announce=self._moved
        ).failed(
            lambda error: self.refuse(dialog, error, (HandoffRuleError,), self.tr("not saved: %1"))
        ).run()

    def _moved(self, handoff: HandoffRecord) -> Change:
        word = self.tr("done") if handoff.status is HandoffStatus.DONE else self.tr("acknowledged")
        text = self.tr("Handoff %1: %2").replace("%1", word).replace("%2", handoff.summary)
        return Change(ChangeKind.HANDOFF, handoff.customer_id, text)

    def _refused(self, error: BaseException) -> None:
        if not isinstance(error, HandoffRuleError):
            log.warning("moving a handoff on failed: %s", error)
        self.say(self.tr("The handoff was not changed: %1").replace("%1", str(error)))
        self.refresh()

    # -- handing off ------------------------------------------------------------------------------

    def hand_off(self) -> None:
        customer = self._profile()
        if customer is None or self._workbench is None:
            self.say(self.tr("Open a customer first: a handoff is about a customer."))
            return
        case = self._selected_case()
        service = self._workbench.handoffs
        dialog = HandOffDialog(
            standard_teams(),
            service.user.team,
            service.acknowledge_by,
            self._zone,
            [case] if case is not None else [],
            case.id if case is not None else None,
        )
        self._customer_id = customer.id
        self.open_dialog(dialog, self._save_hand_off)

    def _save_hand_off(self, request: HandOffRequest) -> None:
        if self._workbench is None:
            return
        service, dialog, customer_id = self._workbench.handoffs, self.dialog, self._customer_id
        if customer_id is None:
            return

        def work() -> HandoffRecord:
            return service.hand_off(
                customer_id, request.kind, request.to_team, request.needed, case_id=request.case_id
            )

        def announce(made: HandoffRecord) -> Change:
            text = (
                self.tr("Handed to %1: %2")
                .replace("%1", team_label(made.to_team))
                .replace("%2", made.summary)
            )
            return Change(ChangeKind.HANDOFF, made.customer_id, text)

        self._jobs.change(work, lambda _made: self.saved_in(dialog), announce=announce).failed(
            lambda error: self.refuse(dialog, error, (HandoffRuleError,), self.tr("not saved: %1"))
        ).run()

    # -- telling the sender -----------------------------------------------------------------------

    def _tell(self, moved: list[HandoffRecord]) -> None:
        """Once each: another team acknowledged or completed one of the user's handoffs."""
        for handoff in moved:
            key = (handoff.id, handoff.status)
            if key in self._told or handoff.status not in (HandoffStatus.ACKNOWLEDGED, HandoffStatus.DONE):
                continue
            self._told.add(key)
            team = team_label(handoff.to_team)
            template = (
                self.tr("%1 completed your handoff: %2")
                if handoff.status is HandoffStatus.DONE
                else self.tr("%1 acknowledged your handoff: %2")
            )
            text = template.replace("%1", team).replace("%2", handoff.summary)
            self.banner.tell(text, handoff.customer_id)
            self.say(text, SAVED_FOR)

    def _open_from_banner(self, customer_id: uuid.UUID) -> None:
        self.banner.hide()
        self.open_customer_requested.emit(customer_id)
