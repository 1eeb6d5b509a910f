"""The one table of mutation kinds: each kind's name, the entity it changes, the words its author reads
when the server refuses it, its payload fields and the server's rules. The outbox, the push, the
sync-problems list and the table in docs/sync.md are derived from it (`python -m domain.mutation_kinds
--markdown` prints that table, `--update docs/sync.md` rewrites it there)."""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

from domain.vocabulary import (
    CaseKind,
    Channel,
    Direction,
    GoodwillKind,
    HandoffKind,
    PromiseKind,
    Severity,
    Team,
)


class FieldType(StrEnum):
    """How a payload value travels as JSON."""

    ID = "id"  # a UUID as text
    TEXT = "text"
    INTEGER = "integer"
    BOOLEAN = "true/false"
    TIME = "time"  # ISO 8601 with its offset
    DATE = "date"  # ISO 8601, YYYY-MM-DD
    CHOICE = "one of"  # text, one of `choices`


# The most characters a payload value of each type may carry (a number or true/false: its JSON text).
# The server refuses a payload holding a longer value before it does any work, locks or writes any
# audit entry (`server init` writes these into api.payload_limit); the outbox refuses the same. TEXT is
# the bound on work, not a rule: the rules' own limits (at most 10,000) give their refusals in words.
MAX_LENGTH: dict[FieldType, int] = {
    FieldType.ID: 36,
    FieldType.TEXT: 100_000,
    FieldType.INTEGER: 20,
    FieldType.BOOLEAN: 5,
    FieldType.TIME: 40,
    FieldType.DATE: 10,
    FieldType.CHOICE: 60,
}
UNLISTED_MAX_LENGTH = 60  # a value under a key its kind does not list (the server ignores such keys)
MAX_KEY_LENGTH = 63
MAX_KEYS = 40


@dataclass(frozen=True)
class Field:
    """One payload key. Optional: may be absent or null."""

    name: str
    type: FieldType
    optional: bool = False
    choices: tuple[str, ...] = ()
    note: str = ""  # a few words for the docs, e.g. "(the owner seen)"

    def problem(self, value: object) -> str | None:
        """Why `value` is not of this field's type, or None."""
        if value is None:
            return None if self.optional else f"{self.name} is missing (null)"
        if not _fits(self, value):
            wanted = f"one of {', '.join(self.choices)}" if self.type is FieldType.CHOICE else self.type.value
            return f"{self.name} must be {wanted}, not {value!r:.80}"
        size = len(value) if isinstance(value, str) else len(str(value))
        if size > MAX_LENGTH[self.type]:
            return f"{self.name} is too long ({size:,} characters, at most {MAX_LENGTH[self.type]:,})"
        return None

    def markdown(self) -> str:
        name = f"{self.name}?" if self.optional else self.name
        if self.type is FieldType.CHOICE:
            kind = f"({' / '.join(self.choices)})"
        elif self.type is FieldType.ID:
            kind = ""
        else:
            kind = self.type.value
        return " ".join(part for part in (f"`{name}`", kind, self.note) if part)


def _fits(field: Field, value: object) -> bool:
    if field.type is FieldType.INTEGER:
        return isinstance(value, int) and not isinstance(value, bool)
    if field.type is FieldType.BOOLEAN:
        return isinstance(value, bool)
    if not isinstance(value, str):
        return False
    if field.type is FieldType.ID:
        return _parses(uuid.UUID, value)
    if field.type is FieldType.TIME:
        return _parses(datetime.fromisoformat, value) and datetime.fromisoformat(value).tzinfo is not None
    if field.type is FieldType.DATE:
        return len(value) == 10 and _parses(date.fromisoformat, value)
    if field.type is FieldType.CHOICE:
        return value in field.choices
    return True


def _parses(parse: Callable[[str], object], value: str) -> bool:
    try:
        parse(value)
    except ValueError:
        return False
    return True


class PayloadError(ValueError):
    """A payload that does not match its kind's fields: a programming error, caught by the tests."""


