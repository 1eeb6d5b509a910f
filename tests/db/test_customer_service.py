"""Search, header, history and cases through the service, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

from datetime import timedelta

import pytest

from console.services.customers import CustomerNotFoundError, CustomerService
from domain.vocabulary import CaseStatus, Channel
from storage.store import Store
from tests.helpers import factories

pytestmark = pytest.mark.postgres


@pytest.fixture
def service(any_store: Store) -> CustomerService:
    priya = factories.customer()
    zoe = factories.customer("Zoë", "Ó Briain", "40000002", "M1 1AE", "zoe@example.com")
    shaw = factories.customer("Sam", "Shaw", "40000003", "SW1A 2AA", None)
    with any_store.write() as session:
        session.add_all([priya, zoe, shaw])
        session.flush()
        session.add_all(
            [
                factories.phone(priya, "07700 900123"),
                factories.phone(priya, "020 7946 0018", primary=False),
                factories.phone(zoe, "07700 900456"),
            ]
        )
        channels = list(Channel)
        session.add_all(
            factories.event(
                priya, factories.T0 + timedelta(minutes=i), channels[i % len(channels)], f"event {i}"
            )
            for i in range(450)
        )
        session.add_all(
            [
                factories.case(priya, "CS-1", CaseStatus.CLOSED, title="Old bill query"),
                factories.case(priya, "CS-2", CaseStatus.OPEN, title="Broadband down"),
            ]
        )
    return CustomerService(any_store)


def accounts(service: CustomerService, text: str) -> list[str]:
    return [match.account_number for match in service.search(text)]


@pytest.mark.parametrize(
    "typed", ["07700 900123", "+44 7700 900123", "(0)7700-900123", "07700 9001", "020 7946 0018"]
)
def test_phone_in_any_form(service: CustomerService, typed: str) -> None:
    assert accounts(service, typed) == ["40000001"]


def test_partial_phone_prefix_finds_several(service: CustomerService) -> None:
    assert sorted(accounts(service, "07700 900")) == ["40000001", "40000002"]


def test_account_prefix(service: CustomerService) -> None:
    assert accounts(service, "40000002") == ["40000002"]
    assert len(accounts(service, "4000000")) == 3


@pytest.mark.parametrize("typed", ["sw1a 1aa", "SW1A1AA", "SW1A 1AA"])
def test_postcode_with_or_without_space(service: CustomerService, typed: str) -> None:
    assert accounts(service, typed) == ["40000001"]


def test_postcode_district(service: CustomerService) -> None:
    assert sorted(accounts(service, "sw1a")) == ["40000001", "40000003"]


def test_names(service: CustomerService) -> None:
    assert accounts(service, "shah") == ["40000001"]
    assert sorted(accounts(service, "sh")) == ["40000001", "40000003"]
    assert accounts(service, "priya sh") == ["40000001"]
    assert accounts(service, "shaw sam") == ["40000003"]
    assert accounts(service, "zoe") == ["40000002"]
    assert accounts(service, "ZOË Ó") == ["40000002"]


def test_email(service: CustomerService) -> None:
    assert accounts(service, "Priya.Shah@example") == ["40000001"]


@pytest.mark.parametrize(
    "junk",
    ["nonsense-xyz", "'; DROP TABLE customers;--", "%", "_", "😀", "\u202eشاه", "x" * 10_000, "9" * 40],
)
def test_bad_input_is_a_calm_no_match(service: CustomerService, junk: str) -> None:
    assert service.search(junk) == []
    assert accounts(service, "shah") == ["40000001"]


def test_profile_and_history_pages(service: CustomerService) -> None:
    profile = service.find_account("40000001")
    assert profile.full_name == "Priya Shah"
    assert profile.phones == ("+447700900123", "+442079460018")
    first = service.history(profile.id, limit=200)
    assert [e.summary for e in first[:2]] == ["event 449", "event 448"]
    second = service.history(profile.id, after=first[-1].key, limit=200)
    third = service.history(profile.id, after=second[-1].key, limit=200)
    assert len(first) + len(second) + len(third) == 450
    assert third[-1].summary == "event 0"
    emails = service.history(profile.id, channels=frozenset({Channel.EMAIL}))
    assert emails and all(e.channel is Channel.EMAIL for e in emails)


def test_cases_open_first(service: CustomerService) -> None:
    profile = service.find_account("40000001")
    assert [c.reference for c in service.cases(profile.id)] == ["CS-2", "CS-1"]


def test_unknown_account(service: CustomerService) -> None:
    with pytest.raises(CustomerNotFoundError, match="no customer with account number 99999999"):
        service.find_account("99999999")
