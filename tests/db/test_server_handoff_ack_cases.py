"""The shared acknowledge-by cases (tests/rules/handoff_cases.py) against the server: `handoff.create`
made at the row's moment is accepted with the console's acknowledge-by and refused a second sooner, so
the server counts the same working hours and bank holidays (published by `server init`)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from console.ids import new_id
from console.working_time import WorkingHours
from domain.records import UserRecord
from domain.vocabulary import Role, Team
from tests.helpers.central import Central
from tests.rules.handoff_cases import ACK_CASES, AckCase

pytestmark = pytest.mark.postgres


def _handoff(customer: object, case: AckCase, acknowledge_by: object) -> dict[str, Any]:
    return {
        "id": str(new_id()),
        "customer_id": str(customer),
        "kind": "task",
        "to_team": case.team.value,
        "summary": "Please look at this",
        "acknowledge_by": acknowledge_by,
    }


def disagreement(central: Central, sender: UserRecord, customer: object, case: AckCase) -> str | None:
    # The server trusts a time from the sender's last sync on: as if it synced the day before.
    central.synced(sender.username, case.made_utc - timedelta(days=1))
    sooner = _handoff(customer, case, (case.due_utc - timedelta(seconds=1)).isoformat())
    answer = central.apply(central.login(sender), "handoff.create", sooner, occurred_at=case.made_utc)
    if answer["state"] != "rejected" or "sooner than" not in str(answer["reason"]):
        return f"a second before {case.due:%a %d %b %H:%M} was {answer['state']} ({answer['reason']})"
    on_time = _handoff(customer, case, case.due_utc.isoformat())
    answer = central.apply(central.login(sender), "handoff.create", on_time, occurred_at=case.made_utc)
    if answer["state"] != "accepted":
        return f"{case.due:%a %d %b %H:%M} was {answer['state']}: {answer['reason']}"
    return None


def test_the_server_agrees_with_every_acknowledge_by_case(central: Central) -> None:
    senders = {team: central.add_user(Role.ADVISOR, 0, team=team) for team in (Team.FRONT_LINE, Team.SALES)}
    customer = central.customer()
    found = {
        case.name: disagreement(
            central, senders[Team.SALES if case.team is Team.FRONT_LINE else Team.FRONT_LINE], customer, case
        )
        for case in ACK_CASES
    }
    wrong = {name: why for name, why in found.items() if why is not None}
    assert not wrong, "\n".join(f"{name}: {why}" for name, why in wrong.items())


def test_server_init_publishes_the_consoles_calendar(central: Central) -> None:
    published = WorkingHours().server_calendar(date.today())
    with central.admin.connect() as connection:
        hours = connection.execute(text("SELECT opens, closes, zone FROM api.working_hours")).one()
        days = connection.execute(text("SELECT day, name FROM api.bank_holidays ORDER BY day")).all()
    assert tuple(hours) == (published.opens, published.closes, "Europe/London")
    assert [tuple(day) for day in days] == list(published.bank_holidays)
    assert (date(2025, 12, 25), "Christmas Day") in published.bank_holidays
