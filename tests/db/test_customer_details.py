"""Customer details changed with a reason on SQLite: the replaced value kept with who, when and why,
brought back in one step, duplicates warned of, bad input saving nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import pytest
from sqlalchemy import func, select

from console.clock import ManualClock
from console.details_rules import DetailRuleError, NewCustomer
from console.services.customer_details import DetailsService
from console.services.customers import CustomerService
from domain import mutation_kinds
from storage.models import ContactEvent, CustomerDetailChange, OutboxEntry
from storage.queries import users
from storage.store import Store
from tests.helpers import factories

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


class World(NamedTuple):
    store: Store
    clock: ManualClock
    alex: DetailsService
    customer_id: uuid.UUID


@pytest.fixture
def world(sqlite_store: Store) -> World:
    alex = factories.user("alex")
    priya = factories.customer()
    other = factories.customer("Tom", "Reid", account="40000002", email="tom@example.com")
    with sqlite_store.write() as session:
        session.add_all([alex, priya, other])
        session.flush()
        session.add(factories.phone(priya, "07700 900123"))
        session.add(factories.phone(other, "07700 900456"))
    with sqlite_store.read() as session:
        record = users.by_username(session, "alex")
    assert record
    clock = ManualClock(NOW)
    return World(sqlite_store, clock, DetailsService(sqlite_store, clock, record), priya.id)


def counts(store: Store) -> tuple[int, int, int]:
    with store.read() as session:
        return (
            session.scalar(select(func.count()).select_from(CustomerDetailChange)) or 0,
            session.scalar(select(func.count()).select_from(ContactEvent)) or 0,
            session.scalar(select(func.count()).select_from(OutboxEntry)) or 0,
        )


def test_a_replaced_number_is_kept_and_comes_back_with_its_history(world: World) -> None:
    store, clock, alex, customer = world
    [change] = alex.change(customer, {"mobile_phone": "07700 900999"}, "customer has a new phone")
    assert (change.old_value, change.new_value) == ("+447700900123", "+447700900999")
    assert alex.current(customer)["mobile_phone"] == "+447700900999"
    [kept] = alex.history(customer)
    assert (kept.old_value, kept.changed_by_name, kept.changed_at, kept.reason) == (
        "+447700900123",
        "Alex",
        NOW,
        "customer has a new phone",
    )
    clock.advance(timedelta(minutes=5))
    back = alex.restore(kept.id, "new phone was a mistake")
    assert back.restores_id == kept.id and back.old_value == "+447700900999"
    assert alex.current(customer)["mobile_phone"] == "+447700900123"
    assert [entry.id for entry in alex.history(customer)] == [back.id, kept.id]
    assert CustomerService(store).search("07700 900123")[0].id == customer
    assert counts(store) == (2, 2, 2)
    with store.read() as session:
        kinds = session.scalars(select(OutboxEntry.kind).order_by(OutboxEntry.client_seq)).all()
    assert kinds == [mutation_kinds.CUSTOMER_CHANGE_DETAILS, mutation_kinds.CUSTOMER_RESTORE_DETAIL]


def test_several_details_in_one_save_and_unchanged_ones_ignored(world: World) -> None:
    _, _, alex, customer = world
    made = alex.change(
        customer,
        {"email": "p@example.org", "postcode": "sw1a2aa", "town": "London", "vulnerable": "yes"},
        "moved",
    )
    assert {change.field for change in made} == {"email", "postcode", "vulnerable"}
    now = alex.current(customer)
    assert (now["postcode"], now["vulnerable"], now["email"]) == ("SW1A 2AA", "yes", "p@example.org")


def test_a_removed_email_is_an_earlier_detail(world: World) -> None:
    _, _, alex, customer = world
    [removed] = alex.change(customer, {"email": ""}, "customer asked us to stop emailing")
    assert (removed.old_value, removed.new_value) == ("priya.shah@example.co.uk", None)
    alex.restore(removed.id, "customer gave it again")
    assert alex.current(customer)["email"] == "priya.shah@example.co.uk"


@pytest.mark.parametrize(
    ("values", "reason", "words"),
    [
        ({"mobile_phone": "not a number"}, "why", "the mobile number is not a phone number"),
        ({"email": "p@example.org"}, "   ", "give a reason for the change"),
        ({"address_line": "x" * 100_000}, "why", "the address is at most 200 characters"),
        ({"postcode": "XYZ"}, "why", "the postcode is not a UK postcode"),
        ({"email": "p@example.org", "mobile_phone": ""}, "why", "a phone number is replaced, not emptied"),
        ({"email": "p@example.org"}, "x" * 100_000, "the reason is at most 2,000 characters"),
    ],
)
def test_bad_input_saves_nothing(world: World, values: dict[str, str], reason: str, words: str) -> None:
    store, _, alex, customer = world
    with pytest.raises(DetailRuleError, match=words):
        alex.change(customer, values, reason)
    assert counts(store) == (0, 0, 0)
    assert alex.current(customer)["email"] == "priya.shah@example.co.uk"


def test_a_number_or_email_another_customer_holds_is_warned_of(world: World) -> None:
    _, _, alex, customer = world
    found = alex.duplicates(customer, {"mobile_phone": "+447700900456", "email": "TOM@example.com"})
    assert [dup.words() for dup in found] == [
        "+447700900456 already belongs to Tom Reid (40000002)",
        "TOM@example.com already belongs to Tom Reid (40000002)",
    ]
    assert alex.duplicates(customer, {"mobile_phone": "+447700900123"}) == []


def test_a_restore_needs_a_reason_and_an_earlier_value(world: World) -> None:
    store, _, alex, customer = world
    [change] = alex.change(customer, {"work_phone": "020 7946 0000"}, "gave a work number")
    assert change.old_value is None
    with pytest.raises(DetailRuleError, match="there is no earlier value to bring back"):
        alex.restore(change.id, "why")
    with pytest.raises(DetailRuleError, match="give a reason for the change"):
        alex.restore(change.id, "")
    assert counts(store) == (1, 1, 1)


def new_customer(**changes: object) -> NewCustomer:
    values: dict[str, object] = {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "email": "",
        "address_line": "3 Mill Lane",
        "town": "Leeds",
        "postcode": "ls1 4ap",
        "preferred_channel": "phone",
        "marketing_consent": False,
        "phone": "07700 900777",
        "reason": "new caller",
    }
    return NewCustomer(**(values | changes))  # type: ignore[arg-type]


def test_a_new_customer_is_found_by_number_with_a_provisional_account(world: World) -> None:
    store, _, alex, _ = world
    made = alex.create(new_customer())
    [found] = CustomerService(store).search("07700 900777")
    assert found.id == made
    profile = CustomerService(store).profile(made)
    assert profile.account_number.startswith("P") and profile.postcode == "LS1 4AP"
    assert counts(store) == (0, 1, 1)  # no detail history yet; its timeline line; one mutation


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"phone": "call me"}, "the mobile number is not a phone number"),
        ({"given_name": " "}, "give the customer's given name"),
        ({"postcode": "nowhere"}, "the postcode is not a UK postcode"),
        ({"reason": ""}, "give a reason for the change"),
        ({"town": "t" * 100_000}, "the town is at most 100 characters"),
    ],
)
def test_a_bad_new_customer_saves_nothing(world: World, changes: dict[str, object], words: str) -> None:
    store, _, alex, _ = world
    with pytest.raises(DetailRuleError, match=words):
        alex.create(new_customer(**changes))
    assert counts(store) == (0, 0, 0)


def test_a_new_customer_with_a_known_number_is_warned_of_not_refused(world: World) -> None:
    _, _, alex, _ = world
    assert [d.words() for d in alex.duplicates(None, {"mobile_phone": "+447700900456"})] == [
        "+447700900456 already belongs to Tom Reid (40000002)"
    ]
    alex.create(new_customer(phone="07700 900456"))