@dataclass(frozen=True)
class MutationKind:
    """One row of the table."""

    name: str  # "case.resolve"
    entity: str  # the server entity its entity_id names (a conflict's record is that entity's row)
    words: str  # what the author reads in the sync-problems list when the server refuses it
    fields: tuple[Field, ...]
    rules: str  # what the server checks, for docs/sync.md

    def check(self, payload: Mapping[str, object]) -> None:
        """PayloadError naming every missing, unknown or mistyped field."""
        known = {field.name: field for field in self.fields}
        problems = [f"{name} is not a field of {self.name}" for name in payload if name not in known]
        if len(payload) > MAX_KEYS:
            problems.append(f"{len(payload)} fields, at most {MAX_KEYS}")
        for field in self.fields:
            if field.name not in payload and not field.optional:
                problems.append(f"{field.name} is missing")
            elif field.name in payload:
                problem = field.problem(payload[field.name])
                if problem is not None:
                    problems.append(problem)
        if problems:
            raise PayloadError(f"{self.name} payload: {'; '.join(problems)}")


_ROWS: list[MutationKind] = []


def _kind(name: str, *, entity: str, words: str, fields: Iterable[Field], rules: str) -> str:
    """Add a row to the table; its name is the kind's constant."""
    if any(row.name == name for row in _ROWS):
        raise ValueError(f"mutation kind {name} is in the table twice")
    _ROWS.append(MutationKind(name, entity, words, tuple(fields), " ".join(rules.split())))
    return name


def _field(name: str, kind: FieldType, note: str = "") -> Field:
    return Field(name, kind, note=note)


def _maybe(name: str, kind: FieldType, note: str = "") -> Field:
    return Field(name, kind, optional=True, note=note)


def _choice(name: str, values: Iterable[str], *, optional: bool = False) -> Field:
    return Field(name, FieldType.CHOICE, optional=optional, choices=tuple(str(value) for value in values))


# Shorthands for the rows below.
ID, TEXT, INTEGER, BOOLEAN, TIME, DATE = (
    FieldType.ID,
    FieldType.TEXT,
    FieldType.INTEGER,
    FieldType.BOOLEAN,
    FieldType.TIME,
    FieldType.DATE,
)
_ID = _field("id", ID)
_CUSTOMER = _field("customer_id", ID)
_CASE = _maybe("case_id", ID)
_VERSION = _maybe("version", INTEGER)
_EVENT = _maybe("event_id", ID)
_CONFIRMATION = _choice("confirmation", ("confirmed", "not_reachable"))


# -- the table: one row per kind, in the order docs/sync.md lists them ----------------------------------

