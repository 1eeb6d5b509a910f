"""The sign-in dialog against a real PostgreSQL: wrong password, offline unlock for the last user only,
"remember me" in the keyring (an in-memory backend), and the window's status after signing in."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QCheckBox, QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from console import paths
from console.auth import Authenticator, Connectivity, Session
from console.clock import ManualClock
from console.credentials import CredentialStore
from console.offline_unlock import OfflineUnlockCache
from console.server_address import parse_server_url
from domain.vocabulary import Role
from storage.server_login import ServerIdentity
from storage.store import Store
from tests.helpers import passwords
from tests.helpers.login import (
    LoginServer,
    MemoryKeyring,
    SocketLink,
    closed_port,
    files_holding,
    folders_of_this_workstation,
)
from tests.ui.support import NOW
from tests.ui.work_support import settle
from widgets.app import build_window, run_window
from widgets.login_dialog import LoginDialog
from widgets.main_window import MainWindow
from widgets.sync.connectivity import ConnectivityCheck
from widgets.sync.status import ConnectivityState, ConnectivityStatus

PASSWORD = passwords.register("correct-horse-battery-staple-9", "not-the-password", "other-password-7")
pytestmark = pytest.mark.postgres


@pytest.fixture
def link(login_server: LoginServer) -> Iterator[SocketLink]:
    link = SocketLink(login_server)
    yield link
    link.close()


@pytest.fixture
def keyring_backend() -> MemoryKeyring:
    return MemoryKeyring()


def make_auth(url: str, backend: object) -> Authenticator:
    return Authenticator(
        parse_server_url(url),
        ManualClock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC)),
        credentials=CredentialStore(backend),  # type: ignore[arg-type]
        cache=OfflineUnlockCache(paths.data_dir() / "offline-unlock.json"),
    )


def open_dialog(qtbot: QtBot, auth: Authenticator) -> LoginDialog:
    dialog = LoginDialog(auth)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def error_text(dialog: LoginDialog) -> str:
    label = dialog.findChild(QLabel, "loginError")
    assert label is not None
    return label.text() if label.isVisible() else ""


def type_in(qtbot: QtBot, dialog: LoginDialog, username: str, password: str) -> None:
    for name, text in (("loginUsername", username), ("loginPassword", password)):
        field = dialog.findChild(QLineEdit, name)
        assert field is not None
        field.clear()
        qtbot.keyClicks(field, text)


def press(qtbot: QtBot, dialog: LoginDialog, button: str) -> None:
    found = dialog.findChild(QPushButton, button)
    assert found is not None and found.isVisible() and found.isEnabled()
    qtbot.mouseClick(found, Qt.MouseButton.LeftButton)


def attempt_fails(qtbot: QtBot, dialog: LoginDialog, button: str = "signIn") -> str:
    with qtbot.waitSignal(dialog.sign_in_failed, timeout=15000) as failed:
        press(qtbot, dialog, button)
    message: str = failed.args[0]
    assert error_text(dialog) == message
    assert dialog.isVisible()
    return message


def attempt_succeeds(qtbot: QtBot, dialog: LoginDialog, button: str = "signIn") -> Session:
    with qtbot.waitSignal(dialog.signed_in, timeout=15000) as signed:
        press(qtbot, dialog, button)
    session: Session = signed.args[0]
    assert dialog.result() == LoginDialog.DialogCode.Accepted
    return session


def test_the_fields_are_what_they_say(qtbot: QtBot, link: SocketLink, keyring_backend: MemoryKeyring) -> None:
    dialog = open_dialog(qtbot, make_auth(link.url, keyring_backend))
    password = dialog.findChild(QLineEdit, "loginPassword")
    assert password is not None and password.echoMode() is QLineEdit.EchoMode.Password
    assert password.accessibleName() == "Password"
    remember = dialog.findChild(QCheckBox, "rememberMe")
    assert remember is not None and remember.isEnabled()
    assert not dialog.unlock_button.isVisible()


def test_a_wrong_password_is_told_in_the_error_line(
    qtbot: QtBot, login_server: LoginServer, link: SocketLink, keyring_backend: MemoryKeyring
) -> None:
    name = login_server.add_user(PASSWORD)
    dialog = open_dialog(qtbot, make_auth(link.url, keyring_backend))
    type_in(qtbot, dialog, name, "not-the-password")
    assert attempt_fails(qtbot, dialog) == "Wrong username or password."
    assert not dialog.unlock_button.isVisible()

    type_in(qtbot, dialog, name, PASSWORD)
    session = attempt_succeeds(qtbot, dialog)
    assert (session.username, session.connectivity) == (name, Connectivity.ONLINE)


def test_an_unreachable_server_unlocks_offline_for_the_last_user_only(
    qtbot: QtBot, login_server: LoginServer, link: SocketLink, keyring_backend: MemoryKeyring, tmp_path: Path
) -> None:
    other = login_server.add_user("other-password-7")
    last = login_server.add_user(PASSWORD, display_name="Asha Patel")
    auth = make_auth(link.url, keyring_backend)
    auth.sign_in(other, "other-password-7", remember=False)
    first = open_dialog(qtbot, auth)
    type_in(qtbot, first, last, PASSWORD)
    attempt_succeeds(qtbot, first)

    link.cut()
    dialog = open_dialog(qtbot, auth)
    assert dialog.username.text() == last  # the last person is pre-filled
    type_in(qtbot, dialog, other, "other-password-7")
    assert "cannot be reached" in attempt_fails(qtbot, dialog)
    assert dialog.unlock_button.isVisible()
    assert "Only the last person" in attempt_fails(qtbot, dialog, "unlockOffline")

    type_in(qtbot, dialog, last, "a-wrong-guess")
    assert attempt_fails(qtbot, dialog, "unlockOffline") == "Wrong username or password."
    type_in(qtbot, dialog, last, PASSWORD)
    session = attempt_succeeds(qtbot, dialog, "unlockOffline")
    assert (session.username, session.role, session.connectivity) == (
        last,
        Role.ADVISOR,
        Connectivity.OFFLINE,
    )


def test_guessing_at_offline_unlock_is_told_how_long_to_wait(
    qtbot: QtBot, login_server: LoginServer, link: SocketLink, keyring_backend: MemoryKeyring
) -> None:
    last = login_server.add_user(PASSWORD, display_name="Asha Patel")
    auth = make_auth(link.url, keyring_backend)
    auth.sign_in(last, PASSWORD, remember=False)
    link.cut()
    dialog = open_dialog(qtbot, auth)
    type_in(qtbot, dialog, last, PASSWORD)
    assert "cannot be reached" in attempt_fails(qtbot, dialog)
    for guess in ("not-the-password", "not-the-password"):
        type_in(qtbot, dialog, last, guess)
        assert attempt_fails(qtbot, dialog, "unlockOffline") == "Wrong username or password."
    type_in(qtbot, dialog, last, "not-the-password")
    assert attempt_fails(qtbot, dialog, "unlockOffline").endswith("try again in 30 seconds.")
    type_in(qtbot, dialog, last, PASSWORD)
    assert (
        attempt_fails(qtbot, dialog, "unlockOffline")
        == "Too many wrong attempts to unlock offline: try again in 30 seconds."
    )


def test_remember_me_keeps_the_password_in_the_keyring_and_the_next_start_signs_in(
    qtbot: QtBot, login_server: LoginServer, link: SocketLink, keyring_backend: MemoryKeyring, tmp_path: Path
) -> None:
    name = login_server.add_user(PASSWORD)
    auth = make_auth(link.url, keyring_backend)
    dialog = open_dialog(qtbot, auth)
    type_in(qtbot, dialog, name, PASSWORD)
    qtbot.mouseClick(dialog.remember, Qt.MouseButton.LeftButton)
    assert dialog.remember.isChecked()
    attempt_succeeds(qtbot, dialog)
    assert list(keyring_backend.passwords.values()) == [PASSWORD]
    assert dialog.password.text() == ""  # not kept in the widget after use

    # Next start: a new dialog over the same workstation.
    again = open_dialog(qtbot, make_auth(link.url, keyring_backend))
    assert (again.username.text(), again.password.text()) == (name, PASSWORD)
    assert again.remember.isChecked()
    assert again.focusWidget() is again.sign_in_button
    with qtbot.waitSignal(again.signed_in, timeout=15000) as signed:
        qtbot.keyClick(again.sign_in_button, Qt.Key.Key_Return)
    assert signed.args[0].username == name
    assert not files_holding(PASSWORD, folders_of_this_workstation(tmp_path))


def test_without_a_secure_keyring_remember_me_is_off_and_says_why(qtbot: QtBot) -> None:
    auth = make_auth(f"postgresql://127.0.0.1:{closed_port()}/console", fail.Keyring())
    dialog = open_dialog(qtbot, auth)
    assert not dialog.remember.isEnabled()
    note = dialog.findChild(QLabel, "keyringNote")
    assert note is not None and note.isVisible()
    assert "no secure keyring" in note.text()


# -- the window after signing in --------------------------------------------------------------------


def signed_in_window(qtbot: QtBot, store: Store, session: Session, auth: Authenticator) -> MainWindow:
    window = build_window(store, session.role, ManualClock(NOW), username="alex", auto_tick=False)
    qtbot.addWidget(window)
    ConnectivityCheck(window, auth, session)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitActive(window)
    settle(qtbot, window)
    return window


def alex(connectivity: Connectivity, url: str) -> Session:
    identity = ServerIdentity(uuid.uuid4(), "alex", "Alex Morgan", Role.ADVISOR)
    return Session(identity, connectivity, parse_server_url(url))


def test_offline_unlock_shows_on_the_status_bar_and_f5_rechecks(
    qtbot: QtBot, ui_store: Store, keyring_backend: MemoryKeyring
) -> None:
    url = f"postgresql://127.0.0.1:{closed_port()}/console"
    auth = make_auth(url, keyring_backend)
    window = signed_in_window(qtbot, ui_store, alex(Connectivity.OFFLINE, url), auth)
    user = window.findChild(QLabel, "currentUser")
    status = window.findChild(ConnectivityStatus, "connectivityStatus")
    assert user is not None and status is not None
    assert user.text() == "Unlocked offline as Alex Morgan"
    assert status.text() == "Offline (unlocked locally) · no changes waiting"
    check = window.findChild(ConnectivityCheck, "connectivityCheck")
    assert check is not None
    with (
        qtbot.waitSignal(window.sync_requested, timeout=2000),
        qtbot.waitSignal(check.checked, timeout=5000) as done,
    ):
        qtbot.keyClick(window.pane.history_panel.view, Qt.Key.Key_F5)
    assert done.args == [False]
    assert status.state is ConnectivityState.OFFLINE


def test_an_online_session_shows_online_and_f5_keeps_it(
    qtbot: QtBot, ui_store: Store, link: SocketLink, keyring_backend: MemoryKeyring
) -> None:
    auth = make_auth(link.url, keyring_backend)
    window = signed_in_window(qtbot, ui_store, alex(Connectivity.ONLINE, link.url), auth)
    assert window.user_status.text() == "Signed in as Alex Morgan"
    assert window.connectivity_status.state is ConnectivityState.ONLINE
    assert window.connectivity_status.text() == "Online"
    check = window.findChild(ConnectivityCheck, "connectivityCheck")
    assert check is not None
    link.cut()
    with qtbot.waitSignal(check.checked, timeout=5000) as done:
        qtbot.keyClick(window.pane.history_panel.view, Qt.Key.Key_F5)
    assert done.args == [False]
    assert window.connectivity_status.text() == "Offline · no changes waiting"
    link.restore()
    with qtbot.waitSignal(check.checked, timeout=5000) as done:
        window.sync_requested.emit()
    assert done.args == [True]
    assert window.connectivity_status.state is ConnectivityState.ONLINE


def test_connectivity_status_states_for_the_sync_engine(qtbot: QtBot) -> None:
    status = ConnectivityStatus("Local store: /tmp/x.db")
    qtbot.addWidget(status)
    assert (status.state, status.text()) == (ConnectivityState.LOCAL, "Local store: /tmp/x.db")
    status.show_syncing(0, 0)
    assert (status.state, status.text(), status.progress) == (ConnectivityState.SYNCING, "Syncing…", (0, 0))
    status.show_syncing(250, 1000)
    assert status.text() == "Syncing: 250 of 1,000 (25%)"
    assert status.progress == (250, 1000)
    status.show_offline(1)
    assert (status.state, status.text(), status.waiting) == (
        ConnectivityState.OFFLINE,
        "Offline · 1 change waiting",
        1,
    )
    assert status.progress is None
    status.show_offline(1200, unlocked_locally=True)
    assert status.text() == "Offline (unlocked locally) · 1,200 changes waiting"
    status.show_online("db:5432/console")
    assert (status.state, status.text(), status.toolTip()) == (
        ConnectivityState.ONLINE,
        "Online",
        "Online: db:5432/console",
    )
    assert status.waiting == 0 and not status.unlocked_locally
    assert status.accessibleName() == ""


def test_the_start_path_signs_in_before_the_window_opens(
    qtbot: QtBot,
    qapp: QApplication,
    ui_store: Store,
    login_server: LoginServer,
    link: SocketLink,
    keyring_backend: MemoryKeyring,
) -> None:
    name = login_server.add_user(PASSWORD, role=Role.SUPERVISOR)
    seen: list[tuple[str, str]] = []
    # Looks for the window on each turn of whichever event loop runs (the dialog's, then the window's).
    closer = QTimer(qapp)
    closer.setInterval(20)

    def close_window() -> None:
        for widget in qapp.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                seen.append((widget.role.value, widget.connectivity_status.text()))
                closer.stop()
                widget.close()

    def sign_in() -> None:
        dialogs = [w for w in qapp.topLevelWidgets() if isinstance(w, LoginDialog) and w.isVisible()]
        assert len(dialogs) == 1
        assert not [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        type_in(qtbot, dialogs[0], name, PASSWORD)
        press(qtbot, dialogs[0], "signIn")

    closer.timeout.connect(close_window)
    closer.start()
    QTimer.singleShot(0, qapp, sign_in)  # runs inside the dialog's exec()
    try:
        assert run_window(ui_store, "advisor", authenticator=make_auth(link.url, keyring_backend)) == 0
    finally:
        closer.stop()
        closer.deleteLater()
    assert seen == [("supervisor", "Online")]


def test_quitting_the_login_dialog_opens_no_window(
    qapp: QApplication, ui_store: Store, keyring_backend: MemoryKeyring
) -> None:
    def quit_it() -> None:
        for widget in qapp.topLevelWidgets():
            if isinstance(widget, LoginDialog) and widget.isVisible():
                widget.quit_button.click()

    QTimer.singleShot(0, qapp, quit_it)
    auth = make_auth(f"postgresql://127.0.0.1:{closed_port()}/console", keyring_backend)
    assert run_window(ui_store, "advisor", authenticator=auth) == 0
    assert not [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
