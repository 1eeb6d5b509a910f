"""The offers panel: the suppressed banner while a problem is open, the offers back only after the fix
is resolved and confirmed, and every offer shown recorded as an impression once per opening."""

from __future__ import annotations

from datetime import timedelta

from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from console.clock import ManualClock
from console.ids import new_id
from console.services.customers import CustomerService
from console.services.offers import OfferService
from console.services.people import PeopleService
from storage.models import Case, Customer, Offer
from storage.store import Store
from storage.vocabulary import CaseStatus, Confirmation
from tests.helpers import factories
from tests.ui.support import NOW
from tests.ui.work_support import LATE_CASE, TOM_ACCOUNT, ZOE_ACCOUNT, cell, open_account, settle, work_window
from widgets.main_window import MainWindow
from widgets.offers_panel import OfferColumn


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
        window.refresh_customer()
    settle(qtbot, window)


def test_banner_while_open_then_offers_after_confirmed_resolution(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    offers = add_offers_and_consent(work_store)
    tom_id = CustomerService(work_store).find_account(TOM_ACCOUNT).id
    window = work_window(qtbot, work_store, clock)
    panel = window.offers_panel
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
    assert window.offers_panel.model.rowCount() == 2
    clock.advance(timedelta(hours=1))
    with work_store.write() as session:  # another workstation opens a new problem
        tom = session.scalars(select(Customer).where(Customer.account_number == TOM_ACCOUNT)).one()
        session.add(factories.case(tom, "CS-0000009", opened_at=clock.now(), updated_at=clock.now()))
    refresh(qtbot, window)
    assert window.offers_panel.suppressed
    assert window.offers_panel.banner.text() == (
        "Offers paused: 1 open problem (Broadband fault, opened today)"
    )
    assert offers.suppressor_report() == []


def test_banner_names_every_rule(qtbot: QtBot, work_store: Store, clock: ManualClock) -> None:
    add_offers_and_consent(work_store)
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, ZOE_ACCOUNT)
    assert window.offers_panel.banner.text() == "Offers paused: no marketing consent"
    open_account(qtbot, window, "40000001")
    text = window.offers_panel.banner.text()
    assert text.startswith("Offers paused: 1 open problem (Broadband fault, opened 3 days ago)")
    assert "customer is marked vulnerable" in text and text.endswith("no marketing consent")
