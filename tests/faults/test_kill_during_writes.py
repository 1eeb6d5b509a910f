"""The console process killed with SIGKILL in the middle of its writes, again and again: each time
the store passes `PRAGMA integrity_check`, opens, and holds every change the process acknowledged
with its mutation in the outbox; the outbox numbers have no gap; a sync then puts them all on the
server."""

from __future__ import annotations

import asyncio
import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, text
from sqlalchemy import select as sql_select

from domain.vocabulary import MutationState, Role
from storage.location import parse_location
from storage.models import Goodwill, Handoff, OutboxEntry, Promise, SyncIdentity
from storage.store import open_store
from tests.helpers.central import Central
from tests.helpers.workstations import shared_customer, workstation

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
KILLS = 5
SEED = 5_2026
LINE_WAIT = 60.0  # seconds for one acknowledged write (the child's start-up included): a hang fails
TABLES = {"goodwill": Goodwill, "promise": Promise, "handoff": Handoff}


def start_writer(
    store: Path, user_id: uuid.UUID, customer_id: uuid.UUID, seed: int
) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.helpers.store_writer",
            str(store),
            str(user_id),
            str(customer_id),
            str(seed),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def read_acks(child: subprocess.Popen[bytes], count: int) -> bytes:
    """Whole lines from the child's stdout until `count` arrived (bounded wait for each)."""
    assert child.stdout is not None
    fd = child.stdout.fileno()
    got = b""
    while got.count(b"\n") < count:
        ready, _, _ = select.select([fd], [], [], LINE_WAIT)
        chunk = os.read(fd, 65536) if ready else b""
        if not chunk:
            child.kill()
            _, err = child.communicate(timeout=30)
            pytest.fail(f"the writer stopped acknowledging: {err.decode(errors='replace')[-2000:]}")
        got += chunk
    return got


def kill_mid_writes(child: subprocess.Popen[bytes], after: int) -> list[tuple[str, uuid.UUID, uuid.UUID]]:
    seen = read_acks(child, after)
    child.send_signal(signal.SIGKILL)  # the child is already in its next write
    rest, _ = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    acks = []
    for line in (seen + rest).split(b"\n")[:-1]:  # a line cut short by the kill has no newline
        act, record_id, mutation_id = line.decode().split()
        acks.append((act, uuid.UUID(record_id), uuid.UUID(mutation_id)))
    return acks


def check_store(path: Path, acks: list[tuple[str, uuid.UUID, uuid.UUID]]) -> None:
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        connection.close()
    store = open_store(parse_location(str(path)))
    try:
        with store.read() as session:
            for act, record_id, mutation_id in acks:
                assert session.get(TABLES[act], record_id) is not None, (act, record_id)
                entry = session.get(OutboxEntry, mutation_id)
                assert entry is not None, (act, mutation_id)
                if act != "handoff":  # a handoff's mutation is its timeline line (contact.add)
                    assert entry.entity_id == record_id
            # One number per committed mutation, none lost or handed out twice by a killed write.
            numbers = list(
                session.scalars(sql_select(OutboxEntry.client_seq).order_by(OutboxEntry.client_seq))
            )
            assert numbers == list(range(1, len(numbers) + 1))
            assert session.execute(sql_select(func.max(SyncIdentity.last_seq))).scalar_one() == len(numbers)
    finally:
        store.close()


def test_sigkill_mid_writes_loses_no_acknowledged_change(central: Central, tmp_path: Path) -> None:
    advisor = central.add_user(Role.ADVISOR, 5_000, hint="adv")
    station = workstation(central, tmp_path, advisor, [advisor])
    customer_id = shared_customer(central, [station.store])
    path = Path(station.store.location.sqlite_path)
    station.store.close()
    rng = random.Random(SEED)
    acknowledged: list[tuple[str, uuid.UUID, uuid.UUID]] = []
    for round_number in range(KILLS):
        child = start_writer(path, advisor.id, customer_id, seed=rng.randrange(1 << 30))
        acks = kill_mid_writes(child, after=rng.randint(3, 25))
        acknowledged += acks
        check_store(path, acknowledged)
        assert len(acks) >= 3, round_number

    # The link returns: every acknowledged change reaches the server, once.
    station.store = open_store(parse_location(str(path)))
    try:
        summary = asyncio.run(station.engine().sync_once())
        assert summary.offline is None and summary.waiting == 0 and summary.rejected == 0
        entries = station.outbox()
        assert {entry.state for entry in entries} == {MutationState.ACCEPTED}
    finally:
        station.store.close()
    with central.admin.connect() as connection:
        logged = set(
            connection.execute(
                text("SELECT mutation_id FROM mutation_log WHERE client_id = :c"), {"c": entries[0].client_id}
            ).scalars()
        )
    assert {mutation_id for _, _, mutation_id in acknowledged} <= logged
    assert logged == {entry.mutation_id for entry in entries}
