"""Suggested times fall within the team's working hours (never a callback at 00:11 or a check at
01:30), and a new promise is about the customer's open case when there is exactly one."""

from __future__ import annotations

from datetime import datetime, timedelta

from pytestqt.qtbot import QtBot

from console.clock import ManualClock
from storage.store import Store
from tests.ui.support import STORY_ACCOUNT
from tests.ui.work_support import LONDON, TOM_ACCOUNT, make_promise, open_account, settle, work_window
from widgets.cases.resolve_dialogs import ResolveDialog
from widgets.dialog_parts import edit_moment
from widgets.promises.dialogs import OutcomeDialog, PromiseDialog

NIGHT = datetime(2026, 11, 24, 23, 11, tzinfo=LONDON)  # a Tuesday
NEXT_OPENING = datetime(2026, 11, 25, 8, 0, tzinfo=LONDON)


def test_at_night_every_suggested_time_is_the_next_opening(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    clock.set(NIGHT)
    make_promise(work_store, clock, STORY_ACCOUNT, timedelta(hours=20))
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, STORY_ACCOUNT)

    dialog = window.promises.make_promise()
    assert isinstance(dialog, PromiseDialog)
    assert dialog.custom_button.isChecked()  # not "in 1 hour", which would be 00:11
    assert edit_moment(dialog.custom_due, LONDON) == NEXT_OPENING
    assert dialog.request().due_at == NEXT_OPENING
    assert dialog.pick_buttons[2].text().startswith("Tomorrow morning, 9–12")
    dialog.reject()
    settle(qtbot, window)

    window.promises.panel.view.setCurrentIndex(window.promises.model.index(0, 0))
    outcome = window.promises.record_outcome()
    assert isinstance(outcome, OutcomeDialog)
    assert edit_moment(outcome.next_attempt, LONDON) == NEXT_OPENING  # not 00:30
    outcome.reject()
    settle(qtbot, window)


def test_by_day_in_one_hour_stays_the_default(qtbot: QtBot, work_store: Store, clock: ManualClock) -> None:
    window = work_window(qtbot, work_store, clock)  # Tuesday 14:05
    open_account(qtbot, window, STORY_ACCOUNT)
    dialog = window.promises.make_promise()
    assert isinstance(dialog, PromiseDialog)
    assert dialog.pick_buttons[0].isChecked()
    dialog.reject()
    settle(qtbot, window)


def test_on_a_friday_evening_the_morning_pick_is_monday(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 11, 27, 19, 0, tzinfo=LONDON))
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, STORY_ACCOUNT)
    dialog = window.promises.make_promise()
    assert isinstance(dialog, PromiseDialog)
    assert dialog.pick_buttons[2].text().startswith("Next working morning, 9–12  (Mon 30 Nov 09:00")
    assert edit_moment(dialog.custom_due, LONDON) == datetime(2026, 11, 30, 8, 0, tzinfo=LONDON)
    dialog.reject()
    settle(qtbot, window)


def test_the_check_again_time_is_within_working_hours(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    clock.set(NIGHT)
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, TOM_ACCOUNT)
    window.cases.view.setCurrentIndex(window.cases.model.index(0, 0))
    dialog = window.cases.actions.resolve()
    assert isinstance(dialog, ResolveDialog)
    assert edit_moment(dialog.check.check_edit, LONDON) == NEXT_OPENING  # not 01:30
    dialog.reject()
    settle(qtbot, window)


def test_a_new_promise_is_about_the_only_open_case(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, STORY_ACCOUNT)
    open_cases = [
        case
        for row in range(window.cases.model.rowCount())
        if (case := window.cases.model.case_at(row)) is not None and case.status.is_open
    ]
    assert len(open_cases) == 1
    window.cases.view.clearSelection()
    window.cases.view.setCurrentIndex(window.cases.model.index(-1, -1))
    dialog = window.promises.make_promise()
    assert isinstance(dialog, PromiseDialog)
    assert dialog.case_combo.currentData() == str(open_cases[0].id)  # not "No case"
    dialog.reject()
    settle(qtbot, window)
