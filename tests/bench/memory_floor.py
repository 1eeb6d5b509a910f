"""The memory floor: a bare Python process that opens the store with sqlite3 and holds the busy
customer's whole history (50,000 events) as rows; `python -m tests.bench.memory_floor STORE` prints
its peak resident memory in MB. tests/bench/pane.py measures the console doing the same.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from tests.bench.busy import BUSY_ACCOUNT, BUSY_NAME, EARLIER_ACCOUNT

# The columns the history view shows, newest first, as the pane reads them.
HISTORY = (
    "SELECT e.occurred_at, e.channel, e.direction, u.display_name, c.reference, e.subject, e.summary "
    "FROM contact_events e LEFT JOIN users u ON u.id = e.advisor_id LEFT JOIN cases c ON c.id = e.case_id "
    "WHERE e.customer_id = (SELECT id FROM customers WHERE account_number IN (?, ?) AND family_name = ?) "
    "ORDER BY e.occurred_at DESC, e.id DESC"
)
BUSY = (BUSY_ACCOUNT, EARLIER_ACCOUNT, BUSY_NAME)


def history(path: str, limit: int | None = None) -> list[tuple[str, ...]]:
    """The busy customer's history rows as text (`limit` newest, or all), read with sqlite3."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        sql = HISTORY if limit is None else f"{HISTORY} LIMIT {int(limit)}"
        return [tuple("" if v is None else str(v) for v in row) for row in db.execute(sql, BUSY)]
    finally:
        db.close()


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM). Not ru_maxrss: Linux carries that over from
    the parent across fork and exec, so a child started by a big process reports the parent's."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def main(path: str) -> int:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)  # held open, as the console holds its store
    rows = db.execute(HISTORY, BUSY).fetchall()
    peak_mb = peak_rss_mb()
    print(f"{peak_mb:.1f}")
    db.close()
    return 0 if rows else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
