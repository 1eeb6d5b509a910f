"""Customers a workstation does not hold, against a real central PostgreSQL: api.search_customers
finds them by every kind of key the local search knows (read as the caller), api.customer_records
gives one customer's records as the caller may read them, and an empty store keeps them through the
replica's writer so the pane reads them and a later pull moves them on."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from console.clock import ManualClock
from console.services.customers import CustomerService
from console.sync.on_demand import ServerReads, StaleRecordsError, connector, keep_records, probes
from console.sync.pull import pull
from console.sync.remote import ServerLink, conninfo
from console.sync.remote import connector as async_connector
from domain.records import UserRecord
from domain.vocabulary import PromiseKind, PromiseStatus, Role
from storage.location import parse_location
from storage.models import ContactEvent, Customer, CustomerPhone, Goodwill, Promise
from storage.queries import sync as sync_queries
from storage.store import Store, open_store
from tests.helpers import factories
from tests.helpers.central import NOW, Central, goodwill_payload
from tests.helpers.workstations import QUICK_RETRY, Sleeper

pytestmark = pytest.mark.postgres


def columns(row: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


def seeded(central: Central, given: str, family: str, account: str, phone: str, **extra: Any) -> Customer:
    made = factories.customer(given=given, family=family, account=account, **extra)
    with central.admin.begin() as connection:
        connection.execute(Customer.__table__.insert().values(**columns(made)))
        connection.execute(CustomerPhone.__table__.insert().values(**columns(factories.phone(made, phone))))
    return made


def search(central: Central, user: UserRecord, typed: str, limit: int = 50) -> list[str]:
    with central.login(user).connect() as connection:
        found = connection.execute(
            text("SELECT api.search_customers(CAST(:p AS jsonb), :m)"),
            {"p": json.dumps(probes(typed)), "m": limit},
        ).scalar_one()
    return [row["account_number"] for row in found]


def reads(central: Central, user: UserRecord) -> ServerReads:
    return ServerReads(connector(conninfo(central.login(user).url)))


def empty_store(folder: Path, user: UserRecord) -> Store:
    return open_store(parse_location(str(folder / f"{user.username}-empty.db")))


def test_the_server_search_matches_every_kind_of_key_as_the_caller(central: Central) -> None:
    alex = central.add_user(Role.ADVISOR, 5_000)
    unique = "".join(chr(ord("a") + int(digit, 16)) for digit in uuid.uuid4().hex[:6])  # letters only
    seeded(
        central, "Zoë", f"Quill{unique}", "71234567", "07700 900123",
        email=f"zoe.{unique}@example.co.uk", postcode="EH1 2AB",
    )  # fmt: skip
    seeded(central, "Zed", f"Quill{unique}b", "71234599", "07700 900999", email=None, postcode="EH1 2AC")
    seeded(central, "Gone", f"Quill{unique}c", "71234568", "07700 900124", deleted=True)

    assert search(central, alex, "71234567") == ["71234567"]
    assert search(central, alex, "712345") == ["71234567", "71234599"]  # not the soft-deleted one
    for spoken in ("07700 900123", "+44 7700 900123", "(0)7700-900123", "0044 7700 900 123", "077009001"):
        assert "71234567" in search(central, alex, spoken), spoken
    assert search(central, alex, "07700 900124") == []
    assert search(central, alex, f"quill{unique}") == ["71234567", "71234599"]
    assert search(central, alex, f"ZOE QUILL{unique}") == ["71234567"]
    assert search(central, alex, f"quill{unique} zoe") == ["71234567"]
    assert search(central, alex, "eh1 2a") == ["71234567", "71234599"]
    assert search(central, alex, f"ZOE.{unique}@") == ["71234567"]
    assert search(central, alex, f"quill{unique}", 1) == ["71234567"]
    # Found as the local search finds it: the same rows for the same words.
    with reads(central, alex) as server:
        answer = server.search("07700 900123", 50)
    assert [(m.account_number, m.name, m.phone_e164, m.postcode) for m in answer] == [
        ("71234567", f"Zoë Quill{unique}", "+447700900123", "EH1 2AB")
    ]
    with central.login(alex).connect() as connection, pytest.raises(DBAPIError, match="no search by"):
        connection.execute(text("""SELECT api.search_customers('[{"kind": "sql", "keys": ["x"]}]', 5)"""))


def test_a_customers_records_are_read_as_the_caller(central: Central) -> None:
    alex = central.add_user(Role.ADVISOR, 5_000)
    sam = central.add_user(Role.SUPERVISOR, 50_000)
    customer = central.customer()
    gone = central.customer(deleted=True)
    central.case(customer, owner_id=sam.id)
    mine = central.apply(central.login(alex), "goodwill.request", goodwill_payload(customer, 1_000))
    central.apply(central.login(sam), "goodwill.request", goodwill_payload(customer, 2_000))

    with reads(central, alex) as server:
        as_alex = server.customer_records(customer)
        hidden = server.customer_records(gone)
    with reads(central, sam) as server:
        as_sam = server.customer_records(customer)
    entities = [item["entity"] for item in as_alex["records"]]
    assert entities.count("customer") == 1 and entities.count("case") == 1
    goodwill = [item["data"]["id"] for item in as_alex["records"] if item["entity"] == "goodwill"]
    assert goodwill == [mine["entity_id"]]  # not the supervisor's request
    users = {item["data"]["id"] for item in as_alex["records"] if item["entity"] == "user"}
    assert {str(alex.id), str(sam.id)} <= users  # those the rows name
    assert entities.index("user") < entities.index("customer") < entities.index("case")
    assert len([i for i in as_sam["records"] if i["entity"] == "goodwill"]) == 2
    assert hidden["records"] == []
    assert as_alex["head"] >= 1


def test_an_empty_store_opens_a_customer_it_does_not_hold(central: Central, tmp_path: Path) -> None:
    """A new workstation, no first sync run: the customer found on the server is fetched, kept, and
    its pane reads their cases, promises and timeline; a later pull moves them on."""
    alex = central.add_user(Role.ADVISOR, 5_000)
    owner = seeded(central, "Priya", f"Shah{uuid.uuid4().hex[:6]}", "72000001", "07700 900555")
    case = central.case(owner.id, owner_id=alex.id)
    followed = uuid.uuid4()
    with central.admin.begin() as connection:
        for made, status, follow_up in (
            (followed, PromiseStatus.OPEN, None),
            (uuid.uuid4(), PromiseStatus.RESCHEDULED, followed),
        ):
            connection.execute(
                Promise.__table__.insert().values(
                    id=made, customer_id=owner.id, case_id=case["id"], kind=PromiseKind.CALLBACK,
                    owner_id=alex.id, created_at=NOW, due_at=NOW + timedelta(days=1), status=status,
                    follow_up_id=follow_up, version=1,
                )
            )  # fmt: skip
        connection.execute(
            ContactEvent.__table__.insert().values(**columns(factories.event(owner, advisor=alex.id)))
        )
    central.apply(central.login(alex), "goodwill.request", goodwill_payload(owner.id, 1_000))
    store = empty_store(tmp_path, alex)
    server = reads(central, alex)
    try:
        assert CustomerService(store).search("72000001") == []  # the store holds nothing
        found = server.search("72000001", 50)
        assert [m.id for m in found] == [owner.id]
        assert [m.id for m in server.search("07700 900555", 50)] == [owner.id]

        report = server.fetch_customer(store, owner.id)
        assert report.not_held == 0 and report.applied >= 7
        service = CustomerService(store)
        assert service.profile(owner.id).account_number == "72000001"
        assert [c.reference for c in service.cases(owner.id)] == [case["reference"]]
        assert len(service.history(owner.id)) >= 1
        with store.read() as session:
            assert len(session.scalars(select(Promise.id).where(Promise.customer_id == owner.id)).all()) == 2
            assert len(session.scalars(select(Goodwill.id)).all()) == 1
        assert CustomerService(store).search("07700 900555")[0].id == owner.id  # now held locally

        # A change on the server reaches the kept rows through an ordinary pull.
        central.apply(central.login(alex), "goodwill.request", goodwill_payload(owner.id, 2_000))
        asyncio.run(_pull(store, central, alex))

        with store.read() as session:
            assert len(session.scalars(select(Goodwill.id)).all()) == 2
    finally:
        server.close()
        store.close()


def test_records_read_before_a_pull_overtook_them_are_not_kept(central: Central, tmp_path: Path) -> None:
    alex = central.add_user(Role.ADVISOR, 5_000)
    customer = central.customer()
    with reads(central, alex) as server:
        answer = server.customer_records(customer)
    store = empty_store(tmp_path, alex)
    try:
        with store.write() as session:
            sync_queries.set_cursor(session, int(answer["head"]) + 1, NOW)
        with pytest.raises(StaleRecordsError), store.write() as session:
            keep_records(session, answer, NOW)
        assert CustomerService(store).search(str(answer["records"][0]["data"]["account_number"])) == []
    finally:
        store.close()


async def _pull(store: Store, central: Central, user: UserRecord) -> None:
    link = ServerLink(async_connector(conninfo(central.login(user).url)))
    try:
        await pull(store, link, clock=ManualClock(NOW), sleep=Sleeper(), retry=QUICK_RETRY)
    finally:
        await link.close()
