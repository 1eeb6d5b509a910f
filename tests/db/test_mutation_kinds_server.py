"""Every kind of the table of mutation kinds sent to a real server with a payload of its row's fields
and ids the server never saw: each is refused by a rule of its own, never as a kind the server does
not know, nor as a value of the wrong type."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from domain import mutation_kinds
from domain.mutation_kinds import Field, FieldType, MutationKind
from domain.vocabulary import Role
from tests.helpers.central import NOW, Central

pytestmark = pytest.mark.postgres


def sample(field: Field) -> object:
    """A value of the field's type, every id a new one."""
    values: dict[FieldType, object] = {
        FieldType.ID: str(uuid.uuid4()),
        FieldType.TEXT: "a few words",
        FieldType.INTEGER: 1,
        FieldType.BOOLEAN: False,
        FieldType.TIME: (NOW + timedelta(days=1)).isoformat(),
        FieldType.DATE: NOW.date().isoformat(),
        FieldType.CHOICE: field.choices[0] if field.choices else "",
    }
    return values[field.type]


def payload_of(row: MutationKind) -> dict[str, object]:
    payload = {field.name: sample(field) for field in row.fields}
    row.check(payload)
    return payload


@pytest.mark.parametrize("role", [Role.ADVISOR, Role.SUPERVISOR])
def test_every_kind_with_an_unknown_id_is_refused_by_its_own_rules(central: Central, role: Role) -> None:
    caller = central.login(central.add_user(role, 5_000))
    answers = {row.name: central.apply(caller, row.name, payload_of(row)) for row in mutation_kinds.TABLE}
    unknown_kind = {kind: a["reason"] for kind, a in answers.items() if "does not know" in str(a["reason"])}
    bad_value = {kind: a["reason"] for kind, a in answers.items() if "bad value" in str(a["reason"])}
    not_refused = {kind: a["state"] for kind, a in answers.items() if a["state"] != "rejected"}
    assert (unknown_kind, bad_value, not_refused) == ({}, {}, {})


def test_a_kind_not_in_the_table_is_one_the_server_does_not_know(central: Central) -> None:
    caller = central.login(central.add_user(Role.ADVISOR, 5_000))
    assert "goodwill.grant" not in mutation_kinds.KINDS
    answer = central.apply(caller, "goodwill.grant", {"id": str(uuid.uuid4())})
    assert answer["state"] == "rejected"
    assert answer["reason"] == "this server does not know the mutation kind goodwill.grant"
