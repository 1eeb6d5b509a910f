"""customer.change_details and customer.restore_detail on a real PostgreSQL: the shared rule cases
(tests/rules/detail_cases.py) refused in the console's words, the history kept and pulled, a client
role unable to change or remove a detail but through the functions."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from console.ids import new_id
from domain import mutation_kinds
from domain.vocabulary import Role
from storage import replica
from tests.helpers.central import Central
from tests.rules.detail_cases import DETAIL_CASES

pytestmark = pytest.mark.postgres


def change(
    customer: uuid.UUID, field: str, value: str | None, reason: str = "customer asked"
) -> dict[str, Any]:
    return {
        "id": str(new_id()),
        "customer_id": str(customer),
        "field": field,
        "value": value,
        "reason": reason,
        "event_id": str(new_id()),
    }


def test_the_server_agrees_with_every_detail_case(central: Central) -> None:
    advisor = central.login(central.add_user(Role.ADVISOR, 0))
    wrong: dict[str, str] = {}
    for case in DETAIL_CASES:
        customer = central.customer()
        payload = change(customer, case.field, case.sent or None, case.reason)
        result = central.apply(advisor, mutation_kinds.CUSTOMER_CHANGE_DETAILS, payload)
        if case.refused is not None:
            if result["state"] != "rejected" or result["reason"] != case.refused:
                wrong[case.name] = f"{result['state']}: {result.get('reason')}"
            continue
        if result["state"] != "accepted":
            wrong[case.name] = f"refused: {result.get('reason')}"
            continue
        if result["record"]["new_value"] != case.stored:
            wrong[case.name] = f"stored {result['record']['new_value']!r}"
    assert not wrong, "\n".join(f"{name}: {found}" for name, found in wrong.items())


def test_a_replaced_number_is_kept_restored_and_pulled(central: Central) -> None:
    alex = central.add_user(Role.ADVISOR, 0)
    advisor, other = central.login(alex), central.login(central.add_user(Role.ADVISOR, 0))
    head = central.pull(other)["head"]
    customer = central.customer()
    with central.admin.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO customer_phones (id, customer_id, kind, e164, is_primary)"
                " VALUES (:id, :c, 'mobile', :n, true)"
            ),
            {"id": new_id(), "c": customer, "n": "+447700900123"},
        )
    first = central.apply(
        advisor, mutation_kinds.CUSTOMER_CHANGE_DETAILS, change(customer, "mobile_phone", "+447700900999")
    )
    assert first["state"] == "accepted", first
    assert first["record"]["old_value"] == "+447700900123"
    back = central.apply(
        advisor,
        mutation_kinds.CUSTOMER_RESTORE_DETAIL,
        {
            "id": str(new_id()),
            "restores_id": first["entity_id"],
            "reason": "mistake",
            "event_id": str(new_id()),
        },
    )
    assert back["state"] == "accepted", back
    assert (
        back["record"]["new_value"] == "+447700900123" and back["record"]["restores_id"] == first["entity_id"]
    )
    refused = central.apply(
        advisor,
        mutation_kinds.CUSTOMER_RESTORE_DETAIL,
        {"id": str(new_id()), "restores_id": first["entity_id"], "reason": " "},
    )
    assert refused["reason"] == "give a reason for the change"
    with central.admin.connect() as connection:
        assert (
            connection.execute(
                text("SELECT e164 FROM customer_phones WHERE customer_id = :c"), {"c": customer}
            ).scalar_one()
            == "+447700900123"
        )
        lines = (
            connection.execute(
                text(
                    "SELECT subject FROM contact_events WHERE customer_id = :c ORDER BY occurred_at, subject"
                ),
                {"c": customer},
            )
            .scalars()
            .all()
        )
    assert any("Details restored: mobile number" in line for line in lines), lines
    changes = central.pull(other, after=head)["changes"]
    pulled = [c for c in changes if c["entity"] == "customer_detail_change"]
    assert {c["entity_id"] for c in pulled} == {first["entity_id"], back["entity_id"]}
    assert "customer_detail_change" in replica.APPEND_ONLY


def test_a_client_role_changes_no_detail_directly(central: Central) -> None:
    advisor = central.login(central.add_user(Role.ADVISOR, 0))
    customer = central.customer()
    done = central.apply(advisor, mutation_kinds.CUSTOMER_CHANGE_DETAILS, change(customer, "email", None))
    assert done["state"] == "accepted", done
    for statement in (
        "DELETE FROM customer_detail_changes",
        "UPDATE customer_detail_changes SET old_value = NULL",
        "UPDATE customers SET email = 'x@y.zz'",
        "DELETE FROM customer_phones",
    ):
        with pytest.raises(DBAPIError), advisor.begin() as connection:
            connection.execute(text(statement))
    with advisor.connect() as connection:
        assert (
            connection.execute(
                text("SELECT old_value FROM customer_detail_changes WHERE id = :id"),
                {"id": done["entity_id"]},
            ).scalar_one()
            == "priya.shah@example.co.uk"
        )


def test_a_new_customer_gets_the_next_account_number_and_is_pulled(central: Central) -> None:
    advisor, other = (
        central.login(central.add_user(Role.ADVISOR, 0)),
        central.login(central.add_user(Role.ADVISOR, 0)),
    )
    head = central.pull(other)["head"]
    payload = {
        "id": str(new_id()),
        "given_name": "Ada",
        "family_name": "Lovelace",
        "email": None,
        "address_line": "3 Mill Lane",
        "town": "Leeds",
        "postcode": "LS1 4AP",
        "preferred_channel": "phone",
        "marketing_consent": False,
        "phone": "+447700900777",
        "phone_id": str(new_id()),
        "reason": "new caller",
        "event_id": str(new_id()),
    }
    refused = central.apply(advisor, mutation_kinds.CUSTOMER_CREATE, payload | {"given_name": " "})
    assert refused["reason"] == "give the customer's given name"
    refused = central.apply(advisor, mutation_kinds.CUSTOMER_CREATE, payload | {"phone": "call me"})
    assert refused["reason"] == "the mobile number is not a phone number"
    made = central.apply(advisor, mutation_kinds.CUSTOMER_CREATE, payload)
    assert made["state"] == "accepted", made
    assert made["record"]["account_number"].isdigit()
    entities = {c["entity"] for c in central.pull(other, after=head)["changes"]}
    assert {"customer", "customer_phone", "contact_event"} <= entities
