"""Customer details across two workstations and the central server: a change and its restore, and a
new customer, pushed by one, pulled by the other with the history of replaced values."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

import pytest

from console.details_rules import NewCustomer
from console.services.customer_details import DetailsService
from console.services.customers import CustomerService
from domain.vocabulary import Role
from tests.helpers.central import Central
from tests.helpers.workstations import Workstation, shared_customer, workstation

pytestmark = pytest.mark.postgres


class Pair(NamedTuple):
    alex: Workstation
    sam: Workstation
    customer_id: uuid.UUID


@pytest.fixture
def pair(central: Central, tmp_path: Path) -> Iterator[Pair]:
    people = [
        central.add_user(Role.ADVISOR, 5_000, hint="adv", display_name="Alex Advisor"),
        central.add_user(Role.SUPERVISOR, 50_000, hint="sup", display_name="Sam Supervisor"),
    ]
    alex, sam = (
        workstation(central, tmp_path, people[0], people),
        workstation(central, tmp_path, people[1], people),
    )
    try:
        yield Pair(alex, sam, shared_customer(central, [alex.store, sam.store]))
    finally:
        alex.store.close()
        sam.store.close()


def test_a_detail_change_its_restore_and_a_new_customer_reach_the_other_workstation(pair: Pair) -> None:
    alex, sam, customer_id = pair
    details = DetailsService(alex.store, alex.clock, alex.user)
    before = details.current(customer_id)["email"]
    assert before is not None
    [removed] = details.change(customer_id, {"email": ""}, "customer asked us to stop emailing")
    alex.clock.advance(timedelta(minutes=2))
    details.restore(removed.id, "customer gave it again")
    made = details.create(
        NewCustomer(
            "Ada", "Lovelace", "", "3 Mill Lane", "Leeds", "LS1 4AP", "phone", False, "07700 900777", "new"
        )
    )
    summary = asyncio.run(alex.engine().sync_once())
    assert (summary.accepted, summary.rejected, summary.conflicts) == (3, 0, 0)
    account = CustomerService(alex.store).profile(made).account_number
    assert account.isdigit()
    asyncio.run(sam.engine().sync_once())
    theirs = DetailsService(sam.store, sam.clock, sam.user)
    assert theirs.current(customer_id)["email"] == before
    history = theirs.history(customer_id)
    assert [(c.old_value, c.new_value) for c in history] == [(None, before), (before, None)]
    assert history[0].restores_id == removed.id and history[1].changed_by_name == "Alex Advisor"
    [found] = CustomerService(sam.store).search("07700 900777")
    assert (found.id, CustomerService(sam.store).profile(made).account_number) == (made, account)
