"""The one-pane main window: search on the left; the open customer's header, history, cases, promises
and handoffs beside it; the advisor's own promises one tab away, with a shared one-second ticker."""

from __future__ import annotations

import logging
import uuid
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QFontMetrics, QIcon, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QSplitter,
    QSystemTrayIcon,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from console.case_rules import CaseRuleError
from console.clock import Clock
from console.compensation import covered
from console.goodwill_rules import GoodwillRuleError
from console.handoff_rules import HandoffRuleError, HandoffState, may_say_being_dealt_with
from console.money import AmountError, format_pence
from console.promise_rules import DEFAULT_DUE_SOON, Outcome, PromiseRuleError, Urgency, countdown, urgency
from console.services.customers import CustomerService
from console.services.goodwill import (
    OVER_LIMIT_NEXT_STEP,
    GoodwillConflictError,
    decision_words,
    state_words,
)
from console.services.offers import OffersPausedError, OfferView
from console.services.promises import PromiseConflictError
from domain.records import (
    CaseSummary,
    CustomerProfile,
    GoodwillRecord,
    HandoffRecord,
    PromiseRecord,
    TimelineEntry,
    UserRecord,
)
from domain.vocabulary import GoodwillState, HandoffStatus, PromiseKind, Role
from widgets.background import BackgroundReader
from widgets.call.controller import CallController
from widgets.case_actions import CaseActions, CaseHost, weak_call
from widgets.case_dialogs import OwnershipDialog, OwnershipRequest
from widgets.case_model import CaseColumn, CaseModel
from widgets.compensation_flow import CompensationFlow
from widgets.customer_header import CustomerHeader
from widgets.decision_banner import DecisionBanner
from widgets.goodwill_dialogs import GoodwillAsk, GoodwillDialog, RejectDialog
from widgets.goodwill_panel import ApprovalPanel, GoodwillPanel, GoodwillView, load_goodwill
from widgets.handoff_model import HandoffColumn, HandoffModel
from widgets.history_model import HistoryModel
from widgets.history_view import HistoryPanel
from widgets.icons import icon_path
from widgets.offers_panel import OffersPanel
from widgets.promise_dialogs import OutcomeDialog, PromiseDialog, PromiseRequest
from widgets.promise_model import CustomerPromiseModel, WorklistModel
from widgets.promise_panels import HandoffPanel, PromiseBanner, PromisePanel, WorklistPanel
from widgets.promise_text import kind_label, short_time, workstation_zone
from widgets.search_panel import SearchPanel
from widgets.status import ConnectivityStatus
from widgets.style import apply_style
from widgets.ticker import Ticker
from widgets.views import HintTableView, read_only_rows
from widgets.workbench import Workbench

if TYPE_CHECKING:  # the board (and QtCharts) is imported only when a supervisor's window builds it
    from widgets.board.host import BoardTabs
    from widgets.board.panel import SupervisorBoard

log = logging.getLogger(__name__)

# Overdue promises are escalated from the ticker, but at most this often.
ESCALATE_EVERY = timedelta(seconds=30)
# Goodwill (the open customer's requests, the approval queue) is re-read from the ticker this often.
GOODWILL_REFRESH_EVERY = timedelta(seconds=5)


@dataclass(frozen=True)
class LoadedCustomer:
    """Everything the pane shows when a customer is opened, read in one go off the UI thread."""

    profile: CustomerProfile
    cases: list[CaseSummary]
    first_history_page: list[TimelineEntry]
    promises: list[PromiseRecord] = field(default_factory=list)
    handoffs: list[HandoffRecord] = field(default_factory=list)
    needing_update: list[CaseSummary] = field(default_factory=list)
    # Not yet recorded as impressions: the window records them right after painting the pane.
    offers: OfferView | None = None
    goodwill: GoodwillView | None = None  # read in the same trip when the window has a workbench


@dataclass(frozen=True)
class CustomerWork:
    """What changes when someone acts on the open customer: cases, promises, handoffs, prompts."""

    customer_id: uuid.UUID
    cases: list[CaseSummary]
    promises: list[PromiseRecord]
    handoffs: list[HandoffRecord]
    needing_update: list[CaseSummary]
    # None without a signed-in user. Offers in it are already recorded as impressions.
    offers: OfferView | None = None


@dataclass(frozen=True)
class Worklist:
    promises: list[PromiseRecord]
    colleagues: list[UserRecord]


def load_work(
    service: CustomerService,
    workbench: Workbench | None,
    customer_id: uuid.UUID,
    offers_shown: frozenset[uuid.UUID] = frozenset(),
    *,
    record_offers: bool = True,
) -> CustomerWork:
    """`offers_shown`: offers already on screen (and recorded) in this opening of the customer.

    Without `record_offers` the offers are only read (an opening: recorded once the pane is painted).
    """
    cases = service.cases(customer_id)
    if workbench is None:
        return CustomerWork(customer_id, cases, [], [], [])
    promises = workbench.promises.for_customer(customer_id)
    return CustomerWork(
        customer_id,
        cases,
        promises,
        workbench.handoffs.for_customer(customer_id),
        workbench.cases.needing_update_among(cases, promises),  # read once for both
        workbench.offers.present(customer_id, offers_shown)
        if record_offers
        else workbench.offers.for_customer(customer_id),
    )


def load_customer(
    service: CustomerService, profile: CustomerProfile, workbench: Workbench | None = None
) -> LoadedCustomer:
    work = load_work(service, workbench, profile.id, record_offers=False)
    return LoadedCustomer(
        profile,
        work.cases,
        service.history(profile.id),
        work.promises,
        work.handoffs,
        work.needing_update,
        work.offers,
    )


