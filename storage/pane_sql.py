"""The customer pane's reads in plain SQL (storage/plain.py): header, history pages, cases, promises,
handoffs, active offers and goodwill, with My promises and the colleagues beside them, as domain
records. The one place these reads are written."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from domain.records import (
    CaseSummary,
    CustomerProfile,
    GoodwillRecord,
    HandoffRecord,
    OfferRecord,
    OwnerChange,
    PromiseRecord,
    TimelineEntry,
    TimelineKey,
    UserRecord,
)
from domain.vocabulary import (
    Authorisation,
    CaseKind,
    CaseStatus,
    Channel,
    Confirmation,
    Direction,
    GoodwillKind,
    GoodwillState,
    HandoffKind,
    HandoffStatus,
    PromiseKind,
    PromiseStatus,
    Role,
    Severity,
    Team,
)
from storage.plain import BOOL, DATE, TIME, UUID, Reader, Shape, enum_of, placeholders, quoted

_CHANNEL, _DIRECTION = enum_of(Channel), enum_of(Direction)
_CASE_KIND, _CASE_STATUS, _SEVERITY = enum_of(CaseKind), enum_of(CaseStatus), enum_of(Severity)
_CONFIRMATION = enum_of(Confirmation)
_PROMISE_KIND, _PROMISE_STATUS = enum_of(PromiseKind), enum_of(PromiseStatus)
_HANDOFF_KIND, _HANDOFF_STATUS, _TEAM = enum_of(HandoffKind), enum_of(HandoffStatus), enum_of(Team)
_GOODWILL_KIND, _GOODWILL_STATE = enum_of(GoodwillKind), enum_of(GoodwillState)
_AUTHORISATION = enum_of(Authorisation)

OPEN_STATUSES = [status for status in CaseStatus if status.is_open]
PENDING = (GoodwillState.AWAITING_APPROVAL, GoodwillState.AWAITING_SECOND_APPROVAL)

# -- the header -----------------------------------------------------------------------------------

PROFILE = (
    "SELECT c.id, c.account_number, c.title, c.given_name, c.family_name, c.email, c.address_line,"
    " c.town, c.postcode, c.vulnerable, c.vulnerability_note, c.marketing_consent,"
    " c.preferred_channel, c.customer_since, o.display_name"
    " FROM customers AS c LEFT OUTER JOIN users AS o ON o.id = c.account_owner_id"
    " WHERE c.id = :customer_id"
)
PHONES = "SELECT e164 FROM customer_phones WHERE customer_id = :customer_id ORDER BY is_primary DESC, e164"
OWNER_CHANGES = (
    "SELECT a.changed_at, g.display_name, t.display_name, a.note"
    " FROM account_owner_changes AS a"
    " LEFT OUTER JOIN users AS g ON g.id = a.from_user_id JOIN users AS t ON t.id = a.to_user_id"
    " WHERE a.customer_id = :customer_id ORDER BY a.changed_at DESC LIMIT 5"
)


_PROFILE = Shape((UUID, *[None] * 8, BOOL, None, BOOL, _CHANNEL, DATE, None))
_PHONE = Shape((None,))
_OWNER_CHANGE = Shape((TIME, None, None, None), OwnerChange)


ACCOUNT = "SELECT id FROM customers WHERE account_number = :account_number"
_ID = Shape((UUID,))


def customer_id_for_account(reader: Reader, account_number: str) -> uuid.UUID | None:
    found = reader.rows(ACCOUNT, {"account_number": account_number}, _ID)
    return found[0][0] if found else None


def profile(reader: Reader, customer_id: uuid.UUID) -> CustomerProfile | None:
    params = {"customer_id": customer_id}
    found = reader.rows(PROFILE, params, _PROFILE)
    if not found:
        return None
    id_, account, title, given, family, email, address, town, postcode, *flags, owner = found[0]
    vulnerable, vulnerability_note, marketing_consent, preferred_channel, customer_since = flags
    phones = tuple(e164 for (e164,) in reader.rows(PHONES, params, _PHONE))
    changes = tuple(reader.rows(OWNER_CHANGES, params, _OWNER_CHANGE))
    return CustomerProfile(
        id_, account, title, given, family, email, phones, address, town, postcode, vulnerable,
        vulnerability_note, marketing_consent, preferred_channel, customer_since, owner, changes,
    )  # fmt: skip


# -- the history ----------------------------------------------------------------------------------

HISTORY = (
    "SELECT e.id, e.occurred_at, e.channel, e.direction, u.display_name, e.subject, e.summary, k.reference"
    " FROM contact_events AS e"
    " LEFT OUTER JOIN users AS u ON u.id = e.advisor_id LEFT OUTER JOIN cases AS k ON k.id = e.case_id"
    " WHERE e.customer_id = :customer_id{where}"
    " ORDER BY e.occurred_at DESC, e.id DESC LIMIT :limit"
)
AFTER = " AND (e.occurred_at, e.id) < (:after_at, :after_id)"
_TIMELINE_ENTRY = Shape((UUID, TIME, _CHANNEL, _DIRECTION, None, None, None, None), TimelineEntry)


def history_page(
    reader: Reader,
    customer_id: uuid.UUID,
    *,
    channels: frozenset[Channel] | None = None,
    after: TimelineKey | None = None,
    limit: int = 200,
) -> list[TimelineEntry]:
    """Newest first, by keyset: page N costs the same as page 1, whatever the history's length."""
    params: dict[str, Any] = {"customer_id": customer_id, "limit": limit}
    where = ""
    if channels is not None:
        names, values = placeholders("channel", sorted(channels))
        where += f" AND e.channel IN ({names})" if values else " AND 1 = 0"
        params |= values
    if after is not None:
        where += AFTER
        params["after_at"], params["after_id"] = after.occurred_at, after.id
    return reader.rows(HISTORY.format(where=where), params, _TIMELINE_ENTRY)


