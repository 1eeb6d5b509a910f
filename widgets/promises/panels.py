"""The customer's promises and handoffs, the advisor's "My promises" worklist, and the due-soon banner."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from PySide6.QtCore import QAbstractItemModel, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from widgets.handoffs.model import HandoffColumn, HandoffModel
from widgets.promises.models import CustomerPromiseModel, PromiseColumn, PromiseTableModel, WorklistModel
from widgets.views import HintTableView, read_only_rows


def data_table(
    model: QAbstractItemModel,
    object_name: str,
    spoken_as: str,
    samples: Mapping[int, str],
    stretch: tuple[int, ...],
    parent: QWidget | None = None,
    *,
    bold: tuple[int, ...] = (),
) -> HintTableView:
    """A read-only table of whole rows with fixed row heights (no per-row measuring, however many rows).

    `samples` sizes fixed columns by the widest text they hold (in bold for the `bold` columns, which
    turn bold when overdue); `stretch` columns share what is left.
    """
    view = HintTableView(parent)
    view.setObjectName(object_name)
    view.setAccessibleName(spoken_as)
    view.setModel(model)
    read_only_rows(view)
    view.setWordWrap(False)
    view.setAlternatingRowColors(True)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    rows = view.verticalHeader()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(view.fontMetrics().height() + 6)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    heavy = view.font()
    heavy.setBold(True)
    plain_metrics, bold_metrics = QFontMetrics(view.font()), QFontMetrics(heavy)
    for column, sample in samples.items():
        metrics = bold_metrics if column in bold else plain_metrics
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(column, metrics.horizontalAdvance(sample) + 18)
    for column in stretch:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
    view.setMinimumHeight(header.sizeHint().height() + rows.defaultSectionSize() * 2 + 4)
    widths = {column: header.sectionSize(column) for column in samples}
    RoomForWords(view, widths, stretch, plain_metrics.averageCharWidth() * WORDS_LEAST)
    return view


# The free-text columns ("What", "State") keep room for this many characters at least.
WORDS_LEAST = 28
# The sized columns give up at most this share of their width for them.
NARROWEST = 0.6


class RoomForWords(QObject):
    """On a narrow window the sample-sized columns narrow (to three fifths at most) so the stretching
    columns keep room for their words (a handoff's What once showed as "I…")."""

    def __init__(
        self, view: QTableView, widths: Mapping[int, int], stretch: tuple[int, ...], least: int
    ) -> None:
        super().__init__(view)
        self._view, self._widths, self._stretch, self._least = view, dict(widths), stretch, least
        view.viewport().installEventFilter(self)
        model = view.model()
        if model is not None:
            model.modelReset.connect(self.share)

    def share(self) -> None:
        view = self._view
        shown = {column: width for column, width in self._widths.items() if not view.isColumnHidden(column)}
        stretching = [column for column in self._stretch if not view.isColumnHidden(column)]
        if not shown or not stretching:
            return
        sized = sum(shown.values())
        room = view.viewport().width() - sized
        wanted = self._least * len(stretching)
        scale = 1.0 if room >= wanted else max(NARROWEST, (view.viewport().width() - wanted) / sized)
        header = view.horizontalHeader()
        for column, width in shown.items():
            header.resizeSection(column, int(width * scale))

    @override
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.share()
        return super().eventFilter(watched, event)


def _title(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName("panelTitle")
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def _tool_button(text: str, spoken_as: str, tip: str, parent: QWidget) -> QToolButton:
    button = QToolButton(parent)
    button.setText(text)
    button.setAccessibleName(spoken_as)
    button.setToolTip(tip)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    button.setAutoRaise(False)
    return button


def _section(title: QLabel, buttons: list[QToolButton], view: QWidget, parent: QWidget) -> None:
    top = QHBoxLayout()
    top.setContentsMargins(0, 0, 0, 0)
    top.addWidget(title, 1)
    for button in buttons:
        top.addWidget(button)
    layout = QVBoxLayout(parent)
    layout.setContentsMargins(0, 4, 0, 0)
    layout.setSpacing(3)
    layout.addLayout(top)
    layout.addWidget(view, 1)


def promise_samples(model: PromiseTableModel, *, with_customer: bool) -> dict[int, str]:
    samples = {
        PromiseColumn.KIND: "Progress update",
        PromiseColumn.DUE: "Wed 25 Nov 09:00–12:00",
        PromiseColumn.COUNTDOWN: "overdue by 2 days 23 h",
        PromiseColumn.STATE: "Overdue, escalated",
        PromiseColumn.CASE: "CS-0000000",
        PromiseColumn.ACCOUNT: "00000000",
    }
    if with_customer:
        samples[PromiseColumn.CUSTOMER] = "Margaret Holloway"
    return {model.column_of(c): text for c, text in samples.items() if c in model.COLUMNS}


def live_columns(model: PromiseTableModel) -> tuple[int, ...]:
    """The columns a tick changes, bold when overdue."""
    return (model.column_of(PromiseColumn.COUNTDOWN), model.column_of(PromiseColumn.STATE))


class PromisePanel(QWidget):
    """The open customer's promises with live countdowns; make one (Ctrl+B), record an outcome (Enter)."""

    def __init__(self, model: CustomerPromiseModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.title = _title(self.tr("Promises"), self)
        self.make_button = _tool_button(
            self.tr("Make a promise…"),
            self.tr("Make a promise"),
            self.tr("Promise this customer a callback, update, visit or credit (Ctrl+B)"),
            self,
        )
        self.outcome_button = _tool_button(
            self.tr("Record outcome…"),
            self.tr("Record outcome"),
            self.tr("End the selected promise with what happened (Enter)"),
            self,
        )
        self.view = data_table(
            model,
            "promiseList",
            self.tr("Promises"),
            promise_samples(model, with_customer=False),
            (model.column_of(PromiseColumn.OWNER),),
            self,
            bold=live_columns(model),
        )
        model.add_view(self.view)  # a tick announces only what this view shows
        _section(self.title, [self.make_button, self.outcome_button], self.view, self)


class HandoffPanel(QWidget):
    """Orders and tasks handed between teams; a dropped one (not acknowledged in time) is red."""

    def __init__(
        self,
        model: HandoffModel,
        parent: QWidget | None = None,
        *,
        name: str = "handoffList",
        title: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.title = _title(title or self.tr("Handoffs"), self)
        self.acknowledge_button = _tool_button(
            self.tr("Acknowledge"),
            self.tr("Acknowledge handoff"),
            self.tr("The receiving team has picked up the selected handoff"),
            self,
        )
        self.complete_button = _tool_button(
            self.tr("Mark done"),
            self.tr("Mark handoff done"),
            self.tr("The receiving team has finished the selected handoff"),
            self,
        )
        # A list across customers (the team's) names each one and opens them.
        self.open_button = _tool_button(
            self.tr("Open customer"),
            self.tr("Open the customer of the selected handoff"),
            self.tr("Open the customer this handoff is for (Enter)"),
            self,
        )
        samples: dict[int, str] = {
            HandoffColumn.STATE: "Not acknowledged — 10 days late",
            HandoffColumn.KIND: "Order",
            HandoffColumn.TEAMS: "Sales → Provisioning",
            HandoffColumn.ACKNOWLEDGE_BY: "Wed 25 Nov 09:00",
            HandoffColumn.DONE_BY: "Wed 25 Nov 09:00",
        }
        if model.with_customer:
            samples[HandoffColumn.CUSTOMER] = "Jonathan Finch (10000001)"
        self.view = data_table(
            model,
            name,
            title or self.tr("Handoffs"),
            samples,
            (HandoffColumn.SUMMARY,),
            self,
            bold=tuple(HandoffColumn),  # a dropped handoff's whole row is bold
        )
        buttons = [self.acknowledge_button, self.complete_button]
        if model.with_customer:
            buttons.insert(0, self.open_button)
        else:
            self.open_button.hide()
        _section(self.title, buttons, self.view, self)


class WorklistPanel(QWidget):
    """Every open promise the user owns, across customers, soonest first; Enter opens the customer."""

    def __init__(self, model: WorklistModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.hint = QLabel(self)
        self.hint.setObjectName("worklistHint")
        self.hint.setWordWrap(True)
        self.view = data_table(
            model,
            "myPromises",
            self.tr("My promises"),
            promise_samples(model, with_customer=True),
            (model.column_of(PromiseColumn.STATE),),
            self,
            bold=live_columns(model),
        )
        model.add_view(self.view)  # a tick announces only what this view shows
        self.view.setToolTip(self.tr("Enter opens the customer. Ctrl+Shift+P comes back here."))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.hint)
        layout.addWidget(self.view, 1)


class PromiseBanner(QFrame):
    """In-window notice that a promise is due soon (or already overdue), shown until dismissed.

    Loud (amber, red when overdue) about the promise itself; quiet (grey, no button) when it only
    counts other customers' promises while a call is in hand. Before it opens another customer over
    a call it asks, in the banner itself: Open anyway, or Stay on the call.
    """

    # The advisor asked to open the customer of the promise announced: carries its customer id.
    open_customer_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("promiseBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._customer_id: uuid.UUID | None = None
        self._asking = False
        self._said = ""
        self.text = QLabel(self)
        self.text.setObjectName("promiseBannerText")
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        self.open_button = QPushButton(self)
        self.dismiss_button = QPushButton(self)
        self._name_buttons()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 6, 4)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.open_button)
        layout.addWidget(self.dismiss_button)
        self.open_button.clicked.connect(self._open)
        self.dismiss_button.clicked.connect(self._dismiss)
        self.hide()

    def _name_buttons(self) -> None:
        if self._asking:
            self.open_button.setText(self.tr("Open anyway"))
            self.open_button.setAccessibleName(self.tr("Open the other customer, leaving the caller's pane"))
            self.dismiss_button.setText(self.tr("Stay on the call"))
            self.dismiss_button.setAccessibleName(self.tr("Keep the caller's pane open"))
        else:
            self.open_button.setText(self.tr("Open customer"))
            self.open_button.setAccessibleName(self.tr("Open the customer of this promise"))
            self.dismiss_button.setText(self.tr("Dismiss"))
            self.dismiss_button.setAccessibleName(self.tr("Dismiss the promise notice"))

    def _set_look(self, name: str, value: bool) -> None:
        if self.property(name) == value:
            return
        self.setProperty(name, value)
        for widget in (self, self.text):  # the text's colour hangs on the banner's property too
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    def announce(
        self, text: str, customer_id: uuid.UUID | None, *, overdue: bool, quiet: bool = False
    ) -> None:
        """Show `text`; `customer_id`: whose pane Open customer opens (None: no button)."""
        self._asking = False
        self._name_buttons()
        self.show_text(text, customer_id, overdue=overdue, quiet=quiet)
        self.show()

    def show_text(
        self, text: str, customer_id: uuid.UUID | None, *, overdue: bool, quiet: bool = False
    ) -> None:
        """The notice moved on with the clock (same tick as the lists); nothing changes while it asks."""
        self._said = text
        if self._asking:  # the question stays, about the customer it asked about
            return
        self._customer_id = customer_id
        if self.text.text() != text:
            self.text.setText(text)
        self._set_look("overdue", overdue and not quiet)
        self._set_look("quiet", quiet)
        self.open_button.setVisible(customer_id is not None)

    def over_call_question(self, caller: str, other: str) -> str:
        """The one question asked before another customer's pane replaces the caller's."""
        return (
            self.tr("You are on a call with %1. Open %2 instead, leaving the caller's pane?")
            .replace("%1", caller)
            .replace("%2", other)
        )

    def ask(self, question: str, customer_id: uuid.UUID | None = None) -> None:
        """Ask before opening another customer (`customer_id`, else the one announced) over the call:
        Open anyway, or Stay on the call."""
        self._asking = True
        if customer_id is not None:
            self._customer_id = customer_id
        self._name_buttons()
        self.text.setText(question)
        self.open_button.setVisible(True)
        self.show()
        self.dismiss_button.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def asking(self) -> bool:
        return self._asking

    @property
    def customer_id(self) -> uuid.UUID | None:
        return self._customer_id

    def _open(self) -> None:
        if self._customer_id is not None:
            self.open_customer_requested.emit(self._customer_id)

    def _dismiss(self) -> None:
        if not self._asking:
            self.hide()
            return
        self._asking = False
        self._name_buttons()
        self.text.setText(self._said)
        self.open_button.setVisible(self._customer_id is not None)
