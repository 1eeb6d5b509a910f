"""The contact history as a lazily paged table model: newest first, one keyset page at a time."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from enum import IntEnum
from typing import Any, Protocol

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QIcon
from typing_extensions import override

from console.pages import HISTORY_PAGE
from domain.records import TimelineEntry, TimelineKey
from domain.vocabulary import Channel, Direction
from widgets.background import BackgroundReader
from widgets.icons import channel_icon
from widgets.table_model import RecordTableModel
from widgets.text import channel_label, direction_label, local_time, one_line

log = logging.getLogger(__name__)

_ROOT = QModelIndex()
EntryRole = Qt.ItemDataRole.UserRole + 1


class HistoryPages(Protocol):
    """Where pages come from: `CustomerService.history` has this shape."""

    def history(
        self,
        customer_id: uuid.UUID,
        *,
        channels: frozenset[Channel] | None = ...,
        after: TimelineKey | None = ...,
        limit: int = ...,
    ) -> list[TimelineEntry]: ...


class HistoryColumn(IntEnum):
    CHANNEL = 0
    DIRECTION = 1
    WHEN = 2
    ADVISOR = 3
    CASE = 4
    SUMMARY = 5


_COLUMNS = tuple(HistoryColumn)
_ANSWERED = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.AccessibleTextRole,
        Qt.ItemDataRole.DecorationRole,
        Qt.ItemDataRole.ToolTipRole,
        EntryRole,
    }
)
# Rows whose words are kept worded: a few screens' worth, so scrolling back and forth does not
# word them again, and a 50,000-event history does not keep 300,000 strings.
_WORDED_ROWS = 2_000


class HistoryModel(RecordTableModel):
    """Rows are fetched page by page as the view scrolls (canFetchMore/fetchMore), never all at once.

    `fetchMore` only asks the background reader for the next keyset page and returns; the rows are
    inserted when the page arrives, on a later turn of the event loop. So scrolling never waits for
    the database, and no rows are ever inserted while the model is in the middle of a reset.
    """

    # A page was appended: carries the new row count.
    page_loaded = Signal(int)
    # Reading a page failed: carries a one-line reason (paging stops until the next reset).
    page_failed = Signal(str)
    # A page was asked for (True) or has arrived, failed or been abandoned by a reset (False).
    loading_changed = Signal(bool)

    def __init__(
        self,
        pages: HistoryPages,
        reader: BackgroundReader,
        page_size: int = HISTORY_PAGE,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._pages = pages
        self._reader = reader
        self._page_size = page_size
        self._customer_id: uuid.UUID | None = None
        self._channels: frozenset[Channel] | None = None
        self._rows: list[TimelineEntry] = []
        self._texts: dict[int, tuple[str, ...]] = {}  # row -> its cells' words, once painted
        self._exhausted = True
        self._generation = 0  # bumped by every reset: a page read for an older one is dropped
        self._fetching_page = False
        self._icons: dict[Channel, QIcon] = {}
        # A channel's and a direction's words, asked of the translator once per reset, not per row.
        self._channel_words: dict[Channel, str] = {}
        self._direction_words: dict[Direction, str] = {}
        self._headers = {
            HistoryColumn.CHANNEL: self.tr("Channel"),
            HistoryColumn.DIRECTION: self.tr("Direction"),
            HistoryColumn.WHEN: self.tr("When"),
            HistoryColumn.ADVISOR: self.tr("Advisor"),
            HistoryColumn.CASE: self.tr("Case"),
            HistoryColumn.SUMMARY: self.tr("Summary"),
        }

    # -- what is shown --------------------------------------------------------------------------

    @property
    def customer_id(self) -> uuid.UUID | None:
        return self._customer_id

    @property
    def channels(self) -> frozenset[Channel] | None:
        return self._channels

    @property
    def loading(self) -> bool:
        """A page has been asked for and has not arrived yet."""
        return self._fetching_page

    def _set_fetching(self, value: bool) -> None:
        if value != self._fetching_page:
            self._fetching_page = value
            self.loading_changed.emit(value)

    def show_customer(
        self,
        customer_id: uuid.UUID | None,
        channels: frozenset[Channel] | None = None,
        first_page: Sequence[TimelineEntry] | None = None,
    ) -> None:
        """Start over for a customer (None: empty).

        With `first_page` (read together with the rest of the customer) the rows are there at once;
        without it the first page is asked for in the background.
        """
        self.beginResetModel()
        self._generation += 1
        self._set_fetching(False)
        self._customer_id = customer_id
        self._channels = channels
        self._rows = list(first_page) if first_page is not None else []
        self._texts = {}
        self._channel_words = {}
        self._direction_words = {}
        self._exhausted = customer_id is None or (
            first_page is not None and len(self._rows) < self._page_size
        )
        self.endResetModel()
        if first_page is None:
            self.fetchMore(QModelIndex())

    def set_channels(self, channels: frozenset[Channel] | None) -> None:
        """Filter by channel (None: all); reloads from the newest entry."""
        if channels != self._channels:
            self.show_customer(self._customer_id, channels)

    def entry_at(self, row: int) -> TimelineEntry | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    # -- lazy paging ----------------------------------------------------------------------------

    @override
    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:
        return not parent.isValid() and not self._exhausted and not self._fetching_page

    @override
    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> None:
        if not self.canFetchMore(parent) or self._customer_id is None:
            return
        customer_id, channels, limit = self._customer_id, self._channels, self._page_size
        after = self._rows[-1].key if self._rows else None
        generation = self._generation
        pages = self._pages

        def read() -> list[TimelineEntry]:
            return pages.history(customer_id, channels=channels, after=after, limit=limit)

        self._set_fetching(True)
        submitted = self._reader.submit(
            read,
            lambda page: self._append(generation, page),
            lambda error: self._failed(generation, error),
        )
        if submitted is None:  # the reader is shut down: the window is closing
            self._set_fetching(False)
            self._exhausted = True

    def _append(self, generation: int, page: list[TimelineEntry]) -> None:
        if generation != self._generation:
            return  # read for another customer or filter
        if len(page) < self._page_size:
            self._exhausted = True
        if page:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)  # the last index is inclusive
            self._rows.extend(page)
            self.endInsertRows()
        # Only now: a listener of the insert signals asking for more must not read the same page again.
        self._set_fetching(False)
        self.page_loaded.emit(len(self._rows))

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        log.warning("reading a history page failed: %s", error)
        self._set_fetching(False)
        self._exhausted = True
        self.page_failed.emit(str(error).splitlines()[0] if str(error) else type(error).__name__)

    # -- the table ------------------------------------------------------------------------------

    # The view asks for the counts a few hundred times a frame: answered without building anything.
    @override
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    @override
    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(_COLUMNS)

    @override
    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role not in _ANSWERED:
            return None  # most of what the delegate asks per cell, answered without a look at the row
        row, section = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= section < len(_COLUMNS)) or not index.isValid():
            return None
        entry = self._rows[row]
        column = _COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole or role == Qt.ItemDataRole.AccessibleTextRole:
            texts = self._texts.get(row)
            if texts is None:
                if len(self._texts) >= _WORDED_ROWS:
                    self._texts.clear()
                texts = self._texts[row] = tuple(self._text(entry, c) for c in _COLUMNS)
            return texts[section]
        if role == Qt.ItemDataRole.DecorationRole and column is HistoryColumn.CHANNEL:
            return self.channel_icon(entry.channel)
        if role == Qt.ItemDataRole.ToolTipRole and column is HistoryColumn.SUMMARY:
            return self._full_summary(entry)
        if role == EntryRole:
            return entry
        return None

    def _text(self, entry: TimelineEntry, column: HistoryColumn) -> str:
        if column is HistoryColumn.CHANNEL:
            words = self._channel_words.get(entry.channel)
            if words is None:
                words = self._channel_words[entry.channel] = channel_label(entry.channel)
            return words
        if column is HistoryColumn.DIRECTION:
            words = self._direction_words.get(entry.direction)
            if words is None:
                words = self._direction_words[entry.direction] = direction_label(entry.direction)
            return words
        if column is HistoryColumn.WHEN:
            return local_time(entry.occurred_at)
        if column is HistoryColumn.ADVISOR:
            return entry.advisor_name or ""
        if column is HistoryColumn.CASE:
            return entry.case_reference or ""
        return one_line(self._full_summary(entry))

    @staticmethod
    def _full_summary(entry: TimelineEntry) -> str:
        if entry.subject:
            return f"{entry.subject} — {entry.summary}"
        return entry.summary

    def channel_icon(self, channel: Channel) -> QIcon:
        icon = self._icons.get(channel)
        if icon is None:
            icon = self._icons[channel] = channel_icon(channel)
        return icon
