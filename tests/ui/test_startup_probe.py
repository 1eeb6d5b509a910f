"""The cold-start bench's probe: off unless asked for; asked for, it reports the search box's first
focused paint once."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from widgets.startup_probe import PROBE, SHOWN, watch_start


def focused_box(qtbot: QtBot) -> QLineEdit:
    box = QLineEdit()
    qtbot.addWidget(box)
    watch_start(box)
    box.show()
    box.activateWindow()
    box.setFocus()
    qtbot.waitUntil(box.hasFocus, timeout=2000)
    box.repaint()
    QCoreApplication.processEvents()  # the report is sent once the paint is done
    return box


def test_the_probe_reports_the_first_focused_paint_once(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(PROBE, "1")
    box = focused_box(qtbot)
    box.repaint()
    QCoreApplication.processEvents()
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith(SHOWN)]
    assert len(lines) == 1
    assert float(lines[0].removeprefix(SHOWN)) > 0


def test_without_the_variable_nothing_is_reported(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(PROBE, raising=False)
    focused_box(qtbot)
    assert SHOWN not in capsys.readouterr().err
