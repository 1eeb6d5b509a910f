"""Compensation and goodwill decisions in the window: the goodwill dialog proposes what the automatic
scheme owes on the linked case (with the arithmetic) and the usual limits still apply; Service dates…
records the dates from the case list; a supervisor's decision is told to the advisor once, on the pane
or in the decision banner. No sleeps: every wait is on a signal or a condition."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from console.clock import ManualClock
from console.compensation import Part, Suggestion
from console.ids import new_id
from console.services.customers import CustomerService
from domain.vocabulary import CaseKind, CaseStatus, GoodwillKind, Severity
from storage.models import Case
from storage.store import Store
from tests.ui.work_support import LONDON, TOM_ACCOUNT, ZOE_ACCOUNT, open_account, settle, work_window
from widgets.app import build_window
from widgets.cases.service_dates_dialog import Appointment, ServiceDatesDialog
from widgets.dialog_parts import set_edit_moment
from widgets.goodwill.dialogs import GoodwillDialog
from widgets.goodwill.panel import GoodwillColumn
from widgets.main_window import MainWindow

REPORTED = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # Monday: the repair is due by the end of Wed 18 Nov
RESTORED = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)  # Sunday
FAULT = "CS-0000009"
ARITHMETIC = (
    "Broadband loss of service reported Mon 16 Nov; repair due by end of Wed 18 Nov "
    "(2nd full working day); restored Sun 22 Nov: 4 days × £10.34 = £41.36"
)


@pytest.fixture
def fault_store(work_store: Store) -> Store:
    """The work store plus Zoë's broadband fault: reported Monday, restored on Sunday."""
    zoe = CustomerService(work_store).find_account(ZOE_ACCOUNT)
    with work_store.write() as session:
        session.add(
            Case(
                id=new_id(),
                reference=FAULT,
                customer_id=zoe.id,
                kind=CaseKind.BROADBAND_FAULT,
                title="No broadband at all",
                status=CaseStatus.IN_PROGRESS,
                severity=Severity.HIGH,
                owner_id=None,
                opened_at=REPORTED,
                target_at=None,
                resolved_at=None,
                closed_at=None,
                updated_at=REPORTED,
                next_step="Confirm the line is stable",
                reported_at=REPORTED,
                restored_at=RESTORED,
                version=1,
            )
        )
    return work_store


def open_goodwill(qtbot: QtBot, window: MainWindow, *, keys: bool = True) -> GoodwillDialog:
    """Ctrl+G (or the window's action), then wait until the window has answered the dialog's question
    about compensation."""
    with (
        qtbot.waitSignal(window.goodwill.compensation.suggestion_shown, timeout=5000),
        qtbot.waitSignal(window.dialog_opened, timeout=2000) as opened,
    ):
        if keys:
            qtbot.keyClick(window.pane.history_panel.view, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
        else:
            window.goodwill.give_goodwill()  # a dialog just closed: the window may not be active yet
    dialog = opened.args[0]
    assert isinstance(dialog, GoodwillDialog)
    return dialog


def save_goodwill(qtbot: QtBot, window: MainWindow, dialog: GoodwillDialog) -> None:
    with qtbot.waitSignal(window.goodwill_loaded, timeout=5000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert window.dialog is None


def panel_rows(window: MainWindow) -> list[tuple[str, str]]:
    model = window.goodwill.panel.model
    return [
        (str(model.index(r, GoodwillColumn.AMOUNT).data()), str(model.index(r, GoodwillColumn.STATE).data()))
        for r in range(model.rowCount())
    ]


def test_the_goodwill_dialog_proposes_what_the_scheme_owes_and_the_amount_can_be_used(
    qtbot: QtBot, fault_store: Store, clock: ManualClock
) -> None:
    window = work_window(qtbot, fault_store, clock)
    open_account(qtbot, window, ZOE_ACCOUNT)
    dialog = open_goodwill(qtbot, window)
    box = dialog.suggestion_box
    assert dialog.linked_case() is not None  # Zoë's one open case is linked by default
    # Another kind: a one-line hint; the rule and arithmetic show for compensation.
    assert box.isVisible() and "owes £41.36 on this case" in box.title.text()
    assert not box.arithmetic.isVisible()
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData(GoodwillKind.COMPENSATION.value))
    assert box.title.text() == "Automatic compensation owed: £41.36"
    assert box.arithmetic.isVisible() and box.arithmetic.text() == ARITHMETIC
    assert "1 Apr 2026" in box.checks.text()  # the 2026 figures are marked in the file as to be checked
    assert box.use_button.accessibleName() == "Use the suggested compensation amount"

    qtbot.mouseClick(box.use_button, Qt.MouseButton.LeftButton)
    assert dialog.amount_edit.text() == "£41.36"
    assert dialog.category_combo.currentData() == "delayed repair"
    assert ARITHMETIC in dialog.reason_edit.toPlainText()
    save_goodwill(qtbot, window, dialog)  # within Alex's £50 limit: given at once
    assert panel_rows(window) == [("£41.36 compensation", "Approved (within your limit)")]


def test_a_case_outside_the_scheme_gets_no_suggestion(
    qtbot: QtBot, fault_store: Store, clock: ManualClock
) -> None:
    window = work_window(qtbot, fault_store, clock)
    open_account(qtbot, window, TOM_ACCOUNT)  # a billing case: not landline or broadband service
    dialog = open_goodwill(qtbot, window)
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData(GoodwillKind.COMPENSATION.value))
    assert not dialog.suggestion_box.isVisible()
    window.cases.view.setCurrentIndex(window.cases.model.index(0, 0))
    assert not window.cases.panel.service_dates_action.isEnabled()