GOODWILL_REQUEST = _kind(
    "goodwill.request",
    entity="goodwill",
    words="Goodwill request",
    fields=(
        _ID,
        _CUSTOMER,
        _CASE,
        _choice("kind", GoodwillKind),
        _field("amount_pence", INTEGER),
        _field("reason_category", TEXT),
        _field("reason_text", TEXT),
        _EVENT,
    ),
    rules="""0 < amount ≤ £10,000; reason 1–2,000, category 1–60 chars; ≤ the caller's limit: approved
    (self_within_limit), else awaiting_approval. requested_by is the caller. Any state or decider in
    the payload is ignored.""",
)
GOODWILL_APPROVE = _kind(
    "goodwill.approve",
    entity="goodwill",
    words="Goodwill approval",
    fields=(_ID, _VERSION, _maybe("note", TEXT), _EVENT),
    rules="""row locked; not pending or version differs: conflict; own request: rejected; caller not a
    supervisor: rejected; awaiting_second_approval: a different supervisor approves
    (second_supervisor); else ≤ the supervisor's limit approves (supervisor), above it
    awaiting_second_approval.""",
)
GOODWILL_REJECT = _kind(
    "goodwill.reject",
    entity="goodwill",
    words="Goodwill rejection",
    fields=(_ID, _VERSION, _field("reason", TEXT), _EVENT),
    rules="supervisor only, not their own, pending only; at the second stage not the first approver.",
)
CONTACT_ADD = _kind(
    "contact.add",
    entity="contact_event",
    words="Timeline note",
    fields=(
        _ID,
        _CUSTOMER,
        _CASE,
        _choice("channel", Channel),
        _choice("direction", Direction),
        _maybe("occurred_at", TIME),
        _maybe("recorded_at", TIME),
        _maybe("subject", TEXT),
        _field("summary", TEXT),
        _maybe("reason", TEXT, "(a wrap-up reason code)"),
        _maybe("duration_seconds", INTEGER),
    ),
    rules="""append-only fact; the same event again (same id, customer, summary, author) is accepted
    again, a different one with the same id rejected. Both times are clamped to the server's now.
    Summary 1–10,000 ("write what happened"). `reason` (a code from resources/contact_reasons.toml,
    which the server does not hold) is a short code, `[a-z0-9][a-z0-9_-]{0,39}`; `duration_seconds`
    0–86,400; stored as `reason_code` and `duration_seconds` and pulled back with the event. Refusals
    in `console/contact_rules.py`'s words.""",
)
PROMISE_CREATE = _kind(
    "promise.create",
    entity="promise",
    words="Promise",
    fields=(
        _ID,
        _CUSTOMER,
        _CASE,
        _choice("kind", PromiseKind),
        _field("due_at", TIME),
        _maybe("window_end_at", TIME),
        _maybe("phone_e164", TEXT),
        _maybe("note", TEXT),
        _EVENT,
    ),
    rules="as `check_new_promise`, at occurred_at. Owner is the caller.",
)
PROMISE_COMPLETE = _kind(
    "promise.complete",
    entity="promise",
    words="Promise outcome",
    fields=(
        _ID,
        _VERSION,
        _choice("status", ("done", "not_reachable", "rescheduled")),
        _field("outcome", TEXT),
        _maybe("next_attempt_at", TIME),
        _maybe("customer_told", BOOLEAN),
        _maybe("follow_up_id", ID),
        _EVENT,
    ),
    rules="""only its owner, its case's owner or a supervisor (`check_ender`, checked first); as
    `check_outcome`; already ended or version differs: conflict; a next attempt makes the follow-up
    promise (id follow_up_id, so client and server agree).""",
)
PROMISE_REASSIGN = _kind(
    "promise.reassign",
    entity="promise",
    words="Promise reassignment",
    fields=(_ID, _VERSION, _field("to_user_id", ID), _field("note", TEXT), _EVENT),
    rules="""as `check_reassign`: a supervisor only ("only a supervisor reassigns a colleague's
    promise"); an open promise, to another active user, with a note 1–2,000; ended meanwhile or version
    differs: conflict. Timeline line and audit entry `promise.reassign`. Function
    `api.promise_reassign` (storage/server/61_promise_reassign.sql).""",
)
CASE_OPEN = _kind(
    "case.open",
    entity="case",
    words="New case",
    fields=(
        _ID,
        _CUSTOMER,
        _choice("kind", CaseKind),
        _field("title", TEXT),
        _choice("severity", Severity),
        _maybe("target_at", TIME),
        _EVENT,
        _maybe("reported_text", TEXT, "(the customer's words)"),
        _maybe("next_step", TEXT),
    ),
    rules="""kind one of `domain.vocabulary.CaseKind` ("kind must be one of …", the same words as
    `case_rules.check_case_kind`); title 1–200; reported_text (the timeline line's text when given) and
    next_step 0–2,000; target after the act; owner is the caller. The **server numbers the case**
    (`CS-nnnnnnn` from `api.case_reference`, which `server init` moves past the highest number held):
    the workstation's provisional `CS-P…` is replaced by the answer's record. The customer row is
    locked (FOR NO KEY UPDATE) so an `offer.impression` deciding at the same moment sees the case or
    commits first.""",
)
CASE_RESOLVE = _kind(
    "case.resolve",
    entity="case",
    words="Case resolution",
    fields=(
        _ID,
        _VERSION,
        _field("root_cause_category", TEXT),
        _field("root_cause_text", TEXT),
        _CONFIRMATION,
        _maybe("check_due_at", TIME),
        _EVENT,
    ),
    rules="""as `case_rules.resolve`: open cases only; a category from `ROOT_CAUSE_CATEGORIES`
    (`api.root_cause_categories()`, a test compares them), words 1–2,000; confirmed closes the case
    and ends its complaint-clock promise; not reachable needs `check_due_at` after the act and leaves
    it resolved with 1 attempt (the check promise comes as its own `promise.create`).""",
)
CASE_CONFIRM = _kind(
    "case.confirm",
    entity="case",
    words="Case confirmation",
    fields=(_ID, _VERSION, _CONFIRMATION, _maybe("check_due_at", TIME), _maybe("follow_up_id", ID), _EVENT),
    rules="""as `record_attempt`: resolved cases only; confirmed closes it and ends its open callback /
    progress-update and complaint-clock promises (done); not reachable counts an attempt and ends the
    open check promises as not reachable pointing at `follow_up_id` (queued as `promise.create` just
    before).""",
)
CASE_CLOSE_IN_WRITING = _kind(
    "case.close_in_writing",
    entity="case",
    words="Case closed in writing",
    fields=(_ID, _VERSION, _field("letter", TEXT), _EVENT),
    rules="""resolved, not reachable, at least 2 attempts; a letter (the letter itself is a
    `contact.add`); closes it as told in writing and ends its check and complaint-clock promises.""",
)
CASE_REOPEN = _kind(
    "case.reopen",
    entity="case",
    words="Case reopening",
    fields=(_ID, _VERSION, _field("reason", TEXT), _EVENT),
    rules="resolved or closed only; back in progress, confirmation pending, attempts 0, reopened count + 1.",
)
CASE_FORMAL_COMPLAINT = _kind(
    "case.formal_complaint",
    entity="case",
    words="Formal complaint",
    fields=(_ID, _VERSION, _field("complaint_made_at", TIME), _EVENT),
    rules="""not already one, not closed, made not in the future and less than 8 weeks ago; deadline =
    made + 8 weeks (its promise comes as `promise.create`).""",
)
CASE_DEADLOCK = _kind(
    "case.deadlock",
    entity="case",
    words="Deadlock",
    fields=(_ID, _VERSION, _field("note", TEXT), _EVENT),
    rules="a formal complaint, not closed, not already declared; a note.",
)
CASE_ADR_LETTER = _kind(
    "case.adr_letter",
    entity="case",
    words="Ombudsman letter",
    fields=(_ID, _VERSION, _EVENT),
    rules="due at deadlock or 8 weeks unresolved (as `adr_letter_due`); ends the complaint-clock promise.",
)
CASE_UPDATE = _kind(
    "case.update",
    entity="case",
    words="Case progress",
    fields=(
        _ID,
        _VERSION,
        _field("done", TEXT),
        _field("next_step", TEXT),
        _field("customer_told", BOOLEAN),
        _EVENT,
    ),
    rules="""as `case_rules.progress_update`: open cases only ("… is resolved: reopen it before
    recording progress"); what was done and the new next step 1–2,000 each; customer_told true or
    false. Writes next_step and moves `updated_at` on (the news that clears "past target, no
    update"); timeline line and audit entry `case.update`. Function `api.case_update`
    (storage/server/66_case_update.sql).""",
)
CASE_FEEDBACK = _kind(
    "case.feedback",
    entity="feedback",
    words="Customer feedback",
    fields=(
        _ID,
        _field("case_id", ID),
        _field("fix_score", INTEGER),
        _field("fault_score", INTEGER),
        _maybe("cause_text", TEXT),
        _EVENT,
    ),
    rules="closed cases only; both scores 1–5; once per case (the case row is locked while checking).",
)
CASE_SERVICE_DATES = _kind(
    "case.service_dates",
    entity="case",
    words="Service dates",
    fields=(
        _ID,
        _VERSION,
        _maybe("reported_at", TIME),
        _maybe("restored_at", TIME),
        _maybe("promised_start_on", DATE),
        _maybe("started_on", DATE),
        _maybe("appointment_at", TIME),
        _maybe("appointment_missed", BOOLEAN),
        _maybe("cancellation_notice_at", TIME),
        _maybe("customer_delay_days", INTEGER),
        _maybe("customer_caused_delay", TEXT),
        _maybe("summary", TEXT),
        _EVENT,
    ),
    rules="""as `compensation.check_facts` at the act's time (dates in London); every column is written
    as given. Audited (`case.service_dates`): compensation follows from these dates.""",
)
_OWNER_FIELDS = (
    _ID,
    _maybe("from_owner_id", ID, "(the owner seen)"),
    _field("to_user_id", ID),
    _field("note", TEXT),
    _field("change_id", ID),
    _EVENT,
)
_OWNER_RULES = """open cases only; a note 1–2,000; an active user; the owner must still be
`from_owner_id` (else conflict); not to the current owner. Also writes a `case_owner_changes` row
(entity `case_owner_change`, id `change_id`)."""
CASE_TAKE = _kind(
    "case.take",
    entity="case",
    words="Case take-over",
    fields=_OWNER_FIELDS,
    rules=f"the caller takes the case (`to_user_id` is the caller); {_OWNER_RULES}",
)
CASE_HAND_OVER = _kind(
    "case.hand_over",
    entity="case",
    words="Case handover",
    fields=_OWNER_FIELDS,
    rules=f"to `to_user_id`; {_OWNER_RULES}",
)
HANDOFF_CREATE = _kind(
    "handoff.create",
    entity="handoff",
    words="Handoff",
    fields=(
        _ID,
        _CUSTOMER,
        _CASE,
        _choice("kind", HandoffKind),
        _choice("to_team", Team),
        _field("summary", TEXT),
        _field("acknowledge_by", TIME),
        _maybe("done_by", TIME),
        _EVENT,
    ),
    rules="""from the caller's team (`users.team`) to another; summary 1–2,000; done_by after the act;
    acknowledge_by within 14 days of the act and no sooner than the receiving team's acknowledge
    hours (`resources/teams.toml`, written to `api.team_acknowledge` by `server init`) of working
    time after it, counted by `api.working_add` in the console's working hours and bank holidays
    (see "Acknowledge-by in working hours").""",
)
_STEP_RULES = """only a member of the receiving team or a supervisor (`handoff_rules.check_mover`, the
same on the client); from awaiting_ack / acknowledged at the version seen, else conflict."""
HANDOFF_ACKNOWLEDGE = _kind(
    "handoff.acknowledge",
    entity="handoff",
    words="Handoff acknowledgement",
    # The server's one step function reads done_note for both; an acknowledgement never sends it.
    fields=(_ID, _VERSION, _maybe("done_note", TEXT, "never sent: completion only"), _EVENT),
    rules=_STEP_RULES,
)
HANDOFF_COMPLETE = _kind(
    "handoff.complete",
    entity="handoff",
    words="Handoff completion",
    fields=(_ID, _VERSION, _maybe("done_note", TEXT, "what was done, up to 2,000"), _EVENT),
    rules=_STEP_RULES,
)
OFFER_IMPRESSION = _kind(
    "offer.impression",
    entity="offer_impression",
    words="Offer shown",
    fields=(
        _ID,
        _CUSTOMER,
        _field("offer_id", ID),
        _maybe("shown_at", TIME, "(the server takes occurred_at)"),
    ),
    rules="""the suppressor on the server: refused ("offers paused: …") while the customer has a case
    open since before the act, or resolved and not confirmed, is vulnerable, or has no marketing
    consent; the offer must be active. The customer's cases are locked FOR SHARE meanwhile. The same
    impression again is accepted again (a fact). The complaint cooling-off period is a workstation
    setting and stays on the client.""",
)

