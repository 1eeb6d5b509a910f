"""The cold-start floor: what the machine needs to show a customer, with nothing of the console's own.

`python -m tests.bench.floor STORE ACCOUNT OUT.png` reads the customer's rows with plain `sqlite3`
(header and phones, the newest 200 history events with their advisors and cases, cases, promises,
handoffs, goodwill), fills a bare PySide6 window of tables with them, renders it offscreen at
1600x900 and writes the PNG: the same work as `advisor-console screenshot --customer ACCOUNT`,
without the console. tests/bench/cold_start.py times the two, process start to PNG.
`python -m tests.bench.floor --search-box` is the focused search box's floor: a bare window with a
focused line edit.
"""

from __future__ import annotations

import os
import sqlite3
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

READS = {
    "history": "SELECT e.channel, e.direction, e.occurred_at, u.display_name, c.reference, e.subject, "
    "e.summary FROM contact_events e LEFT JOIN users u ON u.id = e.advisor_id "
    "LEFT JOIN cases c ON c.id = e.case_id WHERE e.customer_id = ? "
    "ORDER BY e.occurred_at DESC, e.id DESC LIMIT 200",
    "cases": "SELECT reference, kind, title, status, severity, opened_at, target_at, next_step FROM cases "
    "WHERE customer_id = ? ORDER BY opened_at DESC",
    "promises": "SELECT kind, due_at, status, note FROM promises WHERE customer_id = ? ORDER BY due_at",
    "handoffs": "SELECT kind, from_team, to_team, status, summary, acknowledge_by FROM handoffs "
    "WHERE customer_id = ? ORDER BY created_at DESC",
    "goodwill": "SELECT kind, amount_pence, state, reason_text, requested_at FROM goodwill "
    "WHERE customer_id = ? ORDER BY requested_at DESC",
}


def table(rows: list[tuple[object, ...]], columns: int) -> QTableWidget:
    widget = QTableWidget(len(rows), columns)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            widget.setItem(r, c, QTableWidgetItem("" if value is None else str(value)))
    return widget


def main(path: str, account: str, out: str) -> int:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    header = db.execute(
        "SELECT id, account_number, given_name, family_name, email, address_line, town, postcode "
        "FROM customers WHERE account_number = ?",
        (account,),
    ).fetchone()
    customer_id = header[0]
    phones = db.execute("SELECT e164 FROM customer_phones WHERE customer_id = ?", (customer_id,)).fetchall()
    reads = {name: db.execute(sql, (customer_id,)).fetchall() for name, sql in READS.items()}
    db.close()

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    body = QWidget()
    layout = QVBoxLayout(body)
    words = " · ".join(str(value) for value in header[1:] if value)
    layout.addWidget(QLabel(f"{words} · {', '.join(phone for (phone,) in phones)}"))
    middle = QSplitter()
    for name, sql in READS.items():
        middle.addWidget(table(reads[name], sql.split(" FROM ")[0].count(",") + 1))
    layout.addWidget(middle, 1)
    window.setCentralWidget(body)
    window.resize(1600, 900)
    window.show()
    for _ in range(3):
        app.processEvents()
    if not window.grab().toImage().save(out, "PNG"):
        print(f"could not write {out}", file=sys.stderr)
        return 1
    return 0


def search_box() -> int:
    """The focused-search-box floor: a bare window with a focused line edit, reported by the console's
    own start-up probe (widgets/startup_probe.py) the moment it is painted, then quit."""
    from PySide6.QtWidgets import QLineEdit

    from widgets.startup_probe import watch_start

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    box = QLineEdit()
    box.setPlaceholderText("Account, phone, name, postcode or email")
    window.setCentralWidget(box)
    window.resize(1366, 768)
    watch_start(box)
    window.show()
    box.setFocus()
    return app.exec()


if __name__ == "__main__":
    sys.exit(search_box() if sys.argv[1:2] == ["--search-box"] else main(*sys.argv[1:4]))
