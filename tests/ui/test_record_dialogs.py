"""The record dialogs through their RecordController: fields and their accessible names, refusals at
the field with nothing saved, saveButton, the wrap-up's draft kept on every edit and restored."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from console.clock import ManualClock
from console.contact_reasons import ReasonList
from console.services.cases import CaseService
from console.services.customers import CustomerService
from console.services.offers import OfferService
from console.services.people import PeopleService
from domain.records import CustomerProfile
from domain.vocabulary import Channel, Direction
from storage.models import ContactEvent, WrapUpDraft
from storage.store import Store
from tests.ui.record_support import record_controller, requested, unnamed_controls
from tests.ui.support import NOW, qt_objects_left_in_cycles
from tests.ui.work_support import LATE_CASE, TOM_ACCOUNT, ZOE_ACCOUNT
from widgets.record import RecordActions
from widgets.record.dialogs import CaseUpdateDialog, LogContactDialog, NewCaseDialog, WrapUpDialog


def customer(store: Store, account: str) -> CustomerProfile:
    found = CustomerService(store).find_account(account)
    assert found is not None
    return found


def contacts(store: Store) -> list[ContactEvent]:
    with store.read() as session:
        return list(session.scalars(select(ContactEvent).where(ContactEvent.recorded_at >= NOW)))


def drafts(store: Store) -> list[WrapUpDraft]:
    with store.read() as session:
        return list(session.scalars(select(WrapUpDraft)))


def click_save(
    qtbot: QtBot, dialog: WrapUpDialog | LogContactDialog | NewCaseDialog | CaseUpdateDialog
) -> None:
    qtbot.mouseClick(dialog.findChild(type(dialog.save_button), "saveButton"), Qt.MouseButton.LeftButton)


def test_wrap_up_refuses_at_the_field_then_saves_a_phone_contact(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    tom = customer(work_store, TOM_ACCOUNT)
    with record_controller(work_store, clock) as record:
        record.set_customer(tom.id, "Tom")
        dialog = requested(
            qtbot, record, lambda: record.wrap_up(tom.id, NOW - timedelta(minutes=12), NOW, "+447700900456")
        )
        assert isinstance(dialog, WrapUpDialog) and dialog.objectName() == "wrapUpDialog"
        assert unnamed_controls(dialog) == []
        assert dialog.reason_combo.objectName() == "contactReason"
        assert dialog.reason_combo.accessibleName() == "Contact reason"
        assert dialog.note_edit.objectName() == "contactNote"
        assert dialog.case_combo.objectName() == "wrapUpCase"
        cases = [dialog.case_combo.itemText(i) for i in range(dialog.case_combo.count())]
        assert cases[0] == "No case" and cases[-1] == "New case…" and any(LATE_CASE in c for c in cases)
        assert "12 min 00 s" in dialog.call_label.text() and "07700 900456" in dialog.call_label.text()
        qtbot.waitUntil(lambda: len(drafts(work_store)) == 1)  # kept from the moment the call ended

        error = dialog.findChild(type(dialog.error), "wrapUpError")
        click_save(qtbot, dialog)
        assert error.isVisible() and error.text() == "Choose the contact reason."
        dialog.reason_combo.setCurrentIndex(dialog.reason_combo.findData("billing"))
        click_save(qtbot, dialog)
        assert error.text() == "Write what happened."
        dialog.note_edit.setPlainText("x" * 100_000)
        click_save(qtbot, dialog)
        assert error.text() == "The summary is too long (100,000 characters, at most 10,000)."
        assert contacts(work_store) == [] and dialog.isVisible()

        dialog.note_edit.setPlainText("Second charge for October; refund promised")
        dialog.case_combo.setCurrentIndex(next(i for i, c in enumerate(cases) if LATE_CASE in c))
        with qtbot.waitSignal(record.saved, timeout=5_000) as saved:
            click_save(qtbot, dialog)
        assert saved.args == ["Call wrapped up: Question about a bill or payment"]
        assert not dialog.isVisible()
    [call] = contacts(work_store)
    assert (call.channel, call.direction, call.reason_code, call.duration_seconds) == (
        Channel.PHONE,
        Direction.INBOUND,
        "billing",
        720,
    )
    assert call.summary == "Second charge for October; refund promised" and call.case_id is not None
    assert drafts(work_store) == []


def test_an_unsaved_wrap_up_comes_back_after_the_console_is_gone(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    tom = customer(work_store, TOM_ACCOUNT)
    with record_controller(work_store, clock) as record:
        dialog = requested(
            qtbot, record, lambda: record.wrap_up(tom.id, NOW - timedelta(minutes=3), NOW, None)
        )
        assert isinstance(dialog, WrapUpDialog)
        dialog.reason_combo.setCurrentIndex(dialog.reason_combo.findData("fault"))
        qtbot.keyClicks(dialog.note_edit, "Router lights all red")
        qtbot.waitUntil(
            lambda: [d.note for d in drafts(work_store)] == ["Router lights all red"], timeout=5_000
        )
        # The console is killed: nothing is closed or saved; a new controller starts from the store.
    with record_controller(work_store, clock) as again:
        again.set_customer(tom.id, "Tom")
        back = requested(qtbot, again, lambda: again.offer_drafts(tom.id))
        assert isinstance(back, WrapUpDialog)
        assert back.note_edit.toPlainText() == "Router lights all red"
        assert back.reason_combo.currentData() == "fault"
        assert back.restored_label.isVisible()
        # Later keeps it; saving removes it.
        back.reject()
        assert len(drafts(work_store)) == 1
        back = requested(qtbot, again, lambda: again.offer_drafts())
        assert isinstance(back, WrapUpDialog)
        with qtbot.waitSignal(again.saved, timeout=5_000):
            click_save(qtbot, back)
    assert drafts(work_store) == [] and [c.reason_code for c in contacts(work_store)] == ["fault"]


def test_a_broken_reasons_list_is_named_in_the_wrap_up(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    tom = customer(work_store, TOM_ACCOUNT)
    broken = ReasonList((), "contact_reasons.toml line 3: not valid TOML (Invalid value)")
    with record_controller(work_store, clock, broken) as record:
        dialog = requested(
            qtbot, record, lambda: record.wrap_up(tom.id, NOW - timedelta(minutes=1), NOW, None)
        )
        assert isinstance(dialog, WrapUpDialog)
        problem = dialog.findChild(type(dialog.error), "contactReasonProblem")
        assert problem.isVisible() and "contact_reasons.toml line 3" in problem.text()
        assert not dialog.reason_combo.isEnabled()
        dialog.note_edit.setPlainText("Asked for the opening hours")
        with qtbot.waitSignal(record.saved, timeout=5_000):
            click_save(qtbot, dialog)
    assert [c.reason_code for c in contacts(work_store)] == [None]


def test_new_case_from_the_wrap_up_is_prefilled_and_chosen(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    zoe = customer(work_store, ZOE_ACCOUNT)
    user = PeopleService(work_store).current_user("alex")
    assert user is not None
    offers = OfferService(work_store, clock, user)
    open_before = [c for c in CustomerService(work_store).cases(zoe.id) if c.status.is_open]
    with record_controller(work_store, clock) as record:
        record.set_customer(zoe.id, "Zoe")
        wrap = requested(qtbot, record, lambda: record.wrap_up(zoe.id, NOW - timedelta(minutes=5), NOW, None))
        assert isinstance(wrap, WrapUpDialog)
        wrap.reason_combo.setCurrentIndex(wrap.reason_combo.findData("fault"))
        wrap.note_edit.setPlainText("No broadband since Tuesday")
        new = requested(
            qtbot, record, lambda: wrap.case_combo.setCurrentIndex(wrap.case_combo.findData("new"))
        )
        assert isinstance(new, NewCaseDialog) and new.parent() is wrap
        assert new.title_edit.text() == "Reporting a fault"
        assert new.reported_edit.toPlainText() == "No broadband since Tuesday"
        new.reject()
        assert wrap.case_combo.currentData() is None  # back to "No case"
        new = requested(
            qtbot, record, lambda: wrap.case_combo.setCurrentIndex(wrap.case_combo.findData("new"))
        )
        assert isinstance(new, NewCaseDialog)
        new.title_edit.setText("Broadband down since Tuesday")
        new.next_step_edit.setText("Line test tonight")
        with qtbot.waitSignal(record.saved, timeout=5_000) as saved:
            click_save(qtbot, new)
        assert saved.args[0].endswith("opened: Broadband down since Tuesday")
        assert "Broadband down since Tuesday" in wrap.case_combo.currentText()
        assert wrap.case_combo.currentData() is not None
    assert (
        len([c for c in CustomerService(work_store).cases(zoe.id) if c.status.is_open])
        == len(open_before) + 1
    )
    # The pane refreshes on `saved`: the suppressor already pauses offers.
    assert not offers.decision(zoe.id).allowed


def test_new_case_refuses_at_the_field(qtbot: QtBot, work_store: Store, clock: ManualClock) -> None:
    zoe = customer(work_store, ZOE_ACCOUNT)
    with record_controller(work_store, clock) as record:
        record.set_customer(zoe.id, "Zoe")
        dialog = requested(qtbot, record, lambda: record.new_case())
        assert isinstance(dialog, NewCaseDialog) and unnamed_controls(dialog) == []
        names = {
            w.objectName()
            for w in (dialog.kind_combo, dialog.title_edit, dialog.reported_edit, dialog.next_step_edit)
        }
        assert names == {"caseKind", "caseTitle", "caseReported", "caseNextStep"}
        assert dialog.kind_combo.count() == 10 and dialog.kind_combo.itemText(0) == "Fault: broadband"
        error = dialog.findChild(type(dialog.error), "newCaseError")
        click_save(qtbot, dialog)
        assert error.text() == "The title is empty: say it in a few words."
        dialog.title_edit.setText("Charged twice")
        dialog.reported_edit.setPlainText("x" * 100_000)
        click_save(qtbot, dialog)
        assert error.text() == "What the customer reported is too long (100,000 characters, at most 2,000)."
        assert [c for c in CustomerService(work_store).cases(zoe.id) if c.title == "Charged twice"] == []


def test_log_contact(qtbot: QtBot, work_store: Store, clock: ManualClock) -> None:
    tom = customer(work_store, TOM_ACCOUNT)
    with record_controller(work_store, clock) as record:
        record.set_customer(tom.id, "Tom")
        dialog = requested(qtbot, record, lambda: record.log_contact())
        assert isinstance(dialog, LogContactDialog) and dialog.objectName() == "logContactDialog"
        assert unnamed_controls(dialog) == []
        channels = [dialog.channel_combo.itemData(i) for i in range(dialog.channel_combo.count())]
        assert channels == ["phone", "email", "letter", "visit", "social", "chat"]
        error = dialog.findChild(type(dialog.error), "contactError")
        click_save(qtbot, dialog)
        assert error.text() == "Write what happened."
        dialog.channel_combo.setCurrentIndex(dialog.channel_combo.findData("letter"))
        dialog.direction_combo.setCurrentIndex(dialog.direction_combo.findData("outbound"))
        dialog.summary_edit.setPlainText("Sent the refund confirmation")
        with qtbot.waitSignal(record.saved, timeout=5_000):
            click_save(qtbot, dialog)
    [logged] = contacts(work_store)
    assert (logged.channel, logged.direction, logged.subject) == (
        Channel.LETTER,
        Direction.OUTBOUND,
        "Letter to the customer",
    )


def test_case_progress_clears_the_past_target_prompt(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    tom = customer(work_store, TOM_ACCOUNT)
    user = PeopleService(work_store).current_user("alex")
    assert user is not None
    with record_controller(work_store, clock) as record:
        record.set_customer(tom.id, "Tom")
        dialog = requested(qtbot, record, lambda: record.update_case())
        assert isinstance(dialog, CaseUpdateDialog) and dialog.objectName() == "caseUpdateDialog"
        assert unnamed_controls(dialog) == []
        case = dialog.chosen_case()
        assert case is not None and case.reference == LATE_CASE  # the late one first
        assert dialog.current_step.text() == "Billing to refund the second charge"
        error = dialog.findChild(type(dialog.error), "caseUpdateError")
        click_save(qtbot, dialog)
        assert error.text() == "What was done is empty: say it in a few words."
        qtbot.keyClicks(dialog.done_edit, "Billing raised the refund")
        click_save(qtbot, dialog)
        assert error.text() == "The next step is empty: say it in a few words."
        dialog.next_step_edit.setText("Refund lands Friday")
        dialog.told_check.setChecked(True)
        with qtbot.waitSignal(record.saved, timeout=5_000) as saved:
            click_save(qtbot, dialog)
        assert saved.args == [f"Progress recorded on {LATE_CASE}"]
    assert CaseService(work_store, clock, user).needing_update(tom.id) == []
    assert [c.next_step for c in CustomerService(work_store).cases(tom.id) if c.reference == LATE_CASE] == [
        "Refund lands Friday"
    ]


def test_the_buttons_need_a_customer(qtbot: QtBot, work_store: Store, clock: ManualClock) -> None:
    actions = RecordActions()
    qtbot.addWidget(actions)
    names = [
        b.objectName()
        for b in (actions.log_contact_button, actions.new_case_button, actions.case_update_button)
    ]
    assert names == ["logContactButton", "newCaseButton", "caseUpdateButton"]
    tom = customer(work_store, TOM_ACCOUNT)
    with record_controller(work_store, clock) as record:
        record.attach(actions)
        assert not actions.new_case_button.isEnabled()
        record.set_customer(tom.id, "Tom")
        assert actions.new_case_button.isEnabled()
        dialog = requested(
            qtbot, record, lambda: qtbot.mouseClick(actions.new_case_button, Qt.MouseButton.LeftButton)
        )
        assert isinstance(dialog, NewCaseDialog)
        dialog.close()


def test_record_dialogs_leave_no_qt_objects_in_cycles(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    tom = customer(work_store, TOM_ACCOUNT)

    def use_and_close() -> None:
        with record_controller(work_store, clock) as record:
            record.set_customer(tom.id, "Tom")
            wrap = requested(
                qtbot,
                record,
                lambda: record.wrap_up(tom.id, NOW - timedelta(minutes=2), NOW, None),
                keep=False,
            )
            assert isinstance(wrap, WrapUpDialog)
            wrap.note_edit.setPlainText("Line crackles")
            requested(
                qtbot,
                record,
                lambda: wrap.case_combo.setCurrentIndex(wrap.case_combo.findData("new")),
                keep=False,
            ).reject()
            for act in (record.log_contact, record.update_case):
                requested(qtbot, record, act, keep=False).reject()
            wrap.reject()
            qtbot.waitUntil(lambda: not record.open_dialogs() and not record.busy, timeout=5_000)

    assert qt_objects_left_in_cycles(use_and_close) == []


def test_a_save_that_ends_after_its_dialog_was_deleted(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    tom = customer(work_store, TOM_ACCOUNT)
    with record_controller(work_store, clock) as record:
        record.set_customer(tom.id, "Tom")
        dialog = requested(qtbot, record, lambda: record.log_contact(), keep=False)
        assert isinstance(dialog, LogContactDialog)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # as the window opens its dialogs
        dialog.summary_edit.setPlainText("Emailed the new bill")
        with qtbot.waitSignal(record.saved, timeout=5_000):
            dialog.submit()
            dialog.reject()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert [c.summary for c in contacts(work_store)] == ["Emailed the new bill"]


def test_new_case_kinds_are_found_by_the_six_words(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    """Fault, order, billing, complaint, move, other: typing a word's first letters lands on its group."""
    zoe = customer(work_store, ZOE_ACCOUNT)
    with record_controller(work_store, clock) as record:
        record.set_customer(zoe.id, "Zoe")
        dialog = requested(qtbot, record, lambda: record.new_case())
        assert isinstance(dialog, NewCaseDialog)
        combo = dialog.kind_combo
        qtbot.keyClicks(combo, "move")
        assert combo.currentText() == "Move: home move"
        # Type-ahead matches the start of an item's text, whatever its case.
        starts = Qt.MatchFlag.MatchStartsWith
        for word in ("fault", "order", "billing", "complaint", "move", "other"):
            assert combo.findText(word, starts) >= 0, word
