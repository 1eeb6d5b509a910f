"""What every feature controller shares: asking the window to open its dialog (one at a time) and to
show a line in the status bar, and turning a refused save into words at the dialog or the status bar."""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QDialog, QLabel

from domain.errors import first_line
from widgets.dialog_parts import SaveDialog
from widgets.style import alert_colour, apply_style

log = logging.getLogger(__name__)

# How long a "cannot do that" line stays in the status bar (milliseconds).
CANNOT_FOR = 8000
# How long a "saved" line stays.
SAVED_FOR = 10000


class Controller(QObject):
    """A feature's controller: a child of the window that holds no reference to it; it asks through
    its signals, which the window connects (a controller never reaches into another)."""

    # A dialog is ready for the window to open (one dialog at a time): carries the dialog.
    dialog_requested = Signal(object)
    # A line for the status bar: the text ("" clears it) and for how long, in ms (0: until replaced).
    message = Signal(str, int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._dialog: SaveDialog | None = None

    @property
    def dialog(self) -> SaveDialog | None:
        """This controller's dialog while it is open."""
        return self._dialog

    def open_dialog(self, dialog: SaveDialog, on_save: Callable[[Any], None]) -> None:
        """Ask the window to open `dialog`; its save requests go to `on_save` (a bound method that
        finds the dialog as `self.dialog`: a lambda holding the dialog would make a reference cycle)."""
        self._dialog = dialog
        dialog.save_requested.connect(on_save)
        dialog.finished.connect(self._dialog_closed)
        self.dialog_requested.emit(dialog)

    def _dialog_closed(self) -> None:
        if self.sender() is self._dialog:
            self._dialog = None

    def say(self, text: str, milliseconds: int = CANNOT_FOR) -> None:
        self.message.emit(text, milliseconds)

    def saved_in(self, dialog: SaveDialog | None) -> None:
        """Close `dialog` after its save, if it is still the one open."""
        if dialog is not None and self._dialog is dialog:
            dialog.saved()

    def refuse(
        self,
        dialog: SaveDialog | None,
        error: BaseException,
        expected: tuple[type[BaseException], ...],
        template: str,
    ) -> None:
        """A save was refused: a rule's own words, or `template` ("...: %1") with the error's first
        line for anything unexpected (also logged); shown in `dialog` if still open, else the status bar."""
        if isinstance(error, expected):
            text = str(error)
        else:
            log.warning("%s", template.replace("%1", str(error)))
            text = template.replace("%1", first_line(error))
        if dialog is not None and self._dialog is dialog:
            dialog.show_error(text)
        else:
            self.say(text)


def set_text(label: QLabel, text: str) -> None:
    """Set a title that may change every tick: only when it differs (no needless repaint)."""
    if label.text() != text:
        label.setText(text)


def set_alert(label: QLabel, alert: bool) -> None:
    """Turn a title red (the style sheet's alert colour, `alert` property set) or back. The colour goes
    on the label's palette: re-polishing a label the style sheet styles costs about a millisecond, and
    titles turn with every customer opened."""
    if label.property("alert") == alert:
        return
    label.setProperty("alert", alert)
    palette = QPalette()  # nothing set: the label's colours come from its parent again
    if alert:
        palette.setColor(QPalette.ColorRole.WindowText, alert_colour())
    label.setPalette(palette)


def weak(method: Callable[..., Any]) -> Callable[..., Any]:
    """`method` (bound to another controller) without a strong reference to its object: controllers
    that held each other would make reference cycles of Qt wrappers only the collector frees."""
    ref = weakref.WeakMethod(method)

    def relay(*args: object) -> Any:
        alive = ref()
        return alive(*args) if alive is not None else None

    return relay


class OneDialog(QObject):
    """The window's one action dialog at a time: opening another closes the one open (Escape-like),
    unless the new one is a child of it (the new case a wrap-up asks for opens on top of it, and the
    wrap-up is current again once that one closes)."""

    # A dialog was opened (with open(), never exec()): carries the QDialog.
    opened = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.current: QDialog | None = None
        self._under: list[QDialog] = []  # the dialogs the current one is opened on top of

    def open(self, dialog: QDialog) -> None:
        if self.current is not None and _inside(dialog, self.current):
            self._under.append(self.current)
        else:
            self.close()
        self.current = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        apply_style(dialog)
        dialog.finished.connect(self._finished)
        dialog.open()
        self.opened.emit(dialog)

    def close(self) -> None:
        """Close the open dialog and those it is on top of, topmost first."""
        while self.current is not None:
            self.current.reject()

    def _finished(self) -> None:
        closed = self.sender()
        if closed is self.current:
            self.current = self._under.pop() if self._under else None
        elif closed in self._under:  # a dialog under the current one closed, and took those above it
            index = self._under.index(closed)
            self.current = self._under[index - 1] if index > 0 else None
            del self._under[max(index - 1, 0) :]


def _inside(dialog: QObject, host: QObject) -> bool:
    """Whether `host` is one of `dialog`'s parents."""
    parent = dialog.parent()
    while parent is not None:
        if parent is host:
            return True
        parent = parent.parent()
    return False
