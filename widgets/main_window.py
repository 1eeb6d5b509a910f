"""The one-pane main window: search on the left; the open customer's header, history and cases beside it."""

from __future__ import annotations

import logging
import uuid
from concurrent.futures import Executor
from dataclasses import dataclass
from importlib.resources import files

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMainWindow,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from console.clock import Clock
from console.services.customers import CustomerService
from storage.records import CaseSummary, CustomerProfile, TimelineEntry
from storage.vocabulary import Role
from widgets.background import BackgroundReader
from widgets.case_model import CaseColumn, CaseModel
from widgets.customer_header import CustomerHeader
from widgets.history_model import HistoryModel
from widgets.history_view import HistoryPanel
from widgets.panels import list_group, panel_group, table_group
from widgets.search_panel import SearchPanel
from widgets.status import ConnectivityStatus
from widgets.views import HintTableView

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedCustomer:
    """Everything the pane shows when a customer is opened, read in one go off the UI thread."""

    profile: CustomerProfile
    cases: list[CaseSummary]
    first_history_page: list[TimelineEntry]


def load_customer(service: CustomerService, profile: CustomerProfile) -> LoadedCustomer:
    return LoadedCustomer(profile, service.cases(profile.id), service.history(profile.id))


def _style_sheet() -> str:
    path = files("resources").joinpath("style.qss")
    return path.read_text(encoding="utf-8") if path.is_file() else ""


class _SidePanel(QWidget):
    """The narrow column of promises, handoffs, goodwill, offers (and approvals for supervisors)."""

    @override
    def sizeHint(self) -> QSize:
        return QSize(self.fontMetrics().averageCharWidth() * 30, super().sizeHint().height())


class MainWindow(QMainWindow):
    """Everything about one customer in one pane; reads run on a background worker."""

    # A customer's header, cases and first history page are on screen: carries the CustomerProfile.
    customer_opened = Signal(object)
    # Opening a customer failed: carries a one-line message for the advisor.
    customer_open_failed = Signal(str)

    def __init__(
        self,
        service: CustomerService,
        store_description: str,
        role: Role | str,
        clock: Clock,
        executor: Executor | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.role = Role(role)
        self._service = service
        self._clock = clock
        self._open_ticket = 0
        self.reader = BackgroundReader(executor, self)

        role_name = self.tr("Supervisor") if self.role is Role.SUPERVISOR else self.tr("Advisor")
        self.setWindowTitle(self.tr("Advisor Console — %1").replace("%1", role_name))
        self.setObjectName("mainWindow")
        self.setStyleSheet(_style_sheet())

        # Left column: search.
        self.search_panel = SearchPanel(service.search, self.reader)
        search_column = QWidget()
        search_layout = QVBoxLayout(search_column)
        search_layout.setContentsMargins(8, 8, 4, 8)
        search_layout.addWidget(self.search_panel)

        # Right area: header across the top, history large, cases below it, side panels beside.
        self.header = CustomerHeader()
        self.history_model = HistoryModel(service, self.reader, parent=self)
        self.history_panel = HistoryPanel(self.history_model)
        self.history_view = self.history_panel.view
        self.case_model = CaseModel(clock, self)
        cases_widget = self._build_cases()

        middle = QSplitter(Qt.Orientation.Vertical)
        middle.setChildrenCollapsible(False)
        middle.addWidget(self.history_panel)
        middle.addWidget(cases_widget)
        middle.setStretchFactor(0, 3)
        middle.setStretchFactor(1, 1)

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

        self.connectivity_status = ConnectivityStatus(store_description)
        self.statusBar().addPermanentWidget(self.connectivity_status)

        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.setContext(Qt.ShortcutContext.WindowShortcut)
        find.activated.connect(self.search_panel.focus_search)
        self.search_panel.open_customer_requested.connect(self.open_customer)
        self.history_model.page_failed.connect(self._history_failed)
        self.search_panel.focus_search()

    def _build_cases(self) -> QWidget:
        widget = QWidget()
        self.cases_title = QLabel(self.tr("Cases"), widget)
        self.cases_title.setObjectName("panelTitle")
        self.case_view = HintTableView(widget)
        self.case_view.setObjectName("caseList")
        self.case_view.setAccessibleName(self.tr("Cases"))
        self.case_view.setModel(self.case_model)
        self.case_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.case_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.case_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.case_view.setWordWrap(False)
        self.case_view.setShowGrid(False)
        self.case_view.setTabKeyNavigation(False)
        self.case_view.verticalHeader().hide()
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

        layout = QVBoxLayout(widget)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.cases_title)
        layout.addWidget(self.case_view, 1)
        return widget

    def _build_side_panel(self) -> QWidget:
        side = _SidePanel()
        layout = QVBoxLayout(side)
        layout.setContentsMargins(0, 0, 0, 0)
        promises, self.promise_list = list_group(self.tr("Promises"), "promiseList", side)
        handoffs, self.handoff_list = list_group(self.tr("Handoffs"), "handoffList", side)
        self.goodwill_panel, _ = panel_group(
            self.tr("Goodwill"), "goodwillPanel", self.tr("Goodwill requests"), side
        )
        self.offers_panel, _ = panel_group(self.tr("Offers"), "offersPanel", self.tr("Offers"), side)
        groups: list[QWidget] = [promises, handoffs, self.goodwill_panel, self.offers_panel]
        self.approval_queue: QTableView | None = None
        if self.role is Role.SUPERVISOR:
            approvals, self.approval_queue = table_group(self.tr("Approvals"), "approvalQueue", side)
            groups.insert(0, approvals)
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

        def job() -> LoadedCustomer:
            return load_customer(service, service.profile(customer_id))

        self.statusBar().showMessage(self.tr("Opening customer…"))
        self.reader.submit(
            job,
            lambda loaded: self._opened(ticket, loaded),
            lambda error: self._open_failed(ticket, error),
        )

    def open_customer_now(self, profile: CustomerProfile) -> None:
        """Open a customer on the calling thread: for screenshots and start-up with a known account."""
        self._open_ticket += 1
        self.show_loaded(load_customer(self._service, profile))

    def _opened(self, ticket: int, loaded: LoadedCustomer) -> None:
        if ticket == self._open_ticket:  # otherwise another customer was asked for meanwhile
            self.show_loaded(loaded)

    def _open_failed(self, ticket: int, error: BaseException) -> None:
        if ticket != self._open_ticket:
            return
        log.warning("opening a customer failed: %s", error)
        message = self.tr("Could not open the customer: %1").replace("%1", str(error).splitlines()[0])
        self.statusBar().showMessage(message)
        self.customer_open_failed.emit(message)

    def _history_failed(self, reason: str) -> None:
        self.statusBar().showMessage(self.tr("Could not read more of the history: %1").replace("%1", reason))

    def show_loaded(self, loaded: LoadedCustomer) -> None:
        profile = loaded.profile
        self.header.show_profile(profile)
        self.history_panel.reset_filter()
        self.history_model.show_customer(profile.id, None, loaded.first_history_page)
        self.history_view.scrollToTop()
        self.case_model.set_cases(loaded.cases)
        self.cases_title.setText(self._cases_title(len(loaded.cases), self.case_model.open_count))
        self.case_view.set_empty_text(self.tr("No cases recorded for this customer."))
        self.statusBar().clearMessage()
        self.customer_opened.emit(profile)

    # -- closing --------------------------------------------------------------------------------

    @override
    def closeEvent(self, event: QCloseEvent) -> None:
        self.reader.shutdown()
        super().closeEvent(event)
