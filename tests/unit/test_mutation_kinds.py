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

# One branch of the dispatch (api.apply_item, which api.apply_mutation(s) call):
# `[ELS]IF v_kind = 'a.b' THEN …` or `… kind IN ('a.b', 'c.d') THEN …`, up to the next branch.
BRANCH = re.compile(
    r"\b(?:ELS)?IF\s+v_kind\s*(?:=\s*'(?P<one>[^']+)'|IN\s*\((?P<many>[^)]*)\))\s*THEN"
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
        start = text.find("FUNCTION api.apply_item(")
        if start >= 0:
            return text[start : text.index("$$;", start)]
    raise AssertionError("no storage/server/*.sql file defines api.apply_item")


def dispatch(files: Mapping[str, str]) -> dict[str, set[str]]:
    """Each kind api.apply_item dispatches, with the api functions its branch calls (for the
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


REJECT_BRANCH = (
    "        ELSIF v_kind = 'goodwill.reject' THEN\n"
    "            outcome := api.goodwill_reject(who, v_id, COALESCE(v_payload, '{}'), v_at);\n"
)
NEW_BRANCH = (
    "        ELSIF v_kind = 'case.escalate' THEN\n"
    "            outcome := api.case_escalate(who, v_id, v_payload, v_at);\n"
)


@pytest.mark.parametrize(
    ("file", "old", "new", "table_extra", "expected"),
    [
        pytest.param(
            "80_mutation.sql",
            " 'case.deadlock',",
            "",
            (),
            [NOT_DISPATCHED.format("case.deadlock")],
            id="a kind left out of an IN list",
        ),
        pytest.param(
            "80_mutation.sql",
            REJECT_BRANCH,
            "",
            (),
            [NOT_DISPATCHED.format("goodwill.reject")],
            id="a branch removed",
        ),
        pytest.param(
            "80_mutation.sql",
            REJECT_BRANCH,
            REJECT_BRANCH + NEW_BRANCH,
            (),
            [NOT_IN_TABLE.format("case.escalate"), UNDEFINED.format("case.escalate", "case_escalate")],
            id="a branch the table lacks",
        ),
        pytest.param(
            "80_mutation.sql",
            "'case.service_dates', 'case.update')",
            "'case.service_dates', 'case.update', 'case.escalate')",
            (),
            [NOT_IN_TABLE.format("case.escalate"), UNDEFINED.format("case.escalate", "case_escalate")],
            id="a kind added to the EXECUTE format list",
        ),
        pytest.param(
            "80_mutation.sql",
            REJECT_BRANCH,
            REJECT_BRANCH + NEW_BRANCH,
            ("case.escalate",),
            [UNDEFINED.format("case.escalate", "case_escalate")],
            id="a row and its dispatch line but no server function",
        ),
        pytest.param(
            "70_handoff_offer.sql",
            "FUNCTION api.handoff_step(",
            "FUNCTION api.handoff_stage(",
            (),
            [
                UNDEFINED.format("handoff.acknowledge", "handoff_step"),
                UNDEFINED.format("handoff.complete", "handoff_step"),
            ],
            id="a dispatched function renamed",
        ),
    ],
)
def test_the_dispatch_check_names_what_differs(
    file: str, old: str, new: str, table_extra: tuple[str, ...], expected: list[str]
) -> None:
    """The check fails, naming the kind, on a deliberately altered copy of the server's SQL."""
    files = server_sql()
    assert old in files[file]
    files[file] = files[file].replace(old, new, 1)
    assert dispatch_problems((*mutation_kinds.KINDS, *table_extra), files) == expected


def test_a_kind_the_server_lacks_is_named() -> None:
    problems = dispatch_problems((*mutation_kinds.KINDS, "case.escalate"), server_sql())
    assert problems == [NOT_DISPATCHED.format("case.escalate")]


FUNCTION = re.compile(
    r"CREATE\s+OR\s+REPLACE\s+FUNCTION\s+api\.(\w+)\s*\((.*?)\)\s*RETURNS.*?\$\$(.*?)\$\$;", re.S | re.I
)
READ = re.compile(r"(?:_field|case_text)\(\s*(?:p|payload)\s*,\s*'(\w+)'|\b(?:p|payload)\s*->>?\s*'(\w+)'")
CHOICES = re.compile(
    r"choice_field\(\s*p\s*,\s*'(\w+)'\s*,\s*ARRAY\[([^\]]*)\]|p\s*->>\s*'(\w+)'\s+NOT\s+IN\s*\(([^)]*)\)",
    re.S,
)
# Sent by the client, not read by the server (it takes the mutation's occurred_at instead).
SENT_NOT_READ = {("offer.impression", "shown_at")}


def server_bodies(kind: str, files: Mapping[str, str]) -> list[str]:
    """The bodies of the functions that apply `kind`, and of the api helpers they hand its payload to."""
    functions = {m[1]: (m[2], m[3]) for text in files.values() for m in FUNCTION.finditer(text)}
    takes_payload = {
        name for name, (params, _) in functions.items() if re.search(r"\b(?:p|payload)\s+jsonb", params)
    }
    bodies: list[str] = []
    waiting, seen = list(dispatch(files)[kind]), set()
    while waiting:
        name = waiting.pop()
        if name in seen or name not in functions:
            continue
        seen.add(name)
        body = functions[name][1]
        bodies.append(body)
        waiting += [called for called in CALLED.findall(body) if called in takes_payload]
    return bodies


def payload_problems(files: Mapping[str, str]) -> list[str]:
    """Every payload field the table lists and the server never reads, and the reverse."""
    problems = []
    for row in mutation_kinds.TABLE:
        read = {a or b for body in server_bodies(row.name, files) for a, b in READ.findall(body)}
        listed = {field.name for field in row.fields}
        problems += [
            f"{row.name}: the table lists {name}, which the server never reads"
            for name in sorted(listed - read)
            if (row.name, name) not in SENT_NOT_READ
        ]
        problems += [
            f"{row.name}: the server reads {name}, which the table lacks" for name in sorted(read - listed)
        ]
    return problems


def choice_problems(files: Mapping[str, str]) -> list[str]:
    """Every choice field whose values differ from the ones the server accepts."""
    problems = []
    for row in mutation_kinds.TABLE:
        server: dict[str, list[str]] = {}
        for body in server_bodies(row.name, files):
            for one, values, other, listed in CHOICES.findall(body):
                server[one or other] = sorted(re.findall(r"'([^']+)'", values or listed))
        for field in row.fields:
            held = server.get(field.name)
            if field.choices and sorted(field.choices) != held:
                problems.append(
                    f"{row.name}: {field.name} is one of {sorted(field.choices)}, the server's {held}"
                )
    return problems


def test_the_server_reads_the_payload_fields_of_the_table() -> None:
    assert payload_problems(server_sql()) == []


def test_the_choices_are_the_servers() -> None:
    assert choice_problems(server_sql()) == []


def test_the_field_checks_name_what_differs() -> None:
    files = server_sql()
    files["40_goodwill.sql"] = files["40_goodwill.sql"].replace("'reason_text'", "'reason_words'")
    files["70_handoff_offer.sql"] = files["70_handoff_offer.sql"].replace(
        "ARRAY['order', 'task']", "ARRAY['order']"
    )
    assert payload_problems(files) == [
        "goodwill.request: the table lists reason_text, which the server never reads",
        "goodwill.request: the server reads reason_words, which the table lacks",
    ]
    assert choice_problems(files) == [
        "handoff.create: kind is one of ['order', 'task'], the server's ['order']"
    ]


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
    assert mutation_kinds.KINDS == mutation_kinds.KINDS
    assert mutation_kinds.CASE_CLOSE_IN_WRITING == "case.close_in_writing"
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
        (mutation_kinds.GOODWILL_REQUEST, goodwill()),
        (
            mutation_kinds.GOODWILL_APPROVE,
            outbox.goodwill_approve(goodwill_id=case_id, version=1, note="", event_id=event),
        ),
        (
            mutation_kinds.GOODWILL_REJECT,
            outbox.goodwill_reject(goodwill_id=case_id, version=1, reason="no", event_id=event),
        ),
        (
            mutation_kinds.PROMISE_CREATE,
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
            mutation_kinds.PROMISE_COMPLETE,
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
            mutation_kinds.CASE_OPEN,
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
            mutation_kinds.CASE_RESOLVE,
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
            mutation_kinds.CASE_FORMAL_COMPLAINT,
            outbox.case_transition(case_id=case_id, version=3, event_id=event, complaint_made_at=NOW),
        ),
        (mutation_kinds.CASE_ADR_LETTER, outbox.case_transition(case_id=case_id, version=3, event_id=event)),
        (
            mutation_kinds.CASE_HAND_OVER,
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
            mutation_kinds.CASE_FEEDBACK,
            outbox.case_feedback(
                feedback_id=event, case_id=case_id, fix_score=4, fault_score=2, cause_text="", event_id=event
            ),
        ),
        (
            mutation_kinds.CASE_SERVICE_DATES,
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
        (mutation_kinds.HANDOFF_COMPLETE, outbox.handoff_step(handoff_id=case_id, version=2, event_id=event)),
        (
            mutation_kinds.OFFER_IMPRESSION,
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
        mutation_kinds.check_payload(mutation_kinds.GOODWILL_REQUEST, goodwill() | change)


def test_a_missing_field_is_named_and_an_optional_one_may_be_left_out() -> None:
    payload = goodwill()
    del payload["reason_category"], payload["case_id"], payload["event_id"]
    with pytest.raises(PayloadError, match=r"goodwill\.request payload: reason_category is missing$"):
        mutation_kinds.check_payload(mutation_kinds.GOODWILL_REQUEST, payload)


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
        mutation_kinds.check_payload(mutation_kinds.PROMISE_CREATE, payload)
    else:
        with pytest.raises(PayloadError, match=field):
            mutation_kinds.check_payload(mutation_kinds.PROMISE_CREATE, payload)


@pytest.mark.parametrize(
    ("value", "fits"), [("2026-11-20", True), ("2026-11-20T10:00:00+00:00", False), ("20/11/2026", False)]
)
def test_dates_travel_as_iso_dates(value: str, fits: bool) -> None:
    payload = {"id": an_id(), "promised_start_on": value}
    if fits:
        mutation_kinds.check_payload(mutation_kinds.CASE_SERVICE_DATES, payload)
    else:
        with pytest.raises(PayloadError, match="promised_start_on must be date"):
            mutation_kinds.check_payload(mutation_kinds.CASE_SERVICE_DATES, payload)


def test_queueing_checks_the_payload_before_writing_anything() -> None:
    nothing = cast(Session, None)  # never reached: the check comes first
    with pytest.raises(PayloadError, match="amount_pence"):
        outbox.queue(
            nothing,
            kind=mutation_kinds.GOODWILL_REQUEST,
            payload=goodwill() | {"amount_pence": "15"},
            actor="alex",
            entity_id=None,
            occurred_at=NOW,
        )
    with pytest.raises(ValueError, match=r"unknown mutation kind 'goodwill\.grant'"):
        outbox.queue(
            nothing, kind="goodwill.grant", payload={}, actor="alex", entity_id=None, occurred_at=NOW
        )


def test_the_outbox_refuses_a_value_longer_than_the_server_takes() -> None:
    """The same bounds the server refuses payloads by (api.payload_limit, written from the table)."""
    nothing = cast(Session, None)
    most = mutation_kinds.MAX_LENGTH[mutation_kinds.FieldType.TEXT]
    mutation_kinds.check_payload(mutation_kinds.GOODWILL_REQUEST, goodwill() | {"reason_text": "x" * most})
    with pytest.raises(
        PayloadError, match=rf"reason_text is too long \({most + 1:,} characters, at most {most:,}\)"
    ):
        outbox.queue(
            nothing,
            kind=mutation_kinds.GOODWILL_REQUEST,
            payload=goodwill() | {"reason_text": "x" * (most + 1)},
            actor="alex",
            entity_id=None,
            occurred_at=NOW,
        )
    with pytest.raises(PayloadError, match="amount_pence is too long"):
        mutation_kinds.check_payload(mutation_kinds.GOODWILL_REQUEST, goodwill() | {"amount_pence": 10**25})
    limits = mutation_kinds.payload_limits()
    assert len(limits) == sum(len(row.fields) for row in mutation_kinds.TABLE)
    assert all(most >= 5 for _, _, most in limits)


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