def open_service_dates(qtbot: QtBot, window: MainWindow) -> ServiceDatesDialog:
    window.cases.view.setCurrentIndex(window.cases.model.index(0, 0))
    assert window.cases.panel.service_dates_action.isEnabled()
    assert window.cases.panel.service_dates_button.accessibleName() == "Service dates of the case"
    with qtbot.waitSignal(window.dialog_opened, timeout=5000) as opened:
        window.cases.panel.service_dates_action.trigger()
    dialog = opened.args[0]
    assert isinstance(dialog, ServiceDatesDialog) and dialog.objectName() == "serviceDatesDialog"
    return dialog


def test_service_dates_from_the_case_list_change_the_suggestion_and_limits_still_apply(
    qtbot: QtBot, fault_store: Store, clock: ManualClock
) -> None:
    window = work_window(qtbot, fault_store, clock)
    open_account(qtbot, window, ZOE_ACCOUNT)
    dialog = open_service_dates(qtbot, window)
    assert dialog.restored_check is not None and dialog.restored_check.isChecked()
    assert dialog.appointment_check is not None and dialog.appointment_edit is not None
    assert dialog.outcome_combo is not None
    dialog.appointment_check.setChecked(True)
    set_edit_moment(dialog.appointment_edit, datetime(2026, 11, 18, 8, 0, tzinfo=UTC), LONDON)
    dialog.outcome_combo.setCurrentIndex(dialog.outcome_combo.findData(Appointment.MISSED.value))
    with qtbot.waitSignal(window.change_saved, timeout=5000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert window.dialog is None
    assert "Service dates recorded on CS-0000009" in window.statusBar().currentMessage()

    goodwill = open_goodwill(qtbot, window, keys=False)
    goodwill.kind_combo.setCurrentIndex(goodwill.kind_combo.findData(GoodwillKind.COMPENSATION.value))
    box = goodwill.suggestion_box
    assert box.title.text() == "Automatic compensation owed: £73.67"
    assert "Engineer missed the appointment on Wed 18 Nov 08:00: £32.31" in box.arithmetic.text()
    assert box.arithmetic.text().endswith("Total: £73.67")
    qtbot.mouseClick(box.use_button, Qt.MouseButton.LeftButton)
    save_goodwill(qtbot, window, goodwill)
    assert panel_rows(window) == [("£73.67 compensation", "Awaiting approval")]  # over Alex's £50


def test_impossible_service_dates_are_refused_at_the_field_and_nothing_is_saved(
    qtbot: QtBot, fault_store: Store, clock: ManualClock
) -> None:
    window = work_window(qtbot, fault_store, clock)
    open_account(qtbot, window, ZOE_ACCOUNT)
    dialog = open_service_dates(qtbot, window)
    assert dialog.restored_edit is not None
    set_edit_moment(dialog.restored_edit, datetime(2026, 11, 15, 9, 0, tzinfo=UTC), LONDON)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.error.isVisible, timeout=5000)
    settle(qtbot, window)
    assert dialog.error.text() == "The service cannot be restored before the loss was reported."
    assert dialog.save_button.isEnabled() and window.dialog is dialog
    with fault_store.read() as session:
        assert session.scalar(select(Case.restored_at).where(Case.reference == FAULT)) == RESTORED
    dialog.reject()


def supervisor_window(qtbot: QtBot, store: Store, clock: ManualClock) -> MainWindow:
    window = build_window(store, "supervisor", clock, username="sam", zone=LONDON, auto_tick=False)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    settle(qtbot, window)
    return window


def refresh(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.goodwill_loaded, timeout=5000):
        window.goodwill.refresh()
    settle(qtbot, window)


