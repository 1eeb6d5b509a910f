"""Fixtures for the widget tests: offscreen Qt, a small known store, and a shown main window."""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import os
import shutil

# Before anything can create a QApplication: no display here, and qasync must pick PySide6.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from console.clock import ManualClock
from storage.location import parse_location
from storage.store import Store, open_store
from tests.ui.support import NOW, UiData, build_store, make_window
from tests.ui.work_support import WorkData, build_work_store
from widgets.main_window import MainWindow


@pytest.fixture(scope="session")
def ui_data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiData]:
    """Built once: the widget tests only read."""
    data = build_store(tmp_path_factory.mktemp("ui") / "ui.db")
    yield data
    data.store.close()


@pytest.fixture
def ui_store(ui_data: UiData) -> Store:
    return ui_data.store


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def window(qtbot: QtBot, ui_store: Store, clock: ManualClock) -> MainWindow:
    return make_window(qtbot, ui_store, clock)


@pytest.fixture(autouse=True)
def _collect_cycles_on_the_gui_thread() -> Iterator[None]:
    """As in the running console (widgets.gc_guard): no automatic collection while a test runs, so
    the cycle collector never frees a Qt object on a background reader's thread; this thread collects
    after the test. The young generations only: a full collection per test doubles the run time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.collect(1)
        if was_enabled:
            gc.enable()


@pytest.fixture(scope="session")
def work_template(tmp_path_factory: pytest.TempPathFactory) -> WorkData:
    """The work store built once and closed (its WAL folded in): each test gets a copy of the file."""
    data = build_work_store(tmp_path_factory.mktemp("work-template") / "work.db")
    data.store.close()
    assert not data.store.location.sqlite_path.with_name("work.db-wal").exists()
    return data


@pytest.fixture(scope="module", autouse=True)
def _collect_everything_after_the_module() -> Iterator[None]:
    """A full collection on the GUI thread once a widget test module ends: the tests above leave old
    cycles holding Qt objects, and a later module in this process (under xdist, any module) could
    otherwise free them from a background thread's automatic collection, which crashes Qt."""
    yield
    gc.collect()


@pytest.fixture
def work_data(work_template: WorkData, tmp_path: Path) -> Iterator[WorkData]:
    """A fresh store per test: these tests make promises, acknowledge handoffs, move cases."""
    path = tmp_path / "work.db"
    shutil.copyfile(work_template.store.location.sqlite_path, path)
    data = dataclasses.replace(work_template, store=open_store(parse_location(str(path))))
    yield data
    data.store.close()


@pytest.fixture
def work_store(work_data: WorkData) -> Store:
    return work_data.store


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop riding on Qt's event processing, so tasks run inside qtbot.waitSignal/waitUntil."""
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        asyncio.set_event_loop(None)
        # The loop told asyncio it runs (it rides on Qt's) and nothing tells it otherwise: a later test
        # in this process calling asyncio.run() would be refused ("from a running event loop").
        asyncio._set_running_loop(None)
        # A loop that rides on Qt's cannot be closed; end the executor threads asyncio.to_thread ran
        # local reads on (qasync keeps it private), or Qt warns that a QThread died running.
        executor = getattr(loop, "_QEventLoop__default_executor", None)
        if executor is not None:
            executor.shutdown(wait=True)
