"""The table of mutation kinds against what depends on it: the server's dispatch in api.apply_mutation
(parsed from storage/server/*.sql), the table in docs/sync.md, and the payload check the outbox runs
when it queues a mutation."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy.orm import Session

from console.sync import outbox
from domain import mutation_kinds
from domain.mutation_kinds import PayloadError

ROOT = Path(__file__).resolve().parents[2]
SERVER_SQL = ROOT / "storage" / "server"
DOC = ROOT / "docs" / "sync.md"

# One branch of api.apply_mutation's dispatch: `[ELS]IF apply_mutation.kind = 'a.b' THEN …` or
# `… kind IN ('a.b', 'c.d') THEN …`, up to the next branch.
BRANCH = re.compile(
    r"\b(?:ELS)?IF\s+apply_mutation\.kind\s*(?:=\s*'(?P<one>[^']+)'|IN\s*\((?P<many>[^)]*)\))\s*THEN"
    r"(?P<body>.*?)(?=\bELSIF\b|\bELSE\b|\bEND\s+IF\b)",
    re.S,
)
DEFINED = re.compile(r"CREATE\s+OR\s+REPLACE\s+FUNCTION\s+api\.(\w+)\s*\(", re.I)
CALLED = re.compile(r"\bapi\.(\w+)\s*\(")


NOT_DISPATCHED = "{} is in the kinds table but the server's api.apply_mutation does not dispatch it"
NOT_IN_TABLE = "{} is dispatched by the server's api.apply_mutation but is not in the kinds table"
UNDEFINED = "{} is dispatched to api.{}, which no storage/server/*.sql file defines"


def server_sql() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(SERVER_SQL.glob("*.sql"))}


def apply_mutation_body(files: Mapping[str, str]) -> str:
    for text in files.values():
        start = text.find("FUNCTION api.apply_mutation(")
        if start >= 0:
            return text[start : text.index("$$;", start)]
    raise AssertionError("no storage/server/*.sql file defines api.apply_mutation")


def dispatch(files: Mapping[str, str]) -> dict[str, set[str]]:
    """Each kind api.apply_mutation dispatches, with the api functions its branch calls (for the
    `EXECUTE format('SELECT api.%I…', replace(kind, '.', '_'))` branch: the function named for it)."""
    found: dict[str, set[str]] = {}
    for branch in BRANCH.finditer(apply_mutation_body(files)):
        kinds = [branch["one"]] if branch["one"] else re.findall(r"'([^']+)'", branch["many"])
        body = branch["body"]
        for kind in kinds:
            if "EXECUTE" in body:
                found[kind] = {kind.replace(".", "_")}
            else:
                found[kind] = set(CALLED.findall(body))
    return found


def dispatch_problems(table: Iterable[str], files: Mapping[str, str]) -> list[str]:
    """Every disagreement between the kinds table and the server's dispatch, in words."""
    named = set(table)
    dispatched = dispatch(files)
    defined = {name for text in files.values() for name in DEFINED.findall(text)}
    problems = [NOT_DISPATCHED.format(kind) for kind in sorted(named - set(dispatched))]
    problems += [NOT_IN_TABLE.format(kind) for kind in sorted(set(dispatched) - named)]
    problems += [
        UNDEFINED.format(kind, function)
        for kind, functions in sorted(dispatched.items())
        for function in sorted(functions - defined)
    ]
    return problems


def test_the_server_dispatches_exactly_the_kinds_of_the_table() -> None:
    assert dispatch_problems(mutation_kinds.KINDS, server_sql()) == []


def test_the_dispatch_is_read_from_every_kind_of_branch() -> None:
    """The parse sees single kinds, IN lists, and the kinds dispatched by EXECUTE format."""
    found = dispatch(server_sql())
    assert found["goodwill.request"] == {"goodwill_request"}
    assert found["case.take"] == found["case.hand_over"] == {"case_owner"}
    assert found["case.close_in_writing"] == {"case_close_in_writing"}  # EXECUTE format
    assert found["handoff.acknowledge"] == {"handoff_step"}


NEW_BRANCH = """        ELSIF apply_mutation.kind = 'case.update' THEN
            outcome := api.case_update(who, apply_mutation.mutation_id, payload, apply_mutation.occurred_at);
"""


