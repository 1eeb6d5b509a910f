"""Entry points the command line calls: render_screenshot writes a real picture, run_window runs on qasync."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from console.services.customers import CustomerNotFoundError
from storage.store import Store
from tests.ui.support import STORY_ACCOUNT
from widgets.app import ScreenshotError, render_screenshot, run_window
from widgets.main_window import MainWindow


def distinct_colours(image: QImage, step: int = 7) -> int:
    """How many different colours a grid of samples across the image finds."""
    return len(
        {image.pixel(x, y) for x in range(0, image.width(), step) for y in range(0, image.height(), step)}
    )


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
@pytest.mark.parametrize("role", ["advisor", "supervisor"])
@pytest.mark.parametrize("account", [STORY_ACCOUNT, None])
def test_screenshot_is_a_real_picture(
    qapp: QApplication, ui_store: Store, tmp_path: Path, size: tuple[int, int], role: str, account: str | None
) -> None:
    target = tmp_path / "shot.png"
    render_screenshot(ui_store, target, account=account, role=role, size=size)
    image = QImage(str(target))
    assert not image.isNull()
    assert (image.width(), image.height()) == size
    assert distinct_colours(image) > 20  # text, icons and frames, not one flat colour


def test_screenshot_of_an_unknown_account_raises(qapp: QApplication, ui_store: Store, tmp_path: Path) -> None:
    with pytest.raises(CustomerNotFoundError):
        render_screenshot(
            ui_store, tmp_path / "shot.png", account="99999999", role="advisor", size=(800, 600)
        )
    assert not (tmp_path / "shot.png").exists()


def test_screenshot_into_a_missing_folder_raises(qapp: QApplication, ui_store: Store, tmp_path: Path) -> None:
    with pytest.raises(ScreenshotError, match="could not write"):
        render_screenshot(
            ui_store, tmp_path / "nope" / "shot.png", account=None, role="advisor", size=(800, 600)
        )


def test_run_window_opens_the_account_and_returns_when_closed(
    qtbot: QtBot, qapp: QApplication, ui_store: Store
) -> None:
    seen: list[str] = []

    def close_it() -> None:
        for widget in qapp.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                profile = widget.current_profile
                seen.append(profile.account_number if profile else "")
                widget.close()

    QTimer.singleShot(0, qapp, close_it)  # runs once the qasync loop is running
    assert run_window(ui_store, "advisor", account=STORY_ACCOUNT) == 0
    assert seen == [STORY_ACCOUNT]


def test_run_window_with_an_unknown_account_raises_before_showing(
    qapp: QApplication, ui_store: Store
) -> None:
    with pytest.raises(CustomerNotFoundError):
        run_window(ui_store, "advisor", account="99999999")
    assert not [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]


def test_an_unencrypted_server_link_is_shown_on_the_status_bar(window: MainWindow, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QLabel

    from console.server_address import parse_server_url
    from widgets.sync.insecure import show_unencrypted_link

    verified = parse_server_url("postgresql://central.example.org/console")
    assert show_unencrypted_link(window.statusBar(), verified) is None
    assert window.findChild(QLabel, "insecureLink") is None
    plain = parse_server_url("postgresql://central.example.org/console?sslmode=disable", allow_insecure=True)
    label = show_unencrypted_link(window.statusBar(), plain)
    assert label is not None and show_unencrypted_link(window.statusBar(), plain) is label  # once
    window.resize(1366, 768)
    window.show()
    assert label.isVisible() and label.text() == "Not encrypted"
    assert "central.example.org:5432/console" in label.toolTip() and "sslmode=disable" in label.toolTip()
    QApplication.processEvents()
    window.grab().save(str(tmp_path / "insecure.png"))


def test_the_window_offers_what_the_users_row_says_not_what_role_was_asked_for(
    qtbot: QtBot, ui_store: Store
) -> None:
    from domain.vocabulary import Role
    from widgets.app import build_window

    window = build_window(ui_store, "supervisor", username="alex", auto_tick=False)
    qtbot.addWidget(window)
    assert window.role is Role.ADVISOR
    assert "Supervisor" not in window.windowTitle()
