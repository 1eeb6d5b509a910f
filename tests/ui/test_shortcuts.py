"""No key does two things: Qt runs neither action of an ambiguous shortcut, so a clash silently
breaks both (Ctrl+Shift+R once meant "reject" in the approval queue and "resolve" on a case)."""

from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from pytestqt.qtbot import QtBot

from console.clock import ManualClock
from storage.store import Store
from tests.ui.work_support import LONDON, settle
from widgets.app import build_window


@pytest.mark.parametrize(("role", "username"), [("advisor", "alex"), ("supervisor", "sam")])
def test_every_shortcut_in_the_window_is_one_key_for_one_thing(
    qtbot: QtBot, work_store: Store, clock: ManualClock, role: str, username: str
) -> None:
    window = build_window(work_store, role, clock, username=username, zone=LONDON, auto_tick=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    settle(qtbot, window)
    keys: Counter[str] = Counter()
    for shortcut in window.findChildren(QShortcut):
        keys[shortcut.key().toString(QKeySequence.SequenceFormat.PortableText)] += 1
    for action in window.findChildren(QAction):
        for sequence in action.shortcuts():
            keys[sequence.toString(QKeySequence.SequenceFormat.PortableText)] += 1
    assert keys, "the window has shortcuts"
    assert [key for key, count in keys.items() if count > 1 and key] == []