def _altered(change: str) -> dict[str, str]:
    files = server_sql()
    sql = files["80_mutation.sql"]
    if change == "a kind left out of an IN list":
        altered = sql.replace(" 'case.deadlock',", "", 1)
    elif change == "a branch removed":
        altered = re.sub(
            r"\s*ELSIF apply_mutation\.kind = 'goodwill\.reject' THEN\n[^\n]*\n", "\n", sql, count=1
        )
    elif change == "a branch the table lacks":
        altered = sql.replace(
            "        ELSIF apply_mutation.kind = 'handoff.create'",
            NEW_BRANCH + "        ELSIF apply_mutation.kind = 'handoff.create'",
            1,
        )
    elif change == "a kind added to the EXECUTE format list":
        altered = sql.replace("'case.service_dates')", "'case.service_dates', 'case.update')", 1)
    elif change == "a dispatched function dropped":
        files["70_handoff_offer.sql"] = files["70_handoff_offer.sql"].replace(
            "FUNCTION api.handoff_step(", "FUNCTION api.handoff_stage(", 1
        )
        altered = sql
    else:
        raise AssertionError(change)
    assert altered != sql or change == "a dispatched function dropped", f"the copy was not altered: {change}"
    files["80_mutation.sql"] = altered
    return files


@pytest.mark.parametrize(
    ("change", "table_extra", "expected"),
    [
        (
            "a kind left out of an IN list",
            (),
            [NOT_DISPATCHED.format("case.deadlock")],
        ),
        (
            "a branch removed",
            (),
            [NOT_DISPATCHED.format("goodwill.reject")],
        ),
        (
            "a branch the table lacks",
            (),
            [
                NOT_IN_TABLE.format("case.update"),
                UNDEFINED.format("case.update", "case_update"),
            ],
        ),
        (
            "a kind added to the EXECUTE format list",
            (),
            [
                NOT_IN_TABLE.format("case.update"),
                UNDEFINED.format("case.update", "case_update"),
            ],
        ),
        (
            "a dispatched function dropped",
            (),
            [
                UNDEFINED.format("handoff.acknowledge", "handoff_step"),
                UNDEFINED.format("handoff.complete", "handoff_step"),
            ],
        ),
        (
            "a branch the table lacks",
            ("case.update",),
            [UNDEFINED.format("case.update", "case_update")],
        ),
    ],
)
def test_the_dispatch_check_names_what_differs(
    change: str, table_extra: tuple[str, ...], expected: list[str]
) -> None:
    """The check fails, naming the kind, on a deliberately altered copy of the server's SQL."""
    assert dispatch_problems((*mutation_kinds.KINDS, *table_extra), _altered(change)) == expected


def test_a_kind_the_server_lacks_is_named() -> None:
    problems = dispatch_problems((*mutation_kinds.KINDS, "case.update"), server_sql())
    assert problems == [NOT_DISPATCHED.format("case.update")]


def test_the_table_in_docs_sync_md_is_the_kinds_table() -> None:
    fresh = mutation_kinds.markdown_table()
    held = mutation_kinds.table_in(DOC.read_text(encoding="utf-8"))
    assert held == fresh, (
        "docs/sync.md's kinds table differs from domain/mutation_kinds.py: run "
        f"`python -m domain.mutation_kinds --update docs/sync.md`. The table now:\n{fresh}"
    )


def test_the_doc_table_check_sees_a_changed_row() -> None:
    document = DOC.read_text(encoding="utf-8")
    changed = document.replace("| Goodwill request |", "| Goodwill ask |", 1)
    assert changed != document
    assert mutation_kinds.table_in(changed) != mutation_kinds.markdown_table()
    updated = mutation_kinds.replace_table(changed, mutation_kinds.markdown_table())
    assert updated == document


def test_every_row_is_complete() -> None:
    assert len(set(mutation_kinds.KINDS)) == len(mutation_kinds.TABLE) > 0
    for row in mutation_kinds.TABLE:
        assert re.fullmatch(r"[a-z]+\.[a-z_]+", row.name), row.name
        assert row.words and row.rules and row.entity, row.name
        names = [field.name for field in row.fields]
        assert names[0] == "id" and len(set(names)) == len(names), row.name
        for field in row.fields:
            assert (field.type is mutation_kinds.FieldType.CHOICE) == bool(field.choices), (row.name, field)