# -- cases ----------------------------------------------------------------------------------------

_IS_OPEN = f"c.status IN ({quoted(OPEN_STATUSES)})"
_CASE_SELECT = (
    "SELECT c.id, c.reference, c.kind, c.title, c.status, c.severity, u.display_name, c.opened_at,"
    " c.target_at, c.resolved_at, c.next_step, c.formal_complaint, c.owner_id, c.updated_at, c.version,"
    " c.root_cause_category, c.root_cause_text, c.confirmation, c.confirmation_attempts, c.closed_at,"
    " c.reopened_count, c.complaint_made_at, c.complaint_deadline_at, c.deadlock_at,"
    " c.adr_letter_sent_at, c.customer_id"
    " FROM cases AS c LEFT OUTER JOIN users AS u ON u.id = c.owner_id"
)
CASES = (
    _CASE_SELECT + " WHERE c.customer_id = :customer_id"
    f" ORDER BY CASE WHEN {_IS_OPEN} THEN 0 ELSE 1 END, CASE WHEN {_IS_OPEN} THEN c.opened_at END,"
    " c.opened_at DESC"
)


_CASE = Shape(
    (
        UUID, None, _CASE_KIND, None, _CASE_STATUS, _SEVERITY, None, TIME, TIME, TIME, None, BOOL, UUID,
        TIME, None, None, None, _CONFIRMATION, None, TIME, None, TIME, TIME, TIME, TIME, UUID,
    ),
    CaseSummary,
)  # fmt: skip


def cases(reader: Reader, customer_id: uuid.UUID) -> list[CaseSummary]:
    """Open cases first (oldest first: the longest-waiting problem on top), then the rest, newest first."""
    return reader.rows(CASES, {"customer_id": customer_id}, _CASE)


CASE_BY_ID = _CASE_SELECT + " WHERE c.id = :case_id"


def case_by_id(reader: Reader, case_id: uuid.UUID) -> CaseSummary | None:
    found: list[CaseSummary] = reader.rows(CASE_BY_ID, {"case_id": case_id}, _CASE)
    return found[0] if found else None


# -- promises -------------------------------------------------------------------------------------

_PROMISE = (
    "SELECT p.id, p.customer_id, c.given_name || ' ' || c.family_name, c.account_number, p.case_id,"
    " k.reference, p.kind, p.owner_id, u.display_name, p.created_at, p.due_at, p.window_end_at,"
    " p.phone_e164, p.note, p.status, p.outcome, p.closed_at, p.escalated_at, p.version"
    " FROM promises AS p JOIN customers AS c ON c.id = p.customer_id JOIN users AS u ON u.id = p.owner_id"
    " LEFT OUTER JOIN cases AS k ON k.id = p.case_id"
)
PROMISES_OPEN = _PROMISE + " WHERE p.customer_id = :customer_id AND p.status = :open ORDER BY p.due_at"
PROMISES_CLOSED = (
    _PROMISE
    + " WHERE p.customer_id = :customer_id AND p.status != :open ORDER BY p.closed_at DESC LIMIT :limit"
)


