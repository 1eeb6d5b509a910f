"""The promise notice on a live call: other customers' promises are a quiet count over the caller,
the banner asks before it replaces the caller's pane, and its words move on the same tick as the lists."""

from __future__ import annotations

from datetime import timedelta

from pytestqt.qtbot import QtBot

from console.calls import Caller
from console.clock import ManualClock
from storage.store import Store
from tests.ui.support import STORY_ACCOUNT, STORY_PHONE
from tests.ui.work_support import (
    TOM_ACCOUNT,
    ZOE_ACCOUNT,
    cell,
    make_promise,
    open_account,
    settle,
    work_window,
)
from widgets.main_window import MainWindow
from widgets.promises.models import PromiseColumn


def take_call(qtbot: QtBot, window: MainWindow, number: str) -> None:
    with qtbot.waitSignal(window.customer_opened, timeout=5000):
        window.call.take_call(Caller(number))
    settle(qtbot, window)


def worklist_countdown(window: MainWindow, row: int = 0) -> str:
    model = window.promises.worklist_model
    return str(cell(model, row, model.column_of(PromiseColumn.COUNTDOWN)))


def test_on_a_call_other_customers_promises_are_a_quiet_count_not_a_red_banner(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    make_promise(work_store, clock, TOM_ACCOUNT, timedelta(minutes=10))
    make_promise(work_store, clock, ZOE_ACCOUNT, timedelta(minutes=12))
    window = work_window(qtbot, work_store, clock)
    take_call(qtbot, window, STORY_PHONE)
    assert window.current_profile is not None and window.current_profile.account_number == STORY_ACCOUNT
    banner = window.promises.banner
    told: list[str] = []
    window.promises.notice._notices.tell = lambda _title, text: told.append(text)  # type: ignore[method-assign]

    clock.advance(timedelta(minutes=15))  # Tom's is 5 min overdue, Zoë's 3 min
    window.tick()
    settle(qtbot, window)
    assert banner.isVisible()
    assert banner.property("quiet") is True and banner.property("overdue") is not True
    assert banner.text.text() == (
        "2 promises for other customers due soon or overdue: see My promises (Ctrl+Shift+P)"
    )
    assert not banner.open_button.isVisible()  # nothing here takes the caller's pane away
    assert told == []  # no desktop notice over the call either
    assert window.tabs.tabText(1) == "My promises (2, 2 overdue)"
    assert window.current_profile.account_number == STORY_ACCOUNT

    window.call.end_call()
    window.tick()
    assert banner.property("quiet") is False and banner.property("overdue") is True
    assert banner.text.text().startswith("Progress update for Tom Jones overdue by 5 min")
    assert banner.open_button.isVisible()


def test_the_banner_asks_before_it_replaces_the_callers_pane(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    make_promise(work_store, clock, TOM_ACCOUNT, timedelta(minutes=30))
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, STORY_ACCOUNT)
    clock.advance(timedelta(minutes=16))
    window.tick()
    banner = window.promises.banner
    assert banner.isVisible() and banner.open_button.isVisible()
    # A call comes in with Priya's pane open (a number no customer has opens nobody): the banner
    # turns quiet at once. A press of its Open button already on its way asks first.
    tom = window.promises.worklist_model.promise_at(0)
    assert tom is not None
    with qtbot.waitSignal(window.call.lookup_finished, timeout=5000):
        window.call.take_call(Caller("+447700900999"))
    assert banner.property("quiet") is True and not banner.open_button.isVisible()

    opened: list[object] = []
    window.customer_opened.connect(opened.append)
    window.promises.notice._open(tom.customer_id)
    assert banner.asking and banner.isVisible()
    assert banner.text.text() == (
        "You are on a call with Ms Priya Shah. Open Tom Jones instead, leaving the caller's pane?"
    )
    assert banner.open_button.text() == "Open anyway" and banner.dismiss_button.text() == "Stay on the call"
    window.tick()  # the clock moving on does not take the question away
    assert banner.asking
    banner.dismiss_button.click()  # stay on the call
    settle(qtbot, window)
    assert not banner.asking and opened == []
    assert window.current_profile is not None and window.current_profile.account_number == STORY_ACCOUNT

    window.promises.notice._open(tom.customer_id)
    assert banner.asking
    with qtbot.waitSignal(window.customer_opened, timeout=5000) as opening:
        banner.open_button.click()  # open anyway
    assert opening.args[0].account_number == TOM_ACCOUNT
    settle(qtbot, window)


def test_every_word_about_one_promise_moves_on_the_same_tick(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    make_promise(work_store, clock, TOM_ACCOUNT, timedelta(minutes=30))
    window = work_window(qtbot, work_store, clock)
    banner = window.promises.banner

    clock.advance(timedelta(minutes=28, seconds=7))  # 1 min 53 s to go
    window.tick()
    assert worklist_countdown(window) == "in 2 min"
    assert banner.text.text() == "Progress update for Tom Jones due in 2 min"

    clock.advance(timedelta(seconds=83))  # 30 s to go: the last minute counts seconds
    window.tick()
    assert worklist_countdown(window) == "in 30 s"
    assert banner.text.text() == "Progress update for Tom Jones due in 30 s"

    clock.advance(timedelta(seconds=50))  # overdue by 20 s
    window.tick()
    settle(qtbot, window)
    assert worklist_countdown(window) == "overdue by 20 s"
    assert window.tabs.tabText(1) == "My promises (1, 1 overdue)"
    assert banner.text.text() == "Progress update for Tom Jones overdue by 20 s"
    assert banner.property("overdue") is True


def test_the_notice_goes_when_its_promise_is_no_longer_open(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    made = make_promise(work_store, clock, TOM_ACCOUNT, timedelta(minutes=10))
    window = work_window(qtbot, work_store, clock)
    window.tick()
    assert window.promises.banner.isVisible()
    window.promises.worklist_model.set_promises([], clock.now())  # as a re-read after it ended
    window.tick()
    assert not window.promises.banner.isVisible()
    assert made.id is not None


def test_on_a_call_the_callers_own_promise_is_the_one_told_loud(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    make_promise(work_store, clock, TOM_ACCOUNT, timedelta(minutes=5))
    make_promise(work_store, clock, STORY_ACCOUNT, timedelta(minutes=12))
    window = work_window(qtbot, work_store, clock)
    window.tick()  # Tom's is announced first, loud: no call yet
    banner = window.promises.banner
    assert banner.text.text().startswith("Progress update for Tom Jones due in 5 min")
    take_call(qtbot, window, STORY_PHONE)  # at once, not a tick later
    assert banner.text.text() == (
        "Progress update for Priya Shah due in 12 min — and 1 for others due soon or overdue: "
        "see My promises (Ctrl+Shift+P)"
    )
    assert banner.property("quiet") is False
    assert not banner.open_button.isVisible()  # her pane is the one open


def test_a_call_with_no_pane_yet_quietens_the_banner_as_it_comes(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    """Several customers share the number (or none has it): no pane opens, yet the call is in hand,
    so the loud banner about someone else turns quiet at once, not a tick later."""
    make_promise(work_store, clock, TOM_ACCOUNT, timedelta(minutes=10))
    window = work_window(qtbot, work_store, clock)
    clock.advance(timedelta(minutes=15))
    window.tick()
    settle(qtbot, window)
    banner = window.promises.banner
    assert banner.isVisible() and banner.property("quiet") is not True

    with qtbot.waitSignal(window.call.lookup_finished, timeout=5000):
        window.call.take_call(Caller("07700 900999"))  # nobody has it: no pane opens
    assert window.current_profile is None
    assert banner.property("quiet") is True
    assert not banner.open_button.isVisible()
