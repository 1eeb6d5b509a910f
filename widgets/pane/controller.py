"""Opening a customer: the header, the contact history and the offers, read off the UI thread in one
trip; re-reading the customer's work after a change; recording the offers an opening showed."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from console.clock import Clock
from console.suppressor import OffersPausedError, OfferView
from domain.errors import first_line
from domain.records import CustomerProfile
from widgets.controller import Controller
from widgets.jobs import Change, Jobs
from widgets.pane.header import CustomerHeader
from widgets.pane.history_model import HistoryModel
from widgets.pane.history_view import HistoryPanel
from widgets.pane.loading import CustomerWork, load_work, work_of
from widgets.pane.offers_panel import OffersPanel

if TYPE_CHECKING:
    from console.services.customer_finder import CustomerFinder
    from console.services.customers import CustomerService
    from console.services.pane import Pane
    from console.sync.engine import SyncState
    from widgets.workbench import Workbench

log = logging.getLogger(__name__)

# What goodwill an opening reads beside the pane: the approval queue too?, decisions since when?
GoodwillAsk = Callable[[], tuple[bool, datetime | None]]

OPENING = "pane:open"  # job keys: the latest opening (and re-read) wins
WORK = "pane:work"


class PaneController(Controller):
    """Owns the header, the history and the offers; tells the other controllers what was read."""

    # A customer is on screen: carries the CustomerProfile.
    customer_opened = Signal(object)
    # Opening a customer failed: carries a one-line message.
    customer_open_failed = Signal(str)
    # The open customer's cases, promises, handoffs (and offers) were read: carries a CustomerWork.
    work_shown = Signal(object)
    # The same, after a re-read following a change (not an opening).
    work_reloaded = Signal()
    # The goodwill read in the same trip as an opening: carries a GoodwillView.
    goodwill_read = Signal(object)
    # The offers an opening showed were recorded as impressions: carries how many.
    offer_impressions_recorded = Signal(int)

    def __init__(
        self,
        service: CustomerService,
        jobs: Jobs,
        workbench: Workbench | None,
        user_problem: str,
        clock: Clock,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        # One read transaction per opening; without a signed-in user only header, history and cases.
        if workbench is None:
            from console.services.pane import PaneService  # the services load with the store

        self._reads = workbench.pane if workbench is not None else PaneService(service.store, clock)
        self._jobs = jobs
        self._workbench = workbench
        self._user_problem = user_problem
        self._offers_shown: set[uuid.UUID] = set()
        self._finder: CustomerFinder | None = None
        self._waiting: uuid.UUID | None = None  # not on this workstation: opens when the link is back
        self.goodwill_asks: GoodwillAsk | None = None
        self.header = CustomerHeader()
        self.history_model = HistoryModel(service, jobs.reader, parent=self)
        self.history_panel = HistoryPanel(self.history_model)
        self.history_panel.title.hide()  # the tab says it
        self.offers_panel = OffersPanel()
        self.history_model.page_failed.connect(self._history_failed)
        jobs.changed.connect(self._changed)

    @property
    def profile(self) -> CustomerProfile | None:
        return self.header.profile

    def current(self) -> CustomerProfile | None:
        """The customer on screen (what the other controllers are given to ask)."""
        return self.header.profile

    def can_act(self) -> CustomerProfile | None:
        """The open customer, if someone is signed in to act on them; else says why not."""
        if self._workbench is None:
            self.say(self.tr("Promises and handoffs are off: %1").replace("%1", self._user_problem))
            return None
        profile = self.profile
        if profile is None:
            self.say(self.tr("Open a customer first (Ctrl+F)."))
        return profile

    # -- opening ----------------------------------------------------------------------------------

    def use_finder(self, finder: CustomerFinder) -> None:
        """Open through `finder`: a customer this store does not hold whole is fetched from the server
        first (while online), whoever asked to open them (a search, a call, a worklist, an id)."""
        self._finder = finder

    def open_customer(self, customer_id: uuid.UUID) -> None:
        """Read the customer's header, cases and first history page off the UI thread, then show them."""
        self.say(self.tr("Opening customer…"), 0)
        self._waiting = None

        def failed(error: BaseException) -> None:
            self._open_failed(error, customer_id)

        self._jobs.read(self._opening(customer_id), self.show_loaded).failed(failed).latest(OPENING).run()

    def _opening(self, customer_id: uuid.UUID) -> Callable[[], Pane]:
        """The opening's one trip and one read transaction (made on the UI thread, run on the worker);
        the goodwill panel comes in the same read: one wait for the worker and one repaint, not two."""
        reads, finder = self._reads, self._finder
        with_queue, since = self.goodwill_asks() if self.goodwill_asks is not None else (False, None)

        def read() -> Pane:
            if finder is not None:
                finder.ensure_held(customer_id)
            return reads.open(customer_id, with_queue=with_queue, decisions_since=since)

        return read

    def sync_state_shown(self, state: SyncState) -> None:
        """The link's state: a customer that could not open for want of the server opens once it is back."""
        from console.sync.engine import Mode

        waiting = self._waiting
        if waiting is not None and state.mode is Mode.ONLINE:
            self.open_customer(waiting)

    def open_customer_now(self, profile: CustomerProfile) -> None:
        """Open a customer on the calling thread: for screenshots and start-up with a known account."""
        self._jobs.stamp(OPENING)
        loaded = self._opening(profile.id)()
        self.show_loaded(loaded, record_offers=False)
        self._record_offers(loaded.offers, at_once=True)

    def _open_failed(self, error: BaseException, customer_id: uuid.UUID | None = None) -> None:
        from console.services.customers import CustomerNotFoundError

        log.warning("opening a customer failed: %s", error)
        if isinstance(error, CustomerNotFoundError) and self._finder is not None and customer_id is not None:
            self._waiting = customer_id
            message = self.tr("This customer is not on this workstation: they open when the link is back.")
        else:
            message = self.tr("Could not open the customer: %1").replace("%1", first_line(error))
        self.say(message, 0)
        self.customer_open_failed.emit(message)

    def _history_failed(self, reason: str) -> None:
        self.say(self.tr("Could not read more of the history: %1").replace("%1", reason), 0)

    def show_loaded(self, loaded: Pane, *, record_offers: bool = True) -> None:
        """Show a customer just read; then (unless told not to) record its offers shown, on the worker."""
        profile = loaded.profile
        self._jobs.stamp(WORK)  # a re-read for the previous customer must not land on this one
        self.header.show_profile(profile)
        self.history_panel.reset_filter()
        self.history_model.show_customer(profile.id, None, loaded.first_history_page)
        self.history_panel.view.scrollToTop()
        self._offers_shown = set()  # a new opening: every offer shown is recorded again
        self._show_work(work_of(loaded))
        self.say("", 0)
        if loaded.goodwill is not None:
            self.goodwill_read.emit(loaded.goodwill)
        if record_offers:
            self._record_offers(loaded.offers)
        self.customer_opened.emit(profile)

    # -- after a change ---------------------------------------------------------------------------

    def _changed(self, change: Change) -> None:
        profile = self.profile
        if change.concerns(profile.id if profile is not None else None):
            self.refresh()

    def refresh(self) -> None:
        """Re-read the open customer's cases, promises, handoffs and history after a change."""
        profile = self.profile
        if profile is None:
            return
        service, workbench, customer_id = self.service, self._workbench, profile.id
        shown = frozenset(self._offers_shown)
        self._jobs.read(lambda: load_work(service, workbench, customer_id, shown), self._work_loaded).failed(
            self._work_failed
        ).latest(WORK).run()
        self.history_model.show_customer(customer_id, self.history_model.channels)

    def _work_loaded(self, work: CustomerWork) -> None:
        profile = self.profile
        if profile is None or profile.id != work.customer_id:
            return
        self._show_work(work)
        self.work_reloaded.emit()

    def _work_failed(self, error: BaseException) -> None:
        log.warning("re-reading the customer failed: %s", error)
        self.say(self.tr("Could not refresh the customer: %1").replace("%1", first_line(error)), 0)

    def _show_work(self, work: CustomerWork) -> None:
        self.work_shown.emit(work)
        self._show_offers(work.offers)

    # -- offers -----------------------------------------------------------------------------------

    def _show_offers(self, view: OfferView | None) -> None:
        if view is None:
            self.offers_panel.clear(
                self.tr("Not available: %1.").replace("%1", self._user_problem)
                if self._workbench is None
                else self.tr("Open a customer to see the offers they may be shown.")
            )
            return
        self.offers_panel.show_view(view)
        self._offers_shown.update(offer.id for offer in view.offers)

    def _record_offers(self, view: OfferView | None, *, at_once: bool = False) -> None:
        """Record the offers this opening put on screen, on the worker (or `at_once`, on the calling
        thread: screenshots and start-up), after the pane is shown.

        The write (a durable transaction: an fsync) used to be inside the opening's read, a third of
        its time for a customer with offers. Every offer shown is still recorded once per opening;
        should the suppressor forbid it by then, or the write fail, the offers leave the screen and
        the advisor is told why (a failure is also logged).
        """
        if view is None or not view.offers or self._workbench is None:
            return
        offers, opening = self._workbench.offers, self._jobs.current(OPENING)
        customer_id, offer_ids = view.customer_id, [offer.id for offer in view.offers]
        job = self._jobs.read(
            lambda: offers.record_impressions(customer_id, offer_ids), self.offer_impressions_recorded.emit
        ).failed(lambda error: self._offers_not_recorded(opening, view, error))
        if at_once:
            job.run_now()
        else:
            job.run()

    def _offers_not_recorded(self, opening: int, view: OfferView, error: BaseException) -> None:
        if not isinstance(error, OffersPausedError):
            log.warning("recording the offers shown failed: %s", error)
        profile = self.profile
        if not self._jobs.is_latest(OPENING, opening) or profile is None or profile.id != view.customer_id:
            return  # another customer is on screen now
        self._offers_shown.difference_update(offer.id for offer in view.offers)
        if isinstance(error, OffersPausedError):
            self.offers_panel.show_view(OfferView(view.customer_id, error.decision, ()))
            return
        message = self.tr("Could not record the offers shown: %1").replace("%1", first_line(error))
        self.offers_panel.clear(message)
        self.say(message, 0)