_PROMISE_ROW = Shape(
    (
        UUID, UUID, None, None, UUID, None, _PROMISE_KIND, UUID, None, TIME, TIME, TIME, None, None,
        _PROMISE_STATUS, None, TIME, TIME, None,
    ),
    PromiseRecord,
)  # fmt: skip


PROMISES_OWNED = _PROMISE + " WHERE p.owner_id = :owner_id AND p.status = :open ORDER BY p.due_at"


def open_for_owner(reader: Reader, owner_id: uuid.UUID) -> list[PromiseRecord]:
    """My promises: every open promise `owner_id` owns, across customers, soonest first."""
    return reader.rows(PROMISES_OWNED, {"owner_id": owner_id, "open": PromiseStatus.OPEN}, _PROMISE_ROW)


def promises(reader: Reader, customer_id: uuid.UUID, *, include_closed: int = 5) -> list[PromiseRecord]:
    """Open promises by due time, then the most recently closed few."""
    params: dict[str, Any] = {"customer_id": customer_id, "open": PromiseStatus.OPEN, "limit": include_closed}
    found: list[PromiseRecord] = reader.rows(PROMISES_OPEN, params, _PROMISE_ROW)
    if include_closed > 0:
        found += reader.rows(PROMISES_CLOSED, params, _PROMISE_ROW)
    return found


# -- handoffs -------------------------------------------------------------------------------------

HANDOFFS = (
    "SELECT h.id, h.customer_id, h.case_id, k.reference, h.kind, h.summary, h.from_team, h.to_team,"
    " m.display_name, h.created_at, h.acknowledge_by, a.display_name, h.acknowledged_at, h.done_by,"
    " h.done_at, h.status, h.version, c.given_name || ' ' || c.family_name, c.account_number"
    " FROM handoffs AS h JOIN customers AS c ON c.id = h.customer_id"
    " JOIN users AS m ON m.id = h.created_by LEFT OUTER JOIN users AS a ON a.id = h.acknowledged_by"
    " LEFT OUTER JOIN cases AS k ON k.id = h.case_id"
    " WHERE h.customer_id = :customer_id ORDER BY h.created_at DESC"
)


_HANDOFF = Shape(
    (
        UUID, UUID, UUID, None, _HANDOFF_KIND, None, _TEAM, _TEAM, None, TIME, TIME, None, TIME, TIME, TIME,
        _HANDOFF_STATUS, None, None, None,
    ),
    HandoffRecord,
)  # fmt: skip


def handoffs(reader: Reader, customer_id: uuid.UUID) -> list[HandoffRecord]:
    """Live ones first (by acknowledge-by), then finished ones, newest first."""
    records: list[HandoffRecord] = reader.rows(HANDOFFS, {"customer_id": customer_id}, _HANDOFF)
    live = sorted(
        (h for h in records if h.status in (HandoffStatus.AWAITING_ACK, HandoffStatus.ACKNOWLEDGED)),
        key=lambda h: h.acknowledge_by,
    )
    return live + [h for h in records if h not in live]


# -- users --------------------------------------------------------------------------------------

ACTIVE_USERS = (
    "SELECT id, username, display_name, role, team, goodwill_limit_pence, active FROM users"
    " WHERE active ORDER BY display_name"
)
_USER = Shape((UUID, None, None, enum_of(Role), _TEAM, None, BOOL), UserRecord)


def active_users(reader: Reader) -> list[UserRecord]:
    """Every active user by display name (the colleagues a case or promise can go to)."""
    return reader.rows(ACTIVE_USERS, {}, _USER)


# -- offers ---------------------------------------------------------------------------------------

ACTIVE_OFFERS = (
    "SELECT id, code, title, description, product, monthly_price_pence FROM offers"
    " WHERE active ORDER BY product, monthly_price_pence, code"
)


_OFFER = Shape((UUID, None, None, None, None, None), OfferRecord)


def active_offers(reader: Reader) -> list[OfferRecord]:
    return reader.rows(ACTIVE_OFFERS, {}, _OFFER)


# -- goodwill -------------------------------------------------------------------------------------

