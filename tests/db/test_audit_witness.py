"""Tampering with the server's audit chain, as an administrator with the rights to lift its trigger
would: every tamper is named by `audit verify --witness` (a workstation's store, which kept the chain
heads it saw at its syncs), including those the chain alone cannot show (a cut tail, TRUNCATE, a
chain rehashed from some entry on); and a workstation names them at its next sync."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from console import cli
from domain.vocabulary import Role
from storage import audit
from storage.models import AuditEntry
from storage.store import Store, open_store
from tests.helpers.central import Central
from tests.helpers.workstations import Workstation, workstation

pytestmark = pytest.mark.postgres

ENTRIES = 15


def append(central: Central, count: int) -> None:
    with central.admin.begin() as connection:
        for number in range(count):
            connection.execute(
                text(
                    "SELECT api.audit_append(now(), 'sam', 'goodwill.approve', 'goodwill', gen_random_uuid(),"
                    " jsonb_build_object('amount_pence', CAST(:n AS integer)))"
                ),
                {"n": 100 + number},
            )


def sync(station: Workstation) -> tuple[str, ...]:
    summary = asyncio.run(station.engine().sync_once())
    assert summary.offline is None, summary.offline
    return summary.audit_problems


@pytest.fixture
def witnessed(central: Central, tmp_path: Path) -> Iterator[tuple[Workstation, Store]]:
    """A chain of entries whose heads a workstation saw at three syncs, and the server as a store."""
    user = central.add_user(Role.ADVISOR, 5_000)
    station = workstation(central, tmp_path, user, [user])
    for _ in range(3):
        append(central, ENTRIES // 3)
        assert sync(station) == ()
    server = open_store(central.location, upgrade=False)
    try:
        yield station, server
    finally:
        server.close()
        station.store.close()


def verify(server: Store, *witnesses: Store) -> tuple[int, str]:
    url = server.location.url.render_as_string(hide_password=False)
    args = ["audit", "verify", "--db", url]
    for store in witnesses:
        args += ["--witness", str(store.location.sqlite_path)]
    return cli.main(args), ""


# -- the tampers ----------------------------------------------------------------------------------------

Tamper = Callable[[Session, list[int]], None]


def rehash_from(session: Session, seq: int) -> None:
    """Recompute every hash from `seq` on, as someone hiding an edit would."""
    before = session.scalar(
        select(AuditEntry.hash).where(AuditEntry.seq < seq).order_by(AuditEntry.seq.desc())
    )
    previous = before or audit.GENESIS
    for row in session.scalars(select(AuditEntry).where(AuditEntry.seq >= seq).order_by(AuditEntry.seq)):
        row.prev_hash = previous
        row.hash = audit.entry_hash(
            at=row.at,
            actor=row.actor,
            action=row.action,
            entity=row.entity,
            entity_id=row.entity_id,
            detail=row.detail,
            prev_hash=previous,
        )
        previous = row.hash
    session.flush()


def run(*statements: str) -> Tamper:
    def tamper(session: Session, _seqs: list[int]) -> None:
        for statement in statements:
            session.execute(text(statement))

    return tamper


def edit(seq: int, column: str = "actor") -> str:
    value = {"actor": "'mallory'", "detail": "'{\"amount_pence\": 1}'", "at": "at - interval '1 day'"}[column]
    return f"UPDATE audit_log SET {column} = {value} WHERE seq = {seq}"


def at(pick: Callable[[list[int]], str], *then: Callable[[Session, list[int]], None]) -> Tamper:
    """A statement built from the chain's seqs, then any rehashing."""

    def tamper(session: Session, seqs: list[int]) -> None:
        session.execute(text(pick(seqs)))
        for step in then:
            step(session, seqs)

    return tamper


def swap(session: Session, seqs: list[int]) -> None:
    a, b = seqs[3], seqs[4]
    for statement in (f"seq = -1 WHERE seq = {a}", f"seq = {a} WHERE seq = {b}", f"seq = {b} WHERE seq = -1"):
        session.execute(text(f"UPDATE audit_log SET {statement}"))


def rehash_at(index: int) -> Callable[[Session, list[int]], None]:
    return lambda session, seqs: rehash_from(session, seqs[index])


