"""After a run: every mutation a workstation sent against the server's own logs. Lost: answered and not
in mutation_log; unfinished: still unanswered and not there when the run stopped (the workstation
would send it again); doubled: more than one change_log
row for one (mutation, entity, row), or an accepted mutation whose rows are not its kind's count.
Also which approvals their advisors never pulled."""

from __future__ import annotations

from typing import Any

import psycopg

# Changes an accepted mutation writes: its record and, for an act of a person, its timeline line.
CHANGES = {
    "contact.add": 1,
    "case.open": 2,
    "case.update": 2,
    "promise.create": 2,
    "handoff.create": 2,
    "goodwill.request": 2,
    "goodwill.approve": 2,
}


def check(admin_uri: str, sent: dict[str, str], leftover: list[str]) -> dict[str, Any]:
    ids = list(sent)
    with psycopg.connect(admin_uri, autocommit=True) as connection:
        logged: dict[str, str] = dict(
            connection.execute(
                "SELECT mutation_id::text, state::text FROM mutation_log WHERE mutation_id = ANY(%s::uuid[])",
                (ids,),
            ).fetchall()
        )
        doubled_rows = connection.execute(
            "SELECT count(*) FROM (SELECT 1 FROM change_log WHERE mutation_id = ANY(%s::uuid[])"
            " GROUP BY mutation_id, entity, entity_id HAVING count(*) > 1) AS d",
            (ids,),
        ).fetchone()
        counts = connection.execute(
            "SELECT l.kind, c.n, count(*) FROM mutation_log AS l"
            " JOIN (SELECT mutation_id, count(*) AS n FROM change_log WHERE mutation_id = ANY(%s::uuid[])"
            " GROUP BY mutation_id) AS c USING (mutation_id) WHERE l.state = 'accepted'"
            " GROUP BY l.kind, c.n",
            (ids,),
        ).fetchall()
        states: dict[str, str] = dict(
            connection.execute(
                "SELECT id::text, state::text FROM goodwill WHERE id = ANY(%s::uuid[])", (leftover,)
            ).fetchall()
        )
    unanswered = [m for m, state in sent.items() if not state]
    # Still waiting when the run stopped: the workstation would send them again, so not lost, but late.
    unfinished = [m for m in unanswered if m not in logged]
    lost = [m for m, state in sent.items() if state and m not in logged]
    wrong_counts = sum(int(n) for kind, changes, n in counts if CHANGES.get(str(kind), changes) != changes)
    return {
        "sent": len(sent),
        "logged": len(logged),
        "unanswered": len(unanswered),
        "committed_unanswered": len([m for m in unanswered if m in logged]),
        "unfinished": len(unfinished),
        "lost": len(lost),
        "doubled": int(doubled_rows[0] if doubled_rows else 0) + wrong_counts,
        "answer_differs": len([m for m, s in sent.items() if s and m in logged and logged[m] != s]),
        "approved_never_pulled": len([g for g in leftover if states.get(g) == "approved"]),
        "still_awaiting_approval": len([g for g in leftover if states.get(g) == "awaiting_approval"]),
    }