def test_what_derives_from_the_table() -> None:
    assert outbox.KINDS == mutation_kinds.KINDS
    assert outbox.CASE_CLOSE_IN_WRITING == "case.close_in_writing"
    assert mutation_kinds.entity_of("case.feedback") == "feedback"
    assert mutation_kinds.entity_of("contact.add") == "contact_event"
    assert mutation_kinds.entity_of("case.take") == "case"
    assert mutation_kinds.entity_of("goodwill.grant") is None
    assert mutation_kinds.words_for("case.adr_letter") == "Ombudsman letter"
    assert mutation_kinds.words_for("goodwill.grant") == "goodwill.grant"


# -- payloads --------------------------------------------------------------------------------------

NOW = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)


def an_id() -> str:
    return str(uuid.uuid4())


def goodwill() -> dict[str, Any]:
    return outbox.goodwill_request(
        goodwill_id=uuid.uuid4(),
        customer_id=uuid.uuid4(),
        case_id=None,
        kind="refund",
        amount_pence=1_500,
        reason_category="missed callback",
        reason_text="no call came",
        event_id=uuid.uuid4(),
    )


def test_the_builders_make_payloads_their_rows_accept() -> None:
    case_id, event = uuid.uuid4(), uuid.uuid4()
    built: list[tuple[str, dict[str, Any]]] = [
        (outbox.GOODWILL_REQUEST, goodwill()),
        (
            outbox.GOODWILL_APPROVE,
            outbox.goodwill_approve(goodwill_id=case_id, version=1, note="", event_id=event),
        ),
        (
            outbox.GOODWILL_REJECT,
            outbox.goodwill_reject(goodwill_id=case_id, version=1, reason="no", event_id=event),
        ),
        (
            outbox.PROMISE_CREATE,
            outbox.promise_create(
                promise_id=case_id,
                customer_id=case_id,
                case_id=None,
                kind="callback",
                due_at=NOW,
                window_end_at=None,
                phone_e164="+441632960001",
                note=None,
                event_id=event,
            ),
        ),
        (
            outbox.PROMISE_COMPLETE,
            outbox.promise_complete(
                promise_id=case_id,
                version=2,
                status="rescheduled",
                outcome="no answer",
                next_attempt_at=NOW,
                customer_told=None,
                follow_up_id=uuid.uuid4(),
                event_id=event,
            ),
        ),
        (
            outbox.CASE_OPEN,
            outbox.case_open(
                case_id=case_id,
                customer_id=case_id,
                kind="broadband_fault",
                title="No internet",
                severity="high",
                target_at=NOW,
                event_id=event,
            ),
        ),
        (
            outbox.CASE_RESOLVE,
            outbox.case_transition(
                case_id=case_id,
                version=1,
                event_id=event,
                root_cause_category="router failure",
                root_cause_text="power supply",
                confirmation="not_reachable",
                check_due_at=NOW,
            ),
        ),
        (
            outbox.CASE_FORMAL_COMPLAINT,
            outbox.case_transition(case_id=case_id, version=3, event_id=event, complaint_made_at=NOW),
        ),
        (outbox.CASE_ADR_LETTER, outbox.case_transition(case_id=case_id, version=3, event_id=event)),
        (
            outbox.CASE_HAND_OVER,
            outbox.case_owner(
                case_id=case_id,
                from_owner_id=None,
                to_user_id=event,
                note="on leave",
                change_id=event,
                event_id=event,
            ),
        ),
        (
            outbox.CASE_FEEDBACK,
            outbox.case_feedback(
                feedback_id=event, case_id=case_id, fix_score=4, fault_score=2, cause_text="", event_id=event
            ),
        ),
        (
            outbox.CASE_SERVICE_DATES,
            outbox.case_service_dates(
                case_id=case_id,
                version=1,
                values={
                    "reported_at": NOW,
                    "restored_at": None,
                    "promised_start_on": date(2026, 11, 20),
                    "started_on": None,
                    "appointment_at": None,
                    "appointment_missed": False,
                    "cancellation_notice_at": None,
                    "customer_delay_days": 2,
                    "customer_caused_delay": "away",
                },
                summary="reported at: …",
                event_id=event,
            ),
        ),
        (outbox.HANDOFF_COMPLETE, outbox.handoff_step(handoff_id=case_id, version=2, event_id=event)),
        (
            outbox.OFFER_IMPRESSION,
            outbox.offer_impression(impression_id=event, customer_id=case_id, offer_id=case_id, shown_at=NOW),
        ),
    ]
    for kind, payload in built:
        mutation_kinds.check_payload(kind, payload)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"amount_pence": "1500"}, "amount_pence must be integer, not '1500'"),
        ({"amount_pence": 15.0}, "amount_pence must be integer"),
        ({"amount_pence": True}, "amount_pence must be integer"),
        ({"amount_pence": None}, "amount_pence is missing (null)"),
        ({"customer_id": "CUST-1"}, "customer_id must be id"),
        ({"customer_id": uuid.uuid4()}, "customer_id must be id"),  # a UUID, not yet text
        (
            {"kind": "cash"},
            "kind must be one of goodwill_credit, compensation, fee_waiver, refund, not 'cash'",
        ),
        ({"reason_text": 12}, "reason_text must be text"),
        ({"state": "approved"}, "state is not a field of goodwill.request"),
    ],
)
def test_a_wrong_field_is_named(change: dict[str, Any], words: str) -> None:
    with pytest.raises(PayloadError, match=re.escape(words)):
        mutation_kinds.check_payload(outbox.GOODWILL_REQUEST, goodwill() | change)


