"""Resolving from the case list: root cause and confirmation (errors at the fields, nothing saved),
the suppressor on while the case is open and off after a confirmed resolution, two failed tries then
closing in writing, feedback, and a formal complaint through deadlock to the ombudsman letter as PDF."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QListWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from console.clock import ManualClock
from console.paths import documents_dir
from console.services.customers import CustomerService
from domain.records import CaseSummary
from domain.vocabulary import CaseStatus, Channel, Confirmation, PromiseKind
from storage.models import ContactEvent, Feedback
from storage.store import Store
from tests.ui.test_offers_panel import add_offers_and_consent
from tests.ui.work_support import LATE_CASE, TOM_ACCOUNT, open_account, settle, work_window
from widgets.cases.model import CaseColumn
from widgets.cases.resolve_dialogs import AdrLetterDialog, ConfirmDialog, ResolveDialog
from widgets.dialog_parts import SaveDialog
from widgets.main_window import MainWindow


def select_case(window: MainWindow, row: int = 0) -> None:
    window.cases.view.setCurrentIndex(window.cases.model.index(row, 0))


def error_after_save(qtbot: QtBot, dialog: SaveDialog) -> str:
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    error = dialog.findChild(QLabel, "caseError")
    assert error is not None
    qtbot.waitUntil(error.isVisible, timeout=5000)
    return error.text()


def save(qtbot: QtBot, window: MainWindow, dialog: SaveDialog) -> None:
    with qtbot.waitSignal(window.change_saved, timeout=5000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert window.dialog is None


def tom_case(store: Store) -> CaseSummary:
    customers = CustomerService(store)
    return customers.cases(customers.find_account(TOM_ACCOUNT).id)[0]


def test_resolve_refuses_bad_input_then_confirmed_turns_offers_back_on(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    add_offers_and_consent(work_store)
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, TOM_ACCOUNT)
    assert window.pane.offers_panel.suppressed  # the case is open
    select_case(window)
    assert window.cases.actions.resolve_action.isEnabled()
    assert not window.cases.actions.confirm_action.isEnabled()
    dialog = window.cases.actions.resolve()
    assert isinstance(dialog, ResolveDialog) and dialog.isVisible()
    before = tom_case(work_store)

    assert error_after_save(qtbot, dialog) == "Choose the root cause category."
    dialog.choose_category("billing system error")
    assert error_after_save(qtbot, dialog) == "The root cause is empty: say it in a few words."
    dialog.cause_edit.setPlainText("x" * 10_000)
    assert error_after_save(qtbot, dialog) == "The root cause is too long (10,000 characters, at most 2,000)."
    dialog.cause_edit.setPlainText("October was billed twice by a batch rerun; refunded")
    assert error_after_save(qtbot, dialog) == (
        "Ask the customer whether it is fixed: confirmed, or not reachable."
    )
    assert tom_case(work_store) == before  # nothing saved

    dialog.check.confirmed.setChecked(True)
    save(qtbot, window, dialog)
    case = tom_case(work_store)
    assert case.status is CaseStatus.CLOSED and case.confirmation is Confirmation.CONFIRMED
    assert not window.pane.offers_panel.suppressed
    assert window.pane.offers_panel.model.rowCount() == 2
    assert window.statusBar().currentMessage() == (
        f"{LATE_CASE} resolved and closed: the customer confirmed the fix"
    )

    # Feedback after closure: the two questions apart.
    select_case(window)
    assert window.cases.actions.feedback_action.isEnabled()
    feedback = window.cases.actions.feedback()
    assert feedback is not None
    assert error_after_save(qtbot, feedback) == "Ask how the fix was handled: a score from 1 to 5."
    feedback.choose_scores(4, 1)
    feedback.cause_edit.setPlainText("Your billing system, obviously")
    save(qtbot, window, feedback)
    with work_store.read() as session:
        (row,) = session.scalars(select(Feedback)).all()
        assert (row.fix_score, row.fault_score, row.customer_cause_text) == (
            4,
            1,
            "Your billing system, obviously",
        )


def test_not_reachable_twice_then_closed_in_writing(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, TOM_ACCOUNT)
    select_case(window)
    dialog = window.cases.actions.resolve()
    assert dialog is not None
    dialog.choose_category("billing system error")
    dialog.cause_edit.setPlainText("Batch rerun billed October twice")
    assert not dialog.check.check_edit.isEnabled()
    dialog.check.not_reachable.setChecked(True)
    assert dialog.check.check_edit.isEnabled()
    save(qtbot, window, dialog)
    kinds = [window.promises.model.promise_at(r).kind for r in range(window.promises.model.rowCount())]
    assert PromiseKind.CALLBACK in kinds or PromiseKind.PROGRESS_UPDATE in kinds
    assert window.pane.offers_panel.suppressed  # resolved, not confirmed
    assert window.cases.model.index(0, CaseColumn.STATUS).data() == "Awaiting confirmation"
    assert window.cases.panel.title.text() == "Cases: 1 awaiting confirmation"

    clock.advance(timedelta(hours=3))
    select_case(window)
    assert window.cases.actions.confirm_action.isEnabled()
    confirm = window.cases.actions.confirm()
    assert isinstance(confirm, ConfirmDialog)
    assert not confirm.in_writing.isEnabled()  # one try so far
    confirm.check.not_reachable.setChecked(True)
    save(qtbot, window, confirm)

    select_case(window)
    confirm = window.cases.actions.confirm()
    assert isinstance(confirm, ConfirmDialog) and confirm.in_writing.isEnabled()
    confirm.in_writing.setChecked(True)
    assert error_after_save(qtbot, confirm) == "The letter to the customer is empty: say it in a few words."
    confirm.letter_edit.setPlainText("We refunded the second October charge; call us if anything is wrong.")
    save(qtbot, window, confirm)
    case = tom_case(work_store)
    assert case.status is CaseStatus.CLOSED and case.confirmation is Confirmation.TOLD_IN_WRITING
    with work_store.read() as session:
        letters = session.scalars(
            select(ContactEvent).where(
                ContactEvent.channel == Channel.LETTER, ContactEvent.case_id == case.id
            )
        ).all()
        assert [e.summary for e in letters] == [
            "We refunded the second October charge; call us if anything is wrong."
        ]

    # The customer rings: not fixed after all.
    select_case(window)
    reopen = window.cases.actions.reopen()
    assert reopen is not None
    reopen.reason_edit.setPlainText("Charged twice again in November")
    save(qtbot, window, reopen)
    case = tom_case(work_store)
    assert case.status is CaseStatus.IN_PROGRESS and case.reopened_count == 1


def test_formal_complaint_deadlock_and_ombudsman_letter_as_pdf(
    qtbot: QtBot, work_store: Store, clock: ManualClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, TOM_ACCOUNT)
    select_case(window)
    assert window.cases.actions.complaint_next_action.isEnabled()
    dialog = window.cases.actions.complaint_next()
    assert dialog is not None and dialog.objectName() == "complaintDialog"
    save(qtbot, window, dialog)
    deadline_rows = [
        r
        for r in range(window.promises.model.rowCount())
        if window.promises.model.promise_at(r).kind is PromiseKind.COMPLAINT_DEADLINE
    ]
    assert len(deadline_rows) == 1
    assert window.cases.model.index(0, 1).data() == "Charged twice for October (formal complaint)"
    assert window.cases.model.index(0, CaseColumn.STATUS).data() == "Formal complaint"

    select_case(window)
    deadlock = window.cases.actions.complaint_next()
    assert deadlock is not None and deadlock.objectName() == "deadlockDialog"
    assert error_after_save(qtbot, deadlock) == (
        "Why no agreement can be reached is empty: say it in a few words."
    )
    deadlock.note_edit.setPlainText("Customer rejects our final offer")
    save(qtbot, window, deadlock)
    assert window.cases.model.index(0, CaseColumn.STATUS).data() == "Formal complaint, deadlock"

    select_case(window)
    letter = window.cases.actions.complaint_next()
    assert isinstance(letter, AdrLetterDialog)
    assert error_after_save(qtbot, letter) == "Draft the letter first, then record it as sent."
    letter.summary_edit.setPlainText("You were charged twice for October and we could not agree a remedy.")
    qtbot.keyClick(letter.draft_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: letter.letter is not None, timeout=5000)
    text = letter.preview.toPlainText()
    assert LATE_CASE in text and "ombudsman" in text.lower() and "12 months" in text
    pdf = tmp_path / "letter.pdf"
    letter.save_pdf(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    offered: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (offered.append(args[2]), ("", ""))[1])
    letter.pdf_button.click()
    assert [Path(name).parent for name in offered] == [documents_dir()]  # not the program's folder
    save(qtbot, window, letter)
    with work_store.read() as session:
        (sent,) = session.scalars(
            select(ContactEvent).where(
                ContactEvent.channel == Channel.LETTER,
                ContactEvent.case_id == tom_case(work_store).id,
            )
        ).all()
        assert LATE_CASE in (sent.subject or "")
    select_case(window)
    assert not window.cases.actions.deadlock_action.isEnabled()


def test_actions_are_in_the_row_menu_and_on_the_keyboard(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, TOM_ACCOUNT)
    texts = [a.text() for a in window.cases.view.actions()]
    for wanted in ("Resolve…", "Confirm fix…", "Reopen…", "Record feedback…", "Formal complaint…"):
        assert wanted in texts
    window.cases.view.setFocus()
    select_case(window)
    qtbot.keyClick(
        window.cases.view,
        Qt.Key.Key_E,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert isinstance(window.dialog, ResolveDialog)
    window.dialog.reject()


def press_resolve_key(qtbot: QtBot, window: MainWindow) -> None:
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window.search_panel.search_box, Qt.Key.Key_E, modifiers)


def test_ctrl_shift_e_with_no_case_selected_acts_on_the_one_open_case(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, TOM_ACCOUNT)
    window.cases.view.setCurrentIndex(window.cases.model.index(-1, -1))
    assert window.cases.selected() is None
    press_resolve_key(qtbot, window)
    dialog = window.dialog
    assert isinstance(dialog, ResolveDialog) and dialog.case.reference == LATE_CASE
    assert window.cases.selected() is not None and window.cases.selected().reference == LATE_CASE


def test_ctrl_shift_e_with_several_open_cases_asks_which(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    window = work_window(qtbot, work_store, clock)
    tom = CustomerService(work_store).find_account(TOM_ACCOUNT)
    assert window.workbench is not None
    second = window.workbench.cases.open(tom.id, "billing", "Direct debit taken on the wrong day")
    open_account(qtbot, window, TOM_ACCOUNT)
    window.cases.view.setCurrentIndex(window.cases.model.index(-1, -1))
    press_resolve_key(qtbot, window)
    chooser = window.dialog
    assert chooser is not None and chooser.objectName() == "chooseCaseDialog"
    listed = chooser.findChild(QListWidget, "chooseCaseList")
    assert listed is not None and listed.count() == 2
    row = next(r for r in range(listed.count()) if second.reference in listed.item(r).text())
    listed.setCurrentRow(row)
    qtbot.keyClick(listed, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: isinstance(window.dialog, ResolveDialog), timeout=2000)
    assert isinstance(window.dialog, ResolveDialog) and window.dialog.case.id == second.id
