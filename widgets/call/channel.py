"""The running console's end of the local channel: a QLocalServer only this user can open, reading the
one-line messages console/call_channel.py defines, and handing calls to the window's CallController."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

from console.call_channel import (
    MAX_MESSAGE_BYTES,
    ChannelError,
    MessageKind,
    ProtocolError,
    console_running,
    decode,
    encode_reply,
    prepare_folder,
    server_name,
    socket_folder,
)
from console.calls import Caller
from widgets.call.controller import CallController

log = logging.getLogger(__name__)
# A client that connects and says nothing is dropped after this long.
IDLE_CLIENT_MS = 5000


class CallChannel(QObject):
    """Listens on the user's socket; each client sends one message and gets one reply."""

    # A call arrived: carries its console.calls.Caller.
    call_received = Signal(object)
    # The softphone says the call in hand ended.
    end_received = Signal()
    # Another `advisor-console` start (or a call) asks for the window to come forward.
    raise_received = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}

    @property
    def listening(self) -> bool:
        return self._server.isListening()

    @property
    def address(self) -> str:
        return self._server.fullServerName()

    def listen(self) -> bool:
        """Start listening for this user; False (and a log line) when another console already does or
        the address cannot be used. A socket left behind by a console that crashed is taken over."""
        try:
            name = server_name()
            prepare_folder(socket_folder())
        except ChannelError as exc:
            log.warning("not listening for calls: %s", exc)
            return False
        if console_running():
            log.warning("not listening for calls: another console already listens for this user")
            return False
        QLocalServer.removeServer(name)  # nobody answered on it: what is there is left over
        if not self._server.listen(name):
            log.warning("not listening for calls: %s", self._server.errorString())
            return False
        return True

    def close(self) -> None:
        """Stop listening and remove the socket, so the next start does not find it."""
        self._server.close()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            client = self._server.nextPendingConnection()
            self._buffers[client] = b""
            client.readyRead.connect(self._read)
            client.disconnected.connect(self._forget)
            QTimer.singleShot(IDLE_CLIENT_MS, client, client.abort)

    def _client(self) -> QLocalSocket | None:
        sender = self.sender()
        return sender if isinstance(sender, QLocalSocket) else None

    def _forget(self) -> None:
        client = self._client()
        if client is not None:
            self._buffers.pop(client, None)
            client.deleteLater()

    def _read(self) -> None:
        client = self._client()
        if client is None or client not in self._buffers:
            return
        received = self._buffers[client] + bytes(client.readAll().data())
        if b"\n" not in received and len(received) <= MAX_MESSAGE_BYTES:
            self._buffers[client] = received
            return
        del self._buffers[client]
        line = received.split(b"\n", 1)[0]
        try:
            message = decode(line)
        except ProtocolError as exc:
            log.warning("refused a message on the call channel: %s", exc)
            self._answer(client, str(exc))
            return
        self._answer(client, None)
        if message.kind is MessageKind.CALL:
            self.call_received.emit(message.caller)
        elif message.kind is MessageKind.ENDED:
            self.end_received.emit()
        elif message.kind is MessageKind.RAISE:
            self.raise_received.emit()

    @staticmethod
    def _answer(client: QLocalSocket, error: str | None) -> None:
        client.write(encode_reply(error))
        client.flush()
        client.disconnectFromServer()


def bring_forward(window: QWidget) -> None:
    """Show the window over the others (un-minimised); the desktop may still only flash it."""
    if window.isMinimized():
        window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.show()
    window.raise_()
    window.activateWindow()


class _Router(QObject):
    """Routes the channel's messages: calls to the controller with the window (its parent) forward."""

    def __init__(self, window: QWidget, controller: CallController) -> None:
        super().__init__(window)
        self._controller = controller

    def call(self, caller: Caller) -> None:
        self.raise_window()
        self._controller.take_call(caller)

    def raise_window(self) -> None:
        window = self.parent()
        if isinstance(window, QWidget):
            bring_forward(window)


def answer_calls(window: QWidget, controller: CallController) -> CallChannel:
    """Listen for this user's calls and route them: a call to `controller` (window forward), the end of
    a call to `controller`, a raise to the window. Listening may fail (logged): the window still works."""
    channel = CallChannel(window)
    router = _Router(window, controller)
    channel.call_received.connect(router.call)
    channel.end_received.connect(controller.end_call)
    channel.raise_received.connect(router.raise_window)
    channel.listen()
    return channel