DETAIL_FIELDS = (
    "email",
    "address_line",
    "town",
    "postcode",
    "preferred_channel",
    "marketing_consent",
    "vulnerable",
    "vulnerability_note",
    "mobile_phone",
    "landline_phone",
    "work_phone",
)
CUSTOMER_CREATE = _kind(
    "customer.create",
    entity="customer",
    words="New customer",
    fields=(
        _ID,
        _field("given_name", TEXT),
        _field("family_name", TEXT),
        _maybe("email", TEXT),
        _field("address_line", TEXT),
        _field("town", TEXT),
        _field("postcode", TEXT),
        _field("preferred_channel", TEXT),
        _field("marketing_consent", BOOLEAN),
        _maybe("phone", TEXT, "(E.164)"),
        _maybe("phone_id", ID),
        _field("reason", TEXT),
        _EVENT,
    ),
    rules="""a customer made with the same checks as a detail change (console/details_rules.py's words);
    names 1–100 ("give the customer's given name" / "family name"). The workstation's provisional
    `P…` account number is replaced by the server's next number, pulled back with the customer. A
    number or email another customer holds is a warning in the console, never a refusal. The same id
    again is accepted as the same customer.""",
)
CUSTOMER_CHANGE_DETAILS = _kind(
    "customer.change_details",
    entity="customer_detail_change",
    words="Customer details change",
    fields=(
        _ID,
        _CUSTOMER,
        _choice("field", DETAIL_FIELDS),
        _maybe("value", TEXT, "(null removes it)"),
        _field("reason", TEXT),
        _EVENT,
    ),
    rules="""one detail of the customer set, the value it replaces kept in the detail history with who,
    when and why (append-only: nothing is overwritten out of sight). Reason 1–2,000 ("give a reason for
    the change"); each value checked as console/details_rules.py checks it, in its words (E.164 phone
    numbers, UK postcodes, email, at most 200 characters a line); a phone number is replaced, never
    emptied. The same change id again is accepted as the same change.""",
)
CUSTOMER_RESTORE_DETAIL = _kind(
    "customer.restore_detail",
    entity="customer_detail_change",
    words="Customer detail restored",
    fields=(_ID, _field("restores_id", ID), _field("reason", TEXT), _EVENT),
    rules="""the earlier value of the detail change `restores_id` set back, as a change of its own with
    its reason (1–2,000) and the value it replaces kept in the history; refused when that change
    removed nothing ("there is no earlier value to bring back").""",
)


