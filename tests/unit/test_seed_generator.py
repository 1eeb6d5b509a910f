"""The seed generator without a database: determinism, proportions, stories, and valid values."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from console.compensation import ServiceFacts, load_scheme, suggest
from console.contact_reasons import load_reasons
from console.contact_rules import call_heading
from console.normalise import format_postcode, name_key, phone_e164
from console.seed import generate
from console.seed.people import staff_numbers
from console.seed.pools import national_form
from console.seed.rows import Row, Rows
from console.seed.stories import (
    CAUSE_NOT_INVESTIGATED,
    DEMO_PHONE,
    LOST_CALLBACK_NUMBER,
    NO_PITCH_DURING_FAULT,
    OFFICE_MOVE,
)
from domain.vocabulary import CaseKind, CaseStatus, GoodwillState, HandoffStatus, PromiseStatus

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)
CUSTOMERS = 2_000
E164_UK = re.compile(r"^\+44[1-9]\d{9}$")


def collect(customers: int, seed: int = 1, now: datetime = NOW) -> Rows:
    everything = Rows()
    for rows, _ in generate(customers, seed=seed, now=now, batch_customers=500):
        for name, table_rows in rows.tables().items():
            getattr(everything, name).extend(table_rows)
    return everything


@pytest.fixture(scope="module")
def data() -> Rows:
    return collect(CUSTOMERS)


def customer_by_account(data: Rows, account: str) -> Row:
    return next(c for c in data.customers if c["account_number"] == account)


def of_customer(rows: list[Row], customer: Row) -> list[Row]:
    return [r for r in rows if r["customer_id"] == customer["id"]]


def user_id(data: Rows, username: str) -> uuid.UUID:
    found: uuid.UUID = next(u["id"] for u in data.users if u["username"] == username)
    return found


# ---- determinism ----------------------------------------------------------------------------


def test_same_seed_and_time_give_identical_rows() -> None:
    assert collect(150, seed=7).tables() == collect(150, seed=7).tables()


def test_another_seed_gives_other_rows() -> None:
    first, second = collect(150, seed=7), collect(150, seed=8)
    assert [c["given_name"] for c in first.customers] != [c["given_name"] for c in second.customers]
    assert {c["id"] for c in first.customers}.isdisjoint({c["id"] for c in second.customers})


def test_batches_do_not_change_the_rows() -> None:
    small = Rows()
    for rows, _ in generate(150, seed=7, now=NOW, batch_customers=7):
        for name, table_rows in rows.tables().items():
            getattr(small, name).extend(table_rows)
    assert small.tables() == collect(150, seed=7).tables()


def test_progress_counts_customers() -> None:
    done = [count for _, count in generate(250, seed=1, now=NOW, batch_customers=100)]
    assert done == [0, 100, 200, 250]


@pytest.mark.parametrize("customers", [0, -1, 20_000_001])
def test_refuses_counts_out_of_range(customers: int) -> None:
    with pytest.raises(ValueError, match="between 1 and 20,000,000"):
        next(generate(customers, seed=1, now=NOW))


def test_refuses_a_naive_now() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next(generate(10, seed=1, now=datetime(2026, 1, 1)))


# ---- proportions ----------------------------------------------------------------------------


def test_counts_are_roughly_as_specified(data: Rows) -> None:
    n = CUSTOMERS
    assert len(data.customers) == n + 6  # plus the four stories and the household sharing a landline
    assert 8 * n <= len(data.contact_events) <= 12 * n
    assert 0.22 * n <= len(data.cases) <= 0.42 * n
    assert len(data.offers) == 8
    assert len(data.promises) > 0.1 * n
    assert len(data.handoffs) > 0.05 * n
    assert len(data.goodwill) > 0.01 * n
    assert data.feedback and data.offer_impressions
    roles = Counter(u["role"] for u in data.users if u["active"])
    advisors, supervisors = staff_numbers(n)
    assert roles["advisor"] == advisors
    assert roles["supervisor"] == supervisors


def test_staff_scale_with_customers() -> None:
    assert staff_numbers(100) == (8, 2)
    assert staff_numbers(1_000_000) == (500, 63)


def test_fixed_logins_exist(data: Rows) -> None:
    users = {u["username"]: u for u in data.users}
    assert users["advisor"]["display_name"] == "Alex Advisor"
    assert users["advisor"]["team"] == "front_line"
    assert users["advisor"]["goodwill_limit_pence"] == 5_000
    assert users["supervisor"]["display_name"] == "Sam Supervisor"
    assert users["supervisor"]["goodwill_limit_pence"] == 50_000
    assert len(users) == len(data.users)
    for user in data.users:
        assert re.fullmatch(r"[a-z]+\.?[a-z]*\d*", user["username"]), user["username"]
        if user["role"] == "advisor":
            assert 2_500 <= user["goodwill_limit_pence"] <= 5_000
        else:
            assert 25_000 <= user["goodwill_limit_pence"] <= 50_000
    assert {u["team"] for u in data.users if u["active"]} >= {
        "front_line",
        "sales",
        "provisioning",
        "technical",
        "billing",
        "field_engineers",
        "complaints",
    }


def test_customers_look_real(data: Rows) -> None:
    accounts = [c["account_number"] for c in data.customers]
    assert len(set(accounts)) == len(accounts)
    assert all(re.fullmatch(r"\d{8}", a) for a in accounts)
    generated = [c for c in data.customers if c["account_number"].startswith("4")]
    assert generated[0]["account_number"] == "40000001"
    for customer in data.customers:
        assert format_postcode(customer["postcode"]) == customer["postcode"]
        assert customer["postcode_key"] == customer["postcode"].replace(" ", "")
        assert customer["given_key"] == name_key(customer["given_name"])
        assert customer["family_key"] == name_key(customer["family_name"])
        if customer["email"] is not None:
            assert customer["email_key"] == customer["email"].casefold()
            assert re.fullmatch(r"[a-z0-9.]+@[a-z0-9.\-]+\.[a-z]+", customer["email"])
    share = Counter(c["vulnerable"] for c in generated)[True] / len(generated)
    assert 0.01 < share < 0.06
    consent = Counter(c["marketing_consent"] for c in generated)[True] / len(generated)
    assert 0.5 < consent < 0.7
    owned = sum(c["account_owner_id"] is not None for c in generated) / len(generated)
    assert 0.02 < owned < 0.09
    since = [c["customer_since"] for c in generated]
    assert since == sorted(since)  # account numbers were given out over time
    assert (NOW.date() - since[0]).days > 19 * 365


def test_every_phone_is_e164_as_phone_e164_gives_it(data: Rows) -> None:
    by_customer = Counter(p["customer_id"] for p in data.customer_phones)
    assert set(by_customer.values()) <= {1, 2}
    assert len(by_customer) == len(data.customers)
    for phone in data.customer_phones:
        assert E164_UK.match(phone["e164"]), phone
        assert phone_e164(national_form(phone["e164"])) == phone["e164"]
    primaries = Counter(p["customer_id"] for p in data.customer_phones if p["is_primary"])
    assert set(primaries.values()) == {1}
    demo = [p for p in data.customer_phones if p["e164"] == DEMO_PHONE]
    assert len(demo) == 1  # only the story customer has the drama number the demo searches for


def test_every_datetime_is_aware_and_never_in_the_future_for_facts(data: Rows) -> None:
    for name, rows in data.tables().items():
        for row in rows:
            for column, value in row.items():
                if isinstance(value, datetime):
                    assert value.tzinfo is not None, (name, column)
    for event in data.contact_events:
        assert event["occurred_at"] <= event["recorded_at"] <= NOW


def test_ids_are_time_ordered_by_the_rows_own_time(data: Rows) -> None:
    for event in data.contact_events[:2_000]:
        stamp_ms = event["id"].int >> 80
        assert stamp_ms == int(event["occurred_at"].timestamp() * 1000)
        assert event["id"].version == 7


def test_contact_channels_phone_first(data: Rows) -> None:
    channels = Counter(e["channel"] for e in data.contact_events)
    assert set(channels) == {"phone", "email", "chat", "social", "letter", "visit", "system"}
    assert channels.most_common(1)[0][0] == "phone"
    assert channels["email"] > channels["chat"] > channels["social"]
    linked = sum(e["case_id"] is not None for e in data.contact_events)
    assert linked > 0.05 * len(data.contact_events)
    stories = story_ids(data)
    for event in data.contact_events:
        if event["customer_id"] not in stories:
            assert (event["advisor_id"] is None) == (event["channel"] == "system")


def test_cases_open_and_closed_make_sense(data: Rows) -> None:
    references = [c["reference"] for c in data.cases]
    assert len(set(references)) == len(references)
    assert all(re.fullmatch(r"CS-\d{7}", r) for r in references)
    statuses = Counter(c["status"] for c in data.cases)
    assert statuses["closed"] > statuses["open"] + statuses["in_progress"]
    assert statuses["open"] and statuses["in_progress"] and statuses["awaiting_customer"]
    for case in data.cases:
        if CaseStatus(case["status"]).is_open:
            assert case["owner_id"] and case["next_step"] and case["target_at"]
            assert case["resolved_at"] is None
        else:
            assert case["root_cause_category"]
            assert case["resolved_at"] <= NOW
        if case["status"] == "closed":
            assert case["confirmation"] != "pending"
        if case["formal_complaint"]:
            assert case["complaint_deadline_at"] == case["opened_at"] + timedelta(weeks=8)
    assert any(c["formal_complaint"] for c in data.cases)


def test_promises_due_soon_broken_and_closed(data: Rows) -> None:
    open_promises = [p for p in data.promises if p["status"] == "open"]
    soon = [p for p in open_promises if NOW < p["due_at"] <= NOW + timedelta(minutes=15)]
    later = [p for p in open_promises if p["due_at"] > NOW + timedelta(minutes=15)]
    broken = [p for p in open_promises if p["due_at"] < NOW]
    assert soon and later and broken
    assert any(p["escalated_at"] for p in broken)
    statuses = {p["status"] for p in data.promises}
    assert statuses == {s.value for s in PromiseStatus}
    cases = {c["id"]: c for c in data.cases}
    for promise in data.promises:
        assert promise["created_at"] <= NOW
        if promise["status"] == "open":
            assert promise["outcome"] is None and promise["closed_at"] is None
            assert CaseStatus(cases[promise["case_id"]]["status"]).is_open or (
                promise["kind"] == "complaint_deadline"
            )
        else:
            assert promise["outcome"] and promise["closed_at"]
        if promise["kind"] == "callback" and promise["customer_id"] not in story_ids(data):
            assert promise["phone_e164"]
    follow_ups = {p["follow_up_id"] for p in data.promises} - {None}
    assert follow_ups <= {p["id"] for p in data.promises}


def story_ids(data: Rows) -> set[Any]:
    return {c["id"] for c in data.customers if c["account_number"].startswith("1000000")}


def test_handoffs_in_every_state(data: Rows) -> None:
    now = NOW
    statuses = Counter(h["status"] for h in data.handoffs)
    assert set(statuses) == {s.value for s in HandoffStatus}
    red = [h for h in data.handoffs if h["status"] == "awaiting_ack" and h["acknowledge_by"] < now]
    assert red
    for handoff in data.handoffs:
        assert handoff["from_team"] != handoff["to_team"]
        assert (handoff["acknowledged_at"] is None) == (handoff["acknowledged_by"] is None)
        if handoff["status"] in ("acknowledged", "done"):
            assert handoff["acknowledged_at"] is not None
        if handoff["status"] == "done":
            assert handoff["done_at"] is not None


def test_goodwill_respects_the_table_rules_and_limits(data: Rows) -> None:
    limits = {u["id"]: u["goodwill_limit_pence"] for u in data.users}
    supervisors = {u["id"] for u in data.users if u["role"] == "supervisor"}
    states = Counter(g["state"] for g in data.goodwill)
    assert set(states) == {s.value for s in GoodwillState}
    authorisations = {g["authorisation"] for g in data.goodwill}
    assert {"self_within_limit", "supervisor", "second_supervisor"} <= authorisations
    for goodwill in data.goodwill:
        assert goodwill["amount_pence"] > 0
        assert goodwill["decided_by"] != goodwill["requested_by"]
        if goodwill["second_decided_by"] is not None:
            assert goodwill["second_decided_by"] not in (
                goodwill["requested_by"],
                goodwill["decided_by"],
            )
        limit = limits[goodwill["requested_by"]]
        if goodwill["authorisation"] == "self_within_limit":
            assert goodwill["amount_pence"] <= limit and goodwill["decided_by"] is None
        elif goodwill["state"] != "awaiting_approval" or goodwill["decided_by"] is not None:
            assert goodwill["decided_by"] in supervisors
        if goodwill["state"].startswith("awaiting"):
            assert goodwill["amount_pence"] > limit


def test_offers_never_shown_while_a_case_was_open(data: Rows) -> None:
    consent = {c["id"]: c["marketing_consent"] for c in data.customers}
    open_spans: dict[Any, list[tuple[datetime, datetime]]] = {}
    far = NOW + timedelta(days=3650)
    for case in data.cases:
        span = (case["opened_at"], case["closed_at"] or far)
        open_spans.setdefault(case["customer_id"], []).append(span)
    for shown in data.offer_impressions:
        assert consent[shown["customer_id"]]
        for start, end in open_spans.get(shown["customer_id"], []):
            assert not start <= shown["shown_at"] <= end


def test_feedback_scores_in_range(data: Rows) -> None:
    closed = {c["id"] for c in data.cases if c["status"] == "closed"}
    for feedback in data.feedback:
        assert 1 <= feedback["fix_score"] <= 5 and 1 <= feedback["fault_score"] <= 5
        assert feedback["case_id"] in closed
        assert feedback["received_at"] <= NOW


def test_default_advisor_has_a_busy_day(data: Rows) -> None:
    advisor = user_id(data, "advisor")
    mine = [c for c in data.cases if c["owner_id"] == advisor and CaseStatus(c["status"]).is_open]
    assert len(mine) >= 5
    due_soon = [
        p
        for p in data.promises
        if p["owner_id"] == advisor
        and p["status"] == "open"
        and NOW < p["due_at"] <= NOW + timedelta(minutes=15)
    ]
    assert due_soon


# ---- the stories ----------------------------------------------------------------------------


def test_story_office_move_order_never_acknowledged(data: Rows) -> None:
    customer = customer_by_account(data, OFFICE_MOVE)
    assert customer["account_owner_id"] == user_id(data, "daniel.okafor")
    handovers = of_customer(data.account_owner_changes, customer)
    assert [h["to_user_id"] for h in handovers][-1] == customer["account_owner_id"]
    [handoff] = of_customer(data.handoffs, customer)
    assert (handoff["from_team"], handoff["to_team"]) == ("sales", "provisioning")
    assert handoff["status"] == "awaiting_ack" and handoff["acknowledged_at"] is None
    assert handoff["acknowledge_by"] < NOW - timedelta(days=30)
    [case] = of_customer(data.cases, customer)
    assert CaseStatus(case["status"]).is_open
    assert NOW < case["target_at"] < NOW + timedelta(days=7)  # the move date is close
    told = [e for e in of_customer(data.contact_events, customer) if "being dealt with" in e["summary"]]
    assert len(told) >= 3
    assert {e["channel"] for e in of_customer(data.contact_events, customer)} >= {
        "phone",
        "email",
        "chat",
        "social",
    }


def test_story_lost_callback_number(data: Rows) -> None:
    customer = customer_by_account(data, LOST_CALLBACK_NUMBER)
    assert (customer["given_name"], customer["family_name"]) == ("Margaret", "Holloway")
    promises = of_customer(data.promises, customer)
    failed = [p for p in promises if p["status"] == "not_reachable"]
    assert len(failed) == 2
    assert any(p["phone_e164"] is None for p in failed)
    cases = {c["kind"]: c for c in of_customer(data.cases, customer)}
    complaint = cases["complaint"]
    assert complaint["formal_complaint"]
    assert complaint["complaint_deadline_at"] == complaint["opened_at"] + timedelta(weeks=8)
    assert "lost" in complaint["root_cause_category"]
    restored = [e for e in of_customer(data.contact_events, customer) if "restored" in e["summary"]]
    assert restored and restored[0]["occurred_at"] > complaint["opened_at"]
    [goodwill] = of_customer(data.goodwill, customer)
    assert goodwill["state"] == "approved" and goodwill["decided_by"] == user_id(data, "supervisor")


def test_story_no_sales_pitch_during_broadband_fault(data: Rows) -> None:
    customer = customer_by_account(data, NO_PITCH_DURING_FAULT)
    phones = [p["e164"] for p in of_customer(data.customer_phones, customer)]
    assert phones == [DEMO_PHONE] and phone_e164("07700 900123") == DEMO_PHONE
    [case] = of_customer(data.cases, customer)
    assert case["kind"] == "broadband_fault" and CaseStatus(case["status"]).is_open
    shown = of_customer(data.offer_impressions, customer)
    assert shown and all(s["shown_at"] < case["opened_at"] for s in shown)
    sim_only = next(o["id"] for o in data.offers if o["code"] == "SIMO30")
    assert any(s["offer_id"] == sim_only for s in shown)
    soon = [
        p
        for p in of_customer(data.promises, customer)
        if p["status"] == "open" and NOW < p["due_at"] <= NOW + timedelta(minutes=15)
    ]
    assert soon and soon[0]["owner_id"] == user_id(data, "advisor")
    [request] = of_customer(data.goodwill, customer)
    assert request["state"] == "awaiting_approval"


@pytest.mark.parametrize("days", range(7))
def test_story_broadband_fault_is_owed_automatic_compensation_on_any_weekday(days: int) -> None:
    """The demo always shows a suggestion: the engineer missed the appointment, whatever the day."""
    now = NOW + timedelta(days=days)
    data = collect(1, now=now)
    [case] = of_customer(data.cases, customer_by_account(data, NO_PITCH_DURING_FAULT))
    assert case["reported_at"] == case["opened_at"] and case["appointment_missed"]
    facts = ServiceFacts(
        CaseKind(case["kind"]),
        reported_at=case["reported_at"],
        appointment_at=case["appointment_at"],
        appointment_missed=True,
    )
    found = suggest(facts, load_scheme(), now)
    assert found is not None and found.owed
    assert "Engineer missed the appointment" in found.words()


def test_story_fault_fixed_fast_cause_never_investigated(data: Rows) -> None:
    customer = customer_by_account(data, CAUSE_NOT_INVESTIGATED)
    cases = {c["kind"]: c for c in of_customer(data.cases, customer)}
    fault, change = cases["broadband_fault"], cases["plan_change"]
    assert change["resolved_at"] <= fault["opened_at"]
    assert fault["resolved_at"] - fault["opened_at"] <= timedelta(hours=3)
    assert fault["root_cause_category"] in (None, "", "not investigated")
    [feedback] = of_customer(data.feedback, customer)
    assert feedback["case_id"] == fault["id"]
    assert feedback["fix_score"] >= 4 and feedback["fault_score"] <= 2


def test_stories_exist_at_the_smallest_scale() -> None:
    data = collect(1)
    assert len(data.customers) == 7
    assert {c["account_number"] for c in data.customers} >= {
        OFFICE_MOVE,
        LOST_CALLBACK_NUMBER,
        NO_PITCH_DURING_FAULT,
        CAUSE_NOT_INVESTIGATED,
    }


@pytest.mark.parametrize(
    "account", [OFFICE_MOVE, LOST_CALLBACK_NUMBER, NO_PITCH_DURING_FAULT, CAUSE_NOT_INVESTIGATED]
)
def test_each_story_has_calls_wrapped_up_by_advisors(data: Rows, account: str) -> None:
    """The demo shows what a wrap-up writes: an advisor's inbound call with its reason and duration."""
    reasons = load_reasons()
    wrapped = [
        e for e in of_customer(data.contact_events, customer_by_account(data, account)) if e["reason_code"]
    ]
    assert len(wrapped) >= 2
    for event in wrapped:
        assert (event["channel"], event["direction"]) == ("phone", "inbound")
        assert event["advisor_id"] is not None and reasons.has(event["reason_code"])
        assert 0 < event["duration_seconds"] <= 86_400
        assert event["subject"] == call_heading(
            reasons.words_for(event["reason_code"]) or "", event["duration_seconds"]
        )
