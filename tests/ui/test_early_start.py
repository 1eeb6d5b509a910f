"""Cold start on a local store: the window is painted from the user's row before the store opens; a
search typed meanwhile is answered once it has, and the user's work is read then. A screenshot reads
the pane with sqlite3 and paints what the store's way paints, without loading SQLAlchemy."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
from pathlib import Path

from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from console.clock import ManualClock
from storage.peek import LocalPeek, peek_user
from storage.queries import users
from tests.ui.support import STORY_PHONE, UiData
from widgets.app import early_start, render_early_screenshot, render_screenshot
from widgets.early_start import EarlyStart


def test_peek_reads_the_user_row_or_nothing(ui_data: UiData) -> None:
    path = ui_data.store.location.sqlite_path
    user = peek_user(path, "alex")
    assert user is not None and user.display_name == "Alex Morgan"
    with ui_data.store.read() as session:  # the plain read and the store's own agree, field by field
        assert user == users.by_username(session, "alex")
    assert peek_user(path, "nobody") is None
    assert peek_user(path.with_name("missing.db"), "alex") is None
    assert not path.with_name("missing.db").exists()


def test_a_search_typed_before_the_store_opens_is_answered(
    qtbot: QtBot, ui_data: UiData, clock: ManualClock
) -> None:
    path = ui_data.store.location.sqlite_path
    user = peek_user(path, "alex")
    assert user is not None
    start = EarlyStart(path, user, clock=clock)
    window = start.window()
    qtbot.addWidget(window)
    try:
        assert not start.pending.ready
        qtbot.keyClicks(window.search_panel.search_box, STORY_PHONE)  # before the store is open
        window.show()  # the first paint opens it
        qtbot.waitUntil(lambda: start.pending.ready, timeout=10_000)
        assert start.pending.error is None
        panel = window.search_panel
        qtbot.waitUntil(lambda: not panel.searching and panel.model.rowCount() > 0, timeout=10_000)
        assert panel.model.match_at(0) is not None
        assert panel.search_box.text() == STORY_PHONE
        assert window.workbench is not None and window.workbench.user == user
    finally:
        window.close()
        start.close()


def test_the_window_module_is_painted_without_sqlalchemy() -> None:
    """What the early window imports (widgets.early_start) loads no SQLAlchemy either."""
    import subprocess

    script = "import sys, widgets.early_start; print('sqlalchemy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_a_screenshot_read_with_sqlite3_equals_the_stores(
    ui_data: UiData, clock: ManualClock, tmp_path: Path
) -> None:
    """The early screenshot (pane, goodwill and My promises read with plain sqlite3) paints the very
    pixels the screenshot through the opened store paints."""
    path = ui_data.store.location.sqlite_path
    user = peek_user(path, "alex")
    peek = LocalPeek.at(path)
    assert user is not None and peek is not None
    early = EarlyStart(path, user, clock=clock, peek=peek)
    size = (1366, 768)
    assert render_early_screenshot(early, tmp_path / "early.png", account=ui_data.story_account, size=size)
    render_screenshot(
        ui_data.store, tmp_path / "store.png", account=ui_data.story_account, role="advisor", size=size,
        username="alex", clock=clock,
    )  # fmt: skip
    early_image, store_image = QImage(str(tmp_path / "early.png")), QImage(str(tmp_path / "store.png"))
    assert not early_image.isNull() and early_image == store_image
    unknown = EarlyStart(path, user, clock=clock, peek=LocalPeek.at(path))
    assert not render_early_screenshot(unknown, tmp_path / "x.png", account="99999999", size=size)
    assert not (tmp_path / "x.png").exists()


def test_a_peek_is_only_for_a_store_at_this_schema(ui_data: UiData, tmp_path: Path) -> None:
    path = ui_data.store.location.sqlite_path
    assert LocalPeek.at(path) is not None
    assert LocalPeek.at(tmp_path / "missing.db") is None
    old = tmp_path / "old.db"
    with contextlib.closing(sqlite3.connect(old)) as db:
        db.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        db.execute("INSERT INTO alembic_version VALUES ('0001_initial')")
        db.commit()
    assert LocalPeek.at(old) is None  # the store's own way upgrades it first
    assert early_start(path, "supervisor", None, for_screenshot=True) is None  # the board needs the store


def test_a_screenshot_of_a_customer_loads_no_sqlalchemy(ui_data: UiData, tmp_path: Path) -> None:
    import subprocess

    shot = tmp_path / "shot.png"
    script = (
        "import sys; from console.cli import main; "
        f"code = main(['screenshot', {str(shot)!r}, '--db', {str(ui_data.store.location.sqlite_path)!r}, "
        f"'--user', 'alex', '--customer', {ui_data.story_account!r}]); "
        "print(code, 'sqlalchemy' in sys.modules)"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.stdout.split()[-2:] == ["0", "False"], result.stderr
    assert QImage(str(shot)).width() > 0
