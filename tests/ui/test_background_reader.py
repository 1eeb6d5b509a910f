"""The background reader: results on the UI thread, and a reader (with its window) that goes away while
its read runs is never held, signalled or freed by the worker thread."""

from __future__ import annotations

import gc
import threading
import weakref
from concurrent.futures import Future
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QThread
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from widgets.background import BackgroundReader


def _after(future: Future[Any] | None) -> threading.Event:
    """Set once every done-callback added before this one (the reader's own) has run."""
    assert future is not None
    ran = threading.Event()
    future.add_done_callback(lambda _: ran.set())
    return ran


def test_results_and_errors_arrive_on_the_ui_thread(qtbot: QtBot) -> None:
    reader = BackgroundReader()
    seen: list[tuple[str, bool]] = []
    ui = QThread.currentThread()

    def failing() -> None:
        raise ValueError("no such customer")

    reader.submit(
        lambda: 42, lambda value: seen.append((f"done {value}", QThread.currentThread() is ui)), print
    )
    reader.submit(
        failing, print, lambda error: seen.append((f"error {error}", QThread.currentThread() is ui))
    )
    qtbot.waitUntil(lambda: len(seen) == 2)
    assert seen == [("done 42", True), ("error no such customer", True)]
    reader.shutdown()


def test_a_running_read_holds_no_reference_to_its_reader(qtbot: QtBot) -> None:
    gate = threading.Event()
    reader = BackgroundReader()
    delivered: list[object] = []
    done = _after(reader.submit(lambda: gate.wait(10), delivered.append, delivered.append))
    gone = weakref.ref(reader)
    del reader
    gc.collect()
    # Only the UI thread held the reader (and the callbacks, which hold windows): it went here.
    assert gone() is None
    gate.set()
    assert done.wait(10)
    QCoreApplication.processEvents()
    assert delivered == []


def test_a_reader_deleted_with_its_window_while_reading_drops_the_result(qtbot: QtBot) -> None:
    gate = threading.Event()
    window = QWidget()
    reader = BackgroundReader(parent=window)
    delivered: list[object] = []
    done = _after(reader.submit(lambda: gate.wait(10), delivered.append, delivered.append))
    shiboken6.delete(window)  # the C++ objects go; the Python wrapper of the reader stays
    assert not shiboken6.isValid(reader)
    gate.set()
    assert done.wait(10)
    QCoreApplication.processEvents()
    assert delivered == []
