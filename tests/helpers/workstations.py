"""Workstations for sync tests: each its own SQLite store holding the same users and customers as the
central server, a console user signed in, and a SyncEngine connected as that user's login role."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from console.clock import ManualClock
from console.services.goodwill import GoodwillService
from console.sync.engine import SyncEngine
from console.sync.push import RetryPolicy
from console.sync.remote import Connect, connector, conninfo
from domain.records import OutboxRecord, UserRecord
from storage.models import Customer, User
from storage.queries import sync as queries
from storage.store import Store
from tests.helpers import factories, sqlite_template
from tests.helpers.central import NOW, Central

# Fails at once: the socket folder does not exist (a workstation with the link down).
UNREACHABLE = "postgresql://nobody@/postgres?host=/nonexistent-advisor-console-socket&connect_timeout=1"
QUICK_RETRY = RetryPolicy(attempts=3, first_delay=0.5)


@dataclass
class Sleeper:
    """The injected sleep: records each delay and returns at once (no test waits on a timer)."""

    delays: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(0)


@dataclass
class Workstation:
    store: Store
    user: UserRecord
    clock: ManualClock
    central: Central
    sleeper: Sleeper = field(default_factory=Sleeper)

    @property
    def goodwill(self) -> GoodwillService:
        return GoodwillService(self.store, self.clock, self.user)

    def connect(self) -> Connect:
        return connector(conninfo(self.central.login(self.user).url))

    def engine(self, *, online: bool = True, **options: Any) -> SyncEngine:
        connect = self.connect() if online else connector(UNREACHABLE)
        options.setdefault("listen", False)
        options.setdefault("retry", QUICK_RETRY)
        return SyncEngine(self.store, connect, clock=self.clock, sleep=self.sleeper, **options)

    def outbox(self) -> list[OutboxRecord]:
        with self.store.read() as session:
            return queries.entries(session)

    def count(self, model: Any, *where: Any) -> int:
        with self.store.read() as session:
            return int(session.execute(select(func.count()).select_from(model).where(*where)).scalar_one())


def add_everywhere(central: Central | None, stores: list[Store], row: Any) -> None:
    """The same row (a customer) on the server (unless None) and on each workstation."""
    values = {column.key: getattr(row, column.key) for column in row.__table__.columns}
    if central is not None:
        with central.admin.begin() as connection:
            connection.execute(row.__table__.insert().values(**values))
    for store in stores:
        with store.write() as session:
            session.execute(row.__table__.insert().values(**values))


def workstation(central: Central, folder: Path, user: UserRecord, everyone: list[UserRecord]) -> Workstation:
    """A fresh store holding `everyone` (the team as the server has it), signed in as `user`."""
    store = sqlite_template.new_store(folder / f"{user.username}.db")
    with store.write() as session:
        session.add_all([local_user(person) for person in everyone])
    return Workstation(store, user, ManualClock(NOW), central)


def local_user(user: UserRecord) -> User:
    return factories.user(
        user.username,
        user.role,
        id=user.id,
        display_name=user.display_name,
        goodwill_limit_pence=user.goodwill_limit_pence,
        team=user.team,
    )


def shared_customer(central: Central, stores: list[Store], account: str = "41000001") -> uuid.UUID:
    made: Customer = factories.customer(account=account)
    add_everywhere(central, stores, made)
    return made.id
