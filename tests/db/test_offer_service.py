"""Offers through the service on both engines: shown only when the suppressor allows, every showing
logged, and the report proving no impression ever coincided with an open case."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import pytest
from sqlalchemy import update

from console.clock import ManualClock
from console.ids import new_id
from console.services.offers import OfferService, OffersPausedError, report_lines
from domain.vocabulary import CaseStatus, Confirmation
from storage.models import Case, Customer, Offer, OfferImpression
from storage.queries import users
from storage.store import Store
from tests.helpers import factories

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


class World(NamedTuple):
    store: Store
    clock: ManualClock
    offers: OfferService
    customer_id: uuid.UUID
    offer_ids: list[uuid.UUID]


def offer(code: str, price: int, *, active: bool = True) -> Offer:
    return Offer(
        id=new_id(),
        code=code,
        title=f"Offer {code}",
        description="A fine offer",
        product="broadband",
        monthly_price_pence=price,
        active=active,
    )


@pytest.fixture
def world(any_store: Store) -> World:
    alex = factories.user("alex")
    someone = factories.customer()
    offers = [offer("FIBRE500", 4200), offer("FIBRE900", 5500), offer("OLD", 100, active=False)]
    with any_store.write() as session:
        session.add_all([alex, someone, *offers])
    with any_store.read() as session:
        record = users.by_username(session, "alex")
    assert record is not None
    clock = ManualClock(NOW)
    return World(any_store, clock, OfferService(any_store, clock, record), someone.id, [o.id for o in offers])


def open_case(world: World, reference: str = "CS-0000001", **extra: object) -> uuid.UUID:
    with world.store.write() as session:
        owner = session.get_one(Customer, world.customer_id)
        row = factories.case(
            owner, reference, opened_at=world.clock.now(), updated_at=world.clock.now(), **extra
        )
        session.add(row)
    return row.id


def set_case(world: World, case_id: uuid.UUID, **values: object) -> None:
    with world.store.write() as session:
        session.execute(update(Case).where(Case.id == case_id).values(**values))


def resolve(world: World, case_id: uuid.UUID, *, confirmed: bool) -> None:
    now = world.clock.now()
    confirmation = Confirmation.CONFIRMED if confirmed else Confirmation.PENDING
    set_case(world, case_id, status=CaseStatus.RESOLVED, resolved_at=now, confirmation=confirmation)


def test_offers_shown_when_allowed_and_impressions_recorded(world: World) -> None:
    view = world.offers.for_customer(world.customer_id)
    assert view.decision.allowed
    assert [o.code for o in view.offers] == ["FIBRE500", "FIBRE900"]  # the inactive one is not offered
    assert world.offers.record_impressions(world.customer_id, [o.id for o in view.offers]) == 2
    assert world.offers.impressions(world.customer_id) == 2
    with world.store.read() as session:
        shown = session.query(OfferImpression).all()
    assert {i.shown_at for i in shown} == {NOW}
    assert {i.advisor_id for i in shown} == {world.offers.user.id}
    assert world.offers.suppressor_report() == []


def test_open_case_hides_offers_and_refuses_impressions(world: World) -> None:
    open_case(world)
    world.clock.advance(timedelta(days=3))
    view = world.offers.for_customer(world.customer_id)
    assert not view.decision.allowed and view.offers == ()
    assert view.decision.banner == "Offers paused: 1 open problem (Broadband fault, opened 3 days ago)"
    with pytest.raises(OffersPausedError) as refused:
        world.offers.record_impressions(world.customer_id, world.offer_ids[:2])
    assert refused.value.decision == view.decision
    assert world.offers.impressions() == 0


def test_offers_return_only_after_resolution_and_confirmation(world: World) -> None:
    case_id = open_case(world)
    world.clock.advance(timedelta(hours=5))
    resolve(world, case_id, confirmed=False)
    decision = world.offers.for_customer(world.customer_id).decision
    assert decision.reasons == ("awaiting the customer's confirmation that Broadband fault is fixed",)
    set_case(world, case_id, confirmation=Confirmation.CONFIRMED)
    assert world.offers.for_customer(world.customer_id).decision.allowed


def test_rule_is_checked_again_when_recording(world: World) -> None:
    """Read while allowed, a case opened meanwhile (another workstation): nothing is recorded."""
    view = world.offers.for_customer(world.customer_id)
    assert view.decision.allowed
    open_case(world)
    with pytest.raises(OffersPausedError):
        world.offers.record_impressions(world.customer_id, [o.id for o in view.offers])
    assert world.offers.impressions() == 0


def test_present_records_each_offer_once_per_opening(world: World) -> None:
    view = world.offers.present(world.customer_id)
    assert len(view.offers) == 2 and world.offers.impressions() == 2
    again = world.offers.present(world.customer_id, {o.id for o in view.offers})
    assert again.offers == view.offers and world.offers.impressions() == 2
    open_case(world)
    paused = world.offers.present(world.customer_id)
    assert not paused.decision.allowed and paused.offers == () and world.offers.impressions() == 2


def test_customer_flags_and_complaint_cooldown(world: World) -> None:
    with world.store.write() as session:
        session.execute(update(Customer).values(vulnerable=True, marketing_consent=False))
    reasons = world.offers.for_customer(world.customer_id).decision.reasons
    assert reasons == ("customer is marked vulnerable", "no marketing consent")
    with world.store.write() as session:
        session.execute(update(Customer).values(vulnerable=False, marketing_consent=True))
    case_id = open_case(world, formal_complaint=True)
    world.clock.advance(timedelta(days=20))
    set_case(
        world,
        case_id,
        status=CaseStatus.CLOSED,
        resolved_at=world.clock.now(),
        closed_at=world.clock.now(),
        confirmation=Confirmation.CONFIRMED,
    )
    world.clock.advance(timedelta(days=2))
    decision = world.offers.for_customer(world.customer_id).decision
    assert decision.reasons == ("formal complaint closed 2 days ago; offers resume on 29 Dec 2026",)
    world.clock.advance(timedelta(days=12))
    assert world.offers.for_customer(world.customer_id).decision.allowed


def test_report_finds_an_impression_made_behind_the_services_back(world: World) -> None:
    case_id = open_case(world)
    world.clock.advance(timedelta(hours=1))
    with world.store.write() as session:
        session.add(
            OfferImpression(
                id=new_id(),
                customer_id=world.customer_id,
                offer_id=world.offer_ids[0],
                advisor_id=None,
                shown_at=world.clock.now(),
            )
        )
    world.clock.advance(timedelta(hours=1))
    resolve(world, case_id, confirmed=True)
    report = world.offers.suppressor_report()
    assert [(v.offer_code, v.case_reference, v.account_number) for v in report] == [
        ("FIBRE500", "CS-0000001", "40000001")
    ]
    lines = report_lines(report)
    assert lines[0] == "1 offer impression(s) shown while a case was open:"
    assert "account 40000001  offer FIBRE500  case CS-0000001" in lines[1]
    assert report_lines([]) == ["No offer impression coincides with an open case."]


def test_random_cases_never_let_an_impression_coincide_with_an_open_case(world: World) -> None:
    """Cases opened, resolved, confirmed and closed at random, offers asked for between every step."""
    rng = random.Random(20261125)
    cases: dict[uuid.UUID, CaseStatus] = {}
    recorded = refused = 0
    for step in range(120):
        world.clock.advance(timedelta(minutes=rng.randint(1, 600)))
        action = rng.random()
        live = [c for c, status in cases.items() if status is not CaseStatus.CLOSED]
        if action < 0.15 or (not live and action < 0.5):
            cases[open_case(world, f"CS-{step:07d}")] = CaseStatus.OPEN
        elif action < 0.6 and live:
            case_id = rng.choice(live)
            if cases[case_id].is_open:
                resolve(world, case_id, confirmed=rng.random() < 0.6)
                cases[case_id] = CaseStatus.RESOLVED
            else:
                set_case(world, case_id, confirmation=Confirmation.CONFIRMED)
        elif live:
            case_id = rng.choice(live)
            if not cases[case_id].is_open:
                set_case(world, case_id, status=CaseStatus.CLOSED, closed_at=world.clock.now())
                cases[case_id] = CaseStatus.CLOSED
        view = world.offers.for_customer(world.customer_id)
        ids = [o.id for o in view.offers] or world.offer_ids[:2]
        any_open = any(status.is_open for status in cases.values())
        try:
            world.offers.record_impressions(world.customer_id, ids)
        except OffersPausedError:
            refused += 1
            assert not view.decision.allowed
        else:
            recorded += 1
            assert view.decision.allowed and not any_open
    assert recorded and refused  # both paths were exercised
    assert world.offers.suppressor_report() == []