def test_a_missing_field_is_named_and_an_optional_one_may_be_left_out() -> None:
    payload = goodwill()
    del payload["reason_category"], payload["case_id"], payload["event_id"]
    with pytest.raises(PayloadError, match=r"goodwill\.request payload: reason_category is missing$"):
        mutation_kinds.check_payload(outbox.GOODWILL_REQUEST, payload)


@pytest.mark.parametrize(
    ("field", "value", "fits"),
    [
        ("due_at", NOW.isoformat(), True),
        ("due_at", NOW.replace(tzinfo=None).isoformat(), False),  # a time without its offset
        ("due_at", "tomorrow", False),
        ("due_at", NOW, False),  # a datetime, not yet text
        ("window_end_at", None, True),
    ],
)
def test_times_travel_as_iso_text_with_their_offset(field: str, value: object, fits: bool) -> None:
    payload = {
        "id": an_id(),
        "customer_id": an_id(),
        "kind": "callback",
        "due_at": NOW.isoformat(),
    } | {field: value}
    if fits:
        mutation_kinds.check_payload(outbox.PROMISE_CREATE, payload)
    else:
        with pytest.raises(PayloadError, match=field):
            mutation_kinds.check_payload(outbox.PROMISE_CREATE, payload)


@pytest.mark.parametrize(
    ("value", "fits"), [("2026-11-20", True), ("2026-11-20T10:00:00+00:00", False), ("20/11/2026", False)]
)
def test_dates_travel_as_iso_dates(value: str, fits: bool) -> None:
    payload = {"id": an_id(), "promised_start_on": value}
    if fits:
        mutation_kinds.check_payload(outbox.CASE_SERVICE_DATES, payload)
    else:
        with pytest.raises(PayloadError, match="promised_start_on must be date"):
            mutation_kinds.check_payload(outbox.CASE_SERVICE_DATES, payload)


def test_queueing_checks_the_payload_before_writing_anything() -> None:
    nothing = cast(Session, None)  # never reached: the check comes first
    with pytest.raises(PayloadError, match="amount_pence"):
        outbox.queue(
            nothing,
            kind=outbox.GOODWILL_REQUEST,
            payload=goodwill() | {"amount_pence": "15"},
            actor="alex",
            entity_id=None,
            occurred_at=NOW,
        )
    with pytest.raises(ValueError, match=r"unknown mutation kind 'goodwill\.grant'"):
        outbox.queue(
            nothing, kind="goodwill.grant", payload={}, actor="alex", entity_id=None, occurred_at=NOW
        )


def test_the_command_prints_and_updates_the_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert mutation_kinds.main(["--markdown"]) == 0
    assert capsys.readouterr().out == mutation_kinds.markdown_table()
    stale = tmp_path / "sync.md"
    stale.write_text(
        f"# Sync\n\n{mutation_kinds.TABLE_START}\n| kind |\n{mutation_kinds.TABLE_END}\n\nThe rest.\n",
        encoding="utf-8",
    )
    assert mutation_kinds.main(["--update", str(stale)]) == 0
    start, table, end = mutation_kinds.TABLE_START, mutation_kinds.markdown_table(), mutation_kinds.TABLE_END
    assert stale.read_text(encoding="utf-8") == f"# Sync\n\n{start}\n{table}{end}\n\nThe rest.\n"
    stale.write_text("no markers\n", encoding="utf-8")
    assert mutation_kinds.main(["--update", str(stale)]) == 1
    assert "no kinds table markers" in capsys.readouterr().err
