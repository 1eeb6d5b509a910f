"""The call in hand's logic: look the caller up off the UI thread, say what was found on the strip,
time the call from the window's clock, and announce what the window should do (open, search, wrap up)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QMetaMethod, QObject, Signal

from console.calls import Caller, CallRecord, format_duration
from console.clock import Clock
from domain.records import CustomerMatch, CustomerProfile
from widgets.background import BackgroundReader
from widgets.call.strip import CallStrip

if TYPE_CHECKING:
    from console.services.customer_finder import CustomerFinder, FoundCustomers
    from console.sync.engine import SyncState

log = logging.getLogger(__name__)


class CallController(QObject):
    """Takes calls from the channel (or a test), one at a time, and drives `strip`.

    Ticks come from the window's shared Ticker (`tick(now)`), the time from the injected clock.
    """

    # Exactly one customer has the number, or one was picked from the list: carries its id (uuid.UUID).
    open_customer_requested = Signal(object)
    # New customer was pressed for an unknown number: carries the number in E.164.
    new_customer_requested = Signal(str)
    # The number is withheld: the advisor should search (the window focuses customerSearch).
    search_requested = Signal()
    # A call ended: carries its CallRecord (number, customer id, started_at, ended_at) for the wrap-up.
    call_ended = Signal(object)
    # The caller's number was looked up and the strip says so: carries how many customers have it.
    lookup_finished = Signal(int)

    def __init__(
        self,
        search: Callable[[str], list[CustomerMatch] | FoundCustomers],
        reader: BackgroundReader,
        clock: Clock,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._search = search
        self._reader = reader
        self._clock = clock
        self._ticket = 0
        self._caller: Caller | None = None
        self._started_at: datetime | None = None
        self._customer_id: uuid.UUID | None = None
        self._live = False
        self._looked_up_locally = False  # offline: the number is looked up again when the link is back
        self.strip = CallStrip()
        self.strip.end_requested.connect(self.end_call)
        self.strip.new_customer_clicked.connect(self._new_customer)
        self.strip.match_chosen.connect(self._chosen)

    def use_finder(self, finder: CustomerFinder) -> None:
        """Look callers up through `finder`: the server while online (a caller this workstation never
        held pops their pane; opening fetches them), this workstation's copy offline."""
        self._search = finder.search

    def sync_state_shown(self, state: SyncState) -> None:
        """The link's state: a call looked up offline is looked up again once the link is back."""
        from console.sync.engine import Mode

        caller = self._caller
        if state.mode is Mode.ONLINE and self._looked_up_locally and self._live and caller is not None:
            self._looked_up_locally = False
            self._look_up(caller)

    @property
    def live(self) -> bool:
        """A call is in hand (taken and not ended)."""
        return self._live

    def in_hand(self) -> bool:
        """`live`, as a method others can hold weakly."""
        return self._live

    @property
    def caller(self) -> Caller | None:
        return self._caller

    @property
    def customer_id(self) -> uuid.UUID | None:
        """The customer the call is about so far (matched, picked or opened during the call)."""
        return self._customer_id

    def take_call(self, caller: Caller) -> None:
        """A call arrived: show it at once, look the number up on the worker. A call still in hand is
        ended first (a softphone that never said it ended)."""
        self._start(caller)
        if caller.e164 is None:  # withheld: nobody to look up
            return
        self._look_up(caller)

    def _look_up(self, caller: Caller) -> None:
        assert caller.e164 is not None
        self._ticket += 1
        ticket, search, number = self._ticket, self._search, caller.e164
        self.strip.say(self.tr("Looking up the number…"))
        self._reader.submit(
            lambda: search(number),
            lambda matches: self._looked_up(ticket, matches),
            lambda error: self._lookup_failed(ticket, error),
        )

    def take_call_now(self, caller: Caller) -> list[CustomerMatch]:
        """Take a call and look it up on the calling thread (screenshots); returns the matches, and
        leaves opening a single match to the caller (it has to open it at once too)."""
        self._start(caller)
        if caller.e164 is None:
            return []
        self._ticket += 1
        found = self._search(caller.e164)
        self._show_matches(found, open_single=False)
        return found if isinstance(found, list) else found.matches

    def _start(self, caller: Caller) -> None:
        if self._live:
            self.end_call()
        self._caller = caller
        self._started_at = self._clock.now()
        self._customer_id = None
        self._live = True
        if caller.withheld:
            self.strip.show_call(
                self.tr("Number withheld"),
                self.tr("The caller's number is withheld: ask who is calling and search for them."),
            )
            self.search_requested.emit()
            self.lookup_finished.emit(0)
        else:
            self.strip.show_call(caller.spoken, "")

    def _looked_up(self, ticket: int, found: list[CustomerMatch] | FoundCustomers) -> None:
        if ticket == self._ticket and self._live:
            self._show_matches(found, open_single=True)

    def _show_matches(self, found: list[CustomerMatch] | FoundCustomers, *, open_single: bool) -> None:
        matches = found if isinstance(found, list) else found.matches
        local_copy = not isinstance(found, list) and found.local_copy
        self._looked_up_locally = local_copy
        if not matches and local_copy:
            self.strip.say(
                self.tr(
                    "No customer has this number on this workstation, and the server cannot be asked "
                    "just now: the number is looked up again when the link is back."
                )
            )
            self.strip.offer_new_customer()
        elif len(matches) == 1:
            only = matches[0]
            self._customer_id = only.id
            self.strip.say(self._who(only.name, only.account_number))
            if open_single:
                self.open_customer_requested.emit(only.id)
        elif matches:
            self.strip.say(
                self.tr("%1 customers share this number: pick one (arrow keys, then Return)").replace(
                    "%1", str(len(matches))
                )
            )
            self.strip.show_matches(matches)
        else:
            self.strip.say(self.tr("No customer has this number."))
            self.strip.offer_new_customer()
        self.lookup_finished.emit(len(matches))

    def _lookup_failed(self, ticket: int, error: BaseException) -> None:
        if ticket != self._ticket or not self._live:
            return
        log.warning("looking up a caller failed: %s", error)
        self.strip.say(self.tr("The number could not be looked up just now: search for the caller."))
        self.search_requested.emit()
        self.lookup_finished.emit(0)

    def _who(self, name: str, account: str) -> str:
        return self.tr("%1 · account %2").replace("%1", name).replace("%2", account)

    def _chosen(self, customer_id: uuid.UUID) -> None:
        self._customer_id = customer_id
        self.open_customer_requested.emit(customer_id)

    def _new_customer(self) -> None:
        if self._caller is None or self._caller.e164 is None:
            return
        self.new_customer_requested.emit(self._caller.e164)
        if not self.isSignalConnected(QMetaMethod.fromSignal(self.new_customer_requested)):
            text = self.tr("Adding a customer is not in this version of the console yet; the number is %1.")
            self.strip.show_note(text.replace("%1", self._caller.spoken))

    def customer_opened(self, profile: CustomerProfile) -> None:
        """The window opened a customer: while a call is in hand, that is who the call is about."""
        if not self._live:
            return
        self._customer_id = profile.id
        self.strip.say(self._who(profile.full_name, profile.account_number))

    def tick(self, now: datetime) -> None:
        """The window's ticker: move the call timer on (nothing else runs per second)."""
        if self._live and self._started_at is not None:
            self.strip.set_elapsed(format_duration(now - self._started_at))

    def end_call(self) -> None:
        """End the call in hand: the strip keeps how long it lasted; `call_ended` carries the record."""
        if not self._live or self._started_at is None or self._caller is None:
            return
        self._live = False
        self._ticket += 1  # a lookup still running lands on nothing
        ended_at = self._clock.now()
        record = CallRecord(self._caller.e164, self._customer_id, self._started_at, ended_at)
        self.strip.show_ended(format_duration(record.duration))
        self.call_ended.emit(record)
