"""The run's figures from the client processes' results and the server samples: one dictionary (the
JSON file) and one table for the terminal."""

from __future__ import annotations

import os
import platform
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from tests.load.sampler import Samples
from tests.load.workstation import percentile

TARGET_APPROVAL_P95 = 2.0
TARGET_CONNECTIONS = 200


def _ms(values: list[float], fraction: float) -> float | None:
    found = percentile(values, fraction)
    return None if found is None else round(found * 1000, 1)


def _rate(series: list[tuple[float, float]]) -> float | None:
    """CPU seconds per wall second over the series (1.0 = one core busy)."""
    if len(series) < 2 or series[-1][0] <= series[0][0]:
        return None
    return round((series[-1][1] - series[0][1]) / (series[-1][0] - series[0][0]), 2)


def figures(
    *,
    args: dict[str, Any],
    results: list[dict[str, Any]],
    samples: Samples,
    verdict: dict[str, Any],
    seconds: float,
    ran: float,
    pulls_at_server: int,
    sessions: int,
    restart_seconds: float | None,
    processes: int,
    supervisors: int,
    relay: dict[str, Any] | None,
) -> dict[str, Any]:
    acks = [v for r in results for v in r["acks"]]
    approvals = [v for r in results for v in r["approvals"]]
    dropped = [v for r in results for v in r["dropped_approvals"]]
    errors: Counter[str] = Counter()
    retries: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    for result in results:
        errors.update(result["errors"])
        retries.update(result["retries"])
        outcomes.update(result["outcomes"])
    backends = samples.backends
    pooled = [total - listen for total, listen in zip(samples.backends, samples.listening, strict=True)]
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": args,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "workstations": args["workstations"],
        "supervisors": supervisors,
        "client_processes": processes,
        "seconds": seconds,
        "ran_seconds": round(ran, 1),
        "mutations_answered": len(acks),
        "outcomes": dict(outcomes),
        "push_ack_ms": {
            "p50": _ms(acks, 0.5),
            "p95": _ms(acks, 0.95),
            "p99": _ms(acks, 0.99),
            "max": _ms(acks, 1.0),
        },
        "approval_ms": {
            "n": len(approvals),
            "p50": _ms(approvals, 0.5),
            "p95": _ms(approvals, 0.95),
            "p99": _ms(approvals, 0.99),
            "max": _ms(approvals, 1.0),
        },
        "approval_notices_dropped_ms": {
            "n": len(dropped),
            "p95": _ms(dropped, 0.95),
            "max": _ms(dropped, 1.0),
        },
        "pulls_per_second_at_server": round(pulls_at_server / ran, 1) if ran > 0 else None,
        "pulls_by_clients": sum(r["pulls"] for r in results),
        "server_sessions_per_second": round(sessions / ran, 1) if ran > 0 else None,
        "sign_in_seconds": round(max(r["sign_in_seconds"] for r in results), 1),
        "pushes": sum(r["pushes"] for r in results),
        "notices_heard": sum(r["notices"] for r in results),
        "server_connections": {
            "max": max(backends, default=0),
            "p95": percentile([float(b) for b in backends], 0.95),
            "pooled_max": max(pooled, default=0),
            "listen_max": max(samples.listening, default=0),
            "sampled": len(backends),
            "sample_failures": samples.failures,
        },
        "server_cpu_cores": _rate(samples.server_cpu),
        "server_memory_mb_max": round(max(samples.server_mb, default=0.0)),
        "helper_cpu_cores": {name: _rate(series) for name, series in samples.helper_cpu.items()},
        "helper_memory_mb_max": {name: round(max(mb, default=0.0)) for name, mb in samples.helper_mb.items()},
        "relay": relay,
        "client_cpu_cores": round(sum(r["cpu_seconds"] for r in results) / ran, 2) if ran > 0 else None,
        "load_average": {
            "min": round(min(samples.load, default=0.0), 1),
            "median": percentile(samples.load, 0.5),
            "max": round(max(samples.load, default=0.0), 1),
        },
        "errors": dict(errors),
        "error_count": sum(errors.values()),
        "retries": dict(retries),
        "restart_seconds": None if restart_seconds is None else round(restart_seconds, 2),
        "check": verdict,
        "targets_met": {
            "approval_p95_under_2s": bool(approvals)
            and (percentile(approvals, 0.95) or 0) < TARGET_APPROVAL_P95,
            "connections_at_most_200": max(backends, default=0) <= TARGET_CONNECTIONS,
            "no_errors": not errors,
            "nothing_lost_or_doubled": verdict["lost"] == 0 and verdict["doubled"] == 0,
            "all_answered": verdict["unfinished"] == 0,
        },
    }


def table(found: dict[str, Any]) -> str:
    ack, appr, conn = found["push_ack_ms"], found["approval_ms"], found["server_connections"]
    dropped = found["approval_notices_dropped_ms"]
    rows = [
        (
            "workstations",
            f"{found['workstations']:,} ({found['supervisors']} supervisors), "
            f"{found['seconds'] / 60:g} min, notices {found['command']['notices']}",
        ),
        ("mutations answered", f"{found['mutations_answered']:,}"),
        ("push ack p50/p95/p99", f"{ack['p50']} / {ack['p95']} / {ack['p99']} ms (max {ack['max']})"),
        (
            "approval to advisor p50/p95/p99",
            f"{appr['p50']} / {appr['p95']} / {appr['p99']} ms (n {appr['n']}, max {appr['max']})",
        ),
        ("  with notices dropped", f"n {dropped['n']}, p95 {dropped['p95']} ms, max {dropped['max']} ms"),
        ("pulls/s at the server", f"{found['pulls_per_second_at_server']}"),
        ("server sessions started/s", f"{found['server_sessions_per_second']}"),
        (
            "server connections",
            f"max {conn['max']}, p95 {conn['p95']} (pooled max {conn['pooled_max']}, "
            f"LISTEN max {conn['listen_max']})",
        ),
        ("server CPU / memory", f"{found['server_cpu_cores']} cores, {found['server_memory_mb_max']} MB PSS"),
        *[
            (f"{name} CPU / memory", f"{cores} cores, {found['helper_memory_mb_max'].get(name)} MB")
            for name, cores in found["helper_cpu_cores"].items()
        ],
        ("simulator CPU", f"{found['client_cpu_cores']} cores in {found['client_processes']} process(es)"),
        (
            "load average",
            f"{found['load_average']['min']}-{found['load_average']['max']} "
            f"(median {found['load_average']['median']})",
        ),
        ("errors", f"{found['error_count']} {found['errors'] or ''}"),
        ("retries", f"{found['retries'] or 0}"),
        (
            "lost / doubled",
            f"{found['check']['lost']} / {found['check']['doubled']} (of {found['check']['sent']:,} sent; "
            f"{found['check']['unfinished']} still unanswered at the end)",
        ),
        ("approved, never pulled", f"{found['check']['approved_never_pulled']}"),
    ]
    if found["restart_seconds"] is not None:
        rows.append(("server restart", f"{found['restart_seconds']} s"))
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name.ljust(width)}  {value}" for name, value in rows)