_GOODWILL = (
    "SELECT g.id, g.customer_id, c.given_name || ' ' || c.family_name, c.account_number, g.case_id,"
    " k.reference, g.kind, g.amount_pence, g.reason_category, g.reason_text, g.requested_by,"
    " q.display_name, g.requested_at, g.state, g.authorisation, g.decided_by, d.display_name,"
    " g.decided_at, g.decision_note, g.second_decided_by, s.display_name, g.second_decided_at, g.version"
    " FROM goodwill AS g JOIN customers AS c ON c.id = g.customer_id"
    " JOIN users AS q ON q.id = g.requested_by LEFT OUTER JOIN users AS d ON d.id = g.decided_by"
    " LEFT OUTER JOIN users AS s ON s.id = g.second_decided_by LEFT OUTER JOIN cases AS k ON k.id = g.case_id"
)
GOODWILL_FOR_CUSTOMER = (
    _GOODWILL + " WHERE g.customer_id = :customer_id ORDER BY g.requested_at DESC, g.id DESC LIMIT :limit"
)
GOODWILL_PENDING = (
    _GOODWILL + f" WHERE g.state IN ({quoted(PENDING)}) ORDER BY g.requested_at, g.id LIMIT :limit"
)
_DECIDED = "coalesce(g.second_decided_at, g.decided_at)"
GOODWILL_DECIDED_SINCE = (
    _GOODWILL + " WHERE g.requested_by = :requester_id"
    f" AND g.state IN ({quoted((GoodwillState.APPROVED, GoodwillState.REJECTED))})"
    f" AND (g.authorisation IS NULL OR g.authorisation != '{Authorisation.SELF_WITHIN_LIMIT.value}')"
    f" AND {_DECIDED} >= :since ORDER BY {_DECIDED}, g.id LIMIT :limit"
)
MONTH_TOTALS = (
    "SELECT requested_by, coalesce(sum(amount_pence), 0) FROM goodwill"
    f" WHERE requested_by IN ({{users}}) AND state = '{GoodwillState.APPROVED.value}'"
    " AND requested_at >= :since GROUP BY requested_by"
)
GOODWILL_LIMIT = "SELECT goodwill_limit_pence FROM users WHERE id = :user_id"


_GOODWILL_COLUMNS = (
    UUID, UUID, None, None, UUID, None, _GOODWILL_KIND, None, None, None, UUID, None, TIME, _GOODWILL_STATE,
    _AUTHORISATION, UUID, None, TIME, None, UUID, None, TIME, None,
)  # fmt: skip
_GOODWILL_RECORD = Shape(_GOODWILL_COLUMNS, GoodwillRecord)
_GOODWILL_VALUES = Shape(_GOODWILL_COLUMNS)
_MONTH_TOTAL = Shape((UUID, int))


def goodwill_for_customer(reader: Reader, customer_id: uuid.UUID, *, limit: int = 50) -> list[GoodwillRecord]:
    """The customer's requests, newest first."""
    params = {"customer_id": customer_id, "limit": limit}
    return reader.rows(GOODWILL_FOR_CUSTOMER, params, _GOODWILL_RECORD)


def goodwill_pending(reader: Reader, since: datetime, *, limit: int = 500) -> list[GoodwillRecord]:
    """Requests awaiting a first or second approval, oldest first, with each requester's month total
    (approved since `since`)."""
    found = reader.rows(GOODWILL_PENDING, {"limit": limit}, _GOODWILL_VALUES)
    totals = month_totals(reader, list(dict.fromkeys(row[10] for row in found)), since)
    # requester_month_pence: the record's last field
    return [GoodwillRecord(*(*row, totals.get(row[10], 0))) for row in found]


def goodwill_decided_since(
    reader: Reader, requester_id: uuid.UUID, since: datetime, *, limit: int = 50
) -> list[GoodwillRecord]:
    """`requester_id`'s requests a supervisor approved or rejected since `since`, oldest decision first
    (requests given at once within the requester's own limit are not decisions anyone waits for)."""
    params = {"requester_id": requester_id, "since": since, "limit": limit}
    return reader.rows(GOODWILL_DECIDED_SINCE, params, _GOODWILL_RECORD)


def month_totals(reader: Reader, user_ids: Sequence[uuid.UUID], since: datetime) -> dict[uuid.UUID, int]:
    """Approved amounts each user requested since `since` (the start of the month)."""
    if not user_ids:
        return {}
    names, params = placeholders("user", list(user_ids))
    return dict(reader.rows(MONTH_TOTALS.format(users=names), params | {"since": since}, _MONTH_TOTAL))


def goodwill_limit(reader: Reader, user_id: uuid.UUID) -> int | None:
    """The user's goodwill limit as the users table holds it now; None for no such user."""
    found = reader.scalar(GOODWILL_LIMIT, {"user_id": user_id})
    return int(found) if found is not None else None
