"""The one-pane main window: layout and wiring only. Search on the left; the open customer's header,
history, cases, promises and handoffs beside it; goodwill and offers in a narrow column; My promises
one tab away. Each feature is a controller in its own package (widgets/<feature>/controller.py).

Adding a feature (e.g. widgets/call/): a Controller subclass given what it needs (the job runner,
the workbench, clock, zone, a callable such as `pane.current`), built in `_build_controllers` and
added to `self.features` (its dialogs then open here one at a time, its lines go to the status bar);
its widget placed in `_layout` (a strip above the banners: one more entry in the banner row). It
learns of every change from `jobs.changed` (one `Change` notice) and saves through `jobs.change(...)`.
"""

from __future__ import annotations

import uuid
from concurrent.futures import Executor
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QDialog, QMainWindow, QTableView, QTabWidget, QVBoxLayout, QWidget
from typing_extensions import override

from console.clock import Clock
from domain.records import CustomerProfile, UserRecord
from domain.vocabulary import Role
from widgets.background import BackgroundReader
from widgets.call.controller import CallController
from widgets.cases.controller import CasesController
from widgets.controller import SAVED_FOR, Controller, OneDialog, weak
from widgets.details.controller import DetailsController
from widgets.goodwill.controller import GoodwillController
from widgets.handoffs.controller import HandoffsController
from widgets.jobs import Change, ChangeKind, Jobs
from widgets.layout import FittedSplitter, SidePanel, splitter
from widgets.pane.controller import PaneController
from widgets.pane.loading import CustomerWork
from widgets.panes import bind_pane_keys, list_sections
from widgets.promise_text import workstation_zone
from widgets.promises.controller import PromisesController
from widgets.record.place import build_record, place_record
from widgets.search.panel import SearchPanel
from widgets.style import apply_style
from widgets.sync.status import ConnectivityStatus, UserStatus
from widgets.team_handoffs.controller import TeamHandoffsController as TeamHandoffs
from widgets.team_handoffs.place import place_team_handoffs
from widgets.text import window_title
from widgets.ticker import Ticker
from widgets.tray import DesktopNotices

if TYPE_CHECKING:  # the board (and QtCharts) is imported only when a supervisor's window builds it
    from console.services.customers import CustomerService
    from widgets.board.host import BoardTabs
    from widgets.board.panel import SupervisorBoard
    from widgets.workbench import Workbench


