"""Every dialog, walked as the shortcut test walks the window's keys: no mnemonic (Alt+letter) means two
things, the focus starts in a field (never on a button, where typing is lost and Space presses it),
and with the error line showing no field is squashed below its font or drawn over."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from console.clock import ManualClock
from storage.store import Store
from tests.ui.dialog_catalogue import LONG_ERROR, every_dialog, show_error
from widgets.dialog_parts import is_field

FIELDS = (QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QAbstractSpinBox, QAbstractItemView)


def mnemonic(text: str) -> str | None:
    found = re.search(r"&([^&])", text.replace("&&", ""))
    return found.group(1).lower() if found else None


def mnemonics(dialog: QDialog) -> Counter[str]:
    letters: Counter[str] = Counter()
    for widget in dialog.findChildren(QWidget):
        if widget.isHidden() and widget.parentWidget() is not None and not widget.parentWidget().isHidden():
            continue  # hidden on its own (shown in some states only): counted in those states
        if isinstance(widget, QAbstractButton | QLabel):
            text = widget.text()
        elif isinstance(widget, QGroupBox):
            text = widget.title()
        else:
            continue
        letter = mnemonic(text)
        if letter:
            letters[letter] += 1
    return letters


def in_dialog(widget: QWidget, dialog: QDialog) -> QRect:
    return QRect(widget.mapTo(dialog, QPoint(0, 0)), widget.size())


@pytest.fixture
def dialogs(work_store: Store, clock: ManualClock) -> list[tuple[str, object]]:
    return list(every_dialog(work_store, clock))


def shown(qtbot: QtBot, make: object) -> QDialog:
    dialog = make()  # type: ignore[operator]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_the_catalogue_holds_every_dialog(dialogs: list[tuple[str, object]]) -> None:
    assert len(dialogs) == 25


def test_no_mnemonic_means_two_things_in_any_dialog(qtbot: QtBot, dialogs: list[tuple[str, object]]) -> None:
    clashes = {}
    for name, make in dialogs:
        dialog = shown(qtbot, make)
        doubled = sorted(letter for letter, count in mnemonics(dialog).items() if count > 1)
        if doubled:
            clashes[name] = doubled
        dialog.close()
    assert clashes == {}


def test_every_dialog_opens_with_the_focus_in_a_field(
    qtbot: QtBot, dialogs: list[tuple[str, object]]
) -> None:
    not_in_a_field = {}
    for name, make in dialogs:
        dialog = shown(qtbot, make)
        focused = dialog.focusWidget()
        if focused is None or not is_field(focused):
            not_in_a_field[name] = type(focused).__name__
        dialog.close()
    assert not_in_a_field == {}


def test_the_deadlock_dialog_opens_in_its_text_box(qtbot: QtBot, dialogs: list[tuple[str, object]]) -> None:
    make = dict(dialogs)["deadlockDialog"]
    dialog = shown(qtbot, make)
    assert dialog.focusWidget() is dialog.note_edit  # type: ignore[attr-defined]


def test_with_the_error_showing_no_field_is_squashed_or_drawn_over(
    qtbot: QtBot, dialogs: list[tuple[str, object]]
) -> None:
    problems: list[str] = []
    for name, make in dialogs:
        dialog = shown(qtbot, make)
        if not show_error(dialog):
            dialog.close()
            continue
        qtbot.wait(1)  # the layout's turn
        error = next(w for w in dialog.findChildren(QLabel) if w.text() == LONG_ERROR)
        assert error.isVisible(), name
        error_area = in_dialog(error, dialog)
        if error_area.height() < error.heightForWidth(error.width()):
            problems.append(f"{name}: the error line is cut ({error_area.height()} px)")
        for field in dialog.findChildren(QWidget):
            if (
                not isinstance(field, FIELDS)
                or not field.isVisible()
                or isinstance(field.parentWidget(), FIELDS)
            ):
                continue
            if field.height() < field.fontMetrics().height():
                problems.append(
                    f"{name}: {field.objectName() or type(field).__name__} is {field.height()} px"
                )
            if in_dialog(field, dialog).intersects(error_area):
                problems.append(
                    f"{name}: the error line is drawn over {field.objectName() or type(field).__name__}"
                )
        dialog.close()
    print("\n".join(problems))
    assert problems == []