# -- derived --------------------------------------------------------------------------------------------

TABLE: tuple[MutationKind, ...] = tuple(_ROWS)
BY_NAME: dict[str, MutationKind] = {row.name: row for row in TABLE}
KINDS: tuple[str, ...] = tuple(BY_NAME)


def spec(kind: str) -> MutationKind:
    """The row of `kind`; ValueError for a kind not in the table."""
    row = BY_NAME.get(kind)
    if row is None:
        raise ValueError(f"unknown mutation kind {kind!r}")
    return row


def entity_of(kind: str) -> str | None:
    """The server entity a mutation kind writes (its record's entity in the answer)."""
    row = BY_NAME.get(kind)
    return row.entity if row is not None else None


def words_for(kind: str) -> str:
    """What the sync-problems list calls a change of this kind (the kind itself if not in the table)."""
    row = BY_NAME.get(kind)
    return row.words if row is not None else kind


def payload_limits() -> list[tuple[str, str, int]]:
    """(kind, field, most characters) for every payload field of every kind: the server's bounds."""
    return [(row.name, field.name, MAX_LENGTH[field.type]) for row in TABLE for field in row.fields]


def check_payload(kind: str, payload: Mapping[str, object]) -> None:
    """PayloadError if `payload` is not what `kind` carries; ValueError if the kind is unknown."""
    spec(kind).check(payload)