TAMPERS: dict[str, Tamper] = {
    "edit a middle entry": at(lambda q: edit(q[7], "detail")),
    "edit the first entry": at(lambda q: edit(q[0])),
    "edit the last entry": at(lambda q: edit(q[-1])),
    "move an entry's time": at(lambda q: edit(q[4], "at")),
    "edit the last entry and rehash it": at(lambda q: edit(q[-1]), rehash_at(-1)),
    "forge a hash": at(lambda q: f"UPDATE audit_log SET hash = repeat('a', 64) WHERE seq = {q[6]}"),
    "forge a previous hash": at(
        lambda q: f"UPDATE audit_log SET prev_hash = repeat('b', 64) WHERE seq = {q[6]}"
    ),
    "delete a middle entry": at(lambda q: f"DELETE FROM audit_log WHERE seq = {q[7]}"),
    "delete the first entry": at(lambda q: f"DELETE FROM audit_log WHERE seq = {q[0]}"),
    "delete the last entry": at(lambda q: f"DELETE FROM audit_log WHERE seq = {q[-1]}"),
    "delete the last ten": at(lambda q: f"DELETE FROM audit_log WHERE seq >= {q[-10]}"),
    "delete all but the first": at(lambda q: f"DELETE FROM audit_log WHERE seq > {q[0]}"),
    "truncate": run("TRUNCATE audit_log"),
    "reorder two entries": swap,
    "rehash from a middle entry": at(lambda q: edit(q[5], "detail"), rehash_at(5)),
    "delete a middle entry and rehash the rest": at(
        lambda q: f"DELETE FROM audit_log WHERE seq = {q[5]}", rehash_at(6)
    ),
    "rewrite every entry and rehash": at(lambda _: "UPDATE audit_log SET actor = 'mallory'", rehash_at(0)),
    "renumber the tail": at(lambda q: f"UPDATE audit_log SET seq = seq + 1000 WHERE seq > {q[-4]}"),
}


def lift_trigger(server: Store) -> None:
    with server.write() as session:
        session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))


@pytest.mark.parametrize("name", list(TAMPERS))
def test_every_tamper_is_named_by_audit_verify_with_a_witness(
    witnessed: tuple[Workstation, Store], name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    station, server = witnessed
    assert verify(server, station.store)[0] == 0
    assert "3 witnessed heads held" in capsys.readouterr().out
    lift_trigger(server)
    with server.write() as session:
        seqs = list(session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)))
        TAMPERS[name](session, seqs)
    code, _ = verify(server, station.store)
    out, err = capsys.readouterr()
    assert code == 3, out + err
    assert "audit log broken at seq " in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("name", ["delete the last entry", "truncate", "rehash from a middle entry"])
def test_a_workstation_names_the_tamper_at_its_next_sync(
    witnessed: tuple[Workstation, Store], name: str
) -> None:
    station, server = witnessed
    lift_trigger(server)
    with server.write() as session:
        seqs = list(session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)))
        TAMPERS[name](session, seqs)
    problems = sync(station)
    assert problems and all("seen by this workstation" in line for line in problems)
    assert f"seq {seqs[-1]}:" in problems[-1]
    assert sync(station) == problems  # named again at every sync, never taken as the new head


def test_a_chain_that_grows_is_no_problem(central: Central, witnessed: tuple[Workstation, Store]) -> None:
    station, server = witnessed
    append(central, 3)
    assert sync(station) == ()
    assert verify(server, station.store)[0] == 0


def test_a_cut_tail_passes_without_a_witness(
    witnessed: tuple[Workstation, Store], capsys: pytest.CaptureFixture[str]
) -> None:
    """Why the witness: the chain alone cannot show that its last entries are gone."""
    _, server = witnessed
    lift_trigger(server)
    with server.write() as session:
        session.execute(text("DELETE FROM audit_log WHERE seq > (SELECT max(seq) - 10 FROM audit_log)"))
    assert verify(server)[0] == 0
    assert "intact" in capsys.readouterr().out


def test_a_server_not_yet_upgraded_is_synced_with_unwitnessed(
    central: Central, witnessed: tuple[Workstation, Store]
) -> None:
    station, _ = witnessed
    with central.admin.begin() as connection:
        connection.execute(text("DROP FUNCTION api.audit_witness(bigint[])"))
        connection.execute(text("DROP FUNCTION api.sync_mark(uuid, bigint, timestamptz)"))
    append(central, 1)
    assert sync(station) == ()


def test_one_engine_witnesses_after_a_push_and_once_a_minute_not_every_pull(
    central: Central, tmp_path: Path
) -> None:
    """At a thousand workstations a witness and a mark after every pull tripled the server's calls:
    one engine witnesses (and marks) at its first pull, after a push, and a minute after the last;
    a tamper found is still shown by the syncs in between."""
    user = central.add_user(Role.ADVISOR, 5_000)
    station = workstation(central, tmp_path, user, [user])
    engine = station.engine()
    calls: list[int] = []
    witness = engine._link.audit_witness

    async def counted(seqs: list[int]) -> dict[str, object]:
        calls.append(len(seqs))
        return await witness(seqs)

    engine._link.audit_witness = counted  # type: ignore[method-assign]

    def sync_now() -> tuple[str, ...]:
        summary = asyncio.run(engine.sync_once(force_pull=True))
        assert summary.offline is None, summary.offline
        return summary.audit_problems

    append(central, 3)
    sync_now()
    station.clock.advance(timedelta(seconds=30))
    sync_now()
    assert len(calls) == 1
    station.clock.advance(timedelta(seconds=31))
    sync_now()
    assert len(calls) == 2
    with central.admin.begin() as connection:  # the newest entry this workstation saw goes
        connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        connection.execute(text("DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)"))
    station.clock.advance(timedelta(minutes=1))
    assert sync_now() != ()
    station.clock.advance(timedelta(seconds=10))
    assert sync_now() != ()  # not witnessed again, still shown
    assert len(calls) == 3
