"""Handoffs: the open customer's work handed between teams, with live acknowledgement countdowns, and
moving one on (acknowledged, done)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject

from console.clock import Clock
from console.handoff_rules import (
    HandoffMove,
    HandoffRuleError,
    HandoffState,
    may_say_being_dealt_with,
    next_move,
)
from domain.errors import first_line
from domain.records import CustomerProfile, HandoffRecord
from domain.vocabulary import HandoffStatus
from widgets.controller import Controller, set_alert, set_text
from widgets.handoffs.done_dialog import HandoffDoneDialog
from widgets.handoffs.model import HandoffColumn, HandoffModel
from widgets.jobs import Change, ChangeKind, Jobs
from widgets.pane.loading import CustomerWork
from widgets.promises.panels import HandoffPanel

if TYPE_CHECKING:
    from widgets.workbench import Workbench

log = logging.getLogger(__name__)


class HandoffsController(Controller):
    """Owns the handoff panel."""

    def __init__(
        self,
        jobs: Jobs,
        workbench: Workbench | None,
        clock: Clock,
        zone: ZoneInfo,
        profile: Callable[[], CustomerProfile | None],
        can_act: Callable[[], CustomerProfile | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._jobs, self._workbench, self._clock = jobs, workbench, clock
        self._profile, self._can_act = profile, can_act
        self.model = HandoffModel(clock.now(), zone, self)
        self.panel = HandoffPanel(self.model)
        self.panel.acknowledge_button.clicked.connect(self.acknowledge)
        self.panel.complete_button.clicked.connect(self.complete)
        self.panel.view.selectionModel().currentRowChanged.connect(self.update_actions)
        self.model.modelReset.connect(self.update_actions)

    def show_work(self, work: CustomerWork) -> None:
        # Done-by dates are rare: their column only takes room when a handoff has one (decided before
        # the rows arrive, so the columns are shared out once, for the columns shown).
        self.panel.view.setColumnHidden(HandoffColumn.DONE_BY, all(h.done_by is None for h in work.handoffs))
        self.model.set_handoffs(work.handoffs, self._clock.now())
        self.update_title()

    def selected(self) -> HandoffRecord | None:
        index = self.panel.view.currentIndex()
        return self.model.handoff_at(index.row()) if index.isValid() else None

    def show_state(self, off: str | None) -> None:
        """Title, empty text and the acts enabled; `off`: why handoffs are not available, else None."""
        self.update_title()
        self.update_empty_text(off)
        self.update_actions()

    def update_actions(self, *_: object) -> None:
        acting = self._workbench is not None and self._profile() is not None
        handoff = self.selected()
        move = next_move(handoff) if acting and handoff is not None else None
        self.panel.acknowledge_button.setEnabled(move is HandoffMove.ACKNOWLEDGE)
        self.panel.complete_button.setEnabled(move is HandoffMove.COMPLETE)

    def update_empty_text(self, off: str | None) -> None:
        if off is not None:
            self.panel.view.set_empty_text(off)
        elif self._profile() is None:
            self.panel.view.set_empty_text(self.tr("Open a customer to see work handed between teams."))
        else:
            self.panel.view.set_empty_text(self.tr("Nothing handed to another team for this customer."))

    def update_title(self, *_: object) -> None:
        """The title moves with the clock: handoffs not acknowledged in time turn it red."""
        title = self.panel.title
        if self._profile() is None:
            set_text(title, self.tr("Handoffs"))
            return
        set_text(title, self._title())
        set_alert(title, self.model.dropped_count() > 0)

    def _title(self) -> str:
        handoffs = [self.model.handoff_at(row) for row in range(self.model.rowCount())]
        live = [h for h in handoffs if h is not None]
        dropped = self.model.dropped_count()
        if not live:
            return self.tr("Handoffs")
        if dropped:
            return self.tr(
                "Handoffs: %1 not acknowledged in time — do not say it is being dealt with"
            ).replace("%1", str(dropped))
        awaiting = sum(1 for h in live if h.status is HandoffStatus.AWAITING_ACK)
        if awaiting:
            return self.tr("Handoffs: %1 awaiting acknowledgement").replace("%1", str(awaiting))
        if may_say_being_dealt_with(live):
            return self.tr("Handoffs: acknowledged — being dealt with")
        return self.tr("Handoffs: none open")

    # -- moving a handoff on ----------------------------------------------------------------------

    def acknowledge(self) -> None:
        self._move(acknowledge=True)

    def complete(self) -> None:
        """Asks what was done first: the words go on the customer's timeline with the handoff."""
        self._move(acknowledge=False)

    def _move(self, *, acknowledge: bool) -> None:
        if self._can_act() is None or self._workbench is None:
            return
        handoff = self.selected()
        if handoff is None:
            self.say(self.tr("Choose a handoff in the list first."))
            return
        if not acknowledge:
            self.open_dialog(HandoffDoneDialog(handoff.summary), partial(self._save_done, handoff))
            return
        step = self._workbench.handoffs.acknowledge
        self._jobs.change(lambda: step(handoff), announce=self._moved).failed(
            lambda error: self._refused(handoff, error)
        ).run()

    def _save_done(self, handoff: HandoffRecord, note: str) -> None:
        dialog = self.dialog
        if self._workbench is None:
            return
        step = self._workbench.handoffs.complete
        self._jobs.change(
            lambda: step(handoff, note), lambda _done: self.saved_in(dialog), announce=self._moved
        ).failed(
            lambda error: self.refuse(dialog, error, (HandoffRuleError,), self.tr("not saved: %1"))
        ).run()

    def _moved(self, handoff: HandoffRecord) -> Change:
        state = HandoffState.DONE if handoff.status is HandoffStatus.DONE else HandoffState.ACKNOWLEDGED
        word = self.tr("done") if state is HandoffState.DONE else self.tr("acknowledged")
        text = self.tr("Handoff %1: %2").replace("%1", word).replace("%2", handoff.summary)
        return Change(ChangeKind.HANDOFF, handoff.customer_id, text)

    def _refused(self, handoff: HandoffRecord, error: BaseException) -> None:
        if not isinstance(error, HandoffRuleError):
            log.warning("moving a handoff on failed: %s", error)
        self.say(self.tr("The handoff was not changed: %1").replace("%1", first_line(error)))
        self._jobs.announce(Change(ChangeKind.HANDOFF, handoff.customer_id, "", here=False))