# -- docs/sync.md ---------------------------------------------------------------------------------------

TABLE_START = "<!-- kinds table: written by `python -m domain.mutation_kinds --update docs/sync.md` -->"
TABLE_END = "<!-- end of kinds table -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_table() -> str:
    """The kinds table of docs/sync.md, one row per kind."""
    lines = [
        "| kind | entity | payload | rules | its author reads |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in TABLE:
        payload = ", ".join(field.markdown() for field in row.fields)
        cells = (f"`{row.name}`", f"`{row.entity}`", payload, row.rules, row.words)
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def replace_table(document: str, table: str) -> str:
    """`document` with the text between the table's markers replaced by `table`."""
    start, end = document.find(TABLE_START), document.find(TABLE_END)
    if start < 0 or end < start:
        raise ValueError("the document has no kinds table markers")
    head = document[: start + len(TABLE_START)]
    return f"{head}\n{table}{document[end:]}"


def table_in(document: str) -> str:
    """The kinds table as `document` holds it (between its markers)."""
    start, end = document.find(TABLE_START), document.find(TABLE_END)
    if start < 0 or end < start:
        raise ValueError("the document has no kinds table markers")
    return document[start + len(TABLE_START) : end].lstrip("\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m domain.mutation_kinds", description=__doc__)
    parser.add_argument("--markdown", action="store_true", help="print the kinds table of docs/sync.md")
    parser.add_argument("--update", metavar="FILE", type=Path, help="rewrite the kinds table in FILE")
    args = parser.parse_args(argv)
    if args.update is not None:
        try:
            document = args.update.read_text(encoding="utf-8")
            args.update.write_text(replace_table(document, markdown_table()), encoding="utf-8")
        except (OSError, ValueError) as exc:
            print(f"{args.update}: {exc}", file=sys.stderr)
            return 1
    elif args.markdown:
        sys.stdout.write(markdown_table())
    else:
        parser.print_usage(sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
