"""Cold start on a local store: the window is painted from the user's row before the store opens; a
search typed meanwhile is answered once it has, and the user's work is read then."""

from __future__ import annotations

import sys

from pytestqt.qtbot import QtBot

from console.clock import ManualClock
from storage.peek import peek_user
from storage.queries import users
from tests.ui.support import STORY_PHONE, UiData
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