def test_the_advisor_on_another_customer_is_told_of_the_decision_once(
    qtbot: QtBot, fault_store: Store, clock: ManualClock
) -> None:
    advisor = work_window(qtbot, fault_store, clock)
    told: list[str] = []
    advisor.goodwill_decision_announced.connect(told.append)
    open_account(qtbot, advisor, TOM_ACCOUNT)
    dialog = open_goodwill(qtbot, advisor)
    dialog.fill("75", "Charged twice for October")
    save_goodwill(qtbot, advisor, dialog)
    open_account(qtbot, advisor, ZOE_ACCOUNT)  # on to the next customer while it waits

    supervisor = supervisor_window(qtbot, fault_store, clock)
    panel = supervisor.approval_panel
    assert panel is not None and panel.model.rowCount() == 1
    panel.view.setCurrentIndex(panel.model.index(0, 0))
    with qtbot.waitSignal(supervisor.goodwill_loaded, timeout=5000):
        panel.approve_button.click()
    settle(qtbot, supervisor)
    assert told == []  # the supervisor's own window tells nobody: it was not their request

    refresh(qtbot, advisor)  # the ticker does this every few seconds
    banner = advisor.goodwill.decision_banner
    assert banner.objectName() == "goodwillDecisionBanner" and banner.isVisible()
    assert banner.text.text() == "Goodwill £75.00 for Tom Jones approved by Sam Patel"
    assert told == ["Goodwill £75.00 for Tom Jones approved by Sam Patel"]
    refresh(qtbot, advisor)
    refresh(qtbot, advisor)
    assert len(told) == 1  # once per decision

    with qtbot.waitSignal(advisor.customer_opened, timeout=5000):
        qtbot.mouseClick(banner.open_button, Qt.MouseButton.LeftButton)
    settle(qtbot, advisor)
    assert not banner.isVisible()
    profile = advisor.current_profile
    assert profile is not None and profile.account_number == TOM_ACCOUNT


def test_a_decision_on_the_open_customer_shows_on_the_pane(
    qtbot: QtBot, fault_store: Store, clock: ManualClock
) -> None:
    advisor = work_window(qtbot, fault_store, clock)
    open_account(qtbot, advisor, TOM_ACCOUNT)
    dialog = open_goodwill(qtbot, advisor)
    dialog.fill("80", "Charged twice for October")
    save_goodwill(qtbot, advisor, dialog)
    supervisor = supervisor_window(qtbot, fault_store, clock)
    with qtbot.waitSignal(supervisor.dialog_opened, timeout=2000) as opened:
        supervisor.goodwill.reject_selected()
    reject = opened.args[0]
    reject.reason_edit.setPlainText("Already credited last week")
    with qtbot.waitSignal(supervisor.goodwill_loaded, timeout=5000):
        qtbot.mouseClick(reject.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, supervisor)

    with qtbot.waitSignal(advisor.goodwill_decision_announced, timeout=5000) as announced:
        advisor.goodwill.refresh()
    settle(qtbot, advisor)
    text = "Goodwill £80.00 for Tom Jones rejected by Sam Patel: Already credited last week"
    assert announced.args == [text]
    assert advisor.goodwill.panel.notice.text() == text and advisor.goodwill.panel.notice.isVisible()
    assert not advisor.goodwill.decision_banner.isVisible()


def test_advisors_see_how_their_limit_applies_not_caveats_about_sources(
    qtbot: QtBot, fault_store: Store, clock: ManualClock
) -> None:
    window = work_window(qtbot, fault_store, clock)
    open_account(qtbot, window, ZOE_ACCOUNT)
    dialog = open_goodwill(qtbot, window)
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData(GoodwillKind.COMPENSATION.value))
    box = dialog.suggestion_box
    assert not box.checks.isVisible()  # no "not from Ofcom" warning in the advisor's face mid-call
    assert box.limit.isVisible()
    assert box.limit.text() == (
        "The scheme's amount, owed to the customer: within your £50.00 limit, paid at once."
    )
    dialog.reject()
    settle(qtbot, window)


def test_above_the_limit_the_scheme_amount_goes_to_a_supervisor_and_says_so(qtbot: QtBot) -> None:
    suggestion = Suggestion((Part("Missed engineer appointment", "Missed on Mon 16 Nov: £32.31", 3231),))
    dialog = GoodwillDialog(new_id(), "Zoë Ålander", [], 2000)
    qtbot.addWidget(dialog)
    box = dialog.suggestion_box
    box.suggestion = suggestion
    box.show_suggestion(suggestion, full=True)
    assert box.limit.text() == (
        "The scheme's amount, owed to the customer: above your £20.00 limit, so a supervisor checks and "
        "approves the payment before it is made."
    )


def test_supervisors_see_which_figures_are_not_verified_against_ofcom(
    qtbot: QtBot, fault_store: Store, clock: ManualClock
) -> None:
    window = build_window(fault_store, "supervisor", clock, username="sam", zone=LONDON, auto_tick=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    settle(qtbot, window)
    open_account(qtbot, window, ZOE_ACCOUNT)
    dialog = open_goodwill(qtbot, window, keys=False)
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData(GoodwillKind.COMPENSATION.value))
    box = dialog.suggestion_box
    assert box.checks.isVisible()
    assert box.checks.text().startswith(
        "For supervisors, to check against Ofcom: the figures from 1 Apr 2026"
    )
    dialog.reject()
    settle(qtbot, window)
