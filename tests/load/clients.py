"""One process of simulated workstations: each a Workstation on its own login, its pushes and pulls
through the pooler, its notices from the chosen source; run on one asyncio loop for the run's time,
then drained (pending pushes answered, awaited approvals pulled) and measured."""

from __future__ import annotations

import asyncio
import random
import resource
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import psycopg

from console.relay_address import parse_relay_address
from console.sync.notice_keys import EVERYONE, customer_keys
from console.sync.pooled import PooledSession
from console.sync.relay_client import subscribe
from console.sync.relay_ticket import fetch_ticket
from console.sync.remote import ServerLink, connector, notices
from domain.vocabulary import Role
from tests.load.workstation import Figures, NoticeSource, Workstation

DRAIN = 60.0  # seconds after the acts stop for the last pushes and approvals
STRAGGLERS = 70.0  # seconds past the drain a workstation may still be in a call (CALL_TIMEOUT and more)
HELD = 50  # customers a workstation serves (and, with the relay, wants notices for)


@dataclass(frozen=True)
class Seat:
    """What one workstation needs: its login and where it connects."""

    username: str
    user_id: str
    role: str
    limit_pence: int
    pooled: str  # libpq conninfo through the pooler, with the password
    direct: str  # libpq conninfo straight to the server (LISTEN, opening a pooled session), with the password
    supervisor_index: tuple[int, int]


@dataclass(frozen=True)
class Plan:
    """The run as every client process sees it (plain values: it crosses into a child process)."""

    seats: list[Seat]
    customers: list[str]
    cursor: int
    start_at: float  # wall time (time.time()) the workstations start
    seconds: float
    notices: str  # listen | relay | none
    relay: str | None  # tcp://127.0.0.1:PORT of the notice relay
    interest: str  # customers (the keys of the customers a workstation holds) | everyone
    pulls: str  # held (api.pull_held: the changes of the customers held) | all (api.pull_changes)
    drop_at: float | None  # seconds into the run when `drop_share` of the workstations lose notices
    drop_share: float
    seed: int
    gateway: bool = True  # the pooler signs in as console_gateway and calls name pooled sessions


def notice_source(plan: Plan, seat: Seat, station: Workstation, customers: list[str]) -> NoticeSource | None:
    """The workstation's notices: its own LISTEN connection, a subscription to the relay (with the
    ticket its own login fetches through its link), or none (timer pulls only)."""
    if plan.notices == "listen":
        connect = connector(seat.direct)

        def listen() -> AsyncIterator[str]:
            return notices(connect)

        return listen
    if plan.notices == "relay":
        assert plan.relay is not None
        address = parse_relay_address(plan.relay)
        if plan.interest == "everyone":
            keys: frozenset[str] = frozenset({EVERYONE})
        else:
            keys = customer_keys(uuid.UUID(customer) for customer in customers)

        async def subscribed() -> AsyncIterator[str]:
            async with station.lock:
                ticket = await fetch_ticket(station.link)
            async for head in subscribe(address, ticket, keys):
                yield str(head)

        return subscribed
    return None


def pooled_session(seat: Seat) -> PooledSession:
    """The workstation's pooled session, opened with its own login straight to the server."""
    return PooledSession(lambda: psycopg.connect(seat.direct, autocommit=True, connect_timeout=10))


async def run_seats(plan: Plan) -> dict[str, Any]:
    figures = Figures()
    rng = random.Random(plan.seed)
    stations = []
    for seat in plan.seats:
        link = ServerLink(connector(seat.pooled), session=pooled_session(seat) if plan.gateway else None)
        held = rng.sample(plan.customers, min(HELD, len(plan.customers)))
        stations.append(
            Workstation(
                username=seat.username,
                user_id=uuid.UUID(seat.user_id),
                role=Role(seat.role),
                limit_pence=seat.limit_pence,
                link=link,
                notices=None,
                customers=held,
                cursor=plan.cursor,
                figures=figures,
                rng=random.Random(rng.random()),
                supervisor_index=seat.supervisor_index,
                held_pulls=plan.pulls == "held",
            )
        )
    for seat, station in zip(plan.seats, stations, strict=True):
        station.notice_source = notice_source(plan, seat, station, station.advisor.customers)
    signed_in = time.monotonic()
    await asyncio.gather(*(asyncio.to_thread(s.link.session.token) for s in stations if s.link.session))
    figures.sign_in_seconds = time.monotonic() - signed_in
    await asyncio.sleep(max(plan.start_at - time.time(), 0.0))
    started = time.monotonic()
    until = started + plan.seconds
    drain_until = until + DRAIN
    advisors = [asyncio.create_task(s.run(until, drain_until)) for s in stations if s.role is Role.ADVISOR]
    supervisors = [
        asyncio.create_task(s.run(until, drain_until)) for s in stations if s.role is Role.SUPERVISOR
    ]
    dropped: list[Workstation] = []
    if plan.drop_at is not None:
        await asyncio.sleep(plan.drop_at)
        chosen = [s for s in stations if s.role is Role.ADVISOR]
        dropped = chosen[: int(len(chosen) * plan.drop_share)]
        for station in dropped:
            station.drop_notices()
            station.seen_approvals.clear()
    await asyncio.wait(advisors, timeout=max(drain_until - time.monotonic(), 0.0) + STRAGGLERS)
    for station in stations:
        station.stop()
    await asyncio.wait(supervisors, timeout=STRAGGLERS)
    stuck = [task for task in [*advisors, *supervisors] if not task.done()]
    for task in stuck:  # where each waits, innermost frame of its own coroutine
        frames = task.get_stack()
        where = f"{frames[-1].f_code.co_name}:{frames[-1].f_lineno}" if frames else "?"
        figures.errors[f"workstations still in a call when the run ended ({where})"] += 1
    result = figures.as_dict()
    result["leftover"] = {s.username: s.pending_approvals() for s in stations if s.awaiting}
    result["dropped"] = [s.username for s in dropped]
    result["dropped_approvals"] = [seconds for s in dropped for seconds in s.seen_approvals]
    result["cpu_seconds"] = (
        resource.getrusage(resource.RUSAGE_SELF).ru_utime + resource.getrusage(resource.RUSAGE_SELF).ru_stime
    )
    result["seconds"] = time.monotonic() - started
    return result


def run_process(plan: Plan) -> dict[str, Any]:
    """The entry point of a client process."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    # Not asyncio.run: its clean-up waits for every task, and a workstation stuck in a call would keep
    # the figures from ever being returned. The process ends after this; its sockets close with it.
    loop = asyncio.new_event_loop()
    return loop.run_until_complete(run_seats(plan))
