"""A RecordController on a widget-test store, and what the record tests look at."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtWidgets import QComboBox, QDateTimeEdit, QDialog, QLineEdit, QPlainTextEdit
from pytestqt.qtbot import QtBot

from console.clock import ManualClock
from console.contact_reasons import ReasonList
from console.services.people import PeopleService
from storage.store import Store
from tests.ui.work_support import LONDON
from widgets.background import BackgroundReader
from widgets.jobs import Jobs
from widgets.record import RecordController
from widgets.workbench import workbench_for


@contextmanager
def record_controller(
    store: Store,
    clock: ManualClock,
    reasons: ReasonList | None = None,
    username: str = "alex",
    *,
    killed: bool = False,
) -> Iterator[RecordController]:
    """`killed`: at the end the dialogs are left as they are (nothing closed, nothing saved)."""
    user = PeopleService(store).current_user(username)
    assert user is not None
    reader = BackgroundReader()
    jobs = Jobs(reader)
    controller = RecordController(jobs, workbench_for(store, clock, user), clock, LONDON, reasons=reasons)
    try:
        yield controller
    finally:
        for dialog in [] if killed else controller.open_dialogs():
            dialog.close()
        reader.shutdown()


def requested(qtbot: QtBot, controller: RecordController, act: object, *, keep: bool = True) -> QDialog:
    """Run `act` (a callable) and return the dialog the controller asks the window to open (`keep`:
    qtbot holds it until the test ends)."""
    with qtbot.waitSignal(controller.dialog_requested, timeout=5_000) as blocker:
        act()  # type: ignore[operator]
    dialog = blocker.args[0]
    assert isinstance(dialog, QDialog)
    if keep:
        qtbot.addWidget(dialog)
    dialog.open()
    return dialog


def unnamed_controls(dialog: QDialog) -> list[str]:
    """Controls a screen reader would not name, or would name by their id."""
    bad = []
    for kind in (QComboBox, QLineEdit, QPlainTextEdit, QDateTimeEdit):
        for control in dialog.findChildren(kind):
            if control.parent() is not None and isinstance(control.parent(), QComboBox | QDateTimeEdit):
                continue  # a combo's or date edit's own inner line edit
            name = control.accessibleName()
            if not name or name == control.objectName():
                bad.append(f"{type(control).__name__} {control.objectName()!r}")
    return bad
