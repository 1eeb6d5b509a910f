"""The GUI-thread collector: a full collection waits while the user scrolls, but not for ever."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from console.services.customers import CustomerService
from storage.store import Store
from widgets.background import BackgroundReader
from widgets.gc_guard import GuiThreadGarbageCollector
from widgets.pane.history_model import HistoryModel
from widgets.pane.history_view import HistoryPanel


@pytest.fixture
def collector() -> Iterator[GuiThreadGarbageCollector]:
    guard = GuiThreadGarbageCollector()
    guard._last_full = time.monotonic() - GuiThreadGarbageCollector.FULL_EVERY_S - 1  # one is due
    GuiThreadGarbageCollector._held_until = 0.0
    yield guard
    GuiThreadGarbageCollector._held_until = 0.0
    guard.deleteLater()


def test_a_full_collection_falls_due_after_a_minute(collector: GuiThreadGarbageCollector) -> None:
    assert collector._full_collection_due()
    collector._last_full = time.monotonic()
    assert not collector._full_collection_due()


def test_scrolling_holds_a_due_full_collection_back(collector: GuiThreadGarbageCollector) -> None:
    GuiThreadGarbageCollector.hold_full_collection()
    assert not collector._full_collection_due()
    GuiThreadGarbageCollector._held_until = time.monotonic() - 0.001  # the user paused
    assert collector._full_collection_due()


def test_a_held_collection_runs_once_it_has_waited_too_long(collector: GuiThreadGarbageCollector) -> None:
    collector._last_full = time.monotonic() - GuiThreadGarbageCollector.LONGEST_WAIT_S - 1
    GuiThreadGarbageCollector.hold_full_collection()
    assert collector._full_collection_due()


def test_scrolling_the_history_holds_full_collections(qtbot: QtBot, ui_store: Store) -> None:
    reader = BackgroundReader()
    panel = HistoryPanel(HistoryModel(CustomerService(ui_store), reader))
    qtbot.addWidget(panel)
    GuiThreadGarbageCollector._held_until = 0.0
    bar = panel.view.verticalScrollBar()
    bar.setRange(0, 100)
    bar.setValue(50)
    assert GuiThreadGarbageCollector._held_until > time.monotonic()
    GuiThreadGarbageCollector._held_until = 0.0
    reader.shutdown()
