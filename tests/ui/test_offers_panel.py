"""The offers panel: the suppressed banner while a problem is open, the offers back only after the fix
is resolved and confirmed, and every offer shown recorded as an impression once per opening."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from console.clock import ManualClock
from console.ids import new_id
from console.services.customers import CustomerService
from console.services.offers import OfferService
from console.services.people import PeopleService
from domain.vocabulary import CaseStatus, Confirmation
from storage.models import Case, Customer, Offer
from storage.store import Store
from tests.helpers import factories
from tests.ui.support import NOW
from tests.ui.work_support import LATE_CASE, TOM_ACCOUNT, ZOE_ACCOUNT, cell, open_account, settle, work_window
from widgets.main_window import MainWindow
from widgets.pane.offers_panel import OfferColumn


def add_offers_and_consent(store: Store) -> OfferService:
    with store.write() as session:
        session.add_all(
            [
                Offer(
                    id=new_id(),
                    code="FIBRE500",
                    title="Full Fibre 500",
                    description="Fast fibre for busy homes",
                    product="broadband",
                    monthly_price_pence=4200,
                    active=True,
                ),
                Offer(
                    id=new_id(),
                    code="SIMO30",
                    title="SIM-only 30GB",
                    description="30GB data",
                    product="mobile",
                    monthly_price_pence=1250,
                    active=True,
                ),
            ]
        )
        session.execute(
            update(Customer).where(Customer.account_number == TOM_ACCOUNT).values(marketing_consent=True)
        )
    return OfferService(store, ManualClock(NOW), PeopleService(store).current_user("alex"))


def set_late_case(store: Store, **values: object) -> None:
    with store.write() as session:
        session.execute(update(Case).where(Case.reference == LATE_CASE).values(**values))


def refresh(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.customer_work_loaded, timeout=5000):
        window.pane.refresh()
    settle(qtbot, window)


def test_banner_while_open_then_offers_after_confirmed_resolution(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    offers = add_offers_and_consent(work_store)
    tom_id = CustomerService(work_store).find_account(TOM_ACCOUNT).id
    window = work_window(qtbot, work_store, clock)
    panel = window.pane.offers_panel
    assert panel.objectName() == "offersPanel"
    open_account(qtbot, window, TOM_ACCOUNT)

    banner = panel.banner
    assert banner.objectName() == "offersSuppressedBanner"
    assert banner.isVisible() and not panel.view.isVisible()
    assert banner.text() == "Offers paused: 1 open problem (Billing, opened 10 days ago)"
    assert banner.wordWrap() and banner.accessibleName() == ""
    assert offers.impressions(tom_id) == 0

    set_late_case(
        work_store, status=CaseStatus.RESOLVED, resolved_at=NOW, root_cause_category="billing_error"
    )
    refresh(qtbot, window)
    assert banner.isVisible()
    assert banner.text() == "Offers paused: awaiting the customer's confirmation that Billing is fixed"
    assert offers.impressions(tom_id) == 0

    set_late_case(work_store, confirmation=Confirmation.CONFIRMED)
    refresh(qtbot, window)
    assert not banner.isVisible() and panel.view.isVisible()
    model = panel.model
    rows = [(cell(model, r, OfferColumn.TITLE), cell(model, r, OfferColumn.PRICE)) for r in range(2)]
    assert rows == [("Full Fibre 500", "£42.00"), ("SIM-only 30GB", "£12.50")]
    assert offers.impressions(tom_id) == 2

    refresh(qtbot, window)  # the same opening: not recorded twice
    assert offers.impressions(tom_id) == 2
    open_account(qtbot, window, TOM_ACCOUNT)  # a new opening: shown, so recorded, again
    assert offers.impressions(tom_id) == 4
    assert offers.suppressor_report() == []


def test_a_case_opened_elsewhere_brings_the_banner_back(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    offers = add_offers_and_consent(work_store)
    set_late_case(
        work_store,
        status=CaseStatus.CLOSED,
        resolved_at=NOW,
        closed_at=NOW,
        confirmation=Confirmation.CONFIRMED,
    )
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, TOM_ACCOUNT)
    assert window.pane.offers_panel.model.rowCount() == 2
    clock.advance(timedelta(hours=1))
    with work_store.write() as session:  # another workstation opens a new problem
        tom = session.scalars(select(Customer).where(Customer.account_number == TOM_ACCOUNT)).one()
        session.add(factories.case(tom, "CS-0000009", opened_at=clock.now(), updated_at=clock.now()))
    refresh(qtbot, window)
    assert window.pane.offers_panel.suppressed
    assert window.pane.offers_panel.banner.text() == (
        "Offers paused: 1 open problem (Broadband fault, opened today)"
    )
    assert offers.suppressor_report() == []


def test_banner_names_every_rule(qtbot: QtBot, work_store: Store, clock: ManualClock) -> None:
    add_offers_and_consent(work_store)
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, ZOE_ACCOUNT)
    assert window.pane.offers_panel.banner.text() == "Offers paused: no marketing consent"
    open_account(qtbot, window, "40000001")
    text = window.pane.offers_panel.banner.text()
    assert text.startswith("Offers paused: 1 open problem (Broadband fault, opened 3 days ago)")
    assert "customer is marked vulnerable" in text and text.endswith("no marketing consent")


def allowed_tom(store: Store) -> OfferService:
    """Tom's billing problem fixed and confirmed: his two offers may be shown."""
    offers = add_offers_and_consent(store)
    set_late_case(
        store, status=CaseStatus.CLOSED, resolved_at=NOW, closed_at=NOW, confirmation=Confirmation.CONFIRMED
    )
    return offers


