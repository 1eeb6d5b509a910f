"""`supervisorBoard`: the approval queue on top, promises at risk or broken (reassign with a note), late
handoffs by team, the iceberg and root-cause charts, per-advisor measures (sortable, CSV export), and
the period they cover. It renders what `console.board` read off the UI thread; it decides nothing."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path

from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.board.export import write_advisor_csv
from console.board.measures import Board, BoardService
from console.board.periods import PERIOD_WORDS, Period, PeriodError, PeriodKind, period
from console.clock import Clock
from console.paths import documents_dir
from console.promise_rules import PromiseConflictError, PromiseRuleError
from domain.records import PromiseRecord, UserRecord
from widgets.background import BackgroundReader
from widgets.board.charts import IcebergChart, ParetoChart
from widgets.board.models import (
    SORT_ROLE,
    AdvisorColumn,
    AdvisorModel,
    CauseColumn,
    FilterOnlyProxy,
    HandoffColumn,
    LateHandoffModel,
    PromiseRiskModel,
    RiskColumn,
    RootCauseModel,
)
from widgets.board.reassign_dialog import ReassignDialog, ReassignRequest
from widgets.promise_text import clock_time, team_label
from widgets.views import HintTableView, read_only_rows
from widgets.workbench import Workbench

log = logging.getLogger(__name__)

# Besides every saved change, the board re-reads itself this often (data from other workstations).
BOARD_REFRESH_EVERY = timedelta(seconds=30)
# Data arriving by sync is shown at most this long after the last read began: a busy team's pulls
# come every few seconds, and a read of a month costs about a second of the two cores.
ARRIVALS_SHOWN_WITHIN = timedelta(seconds=5)
DEFAULT_PERIOD = PeriodKind.THIS_MONTH


def _table(parent: QWidget, object_name: str, accessible_name: str, empty_text: str) -> HintTableView:
    view = HintTableView(parent, empty_text)
    view.setObjectName(object_name)
    view.setAccessibleName(accessible_name)
    read_only_rows(view)
    view.setWordWrap(False)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return view


def _fit(view: QTableView, samples: dict[int, str]) -> None:
    """Fixed starting widths (the wider of the title and a typical value), the last column stretching:
    sizing to contents would read every row, and squeeze the text columns to nothing when narrow."""
    header = view.horizontalHeader()
    metrics = view.fontMetrics()
    model = view.model()
    for column in range(model.columnCount()):
        title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        width = max(
            metrics.horizontalAdvance(title) + 28, metrics.horizontalAdvance(samples.get(column, "")) + 16
        )
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(column, width)
    header.setStretchLastSection(True)


def _group(title: str, parent: QWidget) -> tuple[QGroupBox, QVBoxLayout]:
    box = QGroupBox(title, parent)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(6, 4, 6, 6)
    layout.setSpacing(4)
    return box, layout


def _data_label(object_name: str, parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(object_name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class SupervisorBoard(QWidget):
    """Everything a supervisor watches, for one period; re-read after every change and every 30 s."""

    # A row asked to open its customer (Enter or double-click): carries the customer id.
    open_customer_requested = Signal(object)
    # A dialog should be opened by the window (one at a time): carries the QDialog.
    dialog_requested = Signal(object)
    # The board changed something (a promise reassigned): carries a one-line description.
    change_saved = Signal(str)
    # The board was read and shown: carries the console.board.measures.Board.
    loaded = Signal(object)

    def __init__(
        self,
        workbench: Workbench,
        reader: BackgroundReader,
        clock: Clock,
        zone: tzinfo,
        approvals: QWidget | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("supervisorBoard")
        self._workbench = workbench
        self._service: BoardService = workbench.board
        self._reader = reader
        self._clock = clock
        self._zone = zone
        self._period = period(DEFAULT_PERIOD, clock.now())
        self._board: Board | None = None
        self._reading = False
        self._again = False
        self._arrived = False
        self._last_read: datetime | None = None
        self._colleagues: list[UserRecord] = []
        self._dialog: ReassignDialog | None = None
        now = clock.now()

        period_row = self._period_row()
        top = self._first_row(now, zone, approvals)
        middle = self._second_row()
        advisors_box = self._third_row()
        rows = QSplitter(Qt.Orientation.Vertical, self)
        rows.setObjectName("boardSplitter")
        rows.setChildrenCollapsible(False)
        # The first row is what a supervisor acts on (approvals, promises about to break): it comes first.
        for widget, stretch in ((top, 4), (middle, 3), (advisors_box, 3)):
            rows.addWidget(widget)
            rows.setStretchFactor(rows.count() - 1, stretch)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        layout.addLayout(period_row)
        layout.addWidget(self.summary)
        layout.addWidget(rows, 1)

        self.period_combo.currentIndexChanged.connect(self._period_chosen)
        self.apply_button.clicked.connect(self._apply_custom)
        self.reassign_button.clicked.connect(self.reassign_selected)
        self.open_button.clicked.connect(self._open_selected_promise)
        self.promise_view.activated.connect(self._open_promise_row)
        self.handoff_view.activated.connect(self._open_handoff_row)
        self.export_button.clicked.connect(self._choose_export_file)
        self.promise_view.selectionModel().currentRowChanged.connect(self._update_actions)
        self.risk_model.modelReset.connect(self._update_actions)
        self._update_actions()
        self._show_period_words()

    def _period_row(self) -> QHBoxLayout:
        """Top: what the board says in one paragraph, and the period it covers."""
        self.title = QLabel(self.tr("Supervisor's board"), self)
        self.title.setObjectName("boardTitle")
        self.summary = _data_label("boardSummary", self)
        self.period_combo = QComboBox(self)
        self.period_combo.setObjectName("boardPeriod")
        self.period_combo.setAccessibleName(self.tr("Period the board covers"))
        for kind in PeriodKind:
            self.period_combo.addItem(self.tr(PERIOD_WORDS[kind]), kind.value)
        self.period_combo.setCurrentIndex(self.period_combo.findData(DEFAULT_PERIOD.value))
        self.first_day = QDateEdit(self)
        self.first_day.setAccessibleName(self.tr("First day of the period"))
        self.last_day = QDateEdit(self)
        self.last_day.setAccessibleName(self.tr("Last day of the period"))
        for edit in (self.first_day, self.last_day):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd MMM yyyy")
        self.apply_button = QPushButton(self.tr("Show"), self)
        self.apply_button.setAccessibleName(self.tr("Show the custom period"))
        self.period_words = _data_label("boardPeriodWords", self)
        self.period_words.setWordWrap(False)
        self.status = _data_label("boardStatus", self)
        self.status.setWordWrap(False)
        self._show_custom(False)

        period_row = QHBoxLayout()
        period_row.setContentsMargins(0, 0, 0, 0)
        period_label = QLabel(self.tr("&Period:"), self)
        period_label.setBuddy(self.period_combo)
        period_row.addWidget(self.title)
        period_row.addSpacing(16)
        period_row.addWidget(period_label)
        period_row.addWidget(self.period_combo)
        period_row.addWidget(self.first_day)
        period_row.addWidget(self.last_day)
        period_row.addWidget(self.apply_button)
        period_row.addWidget(self.period_words)
        period_row.addStretch(1)
        period_row.addWidget(self.status)

        return period_row

    def _first_row(self, now: datetime, zone: tzinfo, approvals: QWidget | None) -> QSplitter:
        """Row 1: approvals, promises at risk or broken, late handoffs."""
        promises_box = self._risk_box(now, zone)
        handoffs_box = self._late_handoffs_box(now)
        top = QSplitter(Qt.Orientation.Horizontal, self)
        top.setChildrenCollapsible(False)
        if approvals is not None:
            top.addWidget(approvals)
        top.addWidget(promises_box)
        top.addWidget(handoffs_box)
        for index, stretch in enumerate([3, 4, 3] if approvals is not None else [5, 3]):
            top.setStretchFactor(index, stretch)

        return top

    def _risk_box(self, now: datetime, zone: tzinfo) -> QGroupBox:
        self.risk_model = PromiseRiskModel(now, zone, self)
        promises_box, promises_layout = _group(
            self.tr("Promises at risk (due within the hour) and broken"), self
        )
        self.promises_box = promises_box
        self.promise_view = _table(
            promises_box,
            "promisesAtRisk",
            self.tr("Promises at risk and broken"),
            self.tr("No promise is due within the hour and none is broken."),
        )
        self.promise_view.setModel(self.risk_model)
        self.promise_view.setSortingEnabled(True)
        self.promise_view.sortByColumn(RiskColumn.STATE, Qt.SortOrder.AscendingOrder)
        _fit(
            self.promise_view,
            {
                RiskColumn.STATE: "At risk",
                RiskColumn.DUE: "Wed 25 Nov 13:15",
                RiskColumn.LATE: "overdue by 2 days 23 h",
                RiskColumn.OWNER: "Alexandra Stephens",
                RiskColumn.CUSTOMER: "Alexandra Stephenson (40001234)",
                RiskColumn.KIND: "Progress update",
            },
        )
        self.reassign_button = QPushButton(self.tr("Reassign…"), promises_box)
        self.reassign_button.setObjectName("reassignButton")
        self.reassign_button.setAccessibleName(self.tr("Reassign the selected promise"))
        self.reassign_button.setToolTip(self.tr("Give the selected promise to a colleague, with a note"))
        self.open_button = QPushButton(self.tr("Open customer"), promises_box)
        self.open_button.setAccessibleName(self.tr("Open the selected promise's customer"))
        self.promise_message = _data_label("boardPromiseMessage", promises_box)
        self.promise_message.hide()
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.reassign_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.promise_message, 1)
        promises_layout.addWidget(self.promise_view, 1)
        promises_layout.addLayout(buttons)

        return promises_box

    def _late_handoffs_box(self, now: datetime) -> QGroupBox:
        self.handoff_model = LateHandoffModel(now, self)
        handoffs_box, handoffs_layout = _group(self.tr("Handoffs past their acknowledge-by deadline"), self)
        self.handoffs_box = handoffs_box
        self.handoff_view = _table(
            handoffs_box,
            "lateHandoffs",
            self.tr("Handoffs past their deadline, by receiving team"),
            self.tr("Every handoff was acknowledged in time."),
        )
        self.handoff_view.setModel(self.handoff_model)
        self.handoff_view.setSortingEnabled(True)
        self.handoff_view.sortByColumn(HandoffColumn.TEAM, Qt.SortOrder.AscendingOrder)
        _fit(
            self.handoff_view,
            {
                HandoffColumn.TEAM: "Field engineers",
                HandoffColumn.LATE: "2 days 23 h",
                HandoffColumn.CUSTOMER: "Alexandra Stephenson (40001234)",
                HandoffColumn.CASE: "CS-0000000",
                HandoffColumn.SUMMARY: "Move the broadband to the new flat",
            },
        )
        self.handoff_teams = _data_label("lateHandoffTeams", handoffs_box)
        handoffs_layout.addWidget(self.handoff_teams)
        handoffs_layout.addWidget(self.handoff_view, 1)

        return handoffs_box

    def _second_row(self) -> QSplitter:
        """Row 2: the iceberg, and root causes (chart and the table of the same numbers)."""
        iceberg_box, iceberg_layout = _group(self.tr("The iceberg"), self)
        self.iceberg_chart = IcebergChart(iceberg_box)
        self.iceberg_summary = _data_label("icebergSummary", iceberg_box)
        iceberg_layout.addWidget(self.iceberg_chart, 1)
        iceberg_layout.addWidget(self.iceberg_summary)

        causes_box, causes_layout = _group(self.tr("Root causes, with feedback"), self)
        self.pareto_chart = ParetoChart(causes_box)
        self.cause_model = RootCauseModel(self)
        self.cause_view = _table(
            causes_box, "rootCauseTable", self.tr("Root causes and feedback"), self.tr("No cases closed.")
        )
        self.cause_view.setModel(self.cause_model)
        self.cause_view.setSortingEnabled(True)
        self.cause_view.sortByColumn(CauseColumn.CAUSE, Qt.SortOrder.AscendingOrder)
        _fit(self.cause_view, {CauseColumn.CAUSE: "10. provisioning error", CauseColumn.FIX: "4.5 (12)"})
        causes_split = QSplitter(Qt.Orientation.Horizontal, causes_box)
        causes_split.setChildrenCollapsible(False)
        causes_split.addWidget(self.pareto_chart)
        causes_split.addWidget(self.cause_view)
        causes_split.setSizes([800, 1200])
        causes_layout.addWidget(causes_split, 1)

        middle = QSplitter(Qt.Orientation.Horizontal, self)
        middle.setChildrenCollapsible(False)
        middle.addWidget(iceberg_box)
        middle.addWidget(causes_box)
        middle.setSizes([900, 1400])  # proportions: the iceberg needs room for six weeks and a legend

        return middle

    def _third_row(self) -> QGroupBox:
        """Row 3: per-advisor measures."""
        advisors_box, advisors_layout = _group(self.tr("Service measures per advisor"), self)
        self.advisor_model = AdvisorModel(self)
        self.advisor_proxy = FilterOnlyProxy(self)
        self.advisor_proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.advisor_proxy.setFilterKeyColumn(-1)
        self.advisor_view = _table(
            advisors_box, "advisorMeasures", self.tr("Service measures per advisor"), self.tr("No advisors.")
        )
        self.advisor_proxy.setSourceModel(self.advisor_model)
        self.advisor_proxy.setSortRole(SORT_ROLE)
        self.advisor_view.setModel(self.advisor_proxy)
        self.advisor_view.setSortingEnabled(True)
        self.advisor_view.sortByColumn(AdvisorColumn.ADVISOR, Qt.SortOrder.AscendingOrder)
        _fit(
            self.advisor_view,
            {
                AdvisorColumn.ADVISOR: "Alexandra Stephenson",
                AdvisorColumn.TEAM: "Field engineers",
                AdvisorColumn.GOODWILL: "£2,386.50 (47, 9 above limit)",
            },
        )
        self.advisor_filter = QLineEdit(advisors_box)
        self.advisor_filter.setObjectName("advisorFilter")
        self.advisor_filter.setAccessibleName(self.tr("Filter advisors"))
        self.advisor_filter.setPlaceholderText(self.tr("Filter by name or team"))
        self.advisor_filter.setClearButtonEnabled(True)
        self.advisor_filter.textChanged.connect(self.advisor_proxy.setFilterFixedString)
        self.export_button = QPushButton(self.tr("Export CSV…"), advisors_box)
        self.export_button.setObjectName("exportMeasures")
        self.export_button.setAccessibleName(self.tr("Export the advisor measures as CSV"))
        self.offers_warning = _data_label("offersWhileOpen", advisors_box)
        advisor_tools = QHBoxLayout()
        advisor_tools.setContentsMargins(0, 0, 0, 0)
        advisor_tools.addWidget(self.advisor_filter)
        advisor_tools.addWidget(self.offers_warning, 1)
        advisor_tools.addWidget(self.export_button)
        advisors_layout.addLayout(advisor_tools)
        advisors_layout.addWidget(self.advisor_view, 1)

        return advisors_box

    # -- reading --------------------------------------------------------------------------------------

    @property
    def period(self) -> Period:
        return self._period

    @property
    def board(self) -> Board | None:
        return self._board

    def refresh(self) -> None:
        """Re-read every measure off the UI thread (one read at a time; a later ask runs after it)."""
        if self._reading:
            self._again = True
            return
        self._reading = True
        self._arrived = False
        self._last_read = self._clock.now()
        service, chosen, people = self._service, self._period, self._workbench.people
        self.status.setText(self.tr("Reading…"))
        self._reader.submit(
            lambda: (service.read(chosen), people.colleagues()), self._read, self._read_failed
        )

    def load_now(self) -> None:
        """Read and show on the calling thread: for screenshots and the benchmark."""
        self._arrived = False
        self._last_read = self._clock.now()
        self._colleagues = self._workbench.people.colleagues()
        self.show_board(self._service.read(self._period))

    def data_changed(self, *_: object) -> None:
        self.refresh()

    def data_arrived(self) -> None:
        """A sync brought changes: re-read now, or on the tick once ARRIVALS_SHOWN_WITHIN has passed
        since the last read began (arrivals meanwhile are shown by that one read)."""
        if self._last_read is None or self._clock.now() - self._last_read >= ARRIVALS_SHOWN_WITHIN:
            self.refresh()
        else:
            self._arrived = True

    def tick(self, now: datetime) -> None:
        """The shared ticker: countdowns move every second; the whole board is re-read every 30 s,
        and within ARRIVALS_SHOWN_WITHIN of a sync that brought changes."""
        self.risk_model.tick(now)
        last = self._last_read
        if (
            last is None
            or now - last >= BOARD_REFRESH_EVERY
            or (self._arrived and now - last >= ARRIVALS_SHOWN_WITHIN)
        ):
            self.refresh()

    def _read(self, result: tuple[Board, list[UserRecord]]) -> None:
        self._reading = False
        board, self._colleagues = result
        if board.period == self._period:
            self.show_board(board)
        else:
            self._again = True
        if self._again:
            self._again = False
            self.refresh()

    def _read_failed(self, error: BaseException) -> None:
        self._reading = False
        log.warning("reading the board failed: %s", error)
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        self.status.setText(self.tr("Could not read the board: %1").replace("%1", first))

    # -- showing --------------------------------------------------------------------------------------

    def show_board(self, board: Board) -> None:
        self._board = board
        self.risk_model.tick(board.now)
        self.risk_model.set_rows([p.promise for p in board.promises_at_risk])
        self.handoff_model.set_now(board.now)
        self.handoff_model.set_rows([h for team in board.late_handoffs for h in team.handoffs])
        self.handoff_teams.setText(
            ", ".join(f"{team_label(t.team)}: {t.total}" for t in board.late_handoffs)
            or self.tr("None late.")
        )
        self.iceberg_chart.show_weeks(board.iceberg)
        self.iceberg_summary.setText(self._iceberg_line(board))
        self.pareto_chart.show_causes(board.root_causes, board.period.words)
        self.cause_model.set_rows(board.root_causes)
        self.advisor_model.set_rows(board.advisors)
        offenders = [a for a in board.advisors if a.offers_while_case_open]
        self.offers_warning.setText(
            self.tr("Offers shown while a case was open: %1 (must be none)").replace(
                "%1", ", ".join(f"{a.name} {a.offers_while_case_open}" for a in offenders)
            )
            if offenders
            else self.tr("No offer was shown while a case was open.")
        )
        self.offers_warning.setProperty("alert", bool(offenders))
        self.summary.setText(self.summary_text(board))
        shown = len(board.promises.rows)
        listed = board.promises.at_risk_total + board.promises.broken_total
        self.promises_box.setTitle(
            self.tr("Promises: %1 at risk within the hour, %2 broken")
            .replace("%1", str(board.promises.at_risk_total))
            .replace("%2", str(board.promises.broken_total))
            + (
                self.tr(" (listing the %1 soonest and most recently broken)").replace("%1", str(shown))
                if shown < listed
                else ""
            )
        )
        self.handoffs_box.setTitle(
            self.tr("Handoffs past their acknowledge-by deadline: %1").replace(
                "%1", str(sum(t.total for t in board.late_handoffs))
            )
        )
        self.status.setText(self.tr("Updated %1").replace("%1", clock_time(board.now, self._zone)))
        self._show_period_words()
        self.loaded.emit(board)

    def summary_text(self, board: Board) -> str:
        """The board's answer in one paragraph: who must act in the next hour, and the commonest cause."""
        promises = board.promises
        if promises.at_risk_total:
            owners = promises.at_risk_owners
            # "Alex Advisor" for one promise; "Alex Advisor (3), Kim Lee (1)" when counts tell something.
            who = ", ".join(
                name if promises.at_risk_total == 1 else f"{name} ({count})" for name, count in owners[:4]
            )
            more = len(owners) - 4
            if more > 0:
                who += self.tr(" and %1 more").replace("%1", str(more))
            words = (
                self.tr("1 promise will break in the next hour unless someone acts (owner: %2).")
                if promises.at_risk_total == 1
                else self.tr("%1 promises will break in the next hour unless someone acts (owners: %2).")
            )
            first = words.replace("%1", str(promises.at_risk_total)).replace("%2", who)
        else:
            first = self.tr("No promise will break in the next hour.")
        broken = (
            self.tr(" %1 already broken.").replace("%1", str(promises.broken_total))
            if promises.broken_total
            else ""
        )
        cause = board.top_root_cause
        total = sum(c.cases for c in board.root_causes)
        when = f"{PERIOD_WORDS[board.period.kind].lower().rstrip('…')} ({board.period.words})"
        if board.period.kind is PeriodKind.CUSTOM:
            when = board.period.words
        if cause is None:
            second = self.tr(" No closed case with a recorded root cause %1.").replace("%1", when)
        else:
            second = (
                self.tr(" Commonest root cause %1: %2 (%3 of %4 closed cases).")
                .replace("%1", when)
                .replace("%2", cause.category)
                .replace("%3", str(cause.cases))
                .replace("%4", str(total))
            )
        return first + broken + second

    def _iceberg_line(self, board: Board) -> str:
        weeks = board.iceberg
        complaints = sum(w.formal_complaints for w in weeks)
        signals = sum(w.silent_signals for w in weeks)
        ratio = (
            self.tr("%1 per complaint").replace("%1", f"{signals / complaints:.1f}")
            if complaints
            else self.tr("no formal complaint")
        )
        complaint_words = (
            self.tr("1 formal complaint")
            if complaints == 1
            else self.tr("%1 formal complaints").replace("%1", str(complaints))
        )
        signal_words = (
            self.tr("1 silent signal")
            if signals == 1
            else self.tr("%1 silent signals").replace("%1", str(signals))
        )
        return (
            self.tr("%1 weeks: %2, %3 (%4).")
            .replace("%1", str(len(weeks)))
            .replace("%2", complaint_words)
            .replace("%3", signal_words)
            .replace("%4", ratio)
        )

    # -- the period -----------------------------------------------------------------------------------

    def _show_custom(self, shown: bool) -> None:
        for widget in (self.first_day, self.last_day, self.apply_button):
            widget.setVisible(shown)

    def _show_period_words(self) -> None:
        self.period_words.setText(self._period.words)

    def choose_period(self, kind: PeriodKind, first: date | None = None, last: date | None = None) -> None:
        """Show `kind` (CUSTOM with its first and last day); PeriodError if the custom days make no sense."""
        self._period = period(kind, self._clock.now(), first, last)
        self._show_period_words()
        self.refresh()

    def _period_chosen(self, _index: int) -> None:
        kind = PeriodKind(self.period_combo.currentData())
        self._show_custom(kind is PeriodKind.CUSTOM)
        if kind is PeriodKind.CUSTOM:
            first, last = self._period.first_day, self._period.last_day
            self.first_day.setDate(QDate(first.year, first.month, first.day))
            self.last_day.setDate(QDate(last.year, last.month, last.day))
            self.first_day.setFocus()
            return
        self.choose_period(kind)

    def _apply_custom(self) -> None:
        first, last = self.first_day.date(), self.last_day.date()
        try:
            self.choose_period(
                PeriodKind.CUSTOM,
                date(first.year(), first.month(), first.day()),
                date(last.year(), last.month(), last.day()),
            )
        except PeriodError as error:
            self.status.setText(str(error)[:1].upper() + str(error)[1:])

    # -- acting on a promise --------------------------------------------------------------------------

    def selected_promise(self) -> PromiseRecord | None:
        index = self.promise_view.currentIndex()
        return self.risk_model.promise_at(index.row()) if index.isValid() else None

    def _update_actions(self, *_: object) -> None:
        chosen = self.selected_promise() is not None
        self.reassign_button.setEnabled(chosen)
        self.open_button.setEnabled(chosen)

    def _say(self, text: str) -> None:
        self.promise_message.setText(text)
        self.promise_message.setVisible(bool(text))

    def _open_selected_promise(self) -> None:
        promise = self.selected_promise()
        if promise is not None:
            self.open_customer_requested.emit(promise.customer_id)

    def _open_promise_row(self, index: QModelIndex | QPersistentModelIndex) -> None:
        self._open_selected_promise()

    def _open_handoff_row(self, index: QModelIndex | QPersistentModelIndex) -> None:
        handoff = self.handoff_model.row_at(index.row())
        if handoff is not None:
            self.open_customer_requested.emit(handoff.customer_id)

    def reassign_selected(self) -> ReassignDialog | None:
        """Ask for a colleague and a note, then reassign the selected promise."""
        promise = self.selected_promise()
        if promise is None:
            self._say(self.tr("Choose a promise first."))
            return None
        colleagues = [c for c in self._colleagues if c.active] or self._workbench.people.colleagues()
        dialog = ReassignDialog(promise, colleagues, self)
        dialog.save_requested.connect(self._save_reassign)
        dialog.finished.connect(self._dialog_closed)
        self._dialog = dialog
        self.dialog_requested.emit(dialog)
        return dialog

    def _dialog_closed(self) -> None:
        self._dialog = None

    def _save_reassign(self, request: ReassignRequest) -> None:
        dialog = self._dialog
        if dialog is None:
            return
        promise, service = dialog.promise, self._workbench.promises
        self._reader.submit(
            lambda: service.reassign(promise, request.to_user_id, request.note),
            self._reassigned,
            self._reassign_refused,
        )

    def _reassigned(self, promise: PromiseRecord) -> None:
        dialog = self._dialog
        if dialog is not None:
            dialog.saved()
            self._dialog = None
        text = (
            self.tr("Promise to %1 reassigned to %2.")
            .replace("%1", promise.customer_name)
            .replace("%2", promise.owner_name)
        )
        self._say(text)
        self.change_saved.emit(text)

    def _reassign_refused(self, error: BaseException) -> None:
        if isinstance(error, PromiseRuleError | PromiseConflictError):
            text = str(error)
        else:
            log.warning("reassigning a promise failed: %s", error)
            text = self.tr("the promise was not reassigned: %1").replace("%1", type(error).__name__)
        dialog = self._dialog
        if dialog is not None:
            dialog.show_error(text)
        else:
            self._say(text)

    # -- export ---------------------------------------------------------------------------------------

    def _choose_export_file(self) -> None:
        chooser = QFileDialog(self, self.tr("Export advisor measures"))
        chooser.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        chooser.setNameFilter(self.tr("CSV files (*.csv)"))
        chooser.setDefaultSuffix("csv")
        chooser.setDirectory(str(documents_dir()))
        chooser.selectFile(f"advisor-measures-{self._period.first_day}-{self._period.last_day}.csv")
        chooser.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        chooser.fileSelected.connect(lambda name: self.export_csv(Path(name)))
        chooser.open()

    def export_csv(self, path: Path) -> str:
        """Write the advisor measures on screen (all advisors, in the table's order) to `path`."""
        board = self._board
        if board is None:
            text = self.tr("Nothing to export yet: the board is still being read.")
        else:
            rows = [
                self.advisor_model.row_at(
                    self.advisor_proxy.mapToSource(self.advisor_proxy.index(r, 0)).row()
                )
                for r in range(self.advisor_proxy.rowCount())
            ]
            try:
                count = write_advisor_csv(path, board.period, rows)
            except OSError as error:
                text = (
                    self.tr("Could not write %1: %2")
                    .replace("%1", str(path))
                    .replace("%2", error.strerror or "")
                )
            else:
                text = (
                    self.tr("Exported %1 advisors to %2").replace("%1", str(count)).replace("%2", str(path))
                )
        self.status.setText(text)
        return text
