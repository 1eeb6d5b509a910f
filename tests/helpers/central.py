"""A central server for tests: an initialised database on the suite's PostgreSQL, console users
with login roles (unique names per run, dropped afterwards) and calls of the server functions."""

from __future__ import annotations

import itertools
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, create_engine, text

from console.ids import new_id
from domain.records import UserRecord
from domain.vocabulary import Role, Team
from storage.location import StoreLocation
from storage.models import Case, Offer
from storage.server.users import add_user
from tests.helpers import factories, passwords

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
_counter = itertools.count(1)


def unique_name(hint: str) -> str:
    return f"{hint}_{uuid.uuid4().hex[:10]}"


@dataclass
class Central:
    location: StoreLocation
    admin: Engine
    roles: list[str] = field(default_factory=list)
    logins: dict[str, Engine] = field(default_factory=dict)
    # Login passwords of the people added here: the suite's server may check passwords (it does on the
    # sign-in tests' databases), so logins always give theirs.
    passwords: dict[str, str] = field(default_factory=dict)
    client_id: uuid.UUID = field(default_factory=uuid.uuid4)

    @classmethod
    def open(cls, location: StoreLocation) -> Central:
        """On a database `server init` has already made a central server."""
        return cls(location, create_engine(location.url, hide_parameters=True))

    def add_user(
        self,
        role: Role,
        limit_pence: int,
        hint: str | None = None,
        display_name: str | None = None,
        team: Team = Team.FRONT_LINE,
    ) -> UserRecord:
        name = unique_name(hint or role.value[:3])
        self.roles.append(name)
        self.passwords[name] = passwords.new_password()
        made = add_user(
            self.admin,
            name,
            role=role,
            limit_pence=limit_pence,
            password=self.passwords[name],
            display_name=display_name,
            team=team,
        )
        self.synced(name, NOW - timedelta(days=1))
        return made

    def synced(self, username: str, at: datetime, client_id: uuid.UUID | None = None) -> None:
        """The server's record of the user's last sync on a workstation (this one's by default). The
        tests act at NOW, days before the server's own clock: as if their workstation last synced the
        day before, so the times they give fall inside the window the server trusts."""
        with self.admin.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO api.workstation_syncs (client_id, username, through_seq, synced_at)"
                    " VALUES (:c, :u, 0, :at) ON CONFLICT (client_id, username)"
                    " DO UPDATE SET synced_at = EXCLUDED.synced_at"
                ),
                {"c": client_id or self.client_id, "u": username, "at": at},
            )

    def login(self, user: UserRecord | str) -> Engine:
        """An engine that connects as the user's login role, with the password it was given."""
        name = user if isinstance(user, str) else user.username
        if name not in self.logins:
            url = self.location.url.set(username=name, password=self.passwords.get(name))
            self.logins[name] = create_engine(url, hide_parameters=True)
        return self.logins[name]

    def customer(self, **extra: Any) -> uuid.UUID:
        number = next(_counter)
        made = factories.customer(account=f"5{number:07d}", **extra)
        with self.admin.begin() as connection:
            connection.execute(made.__table__.insert().values(**_columns(made)))
        return made.id

    def case(self, customer_id: uuid.UUID, **extra: Any) -> dict[str, Any]:
        """An open case of the customer's on the server (as `server init`'s data would hold it)."""
        number = next(_counter)
        values: dict[str, Any] = {
            "id": new_id(),
            "reference": f"CS-{number:07d}",
            "customer_id": customer_id,
            "kind": "broadband_fault",
            "title": "Broadband keeps dropping",
            "status": "open",
            "severity": "medium",
            "owner_id": None,
            "opened_at": NOW - timedelta(days=3),
            "updated_at": NOW - timedelta(days=3),
            "confirmation": "pending",
            "confirmation_attempts": 0,
            "appointment_missed": False,
            "customer_delay_days": 0,
            "formal_complaint": False,
            "reopened_count": 0,
            "version": 1,
        } | extra
        with self.admin.begin() as connection:
            connection.execute(Case.__table__.insert().values(**values))
        return values

    def offer(self, *, active: bool = True) -> uuid.UUID:
        number = next(_counter)
        made = new_id()
        with self.admin.begin() as connection:
            connection.execute(
                Offer.__table__.insert().values(
                    id=made,
                    code=f"OFFER-{number}",
                    title="Faster broadband",
                    description="Up to 900 Mb",
                    product="broadband",
                    monthly_price_pence=3_500,
                    active=active,
                )
            )
        return made

    def apply(
        self,
        engine: Engine,
        kind: str,
        payload: dict[str, Any],
        *,
        mutation_id: uuid.UUID | None = None,
        occurred_at: datetime = NOW,
    ) -> dict[str, Any]:
        with engine.begin() as connection:
            return apply(
                connection,
                kind,
                payload,
                mutation_id=mutation_id,
                client_id=self.client_id,
                occurred_at=occurred_at,
            )

    def pull(self, engine: Engine, after: int = 0, max_rows: int = 1000) -> dict[str, Any]:
        with engine.begin() as connection:
            result: dict[str, Any] = connection.execute(
                text("SELECT api.pull_changes(:after, :max)"), {"after": after, "max": max_rows}
            ).scalar_one()
        return result

    def close(self) -> None:
        for engine in self.logins.values():
            engine.dispose()
        with self.admin.begin() as connection:
            for name in self.roles:
                connection.execute(
                    text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :n"),
                    {"n": name},
                )
                connection.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
        self.admin.dispose()


def apply(
    connection: Any,
    kind: str,
    payload: dict[str, Any],
    *,
    mutation_id: uuid.UUID | None = None,
    client_id: uuid.UUID | None = None,
    occurred_at: datetime = NOW,
) -> dict[str, Any]:
    result: dict[str, Any] = connection.execute(
        text("SELECT api.apply_mutation(:m, :c, :s, :k, CAST(:p AS jsonb), :t)"),
        {
            "m": mutation_id or new_id(),
            "c": client_id or uuid.uuid4(),
            "s": next(_counter),
            "k": kind,
            "p": json.dumps(payload),
            "t": occurred_at,
        },
    ).scalar_one()
    return result


def goodwill_payload(customer_id: uuid.UUID, amount_pence: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": str(new_id()),
        "customer_id": str(customer_id),
        "kind": "compensation",
        "amount_pence": amount_pence,
        "reason_category": "service outage",
        "reason_text": "line down for a week",
    } | extra


def _columns(row: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}