def load_worklist(workbench: Workbench) -> Worklist:
    return Worklist(workbench.promises.worklist(), workbench.people.colleagues())


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class _SidePanel(QWidget):
    """The narrow column of goodwill and offers (and approvals for supervisors)."""

    @override
    def sizeHint(self) -> QSize:
        return QSize(self.fontMetrics().averageCharWidth() * 30, super().sizeHint().height())


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
    # A promise was made, ended, or a handoff or case moved on: carries a one-line description.
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
        self._service = service
        self._clock = clock
        self._workbench = workbench
        self._zone = zone or workstation_zone()
        self._auto_tick = auto_tick
        self._open_ticket = 0
        self._work_ticket = 0
        self._worklist_ticket = 0
        self._needing_update: list[CaseSummary] = []
        self._colleagues: list[UserRecord] = []
        self._offers_shown: set[uuid.UUID] = set()
        self._dialog: QDialog | None = None
        self._unlocked_offline = False
        self._escalating = False
        self._last_escalation: datetime | None = None
        self._tray: QSystemTrayIcon | None = None
        self._fit_pending = False
        self._goodwill_ticket = 0
        self._goodwill_came_with_customer = False
        self._last_goodwill_refresh: datetime | None = None
        # Decisions on the user's goodwill requests made from now on are told once each.
        self._decisions_since = clock.now()
        self._told_decisions: set[uuid.UUID] = set()
        self.reader = BackgroundReader(executor, self)

        if workbench is not None:
            self._user_problem = ""
        else:
            self._user_problem = user_problem or self.tr("no user signed in")

        role_name = self.tr("Supervisor") if self.role is Role.SUPERVISOR else self.tr("Advisor")
        self.setWindowTitle(self.tr("Advisor Console — %1").replace("%1", role_name))
        self.setObjectName("mainWindow")

        now = clock.now()
        due_soon = workbench.promises.due_soon if workbench is not None else DEFAULT_DUE_SOON

        # Left column: search.
        self.search_panel = SearchPanel(service.search, self.reader)
        search_column = QWidget()
        search_layout = QVBoxLayout(search_column)
        search_layout.setContentsMargins(8, 8, 4, 8)
        search_layout.addWidget(self.search_panel)

        # Right area: banner and header across the top; history (or my promises), cases, promises and
        # handoffs one under the other; goodwill and offers in a narrow column beside them.
        self.call = CallController(service.search, self.reader, clock, self)
        self.banner = PromiseBanner()
        self.decision_banner = DecisionBanner()
        self.header = CustomerHeader()
        self.history_model = HistoryModel(service, self.reader, parent=self)
        self.history_panel = HistoryPanel(self.history_model)
        self.history_panel.title.hide()  # the tab says it
        self.history_view = self.history_panel.view
        self.worklist_model = WorklistModel(now, due_soon, self._zone, self)
        self.worklist_panel = WorklistPanel(self.worklist_model)
        self.worklist_view = self.worklist_panel.view
        self.tabs = QTabWidget()
        self.tabs.setObjectName("historyTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.history_panel, self.tr("Contact history"))
        self.tabs.addTab(self.worklist_panel, self.tr("My promises"))
        self.tabs.setTabToolTip(0, self.tr("Everything that happened to the open customer, on every channel"))
        self.tabs.setTabToolTip(
            1, self.tr("Every open promise you own, across customers, soonest first (Ctrl+Shift+P)")
        )

        self.case_model = CaseModel(clock, self)
        self.cases_widget = cases_widget = self._build_cases()
        self.promise_model = CustomerPromiseModel(now, due_soon, self._zone, self)
        self.promise_panel = PromisePanel(self.promise_model)
        self.promise_list = self.promise_panel.view
        self.handoff_model = HandoffModel(now, self._zone, self)
        self.handoff_panel = HandoffPanel(self.handoff_model)
        self.handoff_list = self.handoff_panel.view

        middle = QSplitter(Qt.Orientation.Vertical)
        middle.setObjectName("middleSplitter")
        middle.setChildrenCollapsible(False)
        for widget, stretch in (
            (self.tabs, 5),
            (cases_widget, 2),
            (self.promise_panel, 2),
            (self.handoff_panel, 2),
        ):
            middle.addWidget(widget)
            middle.setStretchFactor(middle.count() - 1, stretch)
        self.middle_splitter = middle

        side = self._build_side_panel()
        body = QSplitter(Qt.Orientation.Horizontal)
        body.setChildrenCollapsible(False)
        body.addWidget(middle)
        body.addWidget(side)
        body.setStretchFactor(0, 1)
        body.setStretchFactor(1, 0)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(4, 8, 8, 8)
        right_layout.addWidget(self.call.strip)
        right_layout.addWidget(self.banner)
        right_layout.addWidget(self.decision_banner)
        right_layout.addWidget(self.header)
        right_layout.addWidget(body, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(search_column)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.setCentralWidget(self.splitter)
        self.board_tabs: BoardTabs | None = None
        self.board: SupervisorBoard | None = (
            self._install_board(workbench, clock)
            if self.role is Role.SUPERVISOR and workbench is not None
            else None
        )

        self.user_status = QLabel()
        self.user_status.setObjectName("currentUser")
        self.user_status.setTextFormat(Qt.TextFormat.PlainText)
        self.statusBar().addPermanentWidget(self.user_status)
        self.connectivity_status = ConnectivityStatus(store_description)
        self.statusBar().addPermanentWidget(self.connectivity_status)

        # One shared ticker for every live countdown in the window.
        self.ticker = Ticker(clock, parent=self)
        self.ticker.add(self.promise_model)
        self.ticker.add(self.worklist_model)
        self.ticker.add(self.handoff_model)
        self.ticker.add(self.call)
        self.call.open_customer_requested.connect(self.open_customer)
        self.call.search_requested.connect(self.focus_search)
        self.customer_opened.connect(self.call.customer_opened)
        self.ticker.ticked.connect(self._after_tick)

        self._shortcut(QKeySequence.StandardKey.Find, self.focus_search)
        self._shortcut(QKeySequence("Ctrl+B"), self.make_promise)
        self._shortcut(QKeySequence("Ctrl+Shift+P"), self.focus_worklist)
        self._shortcut(QKeySequence("Ctrl+G"), self.give_goodwill)
        self._shortcut(QKeySequence(Qt.Key.Key_F5), self.sync_requested.emit)
        self.goodwill_panel.give_button.clicked.connect(self.give_goodwill)
        self.compensation = CompensationFlow(self, self.reader, workbench, clock, self._zone)
        self.compensation.dialog_requested.connect(self._open_dialog)
        self.compensation.dates_saved.connect(self._changed)
        self.compensation.refused.connect(self._cannot)
        self.decision_banner.open_customer_requested.connect(self._open_from_decision)
        if self.approval_panel is not None:
            self.approval_panel.approve_button.clicked.connect(self.approve_selected)
            self.approval_panel.reject_button.clicked.connect(self.reject_selected)
            self.approval_panel.view.activated.connect(self._open_from_approvals)
            for keys, slot in (
                ("Ctrl+Return", self.approve_selected),
                ("Ctrl+Enter", self.approve_selected),
                ("Ctrl+Shift+R", self.reject_selected),
            ):
                shortcut = QShortcut(QKeySequence(keys), self.approval_panel)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(slot)
        self.customer_opened.connect(self._goodwill_customer_opened)
        self.change_saved.connect(self._goodwill_changed)
        self.ticker.ticked.connect(self._goodwill_tick)
        self.search_panel.open_customer_requested.connect(self.open_customer)
        self.history_model.page_failed.connect(self._history_failed)
        self.banner.open_customer_requested.connect(self._open_from_banner)
        self.promise_panel.make_button.clicked.connect(self.make_promise)
        self.promise_panel.outcome_button.clicked.connect(self.record_outcome)
        self.promise_list.activated.connect(self.record_outcome)
        self.promise_list.selectionModel().currentRowChanged.connect(self._update_actions)
        self.handoff_panel.acknowledge_button.clicked.connect(self.acknowledge_handoff)
        self.handoff_panel.complete_button.clicked.connect(self.complete_handoff)
        self.handoff_list.selectionModel().currentRowChanged.connect(self._update_actions)
        self.case_view.selectionModel().currentRowChanged.connect(self._update_actions)
        self.worklist_view.activated.connect(self._open_from_worklist)
        for model in (self.promise_model, self.handoff_model, self.case_model):
            model.modelReset.connect(self._update_actions)

        apply_style(self)
        self._show_user()
        self._update_titles()
        self._update_empty_texts()
        self._update_actions()
        self.search_panel.focus_search()
        if workbench is not None:
            self.refresh_worklist()
            self.refresh_goodwill()
        if self.board is not None:
            self.ticker.ticked.connect(self.board.tick)
            self.board.refresh()

    def _install_board(self, workbench: Workbench, clock: Clock) -> SupervisorBoard:
        """The supervisor's board in a tab shown first, the customer pane in the next (widgets.board)."""
        from widgets.board.host import BoardTabs
        from widgets.board.panel import SupervisorBoard

        board = SupervisorBoard(workbench, self.reader, clock, self._zone, self.approval_panel)
        customer_pane = self.takeCentralWidget()
        assert customer_pane is not None
        self.board_tabs = BoardTabs(board, customer_pane)
        self.setCentralWidget(self.board_tabs)
        board.open_customer_requested.connect(self.open_customer)
        board.dialog_requested.connect(self._open_dialog)
        board.change_saved.connect(self._changed)
        self.change_saved.connect(board.data_changed)
        self.customer_opened.connect(self.board_tabs.show_customer)
        return board

    def focus_search(self) -> None:
        """Ctrl+F: to the search field, from the board too."""
        if self.board_tabs is not None:
            self.board_tabs.show_customer()
        self.search_panel.focus_search()

    def load_board_now(self) -> None:
        """Read the board on the calling thread: for screenshots."""
        if self.board is not None:
            self.board.load_now()

    def _shortcut(self, keys: QKeySequence | QKeySequence.StandardKey, slot: object) -> None:
        shortcut = QShortcut(QKeySequence(keys), self)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(slot)

    def _build_cases(self) -> QWidget:
        widget = QWidget()
        self.cases_title = QLabel(self.tr("Cases"), widget)
        self.cases_title.setObjectName("panelTitle")
        self.case_update_prompt = QLabel(widget)
        self.case_update_prompt.setObjectName("caseUpdatePrompt")
        self.case_update_prompt.setTextFormat(Qt.TextFormat.PlainText)
        self.case_update_prompt.setWordWrap(True)
        self.case_update_prompt.hide()
        self.case_view = HintTableView(widget)
        self.case_view.setObjectName("caseList")
        self.case_view.setAccessibleName(self.tr("Cases"))
        self.case_view.setModel(self.case_model)
        read_only_rows(self.case_view)
        self.case_view.setWordWrap(False)
        self.case_view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.case_view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.case_view.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        bold = self.case_view.font()
        bold.setBold(True)  # open cases are bold: size the fixed columns for them
        metrics = QFontMetrics(bold)
        widths = {
            CaseColumn.REFERENCE: metrics.horizontalAdvance("CS-0000000") + 16,
            CaseColumn.STATUS: metrics.horizontalAdvance("Awaiting customer") + 16,
            CaseColumn.OWNER: metrics.horizontalAdvance("Daniel Okafor") + 16,
            CaseColumn.AGE: metrics.horizontalAdvance("took 10 days") + 16,
        }
        for column, width in widths.items():
            header.resizeSection(column, width)
        # The two free-text columns share what is left.
        header.setSectionResizeMode(CaseColumn.TITLE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(CaseColumn.NEXT_STEP, QHeaderView.ResizeMode.Stretch)
        self.case_view.setMinimumHeight(
            header.sizeHint().height() + self.case_view.verticalHeader().defaultSectionSize() * 2 + 4
        )

        # Ownership: explicit acts, each with a note (buttons beside the title, and the row's menu).
        self.take_over_action = QAction(self.tr("Take over…"), self)
        self.take_over_action.setToolTip(self.tr("Make the selected case yours, with a note"))
        self.take_over_action.triggered.connect(self.take_over_case)
        self.hand_over_action = QAction(self.tr("Hand over…"), self)
        self.hand_over_action.setToolTip(self.tr("Give the selected case to a colleague, with a note"))
        self.hand_over_action.triggered.connect(self.hand_over_case)
        self.service_dates_action = QAction(self.tr("Service dates…"), self)
        self.service_dates_action.setToolTip(
            self.tr("When the service was lost, restored or started, and the engineer appointment")
        )
        self.service_dates_action.triggered.connect(self.edit_service_dates)
        self.case_view.addAction(self.take_over_action)
        self.case_view.addAction(self.hand_over_action)
        self.case_view.addAction(self.service_dates_action)
        self.case_view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.take_over_button = QToolButton(widget)
        self.take_over_button.setDefaultAction(self.take_over_action)
        self.take_over_button.setAccessibleName(self.tr("Take over the case"))
        self.hand_over_button = QToolButton(widget)
        self.hand_over_button.setDefaultAction(self.hand_over_action)
        self.hand_over_button.setAccessibleName(self.tr("Hand over the case"))
        # Resolution and complaints (widgets/case_actions.py): buttons beside these, and the row's menu.
        self.case_actions = CaseActions(
            CaseHost(
                self.reader,
                self._clock,
                self._zone,
                weak_call(self, "_current_workbench"),
                weak_call(self, "_selected_case"),
                weak_call(self, "_can_act"),
                weak_call(self, "_open_dialog"),
                weak_call(self, "_current_dialog"),
                weak_call(self, "_changed"),
                weak_call(self, "_cannot"),
            ),
            self,
        )
        self.case_view.addActions(self.case_actions.menu_actions)
        self.service_dates_button = QToolButton(widget)
        self.service_dates_button.setObjectName("serviceDatesButton")
        self.service_dates_button.setDefaultAction(self.service_dates_action)
        self.service_dates_button.setAccessibleName(self.tr("Service dates of the case"))

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.cases_title, 1)
        top.addWidget(self.take_over_button)
        top.addWidget(self.hand_over_button)
        for button in self.case_actions.buttons(widget):
            top.addWidget(button)
        top.addWidget(self.service_dates_button)
        layout = QVBoxLayout(widget)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(3)
        layout.addLayout(top)
        layout.addWidget(self.case_update_prompt)
        layout.addWidget(self.case_view, 1)
        return widget

    def _build_side_panel(self) -> QWidget:
        side = _SidePanel()
        layout = QVBoxLayout(side)
        layout.setContentsMargins(0, 0, 0, 0)
        self.goodwill_panel = GoodwillPanel(side)
        self.offers_panel = OffersPanel(side)
        groups: list[QWidget] = [self.goodwill_panel, self.offers_panel]
        self.approval_queue: QTableView | None = None
        self.approval_panel: ApprovalPanel | None = None
        if self.role is Role.SUPERVISOR:
            self.approval_panel = ApprovalPanel(side)
            self.approval_queue = self.approval_panel.view
            if self._workbench is None:  # otherwise it heads the supervisor's board
                groups.insert(0, self.approval_panel)
        for group in groups:
            layout.addWidget(group, 1)
        layout.addStretch(0)
        return side

    def _cases_title(self, total: int, open_cases: int) -> str:
        if total == 0:
            return self.tr("Cases")
        if open_cases == 0:
            return self.tr("Cases: none open")
        return self.tr("Cases: %1 open").replace("%1", str(open_cases))

    # -- who is working ---------------------------------------------------------------------------

    @property
    def workbench(self) -> Workbench | None:
        return self._workbench

    @property
    def user(self) -> UserRecord | None:
        return self._workbench.user if self._workbench is not None else None

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    def show_sign_in(self, *, online: bool, server: str) -> None:
        """After the login dialog: the user line and the connectivity label say online or unlocked offline."""
        self._unlocked_offline = not online
        self._show_user()
        if online:
            self.connectivity_status.show_online(server)
        else:
            self.connectivity_status.show_offline(0, unlocked_locally=True)

    def _show_user(self) -> None:
        if self._workbench is not None:
            template = (
                self.tr("Unlocked offline as %1") if self._unlocked_offline else self.tr("Signed in as %1")
            )
            text = template.replace("%1", self._workbench.user.display_name)
            self.user_status.setText(text)
            self.user_status.setToolTip(text)
        else:
            text = self.tr("Promises and handoffs are off: %1").replace("%1", self._user_problem)
            self.user_status.setText(text)
            self.user_status.setToolTip(text)
            self.statusBar().showMessage(text)

    # -- opening a customer ---------------------------------------------------------------------

    @property
    def service(self) -> CustomerService:
        return self._service

    @property
    def current_profile(self) -> CustomerProfile | None:
        return self.header.profile

    def open_customer(self, customer_id: uuid.UUID) -> None:
        """Read the customer's header, cases and first history page off the UI thread, then show them."""
        self._open_ticket += 1
        ticket = self._open_ticket
        service = self._service
        workbench = self._workbench
        with_queue, since = self.approval_panel is not None, self._decisions_since

        def job() -> LoadedCustomer:
            loaded = load_customer(service, service.profile(customer_id), workbench)
            if workbench is None:
                return loaded
            # The goodwill panel in the same trip: one wait for the worker and one repaint, not two.
            return replace(loaded, goodwill=load_goodwill(workbench, customer_id, with_queue, since))

        self.statusBar().showMessage(self.tr("Opening customer…"))
        self.reader.submit(
            job,
            lambda loaded: self._opened(ticket, loaded),
            lambda error: self._open_failed(ticket, error),
        )

    def open_customer_now(self, profile: CustomerProfile) -> None:
        """Open a customer on the calling thread: for screenshots and start-up with a known account."""
        self._open_ticket += 1
        loaded = load_customer(self._service, profile, self._workbench)
        self.show_loaded(loaded, record_offers=False)
        self._record_offers_shown(loaded.offers, at_once=True)
        self.load_goodwill_now()

    def _opened(self, ticket: int, loaded: LoadedCustomer) -> None:
        if ticket == self._open_ticket:  # otherwise another customer was asked for meanwhile
            self.show_loaded(loaded)

    def _open_failed(self, ticket: int, error: BaseException) -> None:
        if ticket != self._open_ticket:
            return
        log.warning("opening a customer failed: %s", error)
        message = self.tr("Could not open the customer: %1").replace("%1", _first_line(error))
        self.statusBar().showMessage(message)
        self.customer_open_failed.emit(message)

    def _history_failed(self, reason: str) -> None:
        self.statusBar().showMessage(self.tr("Could not read more of the history: %1").replace("%1", reason))

    def show_loaded(self, loaded: LoadedCustomer, *, record_offers: bool = True) -> None:
        """Show a customer just read; then (unless told not to) record its offers shown, on the worker."""
        profile = loaded.profile
        self._work_ticket += 1  # a re-read for the previous customer must not land on this one
        self.header.show_profile(profile)
        self.history_panel.reset_filter()
        self.history_model.show_customer(profile.id, None, loaded.first_history_page)
        self.history_view.scrollToTop()
        self.tabs.setCurrentWidget(self.history_panel)
        self._offers_shown = set()  # a new opening: every offer shown is recorded again
        self._show_work(
            CustomerWork(
                profile.id,
                loaded.cases,
                loaded.promises,
                loaded.handoffs,
                loaded.needing_update,
                loaded.offers,
            )
        )
        self._fit_panels()
        self.statusBar().clearMessage()
        if loaded.goodwill is not None:
            self._goodwill_ticket += 1  # a read still on its way is older than this one
            self._last_goodwill_refresh = self._clock.now()
            self._goodwill_came_with_customer = True
            self._show_goodwill(loaded.goodwill)
        if record_offers:
            self._record_offers_shown(loaded.offers)
        self.customer_opened.emit(profile)

    def _record_offers_shown(self, view: OfferView | None, *, at_once: bool = False) -> None:
        """Record the offers this opening put on screen, on the worker (or `at_once`, on the calling
        thread: screenshots and start-up), after the pane is shown.

        The write (a durable transaction: an fsync) used to be inside the opening's read, a third of
        its time for a customer with offers. Every offer shown is still recorded once per opening;
        should the suppressor forbid it by then, or the write fail, the offers leave the screen and
        the advisor is told why (a failure is also logged).
        """
        if view is None or not view.offers or self._workbench is None:
            return
        ticket, offers = self._open_ticket, self._workbench.offers
        customer_id, offer_ids = view.customer_id, [offer.id for offer in view.offers]

        def record() -> int:
            return offers.record_impressions(customer_id, offer_ids)

        def failed(error: BaseException) -> None:
            self._offers_not_recorded(ticket, view, error)

        if not at_once:
            self.reader.submit(record, self.offer_impressions_recorded.emit, failed)
            return
        try:
            recorded = record()
        except Exception as error:  # said in the panel and the log, as when recorded on the worker
            failed(error)
        else:
            self.offer_impressions_recorded.emit(recorded)

    def _offers_not_recorded(self, ticket: int, view: OfferView, error: BaseException) -> None:
        if not isinstance(error, OffersPausedError):
            log.warning("recording the offers shown failed: %s", error)
        profile = self.current_profile
        if ticket != self._open_ticket or profile is None or profile.id != view.customer_id:
            return  # another customer is on screen now
        self._offers_shown.difference_update(offer.id for offer in view.offers)
        if isinstance(error, OffersPausedError):
            self.offers_panel.show_view(OfferView(view.customer_id, error.decision, ()))
            return
        message = self.tr("Could not record the offers shown: %1").replace("%1", _first_line(error))
        self.offers_panel.clear(message)
        self.statusBar().showMessage(message)

    def _show_work(self, work: CustomerWork) -> None:
        now = self._clock.now()
        self.case_model.set_cases(work.cases)
        self.promise_model.set_promises(work.promises, now)
        self.handoff_model.set_handoffs(work.handoffs, now)
        # Done-by dates are rare: their column only takes room when a handoff has one.
        no_done_by = all(h.done_by is None for h in work.handoffs)
        self.handoff_list.setColumnHidden(HandoffColumn.DONE_BY, no_done_by)
        self._needing_update = list(work.needing_update)
        self._show_update_prompt()
        self._show_offers(work.offers)
        self._update_titles()
        self._update_empty_texts()
        self._update_actions()

    def _fit_panels(self) -> None:
        """Give cases, promises and handoffs the room their rows need (up to a few each); history the rest."""
        splitter = self.middle_splitter
        sizes = splitter.sizes()
        total = sum(sizes)
        if total <= 0 or not self.isVisible():
            self._fit_pending = True  # laid out once shown
            return
        self._fit_pending = False
        sections = [
            (self.cases_widget, self.case_view, 4),
            (self.promise_panel, self.promise_list, 4),
            (self.handoff_panel, self.handoff_list, 3),
        ]
        wanted = []
        for section, view, most_rows in sections:
            chrome = section.height() - view.viewport().height()  # title, prompt, header, frame
            rows = min(max(view.model().rowCount(), 1), most_rows)
            height = chrome + rows * view.verticalHeader().defaultSectionSize() + 1
            wanted.append(max(height, section.minimumSizeHint().height()))
        history_least = total * 2 // 5
        if total - sum(wanted) < history_least:  # a small window: share the shortfall
            scale = (total - history_least) / sum(wanted)
            wanted = [int(height * scale) for height in wanted]
        splitter.setSizes([total - sum(wanted), *wanted])

    def refresh_customer(self) -> None:
        """Re-read the open customer's cases, promises, handoffs and history after a change."""
        profile = self.current_profile
        if profile is None:
            return
        self._work_ticket += 1
        ticket = self._work_ticket
        service, workbench, customer_id = self._service, self._workbench, profile.id
        shown = frozenset(self._offers_shown)
        self.reader.submit(
            lambda: load_work(service, workbench, customer_id, shown),
            lambda work: self._work_loaded(ticket, work),
            self._work_failed,
        )
        self.history_model.show_customer(customer_id, self.history_model.channels)

    def _work_loaded(self, ticket: int, work: CustomerWork) -> None:
        profile = self.current_profile
        if ticket != self._work_ticket or profile is None or profile.id != work.customer_id:
            return
        self._show_work(work)
        self.customer_work_loaded.emit()

    def _work_failed(self, error: BaseException) -> None:
        log.warning("re-reading the customer failed: %s", error)
        self.statusBar().showMessage(
            self.tr("Could not refresh the customer: %1").replace("%1", _first_line(error))
        )

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

    def _show_update_prompt(self) -> None:
        if not self._needing_update:
            self.case_update_prompt.hide()
            self.case_update_prompt.clear()
            return
        references = ", ".join(case.reference for case in self._needing_update)
        self.case_update_prompt.setText(
            self.tr(
                "%1: past target with no update — promise the customer a progress update (Ctrl+B)"
            ).replace("%1", references)
        )
        self.case_update_prompt.show()

    # -- titles, empty views, what can be done now ------------------------------------------------

    def _update_titles(self) -> None:
        profile = self.current_profile
        self.cases_title.setText(self._cases_title(self.case_model.rowCount(), self.case_model.open_count))
        if profile is None:
            self.promise_panel.title.setText(self.tr("Promises"))
            self.handoff_panel.title.setText(self.tr("Handoffs"))
        else:
            self._update_live_titles()

    def _update_live_titles(self) -> None:
        """Counts that move with the clock: open and overdue promises, handoffs not acknowledged in time."""
        if self.current_profile is not None:
            open_count, overdue = self.promise_model.open_counts()
            if open_count == 0:
                title = self.tr("Promises: none open")
            elif overdue:
                title = (
                    self.tr("Promises: %1 open, %2 overdue")
                    .replace("%1", str(open_count))
                    .replace("%2", str(overdue))
                )
            else:
                title = self.tr("Promises: %1 open").replace("%1", str(open_count))
            self._set_text(self.promise_panel.title, title)
            self._set_text(self.handoff_panel.title, self._handoff_title())
            red = bool(overdue)
            if self.promise_panel.title.property("alert") != red:
                self._set_alert(self.promise_panel.title, red)
            dropped = self.handoff_model.dropped_count() > 0
            if self.handoff_panel.title.property("alert") != dropped:
                self._set_alert(self.handoff_panel.title, dropped)
        worklist_text = self._worklist_tab_text()
        if self.tabs.tabText(1) != worklist_text:
            self.tabs.setTabText(1, worklist_text)

    def _handoff_title(self) -> str:
        handoffs = [self.handoff_model.handoff_at(row) for row in range(self.handoff_model.rowCount())]
        live = [h for h in handoffs if h is not None]
        dropped = self.handoff_model.dropped_count()
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

    def _worklist_tab_text(self) -> str:
        total = self.worklist_model.rowCount()
        if self._workbench is None or total == 0:
            return self.tr("My promises")
        overdue = self.worklist_model.overdue_count(self.worklist_model.now)
        if overdue:
            return (
                self.tr("My promises (%1, %2 overdue)").replace("%1", str(total)).replace("%2", str(overdue))
            )
        return self.tr("My promises (%1)").replace("%1", str(total))

    @staticmethod
    def _set_text(label: QLabel, text: str) -> None:
        if label.text() != text:
            label.setText(text)

    @staticmethod
    def _set_alert(label: QLabel, alert: bool) -> None:
        label.setProperty("alert", alert)
        label.style().unpolish(label)
        label.style().polish(label)

    def _update_empty_texts(self) -> None:
        self.case_view.set_empty_text(
            self.tr("No cases recorded for this customer.") if self.current_profile is not None else ""
        )
        if self._workbench is None:
            off = self.tr("Not available: %1.").replace("%1", self._user_problem)
            self.promise_list.set_empty_text(off)
            self.handoff_list.set_empty_text(off)
            self.worklist_view.set_empty_text(off)
            self.worklist_panel.hint.setText(self.tr("Promises need a signed-in user."))
            return
        if self.current_profile is None:
            self.promise_list.set_empty_text(self.tr("Open a customer to see the promises made to them."))
            self.handoff_list.set_empty_text(self.tr("Open a customer to see work handed between teams."))
        else:
            self.promise_list.set_empty_text(
                self.tr("No promises made to this customer. Make one with Ctrl+B.")
            )
            self.handoff_list.set_empty_text(self.tr("Nothing handed to another team for this customer."))
        self.worklist_view.set_empty_text(self.tr("No open promises: every one you made has an outcome."))
        self.worklist_panel.hint.setText(
            self.tr("Every open promise you own, soonest first. Enter opens the customer.")
        )

    def _selected_promise(self) -> PromiseRecord | None:
        index = self.promise_list.currentIndex()
        return self.promise_model.promise_at(index.row()) if index.isValid() else None

    def _selected_handoff(self) -> HandoffRecord | None:
        index = self.handoff_list.currentIndex()
        return self.handoff_model.handoff_at(index.row()) if index.isValid() else None

    def _selected_case(self) -> CaseSummary | None:
        index = self.case_view.currentIndex()
        return self.case_model.case_at(index.row()) if index.isValid() else None

    def _update_actions(self, *_: object) -> None:
        acting = self._workbench is not None and self.current_profile is not None
        promise = self._selected_promise()
        handoff = self._selected_handoff()
        case = self._selected_case()
        self.promise_panel.make_button.setEnabled(acting)
        self.promise_panel.outcome_button.setEnabled(acting and promise is not None and promise.is_open)
        self.handoff_panel.acknowledge_button.setEnabled(
            acting and handoff is not None and handoff.status is HandoffStatus.AWAITING_ACK
        )
        self.handoff_panel.complete_button.setEnabled(
            acting and handoff is not None and handoff.status is HandoffStatus.ACKNOWLEDGED
        )
        user = self.user
        case_open = acting and case is not None and case.status.is_open
        mine = case is not None and user is not None and case.owner_id == user.id
        self.take_over_action.setEnabled(case_open and not mine)
        self.hand_over_action.setEnabled(case_open)
        self.case_actions.update(case, acting)
        self.service_dates_action.setEnabled(acting and case is not None and covered(case.kind))

    # -- the shared ticker ------------------------------------------------------------------------

    def tick(self) -> datetime:
        """Run one tick now (the timer does this every second): countdowns, notices, escalation."""
        return self.ticker.tick()

    def _after_tick(self, now: datetime) -> None:
        self._update_live_titles()
        self._announce_due(now)
        self._maybe_escalate(now)

    def _announce_due(self, now: datetime) -> None:
        """Tell the user, once per promise, that it is due soon (or already overdue), whoever is open."""
        fresh = self.worklist_model.newly_due(now)
        if not fresh:
            return
        first = fresh[0]
        overdue = urgency(first.due_at, now, self.worklist_model.due_soon) is Urgency.OVERDUE
        when = countdown(first.due_at, now)
        text = (
            self.tr("%1 for %2 %3")
            .replace("%1", kind_label(first.kind))
            .replace("%2", first.customer_name)
            .replace("%3", when if overdue else self.tr("due %1").replace("%1", when))
        )
        if len(fresh) > 1:
            text = (
                self.tr("%1 — and %2 more due soon or overdue: see My promises (Ctrl+Shift+P)")
                .replace("%1", text)
                .replace("%2", str(len(fresh) - 1))
            )
        self.banner.announce(text, first.customer_id, overdue=overdue)
        self._notify_desktop(text)
        self.promises_announced.emit(fresh)

    def _notify_desktop(self, text: str, title: str | None = None) -> None:
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return
        if self._tray is None:
            self._tray = QSystemTrayIcon(QIcon(str(icon_path("phone"))), self)
            self._tray.setToolTip(self.windowTitle())
            self._tray.show()
        self._tray.showMessage(
            title or self.tr("Promise due"), text, QSystemTrayIcon.MessageIcon.Warning, 15000
        )

    def _maybe_escalate(self, now: datetime) -> None:
        workbench = self._workbench
        if workbench is None or self._escalating:
            return
        if self._last_escalation is not None and now - self._last_escalation < ESCALATE_EVERY:
            return
        self._last_escalation = now
        self._escalating = True
        submitted = self.reader.submit(
            workbench.promises.escalate_overdue, self._escalated, self._escalate_failed
        )
        if submitted is None:
            self._escalating = False

    def _escalated(self, promises: list[PromiseRecord]) -> None:
        self._escalating = False
        if not promises:
            return
        count = len(promises)
        message = (
            self.tr("1 overdue promise escalated to your supervisor")
            if count == 1
            else self.tr("%1 overdue promises escalated to your supervisor").replace("%1", str(count))
        )
        self.statusBar().showMessage(message, 10000)
        self.refresh_worklist()
        profile = self.current_profile
        if profile is not None and any(p.customer_id == profile.id for p in promises):
            self.refresh_customer()

    def _escalate_failed(self, error: BaseException) -> None:
        self._escalating = False
        log.warning("escalating overdue promises failed: %s", error)

    # -- my promises ------------------------------------------------------------------------------

    def refresh_worklist(self) -> None:
        workbench = self._workbench
        if workbench is None:
            return
        self._worklist_ticket += 1
        ticket = self._worklist_ticket
        self.reader.submit(
            lambda: load_worklist(workbench),
            lambda worklist: self._worklist_read(ticket, worklist),
            self._worklist_failed,
        )

    def load_worklist_now(self) -> None:
        """Read the worklist on the calling thread: for screenshots."""
        if self._workbench is not None:
            self._worklist_ticket += 1
            self._show_worklist(load_worklist(self._workbench))
            self.load_goodwill_now()

    def _worklist_read(self, ticket: int, worklist: Worklist) -> None:
        if ticket == self._worklist_ticket:
            self._show_worklist(worklist)

    def _show_worklist(self, worklist: Worklist) -> None:
        now = self._clock.now()
        self.worklist_model.set_promises(worklist.promises, now)
        self._colleagues = list(worklist.colleagues)
        self._update_live_titles()
        self._announce_due(now)
        self.worklist_loaded.emit(self.worklist_model.rowCount())

    def _worklist_failed(self, error: BaseException) -> None:
        log.warning("reading the worklist failed: %s", error)
        self.statusBar().showMessage(
            self.tr("Could not read your promises: %1").replace("%1", _first_line(error))
        )

    def focus_worklist(self) -> None:
        self.tabs.setCurrentWidget(self.worklist_panel)
        self.worklist_view.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not self.worklist_view.currentIndex().isValid() and self.worklist_model.rowCount():
            self.worklist_view.setCurrentIndex(self.worklist_model.index(0, 0))

    def _open_from_worklist(self, index: QModelIndex | QPersistentModelIndex) -> None:
        promise = self.worklist_model.promise_at(index.row()) if index.isValid() else None
        if promise is not None:
            self.open_customer(promise.customer_id)

    def _open_from_banner(self, customer_id: uuid.UUID) -> None:
        self.banner.hide()
        self.open_customer(customer_id)

    # -- dialogs ----------------------------------------------------------------------------------

    @property
    def dialog(self) -> QDialog | None:
        """The action dialog open now, if any (one at a time)."""
        return self._dialog

    def _open_dialog(self, dialog: QDialog) -> None:
        if self._dialog is not None:
            self._dialog.reject()
        self._dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        apply_style(dialog)
        dialog.finished.connect(self._dialog_finished)
        dialog.open()
        self.dialog_opened.emit(dialog)

    def _current_dialog(self) -> QDialog | None:
        return self._dialog

    def _current_workbench(self) -> Workbench | None:
        return self._workbench

    def _dialog_finished(self) -> None:
        self._dialog = None

    def _cannot(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _can_act(self) -> CustomerProfile | None:
        if self._workbench is None:
            self._cannot(self.tr("Promises and handoffs are off: %1").replace("%1", self._user_problem))
            return None
        profile = self.current_profile
        if profile is None:
            self._cannot(self.tr("Open a customer first (Ctrl+F)."))
        return profile

    # -- making a promise -------------------------------------------------------------------------

    def make_promise(self) -> PromiseDialog | None:
        """Open the dialog to promise the open customer something (Ctrl+B)."""
        profile = self._can_act()
        if profile is None:
            return None
        kind = PromiseKind.CALLBACK
        case = self._selected_case()
        case_id = case.id if case is not None and case.status.is_open else None
        if self._needing_update:
            kind, case_id = PromiseKind.PROGRESS_UPDATE, self._needing_update[0].id
        dialog = PromiseDialog(
            profile.id,
            profile.full_name,
            profile.phones[0] if profile.phones else None,
            self.case_model.cases,
            self._clock,
            self._zone,
            kind=kind,
            case_id=case_id,
            parent=self,
        )
        dialog.save_requested.connect(self._save_promise)
        self._open_dialog(dialog)
        return dialog

    def _save_promise(self, request: PromiseRequest) -> None:
        dialog = self._dialog
        workbench = self._workbench
        if not isinstance(dialog, PromiseDialog) or workbench is None:
            return
        customer_id = dialog.customer_id

        def job() -> PromiseRecord:
            return workbench.promises.make(
                customer_id,
                request.kind,
                request.due_at,
                window_end_at=request.window_end_at,
                phone=request.phone or None,
                note=request.note,
                case_id=request.case_id,
            )

        self.reader.submit(job, self._promise_made, self._promise_refused)

    def _promise_made(self, promise: PromiseRecord) -> None:
        if isinstance(self._dialog, PromiseDialog):
            self._dialog.saved()
        text = (
            self.tr("Promise made: %1 for %2, due %3")
            .replace("%1", kind_label(promise.kind))
            .replace("%2", promise.customer_name)
            .replace("%3", short_time(promise.due_at, self._zone))
        )
        self._changed(text)

    def _promise_refused(self, error: BaseException) -> None:
        if isinstance(error, PromiseRuleError):
            text = str(error)
        else:
            log.warning("making a promise failed: %s", error)
            text = self.tr("the promise could not be saved: %1").replace("%1", _first_line(error))
        if isinstance(self._dialog, PromiseDialog):
            self._dialog.show_error(text)
        else:
            self._cannot(text)

    def _changed(self, text: str) -> None:
        self.statusBar().showMessage(text, 10000)
        self.refresh_customer()
        self.refresh_worklist()
        self.change_saved.emit(text)

    # -- ending a promise -------------------------------------------------------------------------

    def record_outcome(self) -> OutcomeDialog | None:
        """Open the outcome dialog for the promise selected in the promise list (Enter)."""
        if self._can_act() is None:
            return None
        promise = self._selected_promise()
        if promise is None:
            self._cannot(self.tr("Choose a promise in the list first."))
            return None
        if not promise.is_open:
            self._cannot(self.tr("That promise has already ended."))
            return None
        dialog = OutcomeDialog(promise, self._clock, self._zone, self)
        dialog.save_requested.connect(self._save_outcome)
        self._open_dialog(dialog)
        return dialog

    def _save_outcome(self, outcome: Outcome) -> None:
        dialog = self._dialog
        workbench = self._workbench
        if not isinstance(dialog, OutcomeDialog) or workbench is None:
            return
        promise = dialog.promise
        self.reader.submit(
            lambda: workbench.promises.close(promise, outcome), self._outcome_saved, self._outcome_refused
        )

    def _outcome_saved(self, promise: PromiseRecord) -> None:
        if isinstance(self._dialog, OutcomeDialog):
            self._dialog.saved()
        self._changed(
            self.tr("Promise ended: %1 for %2")
            .replace("%1", kind_label(promise.kind))
            .replace("%2", promise.customer_name)
        )

    def _outcome_refused(self, error: BaseException) -> None:
        if isinstance(error, PromiseConflictError):
            text = self.tr("Someone else got there first: %1").replace("%1", str(error))
            self.refresh_customer()
            self.refresh_worklist()
        elif isinstance(error, PromiseRuleError):
            text = str(error)
        else:
            log.warning("ending a promise failed: %s", error)
            text = self.tr("the outcome could not be saved: %1").replace("%1", _first_line(error))
        if isinstance(self._dialog, OutcomeDialog):
            self._dialog.show_error(text)
        else:
            self._cannot(text)

    # -- handoffs ---------------------------------------------------------------------------------

    def acknowledge_handoff(self) -> None:
        self._move_handoff(acknowledge=True)

    def complete_handoff(self) -> None:
        self._move_handoff(acknowledge=False)

    def _move_handoff(self, *, acknowledge: bool) -> None:
        if self._can_act() is None or self._workbench is None:
            return
        handoff = self._selected_handoff()
        if handoff is None:
            self._cannot(self.tr("Choose a handoff in the list first."))
            return
        service = self._workbench.handoffs
        step = service.acknowledge if acknowledge else service.complete
        self.reader.submit(lambda: step(handoff), self._handoff_moved, self._handoff_refused)

    def _handoff_moved(self, handoff: HandoffRecord) -> None:
        state = HandoffState.DONE if handoff.status is HandoffStatus.DONE else HandoffState.ACKNOWLEDGED
        word = self.tr("done") if state is HandoffState.DONE else self.tr("acknowledged")
        self._changed(self.tr("Handoff %1: %2").replace("%1", word).replace("%2", handoff.summary))

    def _handoff_refused(self, error: BaseException) -> None:
        if not isinstance(error, HandoffRuleError):
            log.warning("moving a handoff on failed: %s", error)
        self._cannot(self.tr("The handoff was not changed: %1").replace("%1", _first_line(error)))
        self.refresh_customer()

    # -- case ownership ---------------------------------------------------------------------------

    def take_over_case(self) -> OwnershipDialog | None:
        return self._ownership_dialog(taking=True)

    def hand_over_case(self) -> OwnershipDialog | None:
        return self._ownership_dialog(taking=False)

    def _ownership_dialog(self, *, taking: bool) -> OwnershipDialog | None:
        if self._can_act() is None:
            return None
        case = self._selected_case()
        if case is None:
            self._cannot(self.tr("Choose a case in the list first."))
            return None
        dialog = OwnershipDialog(case, taking=taking, colleagues=self._colleagues, parent=self)
        dialog.save_requested.connect(self._save_ownership)
        self._open_dialog(dialog)
        return dialog

    def _save_ownership(self, request: OwnershipRequest) -> None:
        dialog = self._dialog
        workbench = self._workbench
        if not isinstance(dialog, OwnershipDialog) or workbench is None:
            return
        case, note = dialog.case, request.note
        to_user = request.to_user_id
        if dialog.taking or to_user is None:
            job = lambda: workbench.cases.take_over(case, note)  # noqa: E731
        else:
            job = lambda: workbench.cases.hand_over(case, to_user, note)  # noqa: E731
        self.reader.submit(job, self._ownership_saved, self._ownership_refused)

    def _ownership_saved(self, case: CaseSummary) -> None:
        if isinstance(self._dialog, OwnershipDialog):
            self._dialog.saved()
        self._changed(
            self.tr("%1 is now owned by %2")
            .replace("%1", case.reference)
            .replace("%2", case.owner_name or "")
        )

    def _ownership_refused(self, error: BaseException) -> None:
        if isinstance(error, CaseRuleError):
            text = str(error)
        else:
            log.warning("changing a case owner failed: %s", error)
            text = self.tr("the case owner was not changed: %1").replace("%1", _first_line(error))
        if isinstance(self._dialog, OwnershipDialog):
            self._dialog.show_error(text)
        else:
            self._cannot(text)

    # -- goodwill ---------------------------------------------------------------------------------

    def refresh_goodwill(self) -> None:
        """Re-read the goodwill panel (and the approval queue) off the UI thread."""
        workbench = self._workbench
        if workbench is None:
            self._show_goodwill(None)
            return
        self._goodwill_ticket += 1
        ticket = self._goodwill_ticket
        profile = self.current_profile
        customer_id = profile.id if profile is not None else None
        with_queue = self.approval_panel is not None
        since = self._decisions_since
        self._last_goodwill_refresh = self._clock.now()
        self.reader.submit(
            lambda: load_goodwill(workbench, customer_id, with_queue, since),
            lambda view: self._goodwill_read(ticket, view),
            self._goodwill_failed,
        )

    def load_goodwill_now(self) -> None:
        """Read goodwill on the calling thread: for screenshots."""
        if self._workbench is None:
            self._show_goodwill(None)
            return
        self._goodwill_ticket += 1
        profile = self.current_profile
        customer_id = profile.id if profile is not None else None
        self._show_goodwill(
            load_goodwill(
                self._workbench, customer_id, self.approval_panel is not None, self._decisions_since
            )
        )

    def _goodwill_customer_opened(self, _profile: object) -> None:
        self.goodwill_panel.say("")
        if not self._goodwill_came_with_customer:
            self.refresh_goodwill()
        self._goodwill_came_with_customer = False

    def _goodwill_changed(self, _text: str) -> None:
        self.refresh_goodwill()

    def _goodwill_tick(self, now: datetime) -> None:
        last = self._last_goodwill_refresh
        if last is None or now - last >= GOODWILL_REFRESH_EVERY:
            self.refresh_goodwill()

    def _goodwill_read(self, ticket: int, view: GoodwillView) -> None:
        if ticket == self._goodwill_ticket:
            self._show_goodwill(view)

    def _show_goodwill(self, view: GoodwillView | None) -> None:
        panel = self.goodwill_panel
        if view is None:
            panel.limit_label.setText(self.tr("Goodwill is off: %1").replace("%1", self._user_problem))
            panel.show_records([], self.tr("Not available: %1.").replace("%1", self._user_problem))
            panel.give_button.setEnabled(False)
            return
        panel.show_limits(view.limit_pence, view.month_pence)
        profile = self.current_profile
        if profile is None or view.customer_id != profile.id:
            panel.show_records([], self.tr("Open a customer to see the goodwill given to them."))
        else:
            panel.show_records(
                view.records, self.tr("No goodwill given to this customer. Give some with Ctrl+G.")
            )
        panel.give_button.setEnabled(profile is not None)
        if self.approval_panel is not None and view.pending is not None:
            self.approval_panel.show_pending(view.pending)
        self._tell_decisions(view.decisions)
        self.goodwill_loaded.emit(view)

    def _tell_decisions(self, decisions: list[GoodwillRecord]) -> None:
        """Tell the user, once each, of supervisors' decisions on their requests: on the goodwill panel
        when that customer is open, else in the window's decision banner (and the desktop's tray)."""
        profile = self.current_profile
        for record in decisions:
            if record.id in self._told_decisions:
                continue
            self._told_decisions.add(record.id)
            text = decision_words(record)
            if profile is not None and profile.id == record.customer_id:
                self.goodwill_panel.say(text)
            else:
                self.decision_banner.tell(text, record.customer_id)
                self._notify_desktop(text, self.tr("Goodwill decision"))
            self.goodwill_decision_announced.emit(text)

    def _open_from_decision(self, customer_id: uuid.UUID) -> None:
        self.decision_banner.hide()
        self.open_customer(customer_id)

    def edit_service_dates(self) -> None:
        """Service dates… for the selected case: the dates the compensation scheme is worked out from."""
        if self._can_act() is not None:
            self.compensation.edit_dates(self._selected_case())

    def _goodwill_failed(self, error: BaseException) -> None:
        log.warning("reading goodwill failed: %s", error)
        self.statusBar().showMessage(self.tr("Could not read goodwill: %1").replace("%1", _first_line(error)))

    def give_goodwill(self) -> GoodwillDialog | None:
        """Open the dialog to give the open customer goodwill or compensation (Ctrl+G)."""
        profile = self._can_act()
        if profile is None or self._workbench is None:
            return None
        case = self._selected_case()
        open_cases = [c for c in self.case_model.cases if c.status.is_open]
        case_id = case.id if case is not None and case.status.is_open else None
        if case_id is None and len(open_cases) == 1:
            case_id = open_cases[0].id
        dialog = GoodwillDialog(
            profile.id,
            profile.full_name,
            self.case_model.cases,
            self._workbench.user.goodwill_limit_pence,
            case_id=case_id,
            parent=self,
        )
        dialog.save_requested.connect(self._save_goodwill)
        self._open_dialog(dialog)
        self.compensation.attach(dialog)
        return dialog

    def _save_goodwill(self, ask: GoodwillAsk) -> None:
        dialog = self._dialog
        workbench = self._workbench
        if not isinstance(dialog, GoodwillDialog) or workbench is None:
            return
        customer_id = dialog.customer_id

        def job() -> GoodwillRecord:
            return workbench.goodwill.request(
                customer_id, ask.kind, ask.amount_text, ask.reason_category, ask.reason_text, ask.case_id
            )

        self.reader.submit(job, self._goodwill_saved, self._goodwill_refused)

    def _goodwill_saved(self, record: GoodwillRecord) -> None:
        if isinstance(self._dialog, GoodwillDialog):
            self._dialog.saved()
        if record.state is GoodwillState.APPROVED:
            self.goodwill_panel.say("")
            text = self.tr("Goodwill given: %1 to %2 — within your limit, it is done.")
        else:
            self.goodwill_panel.say(self.tr(OVER_LIMIT_NEXT_STEP))
            text = self.tr("Goodwill of %1 for %2 sent to a supervisor for approval.")
        self._changed(
            text.replace("%1", format_pence(record.amount_pence)).replace("%2", record.customer_name)
        )

    def _goodwill_refused(self, error: BaseException) -> None:
        if isinstance(error, AmountError | GoodwillRuleError):
            text = str(error)
        else:
            log.warning("giving goodwill failed: %s", error)
            text = self.tr("the goodwill could not be saved: %1").replace("%1", _first_line(error))
        if isinstance(self._dialog, GoodwillDialog):
            self._dialog.show_error(text)
        else:
            self._cannot(text)

    def approve_selected(self) -> None:
        """Approve the request selected in the approval queue (Ctrl+Enter)."""
        panel, workbench = self.approval_panel, self._workbench
        if panel is None or workbench is None:
            return
        record = panel.selected()
        if record is None:
            panel.say(self.tr("Choose a request in the queue first."))
            return
        if record.requested_by == workbench.user.id:
            panel.say(self.tr("You cannot approve your own request: another supervisor must."))
            return
        self.reader.submit(
            lambda: workbench.goodwill.approve(record),
            self._goodwill_decided,
            self._goodwill_decision_refused,
        )

    def _open_from_approvals(self, index: QModelIndex | QPersistentModelIndex) -> None:
        """Enter on a request opens its customer: their history, cases and promises beside the queue."""
        panel = self.approval_panel
        record = panel.model.record_at(index.row()) if panel is not None and index.isValid() else None
        if record is not None:
            self.open_customer(record.customer_id)

    def reject_selected(self) -> RejectDialog | None:
        """Ask for a reason, then reject the request selected in the approval queue."""
        panel = self.approval_panel
        if panel is None or self._workbench is None:
            return None
        record = panel.selected()
        if record is None:
            panel.say(self.tr("Choose a request in the queue first."))
            return None
        dialog = RejectDialog(record, self)
        dialog.save_requested.connect(self._save_rejection)
        self._open_dialog(dialog)
        return dialog

    def _save_rejection(self, reason: str) -> None:
        dialog, workbench = self._dialog, self._workbench
        if not isinstance(dialog, RejectDialog) or workbench is None:
            return
        record = dialog.record
        self.reader.submit(
            lambda: workbench.goodwill.reject(record, reason),
            self._goodwill_decided,
            self._goodwill_decision_refused,
        )

    def _goodwill_decided(self, record: GoodwillRecord) -> None:
        if isinstance(self._dialog, RejectDialog):
            self._dialog.saved()
        text = f"{format_pence(record.amount_pence)} for {record.customer_name}: {state_words(record)}"
        if self.approval_panel is not None:
            self.approval_panel.say(text)
        self._changed(text)

    def _goodwill_decision_refused(self, error: BaseException) -> None:
        if isinstance(error, GoodwillConflictError):
            text = self.tr("Someone else got there first: %1").replace("%1", str(error))
            self.refresh_goodwill()
        elif isinstance(error, GoodwillRuleError):
            text = str(error)
        else:
            log.warning("deciding goodwill failed: %s", error)
            text = self.tr("the decision could not be saved: %1").replace("%1", _first_line(error))
        if isinstance(self._dialog, RejectDialog):
            self._dialog.show_error(text)
        elif self.approval_panel is not None:
            self.approval_panel.say(text[:1].upper() + text[1:])

    # -- showing and closing ----------------------------------------------------------------------

    @override
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._auto_tick and not self.ticker.active:
            self.ticker.start()
        if self._fit_pending:
            QTimer.singleShot(0, self, self._fit_panels)  # after the first layout

    @override
    def closeEvent(self, event: QCloseEvent) -> None:
        self.ticker.stop()
        if self._dialog is not None:
            self._dialog.reject()
        if self._tray is not None:
            self._tray.hide()
        self.reader.shutdown()
        super().closeEvent(event)
