"""The sign-in dialog shown on start when a central server is configured, before the main window.

Username, password, "remember me" (only where a secure keyring exists), Sign in; when the server
cannot be reached, Unlock offline for the last person who signed in here. The checks run on a
worker thread (a sign-in may wait seconds for a server); every failure is one line in `loginError`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from console.auth import GENERIC_FAILURE, Authenticator, Session, SignInError
from widgets.background import BackgroundReader
from widgets.dialog_parts import ErrorLabel


class LoginDialog(QDialog):
    """Asks who is signing in; `session` holds the result once the dialog is accepted."""

    # Signed in online or unlocked offline: carries the Session.
    signed_in = Signal(object)
    # An attempt failed: carries the one-line message shown in loginError.
    sign_in_failed = Signal(str)

    def __init__(self, authenticator: Authenticator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._auth = authenticator
        self._reader = BackgroundReader(parent=self)
        self.session: Session | None = None
        # The password that signed in, kept in memory only for the sync engine's connections.
        self.secret: str | None = None
        self.setObjectName("loginDialog")
        self.setWindowTitle(self.tr("Sign in — Advisor Console"))
        self.setModal(True)

        heading = QLabel(self.tr("Sign in to %1").replace("%1", authenticator.server.describe()))
        heading.setObjectName("loginServer")
        heading.setTextFormat(Qt.TextFormat.PlainText)
        heading.setWordWrap(True)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        heading.setFont(font)

        self.username = QLineEdit()
        self.username.setObjectName("loginUsername")
        self.username.setAccessibleName(self.tr("Username"))
        self.password = QLineEdit()
        self.password.setObjectName("loginPassword")
        self.password.setAccessibleName(self.tr("Password"))
        self.password.setEchoMode(QLineEdit.EchoMode.Password)

        self._remember_me(authenticator)
        self.error = ErrorLabel("loginError")
        self.error.setStyleSheet("color: #b00020;")
        self.progress = QLabel()
        self.progress.setObjectName("loginProgress")
        self.progress.setTextFormat(Qt.TextFormat.PlainText)
        self.progress.hide()

        buttons = self._buttons()

        form = QFormLayout()
        form.addRow(self.tr("&Username"), self.username)
        form.addRow(self.tr("&Password"), self.password)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.remember)
        layout.addWidget(self.keyring_note)
        layout.addWidget(self.error)
        layout.addWidget(self.progress)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)
        self._prefill()

    def _remember_me(self, authenticator: Authenticator) -> None:
        """ "Remember me", offered only where the workstation has a keyring (else the note says why)."""
        self.remember = QCheckBox(self.tr("Remember me on this workstation"))
        self.remember.setObjectName("rememberMe")
        self.keyring_note = QLabel()
        self.keyring_note.setObjectName("keyringNote")
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setTextFormat(Qt.TextFormat.PlainText)
        status = authenticator.keyring_status()
        self._can_remember = status.available
        self.remember.setEnabled(status.available)
        if status.available:
            self.remember.setToolTip(
                self.tr("Your password is kept in this computer's keyring, nowhere else.")
            )
            self.keyring_note.hide()
        else:
            self.keyring_note.setText(status.reason)
            self.remember.setToolTip(status.reason)

    def _buttons(self) -> QDialogButtonBox:
        self.sign_in_button = QPushButton(self.tr("Sign in"))
        self.sign_in_button.setObjectName("signIn")
        self.sign_in_button.setDefault(True)
        self.unlock_button = QPushButton(self.tr("Unlock offline"))
        self.unlock_button.setObjectName("unlockOffline")
        self.unlock_button.setToolTip(
            self.tr("Work on this workstation's own store until the server is back.")
        )
        buttons = QDialogButtonBox()
        buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.unlock_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.unlock_button.hide()  # after addButton, which shows it; offered once the server is unreachable
        self.quit_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.quit_button.setText(self.tr("Quit"))
        self.quit_button.setObjectName("loginQuit")
        # The box's own accepted() would close the dialog before the server has answered.
        self.sign_in_button.clicked.connect(self.sign_in)
        self.unlock_button.clicked.connect(self.unlock_offline)
        buttons.rejected.connect(self.reject)
        return buttons

    def _prefill(self) -> None:
        """The last person to sign in here, and their password if they asked to be remembered."""
        last = self._auth.last_username()
        self._first_focus: QWidget = self.username
        if last is None:
            return
        self.username.setText(last)
        remembered = self._auth.remembered_password(last)
        if remembered:
            self.password.setText(remembered)
            self.remember.setChecked(True)
            self._first_focus = self.sign_in_button
        else:
            self._first_focus = self.password

    @property
    def busy(self) -> bool:
        return self._reader.busy

    def sign_in(self) -> None:
        username, password = self.username.text(), self.password.text()
        remember = self._can_remember and self.remember.isChecked()
        self._start(self.tr("Signing in…"), lambda: self._auth.sign_in(username, password, remember=remember))

    def unlock_offline(self) -> None:
        username, password = self.username.text(), self.password.text()
        self._start(self.tr("Unlocking…"), lambda: self._auth.unlock_offline(username, password))

    def _start(self, doing: str, job: Callable[[], Session]) -> None:
        if self.busy:
            return
        self.error.say("")
        self.progress.setText(doing)
        self.progress.show()
        self._set_inputs_enabled(False)
        self._reader.submit(job, self._succeeded, self._failed)

    def _set_inputs_enabled(self, enabled: bool) -> None:
        for widget in (self.username, self.password, self.sign_in_button, self.unlock_button):
            widget.setEnabled(enabled)
        self.remember.setEnabled(enabled and self._can_remember)

    def _succeeded(self, session: Session) -> None:
        self.progress.hide()
        self.session = session
        self.secret = self.password.text()
        self.password.clear()
        self.signed_in.emit(session)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.progress.hide()
        self._set_inputs_enabled(True)
        message = error.message if isinstance(error, SignInError) else GENERIC_FAILURE
        offer_unlock = isinstance(error, SignInError) and error.can_unlock_offline
        self.unlock_button.setVisible(offer_unlock or self.unlock_button.isVisible())
        self.error.say(message)
        self.password.selectAll()
        self.password.setFocus()
        self.sign_in_failed.emit(message)

    @override
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._first_focus.setFocus()

    @override
    def done(self, result: int) -> None:
        self._reader.shutdown()
        super().done(result)

    @override
    def closeEvent(self, event: QCloseEvent) -> None:
        self._reader.shutdown()
        super().closeEvent(event)
