"""`make load` / `python -m tests.load`: a throwaway PostgreSQL behind PgBouncer, N simulated
workstations in one or more client processes for a bounded time (optionally a server restart and a
share of workstations losing their notices mid-run), then the figures: one table on stdout and JSON."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import sys
import time
import warnings
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from domain.vocabulary import Role
from tests.load.check import check
from tests.load.clients import DRAIN, Plan, Seat, run_process
from tests.load.pooler import PgBouncer, free_port, wait_for_port
from tests.load.relay import run_relay
from tests.load.report import figures, table
from tests.load.sampler import Sampler
from tests.load.server import LoadServer

NOTICE_SOURCES = ("relay", "listen", "none")


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.load", description=__doc__)
    parser.add_argument("--workstations", type=int, default=1000, metavar="N")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--supervisors", type=int, default=None, help="of the N (default N/50, at least 1)")
    parser.add_argument(
        "--processes", type=int, default=None, help="client processes (default 2 from 200 on)"
    )
    parser.add_argument(
        "--notices",
        choices=NOTICE_SOURCES,
        default="relay",
        help="relay: one LISTEN connection fanned out (default); listen: one per workstation; none: timer",
    )
    parser.add_argument(
        "--interest",
        choices=("customers", "everyone"),
        default="customers",
        help="with the relay: notices for the workstation's own customers (default), or all",
    )
    parser.add_argument(
        "--pulls",
        choices=("held", "all"),
        default="held",
        help="held: api.pull_held, changes of the customers a workstation holds (default); all: pull_changes",
    )
    parser.add_argument(
        "--logins",
        choices=("gateway", "own"),
        default="gateway",
        help="gateway: PgBouncer signs in as console_gateway, calls name pooled sessions (default); "
        "own: PgBouncer signs in as each person (one pool per login)",
    )
    parser.add_argument("--restart-at", type=float, default=None, metavar="SECONDS")
    parser.add_argument(
        "--drop-notices",
        type=float,
        default=0.05,
        metavar="SHARE",
        help="share of advisors whose notice connection drops for good mid-run",
    )
    parser.add_argument("--drop-at", type=float, default=None, metavar="SECONDS", help="default: a third in")
    parser.add_argument(
        "--server-connections",
        type=int,
        default=None,
        help="PgBouncer's server connections (default: 40 with --logins gateway, 180 with own)",
    )
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--json", type=Path, default=None, metavar="PATH")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.workstations < 2 or args.minutes <= 0:
        parser.error("at least 2 workstations and a positive number of minutes")
    return args


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    warnings.simplefilter("ignore")
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    supervisors = args.supervisors or max(1, args.workstations // 50)
    if args.server_connections is None:
        args.server_connections = 40 if args.logins == "gateway" else 180
    processes = args.processes or (2 if args.workstations >= 200 else 1)
    seconds = args.minutes * 60
    listening = args.workstations if args.notices == "listen" else 0
    began = time.time()
    print(
        f"load: starting PostgreSQL, seeding {args.customers:,} customers, {args.workstations:,} logins",
        file=sys.stderr,
        flush=True,
    )
    server = LoadServer(max_connections=listening + args.server_connections + 50)
    pooler: PgBouncer | None = None
    relay: multiprocessing.process.BaseProcess | None = None
    context = multiprocessing.get_context("spawn")
    relay_stop = context.Event()
    relay_answers: Any = context.Queue()
    try:
        server.prepare(args.customers)
        logins = server.add_logins(args.workstations - supervisors, supervisors)
        pooler = PgBouncer(
            server.folder / "pgbouncer",
            socket_dir=server.socket_dir,
            port=server.port,
            database=server.database,
            secrets=server.scram_secrets([login.username for login in logins]),
            max_clients=2 * args.workstations + 100,  # a link being replaced holds two for a moment
            server_connections=args.server_connections,
            run_as=server._server.system_user,
            gateway=server.gateway_password() if args.logins == "gateway" else None,
        )
        pooler.start()
        bosses = [login for login in logins if login.role is Role.SUPERVISOR]
        seats = [
            Seat(
                login.username,
                str(login.user_id),
                login.role.value,
                login.limit_pence,
                pooler.conninfo(login.username, login.password),
                server.login_uri(login),
                (bosses.index(login), len(bosses)) if login.role is Role.SUPERVISOR else (0, 1),
            )
            for login in logins
        ]
        relay_address = None
        if args.notices == "relay":
            relay_port = free_port()
            relay_address = f"tcp://127.0.0.1:{relay_port}"
            relay = context.Process(
                target=run_relay,
                args=(server.relay_login(), relay_port, relay_stop, relay_answers),
                name="notice-relay",
            )
            relay.start()
            wait_for_port(relay_port)
        customers = server.customer_ids(args.customers)
        cursor = server.head()
        pull_function = "pull_held" if args.pulls == "held" else "pull_changes"
        pulls_before = server.function_calls(pull_function)
        times_before = server.function_times()
        sessions_before = server.sessions()
        setup = time.time() - began
        # Every process has made its workstations and (gateway) signed them in.
        start_at = time.time() + 3 + args.workstations / (50 if args.logins == "gateway" else 500)
        drop_at = args.drop_at if args.drop_at is not None else seconds / 3
        plans = [
            Plan(
                seats=seats[number::processes],  # advisors and supervisors in every process
                customers=customers,
                cursor=cursor,
                start_at=start_at,
                seconds=seconds,
                notices=args.notices,
                relay=relay_address,
                interest=args.interest,
                pulls=args.pulls,
                drop_at=drop_at if args.drop_notices > 0 else None,
                drop_share=args.drop_notices,
                seed=args.seed * 1000 + number,
                gateway=args.logins == "gateway",
            )
            for number in range(processes)
        ]
        helpers: dict[str, int] = {"PgBouncer": pooler.pid()}
        if relay is not None and relay.pid is not None:
            helpers["relay"] = relay.pid
        sampler = Sampler(server.admin_uri, server.postmaster_pid, helpers)
        print(
            f"load: set up in {setup:.0f} s; {args.workstations:,} workstations ({supervisors} supervisors) "
            f"for {args.minutes:g} min in {processes} process(es), notices: {args.notices}",
            file=sys.stderr,
            flush=True,
        )
        restart_seconds = None
        with ProcessPoolExecutor(processes, mp_context=context) as pool:
            futures = [pool.submit(run_process, plan) for plan in plans]
            time.sleep(max(start_at - time.time(), 0))
            sampler.start()
            if args.restart_at is not None:
                time.sleep(max(start_at + args.restart_at - time.time(), 0))
                print("load: restarting PostgreSQL (pg_ctl restart -m fast)", file=sys.stderr, flush=True)
                restart_seconds = server.restart()
            results = [future.result(timeout=seconds + DRAIN + 600) for future in futures]
        samples = sampler.finish()
        relay_figures = None
        if relay is not None:
            relay_stop.set()
            relay_figures = relay_answers.get(timeout=30)
        ran = time.time() - start_at
        pulls_at_server = server.function_calls(pull_function) - pulls_before
        times = server.function_times()
        # Server time by function over the run, the costliest first: where a faster server would help.
        spent = {
            name: (calls - times_before.get(name, (0, 0.0))[0], ms - times_before.get(name, (0, 0.0))[1])
            for name, (calls, ms) in times.items()
        }
        server_functions = {
            name: {"calls": calls, "ms": round(ms), "ms_per_call": round(ms / calls, 2) if calls else None}
            for name, (calls, ms) in sorted(spent.items(), key=lambda item: -item[1][1])
            if calls
        }
        sessions = server.sessions() - sessions_before
        sent: dict[str, str] = {}
        leftover: list[str] = []
        for result in results:
            sent.update(result["sent"])
            leftover += [goodwill for ids in result["leftover"].values() for goodwill in ids]
        verdict = check(server.admin_uri, sent, leftover)
        found = figures(
            args=vars(args) | {"json": str(args.json) if args.json else None},
            results=results,
            samples=samples,
            verdict=verdict,
            seconds=seconds,
            ran=ran,
            pulls_at_server=pulls_at_server,
            sessions=sessions,
            restart_seconds=restart_seconds,
            processes=processes,
            supervisors=supervisors,
            relay=relay_figures,
        )
        found["server_functions"] = server_functions
        print(table(found))
        if args.json is not None:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            print(f"load: figures written to {args.json}", file=sys.stderr)
        problems = Counter({"lost": verdict["lost"], "doubled": verdict["doubled"]})
        return 1 if any(problems.values()) else 0
    finally:
        if relay is not None:
            relay_stop.set()
            relay.join(timeout=30)
            if relay.is_alive():
                relay.terminate()
        if pooler is not None:
            pooler.stop()
        server.cleanup()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    raise SystemExit(main())