def test_an_opening_records_each_offer_shown_once_after_the_pane_is_shown(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    offers = allowed_tom(work_store)
    tom_id = CustomerService(work_store).find_account(TOM_ACCOUNT).id
    window = work_window(qtbot, work_store, clock)
    with qtbot.waitSignal(window.offer_impressions_recorded, timeout=5000) as recorded:
        open_account(qtbot, window, TOM_ACCOUNT)
    assert recorded.args == [2]
    assert window.pane.offers_panel.model.rowCount() == 2 and offers.impressions(tom_id) == 2
    refresh(qtbot, window)  # the same opening: the offers on screen are not recorded again
    assert offers.impressions(tom_id) == 2
    window.open_customer_now(window.service.profile(tom_id))  # a screenshot's opening records at once
    assert offers.impressions(tom_id) == 4
    assert offers.suppressor_report() == []


def test_offers_leave_the_screen_when_a_problem_opens_before_they_are_recorded(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    offers = allowed_tom(work_store)
    tom_id = CustomerService(work_store).find_account(TOM_ACCOUNT).id
    window = work_window(qtbot, work_store, clock)
    assert window.workbench is not None
    loaded = window.workbench.pane.open(tom_id)
    assert loaded.offers is not None and len(loaded.offers.offers) == 2  # read, not yet recorded
    assert offers.impressions(tom_id) == 0
    set_late_case(work_store, status=CaseStatus.OPEN, resolved_at=None, closed_at=None)
    window.pane.show_loaded(loaded)  # shown, then recorded on the worker: the suppressor now refuses
    settle(qtbot, window)
    assert window.pane.offers_panel.suppressed and window.pane.offers_panel.model.rowCount() == 0
    assert window.pane.offers_panel.banner.text().startswith("Offers paused: 1 open problem (Billing")
    assert offers.impressions(tom_id) == 0
    refresh(qtbot, window)
    assert offers.impressions(tom_id) == 0 and offers.suppressor_report() == []


def test_offers_leave_the_screen_and_the_advisor_is_told_when_recording_fails(
    qtbot: QtBot,
    work_store: Store,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    allowed_tom(work_store)
    window = work_window(qtbot, work_store, clock)
    assert window.workbench is not None

    def disk_full(_customer_id: object, _offer_ids: object) -> int:
        raise OSError("database or disk is full")

    monkeypatch.setattr(window.workbench.offers, "record_impressions", disk_full)
    open_account(qtbot, window, TOM_ACCOUNT)
    assert window.pane.offers_panel.model.rowCount() == 0 and not window.pane.offers_panel.suppressed
    assert (
        window.statusBar().currentMessage() == "Could not record the offers shown: database or disk is full"
    )
    assert "recording the offers shown failed: database or disk is full" in caplog.text
