"""THROWAWAY review experiment; delete after running."""

from __future__ import annotations

import asyncio
import threading
import time

import psycopg
import pytest
from psycopg import sql

from console.sync.pooled import PooledSession, run_pooled, run_pooled_blocking
from domain.vocabulary import Role
from tests.db.test_pooled_sessions import direct, gateway_info
from tests.helpers.central import Central

pytestmark = pytest.mark.postgres

OTHERS = "SELECT state, query FROM pg_stat_activity WHERE usename = 'console_gateway' AND pid <> pg_backend_pid()"


def test_review(central: Central) -> None:
    alex = central.add_user(Role.ADVISOR, 5_000)
    sam = central.add_user(Role.SUPERVISOR, 50_000)
    sam_token = PooledSession(direct(central, sam)).token()
    alex_token = PooledSession(direct(central, alex)).token()
    out: list[str] = []

    # 1. HEAD (bbd47aa) style: token as literal in a simple-protocol message; watcher has NO token.
    with (
        psycopg.connect(gateway_info(central), autocommit=True) as calling,
        psycopg.connect(gateway_info(central), autocommit=True) as watching,
    ):
        q = sql.SQL("SELECT pg_catalog.set_config('console.session', {}, true); SELECT pg_sleep(0.4), api.person()").format(
            sql.Literal(sam_token)
        )

        def head_call() -> None:
            cur = psycopg.ClientCursor(calling)
            cur.execute(q)

        t = threading.Thread(target=head_call)
        t.start()
        seen_running = []
        while t.is_alive():
            seen_running += [str(r[1]) for r in watching.execute(OTHERS).fetchall()]
            time.sleep(0.02)
        t.join()
        seen_idle = [f"{r[0]}|{r[1]}" for r in watching.execute(OTHERS).fetchall()]
        out.append(f"HEAD running: token visible={any(sam_token in s for s in seen_running)}")
        out.append(f"HEAD idle after call: token visible={any(sam_token in s for s in seen_idle)} {seen_idle[:1]}")
        # use the stolen token from a tokenless gateway connection
        stolen = [s for s in seen_idle if sam_token in s]
        if stolen:
            rows = run_pooled_blocking(watching, sam_token, "SELECT api.person(), (SELECT count(*) FROM audit_log)", (), 5000)
            out.append(f"HEAD stolen token acts as: {rows}")

    # 2. Working-tree style: bound parameter.
    with (
        psycopg.connect(gateway_info(central), autocommit=True) as calling,
        psycopg.connect(gateway_info(central), autocommit=True) as watching,
    ):
        t = threading.Thread(
            target=run_pooled_blocking, args=(calling, sam_token, "SELECT pg_sleep(0.4), %s", ("x",), 5000)
        )
        t.start()
        seen_running = []
        while t.is_alive():
            seen_running += [str(r[1]) for r in watching.execute(OTHERS).fetchall()]
            time.sleep(0.02)
        t.join()
        seen_idle = [f"{r[0]}|{r[1]}" for r in watching.execute(OTHERS).fetchall()]
        out.append(f"WT running: token visible={any(sam_token in s for s in seen_running)} texts={sorted(set(seen_running))}")
        out.append(f"WT idle: token visible={any(sam_token in s for s in seen_idle)} {seen_idle}")

    # 3. Tokenless gateway: what it can read.
    with psycopg.connect(gateway_info(central), autocommit=True) as c:
        for stmt in (
            "SELECT count(*) FROM pg_stat_activity",
            "SELECT count(*) FROM users",
            "SELECT count(*) FROM api.sessions",
            "SELECT api.end_session('x')",
            "SELECT has_database_privilege('console_gateway', current_database(), 'TEMP')",
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user",
            "SELECT setting FROM pg_settings WHERE name IN ('log_statement','log_min_error_statement') ORDER BY name",
        ):
            try:
                out.append(f"tokenless {stmt!r}: {c.execute(stmt).fetchall()}")
            except psycopg.Error as exc:
                out.append(f"tokenless {stmt!r}: ERR {type(exc).__name__}: {str(exc).splitlines()[0]}")

    # 4. Session-state poisoning of a shared backend by a tokenless pooler client.
    poisons = {
        "read_only": ("SET default_transaction_read_only = on", "SELECT current_setting('transaction_read_only')"),
        "timeout": ("SET statement_timeout = '1ms'", "SELECT pg_sleep(0.05), api.person()"),
        "search_path": (
            "CREATE TEMP TABLE jsonb (x int); SET search_path = pg_temp, pg_catalog",
            "SELECT api.person(), %s::jsonb",
        ),
    }
    for name, (poison, victim) in poisons.items():
        with psycopg.connect(gateway_info(central), autocommit=True) as c:
            c.execute(poison)  # type: ignore[arg-type]

            async def go() -> list:
                async with await psycopg.AsyncConnection.connect(gateway_info(central), autocommit=True) as ac:
                    return []

            try:
                params = ('{"a":1}',) if "%s" in victim else ()
                with c.pipeline(), c.transaction():
                    c.execute("SELECT pg_catalog.set_config('console.session', %s, true)", (alex_token,))
                    cur = c.execute(victim, params)  # type: ignore[arg-type]
                out.append(f"poison {name}: victim got {cur.fetchall()}")
            except psycopg.Error as exc:
                out.append(f"poison {name}: victim ERR {type(exc).__name__}: {str(exc).splitlines()[0]}")
            # proposed fix: RESET ALL + explicit READ WRITE in the victim's transaction
            try:
                c.read_only = False
                with c.pipeline(), c.transaction():
                    c.execute("RESET ALL")
                    c.execute("SELECT pg_catalog.set_config('console.session', %s, true)", (alex_token,))
                    cur = c.execute(victim, params)  # type: ignore[arg-type]
                out.append(f"poison {name} + RESET ALL/READ WRITE: victim got {cur.fetchall()}")
            except psycopg.Error as exc:
                out.append(f"poison {name} + fix: victim ERR {type(exc).__name__}: {str(exc).splitlines()[0]}")

    # 5. async run_pooled (engine path) sets no statement_timeout: after poisoning timeout=0 it inherits.
    async def engine_path() -> str:
        async with await psycopg.AsyncConnection.connect(gateway_info(central), autocommit=True, prepare_threshold=None) as ac:
            await ac.execute("SET statement_timeout = 0")
            rows = await run_pooled(ac, alex_token, "SELECT current_setting('statement_timeout')", ())
            return str(rows)

    out.append(f"engine path statement_timeout after poison: {asyncio.run(engine_path())}")

    print("\n=====REVIEW=====\n" + "\n".join(out))