class MainWindow(QMainWindow):
    """Everything about one customer in one pane; reads and changes run on one background worker."""

    # A customer's header, cases and first history page are on screen: carries the CustomerProfile.
    customer_opened = Signal(object)
    # Opening a customer failed: carries a one-line message for the advisor.
    customer_open_failed = Signal(str)
    # A dialog was opened (with open(), never exec()): carries the QDialog, so tests can drive it.
    dialog_opened = Signal(object)
    # The open customer's cases, promises and handoffs were re-read after a change.
    customer_work_loaded = Signal()
    # The worklist ("My promises") was read: carries how many open promises the user has.
    worklist_loaded = Signal(int)
    # The user saved a change (a promise, a handoff, a case, goodwill…): carries a one-line description.
    change_saved = Signal(str)
    # Promises newly due soon (or found overdue) were announced: carries the list of PromiseRecord.
    promises_announced = Signal(object)
    # The goodwill panel (and, for supervisors, the approval queue) was re-read: carries a GoodwillView.
    goodwill_loaded = Signal(object)
    # The offers an opening showed were recorded as impressions (after the pane): carries how many.
    offer_impressions_recorded = Signal(int)
    # A supervisor decided one of the user's goodwill requests and the user was told: carries the words.
    goodwill_decision_announced = Signal(str)
    # F5: the user asks to sync now (the sync engine listens; until it exists, connectivity is rechecked).
    sync_requested = Signal()

    def __init__(
        self,
        service: CustomerService,
        store_description: str,
        role: Role | str,
        clock: Clock,
        executor: Executor | None = None,
        parent: QWidget | None = None,
        *,
        workbench: Workbench | None = None,
        user_problem: str | None = None,
        zone: ZoneInfo | None = None,
        auto_tick: bool = True,
    ) -> None:
        super().__init__(parent)
        self.role = Role(role)
        self.workbench = workbench  # None: nobody signed in (promises, handoffs and goodwill are off)
        self.zone = zone or workstation_zone()
        self._auto_tick = auto_tick
        self._user_problem = "" if workbench is not None else user_problem or self.tr("no user signed in")
        self._off = (
            None if workbench is not None else self.tr("Not available: %1.").replace("%1", self._user_problem)
        )
        self.dialogs = OneDialog(self)
        self.dialogs.opened.connect(self.dialog_opened)
        self._unlocked_offline = False
        self.reader = BackgroundReader(executor, self)
        self.jobs = Jobs(self.reader, self)
        self.ticker = Ticker(clock, parent=self)  # one shared ticker for every live countdown
        role_name = self.tr("Supervisor") if self.role is Role.SUPERVISOR else self.tr("Advisor")
        self.setWindowTitle(window_title(role_name))
        self.setObjectName("mainWindow")
        self._build_controllers(service, clock)
        self._layout(store_description)
        self.board_tabs: BoardTabs | None = None
        self.board: SupervisorBoard | None = (
            self._install_board(workbench, clock)
            if self.role is Role.SUPERVISOR and workbench is not None
            else None
        )
        self._wire()
        apply_style(self)
        self._show_user()
        self._show_work()
        self.search_panel.focus_search()
        if workbench is not None:
            self.promises.refresh_worklist()
            self.goodwill.refresh()
        if self.board is not None:
            self.board.refresh()

    def _build_controllers(self, service: CustomerService, clock: Clock) -> None:
        jobs, workbench, zone, problem = self.jobs, self.workbench, self.zone, self._user_problem
        self.notices = DesktopNotices(self)
        self.search_panel = SearchPanel(service.search, self.reader)
        self.call = CallController(service.search, self.reader, clock, self)
        self.pane = PaneController(service, jobs, workbench, problem, clock, self)
        profile, can_act = weak(self.pane.current), weak(self.pane.can_act)
        self.cases = CasesController(jobs, workbench, clock, zone, profile, can_act, self)
        selected, in_call = weak(self.cases.selected), weak(self.call.in_hand)
        self.promises = PromisesController(
            jobs, workbench, clock, zone, self.notices, profile, can_act, selected, self, in_call=in_call
        )
        self.handoffs = HandoffsController(jobs, workbench, clock, zone, profile, can_act, self)
        self.team_handoffs = TeamHandoffs(jobs, workbench, clock, zone, profile, selected, self, in_call)
        supervisor = self.role is Role.SUPERVISOR
        self.goodwill = GoodwillController(
            jobs, workbench, clock, zone, self.notices, problem, profile, can_act,
            weak(self.cases.with_selection), supervisor=supervisor, parent=self,
        )  # fmt: skip
        if workbench is not None:
            self.pane.goodwill_asks = weak(self.goodwill.read_options)
        self.details = DetailsController(jobs, workbench.details if workbench else None, zone, can_act, self)
        self.record = build_record(jobs, workbench, clock, zone, selected, self)
        self.features: list[Controller] = [self.pane, self.cases, self.promises, self.handoffs, self.goodwill]
        self.features += [self.team_handoffs, self.details, *filter(None, [self.record])]
        self.approval_panel = self.goodwill.approval_panel
        self.approval_queue: QTableView | None = self.approval_panel.view if self.approval_panel else None

    def _layout(self, store_description: str) -> None:
        """Search | banners and header over (history or My promises, cases, promises, handoffs | side)."""
        search_column = QWidget()
        search_layout = QVBoxLayout(search_column)
        search_layout.setContentsMargins(8, 8, 4, 8)
        search_layout.addWidget(self.search_panel)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("historyTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.pane.history_panel, self.tr("Contact history"))
        self.tabs.addTab(self.promises.worklist_panel, self.tr("My promises"))
        self.tabs.setTabToolTip(0, self.tr("Everything that happened to the open customer, on every channel"))
        self.tabs.setTabToolTip(1, self.tr("Every open promise you own, soonest first (Ctrl+Shift+P)"))
        lists = (self.cases.panel, self.promises.panel, self.handoffs.panel)
        self.middle_splitter = FittedSplitter(partial(list_sections, lists))
        splitter(
            Qt.Orientation.Vertical,
            [(self.tabs, 5), *((panel, 2) for panel in lists)],
            "middleSplitter",
            into=self.middle_splitter,
        )
        side: list[QWidget] = [self.goodwill.panel, self.pane.offers_panel]
        if self.approval_panel is not None and self.workbench is None:  # else it heads the board
            side.insert(0, self.approval_panel)
        body = splitter(Qt.Orientation.Horizontal, [(self.middle_splitter, 1), (SidePanel(side), 0)])
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(4, 8, 8, 8)
        self.record_actions = place_record(self.record, self.call.call_ended, self.pane.customer_opened)
        banners = (self.call.strip, self.promises.banner, self.goodwill.decision_banner, self.pane.header)
        for widget in (*banners, self.record_actions):  # the record and details buttons under the header
            right_layout.addWidget(widget)
        right_layout.addWidget(body, 1)
        place_team_handoffs(self.team_handoffs, self.tabs, right_layout, self.record_actions, self.ticker)
        self.splitter = splitter(Qt.Orientation.Horizontal, [(search_column, 0), (right, 1)], "mainSplitter")
        self.setCentralWidget(self.splitter)
        self.user_status = UserStatus()
        self.statusBar().addPermanentWidget(self.user_status)
        self.connectivity_status = ConnectivityStatus(store_description)
        self.statusBar().addPermanentWidget(self.connectivity_status)
        self.setMenuWidget(self.connectivity_status.band)  # offline: a band across the top

    def _wire(self) -> None:
        for controller in self.features:
            self._adopt(controller)
        pane, promises, goodwill = self.pane, self.promises, self.goodwill
        self.jobs.changed.connect(self._changed)
        for opener in (self.search_panel, promises, goodwill, self.call, self.team_handoffs, self.details):
            opener.open_customer_requested.connect(self.open_customer)
        pane.work_shown.connect(self._show_work)
        pane.work_reloaded.connect(self.customer_work_loaded)
        for told in (self._customer_opened, goodwill.customer_opened, self.call.customer_opened):
            pane.customer_opened.connect(told)
        pane.customer_opened.connect(self.customer_opened)
        self.details.wire(self.call.new_customer_requested, self.record_actions, self.search_panel)
        self.call.search_requested.connect(self.focus_search)
        self.call.lookup_finished.connect(promises.call_changed)  # the banner turns quiet as the call comes
        pane.customer_open_failed.connect(self.customer_open_failed)
        pane.goodwill_read.connect(goodwill.came_with_customer)
        pane.offer_impressions_recorded.connect(self.offer_impressions_recorded)
        promises.worklist_loaded.connect(self.worklist_loaded)
        promises.worklist_title.connect(partial(self.tabs.setTabText, 1))
        promises.colleagues_read.connect(self.cases.set_colleagues)
        promises.promises_announced.connect(self.promises_announced)
        goodwill.goodwill_loaded.connect(self.goodwill_loaded)
        goodwill.decision_announced.connect(self.goodwill_decision_announced)
        self.cases.service_dates_requested.connect(goodwill.compensation.edit_dates)
        for model in (promises.model, promises.worklist_model, self.handoffs.model, self.call):
            self.ticker.add(model)
        for tick in (promises.tick, self.handoffs.update_title, goodwill.tick):
            self.ticker.ticked.connect(tick)
        for keys, slot in (
            (QKeySequence.StandardKey.Find, self.focus_search),
            (QKeySequence("Ctrl+B"), promises.make_promise),
            (QKeySequence("Ctrl+Shift+P"), self.focus_worklist),
            (QKeySequence("Ctrl+G"), goodwill.give_goodwill),
            (QKeySequence(Qt.Key.Key_F5), self.sync_requested.emit),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)
        lists = (self.pane.history_panel.view, self.cases.view, promises.panel.view, self.handoffs.panel.view)
        self.pane_keys = bind_pane_keys(self, (*lists, goodwill.panel.view))
        self._pane_views = (*lists, goodwill.panel.view, pane.offers_panel.view)

    def _adopt(self, controller: Controller) -> None:
        """A controller's dialogs open here (one at a time); its lines go to the status bar."""
        controller.dialog_requested.connect(self.dialogs.open)
        controller.message.connect(self._say)

    def _install_board(self, workbench: Workbench, clock: Clock) -> SupervisorBoard:
        """The supervisor's board in a tab shown first, the customer pane in the next (widgets.board)."""
        from widgets.board.host import BoardTabs
        from widgets.board.panel import SupervisorBoard

        board = SupervisorBoard(workbench, self.reader, clock, self.zone, self.approval_panel)
        customer_pane = self.takeCentralWidget()
        assert customer_pane is not None
        self.board_tabs = BoardTabs(board, customer_pane)
        self.setCentralWidget(self.board_tabs)
        board.open_customer_requested.connect(self.open_customer)
        board.dialog_requested.connect(self.dialogs.open)
        board.change_saved.connect(self._team_changed)
        self.change_saved.connect(board.data_changed)
        self.customer_opened.connect(self.board_tabs.show_customer)
        self.ticker.ticked.connect(board.tick)
        return board

    # -- who is working ---------------------------------------------------------------------------

    @property
    def user(self) -> UserRecord | None:
        return self.workbench.user if self.workbench is not None else None

    @property
    def service(self) -> CustomerService:
        return self.pane.service

    @property
    def current_profile(self) -> CustomerProfile | None:
        return self.pane.profile

    def show_sign_in(self, *, online: bool, server: str) -> None:
        """After the login dialog: the user line and the connectivity label say online or unlocked offline."""
        self._unlocked_offline = not online
        self._show_user()
        if online:
            self.connectivity_status.show_online(server)
        else:
            self.connectivity_status.show_offline(0, unlocked_locally=True)

    def _show_user(self) -> None:
        user = self.user
        name = user.display_name if user is not None else None
        text = self.user_status.show_user(name, self._user_problem, unlocked_offline=self._unlocked_offline)
        if user is None:
            self.statusBar().showMessage(text)

    # -- the open customer ------------------------------------------------------------------------

    def open_customer(self, customer_id: uuid.UUID) -> None:
        """Read the customer off the UI thread, then show them (from the board too)."""
        self.pane.open_customer(customer_id)

    def open_customer_now(self, profile: CustomerProfile) -> None:
        """Open a customer on the calling thread: for screenshots and start-up with a known account."""
        self.pane.open_customer_now(profile)
        self.goodwill.load_now()

    def _show_work(self, work: CustomerWork | None = None) -> None:
        """The customer's work just read (if any); titles, empty texts and what can be done now."""
        for controller in (self.cases, self.promises, self.handoffs):
            if work is not None:
                controller.show_work(work)
            controller.show_state(self._off)
        if work is not None:  # the lists take the rows they need, the history the rest: one pass
            self.middle_splitter.fit()

    def _customer_opened(self, _profile: object) -> None:
        self.tabs.setCurrentWidget(self.pane.history_panel)
        for view in self._pane_views:  # every list of the new customer, laid out before the one paint
            view.lay_out_now()

    def _changed(self, change: Change) -> None:
        if change.text:
            self._say(change.text, SAVED_FOR)
        if change.here:
            self.change_saved.emit(change.text)

    def _team_changed(self, text: str) -> None:
        self.jobs.announce(Change(ChangeKind.TEAM, None, text))

    def data_arrived(self) -> None:
        """Others' changes came from the server: every controller re-reads what it shows."""
        self.jobs.announce(Change(ChangeKind.ARRIVED, None, "", here=False))
        if self.board is not None:
            self.board.data_arrived()

    # -- focus, screenshots, the ticker -----------------------------------------------------------

    def focus_search(self) -> None:
        """Ctrl+F: to the search field, from the board too."""
        if self.board_tabs is not None:
            self.board_tabs.show_customer()
        self.search_panel.focus_search()

    def focus_worklist(self) -> None:
        """Ctrl+Shift+P: My promises."""
        self.tabs.setCurrentWidget(self.promises.worklist_panel)
        self.promises.focus_worklist()

    def load_worklist_now(self) -> None:
        """Read My promises and goodwill on the calling thread: for screenshots."""
        if self.workbench is not None:
            self.promises.load_worklist_now()
            self.goodwill.load_now()

    def load_board_now(self) -> None:
        """Read the board on the calling thread: for screenshots."""
        if self.board is not None:
            self.board.load_now()

    def tick(self) -> datetime:
        """Run one tick now (the timer does this every second): countdowns, notices, escalation."""
        return self.ticker.tick()

    @property
    def dialog(self) -> QDialog | None:
        """The action dialog open now, if any (one at a time)."""
        return self.dialogs.current

    def _say(self, text: str, milliseconds: int) -> None:
        if text:
            self.statusBar().showMessage(text, milliseconds)
        else:
            self.statusBar().clearMessage()

    @override
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._auto_tick and not self.ticker.active:
            self.ticker.start()

    @override
    def closeEvent(self, event: QCloseEvent) -> None:
        self.ticker.stop()
        self.dialogs.close()
        self.notices.hide()
        self.reader.shutdown()
        super().closeEvent(event)
