"""Cold start, a fresh process each run: `python -m tests.bench.cold_start STORE [RUNS]` prints one JSON
object.

- a customer's pane painted: `advisor-console screenshot --customer 10000003`, process start to its PNG,
  against the floor (tests/bench/floor.py: the same customer read with sqlite3 into a bare PySide6
  window, process start to its PNG). The two run in turn RUNS times, which goes first alternating,
  and the ratio is taken pair by pair (its median reported), so the shared machine's drift cancels;
- the window with the focused search box shown: `advisor-console open`, process start to the search
  box's first paint holding the focus (widgets/startup_probe.py; the console then quits).

The runs get their own settings, data and runtime folders: no configured server, no running console;
they write and reuse their bytecode (__pycache__), as an installed console does.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "10000003"
RUNS = 7


def _env(folder: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **extra)
    # As installed: the modules' bytecode is written on the warm-up run and read after, not compiled
    # from source at every start.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR"):
        path = folder / name.lower()
        path.mkdir(mode=0o700, exist_ok=True)
        env[name] = str(path)
    return env


def _children_cpu() -> float:
    """CPU seconds (user and system) of the finished child processes so far."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _to_png(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Milliseconds from starting the process to its exit, its PNG written: wall time and CPU time."""
    cpu, started = _children_cpu(), time.monotonic()
    subprocess.run(argv, check=True, capture_output=True, env=env, cwd=ROOT, timeout=300)
    return (time.monotonic() - started) * 1000, (_children_cpu() - cpu) * 1000


def _search_shown(store: str, env: dict[str, str], argv: list[str] | None = None) -> tuple[float, float]:
    """Milliseconds from starting `advisor-console open` (or `argv`, the floor's bare window) to its
    search box shown with the focus, and the CPU milliseconds the process used until it quit."""
    from widgets.startup_probe import PROBE, SHOWN

    cpu, started = _children_cpu(), time.monotonic()
    result = subprocess.run(
        argv or [sys.executable, "-m", "console", "open", "--db", store],
        check=True,
        capture_output=True,
        text=True,
        env={**env, PROBE: "1"},
        cwd=ROOT,
        timeout=300,
    )
    lines = [line for line in result.stderr.splitlines() if line.startswith(SHOWN)]
    if not lines:
        raise RuntimeError(f"the console never showed its search box: {result.stderr.strip()}")
    return (float(lines[0].removeprefix(SHOWN)) - started) * 1000, (_children_cpu() - cpu) * 1000


def measure(store: str, runs: int = RUNS) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="cold-start-") as temp:
        folder = Path(temp)
        env = _env(folder)
        app = [sys.executable, "-m", "console", "screenshot", str(folder / "app.png"), "--db", store]
        app += ["--customer", ACCOUNT]
        floor = [sys.executable, "-m", "tests.bench.floor", store, ACCOUNT, str(folder / "floor.png")]
        _to_png(app, env), _to_png(floor, env)  # warm the file cache for both
        pairs: list[tuple[tuple[float, float], tuple[float, float]]] = []
        for run in range(runs):
            if run % 2:
                bare = _to_png(floor, env)
                pairs.append((_to_png(app, env), bare))
            else:
                pairs.append((_to_png(app, env), _to_png(floor, env)))
        shown = [_search_shown(store, env) for _ in range(runs)]
        box = [sys.executable, "-m", "tests.bench.floor", "--search-box"]
        shown_floor = [_search_shown(store, env, box) for _ in range(runs)]
    return {
        "runs": runs,
        "pane_ms": [wall for (wall, _), _ in pairs],
        "floor_ms": [wall for _, (wall, _) in pairs],
        "pane_ratio": statistics.median(app[0] / bare[0] for app, bare in pairs),
        # CPU time barely moves with the machine's load: the same ratio in CPU, to exit.
        "pane_cpu_ms": [cpu for (_, cpu), _ in pairs],
        "floor_cpu_ms": [cpu for _, (_, cpu) in pairs],
        "pane_cpu_ratio": statistics.median(app[1] / bare[1] for app, bare in pairs),
        "shown_ms": [wall for wall, _ in shown],
        "shown_cpu_ms": [cpu for _, cpu in shown],
        "shown_floor_ms": [wall for wall, _ in shown_floor],
        "shown_ratio": statistics.median(
            app / bare for (app, _), (bare, _) in zip(shown, shown_floor, strict=True)
        ),
    }


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else RUNS)))
