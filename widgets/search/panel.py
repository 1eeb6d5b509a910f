"""Customer search: a line edit whose text is searched off the UI thread, and the list of matches."""

from __future__ import annotations

import logging
import uuid
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLabel,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from console.normalise import format_phone
from console.pages import SEARCH_LIMIT
from domain.records import CustomerMatch
from widgets.background import BackgroundReader
from widgets.views import HintListView

if TYPE_CHECKING:  # the finder (and the store) load with the server's sync
    from console.services.customer_finder import CustomerFinder, FoundCustomers

log = logging.getLogger(__name__)

_ROOT = QModelIndex()
MatchRole = Qt.ItemDataRole.UserRole + 1


class SearchResultsModel(QAbstractListModel):
    """One row per matching customer: name on the first line, account, postcode and phone on the second."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._matches: list[CustomerMatch] = []

    def set_matches(self, matches: list[CustomerMatch]) -> None:
        self.beginResetModel()
        self._matches = list(matches)
        self.endResetModel()

    def match_at(self, row: int) -> CustomerMatch | None:
        return self._matches[row] if 0 <= row < len(self._matches) else None

    @override
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._matches)

    @override
    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        match = self.match_at(index.row()) if index.isValid() else None
        if match is None:
            return None
        phone = format_phone(match.phone_e164) if match.phone_e164 else self.tr("no phone")
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{match.name}\n{match.account_number} · {match.postcode} · {phone}"
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [match.name, match.account_number, f"{match.postcode}, {match.town}", phone]
            if match.email:
                lines.append(match.email)
            return "\n".join(lines)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return (
                self.tr("%1, account %2, postcode %3, phone %4")
                .replace("%1", match.name)
                .replace("%2", match.account_number)
                .replace("%3", match.postcode)
                .replace("%4", phone)
            )
        if role == MatchRole:
            return match
        return None


class _MatchDelegate(QStyledItemDelegate):
    """Draws a match as two lines: the name in bold, then account, postcode and phone; with breathing room."""

    PADDING = 4

    @override
    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        line = option.fontMetrics.lineSpacing()
        return QSize(option.rect.width(), 2 * line + 2 * self.PADDING + 2)

    @override
    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")  # item.text has U+2028 for the line break
        item.text = ""
        style = item.widget.style() if item.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, item.widget)
        name, _, details = text.partition("\n")
        selected = bool(item.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        area = item.rect.adjusted(self.PADDING + 2, self.PADDING, -self.PADDING, -self.PADDING)
        line = item.fontMetrics.lineSpacing()
        painter.save()
        painter.setPen(item.palette.color(role))
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
        # Both fonts set every attribute explicitly: a font with unset attributes would inherit the
        # painter's previous font (and the details would come out bold too).
        for offset, bold, text_line in ((0, True, name), (line + 1, False, details)):
            font = QFont(item.font)
            font.setBold(bold)
            painter.setFont(font)
            metrics = QFontMetrics(font)
            elided = metrics.elidedText(text_line, Qt.TextElideMode.ElideRight, area.width())
            painter.drawText(area.adjusted(0, offset, 0, 0), flags, elided)
        painter.restore()


class _SearchBox(QLineEdit):
    """The search line edit; Down moves into the results."""

    # The user pressed Down: move the focus into the results.
    down_requested = Signal()

    @override
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Down and not event.modifiers():
            self.down_requested.emit()
            return
        super().keyPressEvent(event)


class _ResultsView(HintListView):
    """The results list; Up on the first row goes back to the search box."""

    # The user pressed Up on the first row: give the focus back to the search box.
    up_from_top_requested = Signal()

    @override
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Up and self.currentIndex().row() <= 0:
            self.up_from_top_requested.emit()
            return
        super().keyPressEvent(event)


class SearchPanel(QWidget):
    """Type anything a customer reads out; matches appear as you type; Enter opens one."""

    # The user chose a customer (Enter or activation): carries the customer's id (uuid.UUID).
    open_customer_requested = Signal(object)
    # Results for the newest query arrived and are shown: carries how many there are.
    search_finished = Signal(int)

    def __init__(
        self,
        search: Callable[[str], list[CustomerMatch] | FoundCustomers],
        reader: BackgroundReader,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._search = search
        self._reader = reader
        self._ticket = 0
        self._shown_ticket = 0
        # Only a weak reference: the future's callbacks refer back to this panel, and a strong one
        # would make a reference cycle through a Qt object.
        self._running: weakref.ref[Future[list[CustomerMatch] | FoundCustomers]] | None = None
        self._open_when_ready = False
        self._finder: CustomerFinder | None = None

        self.search_box = _SearchBox(self)
        self.search_box.setObjectName("customerSearch")
        self.search_box.setAccessibleName(self.tr("Search customers"))
        self.search_box.setPlaceholderText(self.tr("Account, phone, name, postcode or email"))
        self.search_box.setClearButtonEnabled(True)

        self.message = QLabel(self)
        self.message.setObjectName("searchMessage")
        self.message.setWordWrap(True)
        self.message.hide()

        # Offline (or the server did not answer): the results are this workstation's copy only.
        self.copy_note = QLabel(self.tr("Searching this workstation's copy"), self)
        self.copy_note.setObjectName("searchLocalCopyNote")
        self.copy_note.setWordWrap(True)
        self.copy_note.hide()

        self.model = SearchResultsModel(self)
        self.results = _ResultsView(self, self._results_hint(""))
        self.results.setObjectName("searchResults")
        self.results.setAccessibleName(self.tr("Search results"))
        self.results.setModel(self.model)
        self.results.setItemDelegate(_MatchDelegate(self.results))
        self.results.setUniformItemSizes(True)
        self.results.setAlternatingRowColors(True)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.setTextElideMode(Qt.TextElideMode.ElideRight)

        heading = QLabel(self.tr("Find a customer"), self)
        heading.setObjectName("searchHeading")
        heading.setBuddy(self.search_box)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading)
        layout.addWidget(self.search_box)
        layout.addWidget(self.copy_note)
        layout.addWidget(self.message)
        layout.addWidget(self.results, 1)

        self.search_box.textChanged.connect(self._text_changed)
        self.search_box.returnPressed.connect(self._open_chosen)
        self.search_box.down_requested.connect(self._enter_results)
        self.results.up_from_top_requested.connect(self.focus_search)
        self.results.activated.connect(self._open_index)
        self.model.modelReset.connect(self._select_first)

    def _results_hint(self, text: str) -> str:
        if text.strip():
            return ""  # the message above the list says why nothing matched
        return self.tr("Matches appear here as you type. Ctrl+F comes back to the search box.")

    @override
    def sizeHint(self) -> QSize:
        """Wide enough for the whole placeholder of the search box, and for a name and a phone number."""
        metrics = self.search_box.fontMetrics()
        width = metrics.horizontalAdvance(self.search_box.placeholderText()) + 48
        return QSize(max(width, metrics.averageCharWidth() * 36), super().sizeHint().height())

    def use_finder(self, finder: CustomerFinder) -> None:
        """Search through `finder` (the server while online) and fetch a customer not held before
        asking to open them."""
        self._finder = finder
        self._search = finder.search

    # -- searching ------------------------------------------------------------------------------

    @property
    def searching(self) -> bool:
        """A query for the current text is still running."""
        return self._shown_ticket != self._ticket

    def _text_changed(self, text: str) -> None:
        self.results.set_empty_text(self._results_hint(text))
        self._ticket += 1
        self._open_when_ready = False
        self._reader.cancel(self._running() if self._running is not None else None)
        self._running = None
        if not text.strip():
            self._shown_ticket = self._ticket
            self.model.set_matches([])
            self.message.hide()
            self.copy_note.hide()
            return
        ticket = self._ticket
        future = self._reader.submit(
            lambda: self._search(text),
            lambda matches: self._show_results(ticket, matches),
            lambda error: self._show_failure(ticket, error),
        )
        self._running = weakref.ref(future) if future is not None else None

    def _show_results(self, ticket: int, found: list[CustomerMatch] | FoundCustomers) -> None:
        if ticket != self._ticket:
            return  # an older query finished after a newer one was typed: drop it
        self._shown_ticket = ticket
        self._running = None
        matches = found if isinstance(found, list) else found.matches
        self._show_copy_note(found)
        self.model.set_matches(matches)
        if not matches:
            self._say(self.tr("No match. Try an account number, phone number, name, postcode or email."))
        elif len(matches) >= SEARCH_LIMIT:
            self._say(self.tr("First %n matches: type more to narrow them.").replace("%n", str(len(matches))))
        else:
            self.message.hide()
        self.search_finished.emit(len(matches))
        if self._open_when_ready:
            self._open_when_ready = False
            self._open_chosen()

    def _show_failure(self, ticket: int, error: BaseException) -> None:
        if ticket != self._ticket:
            return
        log.warning("customer search failed: %s", error)
        self._shown_ticket = ticket
        self._running = None
        self.model.set_matches([])
        self._say(self.tr("No match: the search could not run just now. Try again in a moment."))
        self.search_finished.emit(0)

    def _show_copy_note(self, found: list[CustomerMatch] | FoundCustomers) -> None:
        if isinstance(found, list) or not found.local_copy:
            self.copy_note.hide()
            return
        if found.server_failed:
            self.copy_note.setText(self.tr("The server did not answer: searching this workstation's copy"))
        else:
            self.copy_note.setText(self.tr("Searching this workstation's copy"))
        self.copy_note.show()

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    # -- keyboard -------------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def _select_first(self) -> None:
        if self.model.rowCount():
            self.results.setCurrentIndex(self.model.index(0, 0))

    def _enter_results(self) -> None:
        if not self.model.rowCount():
            return
        if not self.results.currentIndex().isValid():
            self.results.setCurrentIndex(self.model.index(0, 0))
        self.results.setFocus(Qt.FocusReason.TabFocusReason)

    def _open_chosen(self) -> None:
        if self.searching:
            self._open_when_ready = True  # Enter pressed before the results arrived
            return
        current = self.results.currentIndex()
        self._open_index(current if current.isValid() else self.model.index(0, 0))

    def _open_index(self, index: QModelIndex | QPersistentModelIndex) -> None:
        match = self.model.match_at(index.row()) if index.isValid() else None
        if match is None:
            return
        finder = self._finder
        if finder is None:
            self.open_customer_requested.emit(match.id)
            return
        self._reader.submit(
            lambda: finder.ensure_held(match.id),
            lambda held: self._fetched(match.id, held),
            lambda error: self._fetch_failed(match.id, error),
        )

    def _fetched(self, customer_id: uuid.UUID, held: bool) -> None:
        if held:
            self.open_customer_requested.emit(customer_id)
        else:
            self._say(self.tr("This customer is not on this workstation: open them again once online."))

    def _fetch_failed(self, customer_id: uuid.UUID, error: BaseException) -> None:
        log.warning("fetching customer %s failed: %s", customer_id, error)
        self._say(
            self.tr("This customer could not be fetched from the server just now. Try again in a moment.")
        )
