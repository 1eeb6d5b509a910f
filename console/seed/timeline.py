"""One customer's history: cases with their contacts, promises, handoffs, goodwill and feedback,
everyday contacts on every channel, and offers shown only while no problem was open."""

from __future__ import annotations

import itertools
import random
import uuid

from console.seed import phrases
from console.seed.people import Customer, Staff
from console.seed.phrases import Line
from console.seed.pools import Weighted, pick
from console.seed.rows import (
    DAY,
    HOUR,
    MINUTE,
    YEAR,
    Rows,
    case_owner_change_row,
    case_row,
    event_row,
    feedback_row,
    goodwill_row,
    handoff_row,
    impression_row,
    in_hours,
    promise_row,
)
from domain.vocabulary import (
    Authorisation,
    CaseKind,
    CaseStatus,
    Channel,
    Confirmation,
    Direction,
    GoodwillState,
    HandoffKind,
    HandoffStatus,
    PromiseKind,
    PromiseStatus,
    Severity,
    Team,
)

HISTORY = 6 * YEAR  # how far back everyday contacts and closed cases go
OPEN_SHARE = 0.12  # of cases still open now
FOREVER = 1 << 62

CASE_KINDS = Weighted(
    [
        (CaseKind.BROADBAND_FAULT.value, 22),
        (CaseKind.BILLING.value, 18),
        (CaseKind.MOBILE_FAULT.value, 10),
        (CaseKind.PLAN_CHANGE.value, 10),
        (CaseKind.LANDLINE_FAULT.value, 8),
        (CaseKind.HOME_MOVE.value, 8),
        (CaseKind.NEW_SERVICE.value, 8),
        (CaseKind.ENGINEER_APPOINTMENT.value, 6),
        (CaseKind.SERVICE_REQUEST.value, 6),
        (CaseKind.COMPLAINT.value, 4),
    ]
)
SEVERITIES = Weighted(
    [
        (Severity.LOW.value, 30),
        (Severity.MEDIUM.value, 45),
        (Severity.HIGH.value, 20),
        (Severity.CRITICAL.value, 5),
    ]
)
OPEN_STATUSES = Weighted(
    [
        (CaseStatus.OPEN.value, 35),
        (CaseStatus.IN_PROGRESS.value, 45),
        (CaseStatus.AWAITING_CUSTOMER.value, 20),
    ]
)
CONFIRMATIONS = Weighted(
    [
        (Confirmation.CONFIRMED.value, 80),
        (Confirmation.TOLD_IN_WRITING.value, 10),
        (Confirmation.NOT_REACHABLE.value, 10),
    ]
)
FIX_SCORES = Weighted([(5, 35), (4, 30), (3, 15), (2, 10), (1, 10)])
FAULT_SCORES = Weighted([(1, 25), (2, 25), (3, 25), (4, 15), (5, 10)])

# Who hands what to whom for each kind of case, and how often a case needs a handoff at all.
HANDOFFS: dict[str, tuple[str, str, str, float]] = {
    CaseKind.NEW_SERVICE: (Team.SALES, Team.PROVISIONING, HandoffKind.ORDER, 0.7),
    CaseKind.HOME_MOVE: (Team.FRONT_LINE, Team.PROVISIONING, HandoffKind.ORDER, 0.7),
    CaseKind.PLAN_CHANGE: (Team.SALES, Team.PROVISIONING, HandoffKind.ORDER, 0.6),
    CaseKind.ENGINEER_APPOINTMENT: (Team.FRONT_LINE, Team.FIELD_ENGINEERS, HandoffKind.TASK, 0.6),
    CaseKind.BROADBAND_FAULT: (Team.FRONT_LINE, Team.TECHNICAL, HandoffKind.TASK, 0.4),
    CaseKind.LANDLINE_FAULT: (Team.TECHNICAL, Team.FIELD_ENGINEERS, HandoffKind.TASK, 0.4),
    CaseKind.MOBILE_FAULT: (Team.FRONT_LINE, Team.TECHNICAL, HandoffKind.TASK, 0.3),
    CaseKind.BILLING: (Team.FRONT_LINE, Team.BILLING, HandoffKind.TASK, 0.3),
    CaseKind.COMPLAINT: (Team.FRONT_LINE, Team.COMPLAINTS, HandoffKind.TASK, 0.5),
    CaseKind.SERVICE_REQUEST: (Team.FRONT_LINE, Team.PROVISIONING, HandoffKind.TASK, 0.2),
}
GOODWILL_KINDS = frozenset(
    {
        CaseKind.BROADBAND_FAULT,
        CaseKind.LANDLINE_FAULT,
        CaseKind.MOBILE_FAULT,
        CaseKind.BILLING,
        CaseKind.ENGINEER_APPOINTMENT,
        CaseKind.COMPLAINT,
        CaseKind.HOME_MOVE,
    }
)
CASE_HANDOVER_NOTES = (
    "On leave from tomorrow; handed over with the line test results",
    "Moving to the complaints team; customer told who owns it now",
    "Shift ended; customer expects a call in the morning",
)
CUSTOMER_DELAYS = (
    "Customer away for two weeks; engineer could not get access",
    "Customer asked to wait until after the holidays",
)
CUSTOMER_CAUSES = (
    "Builders unplugged the router",
    "I had moved the router into a cupboard",
    "My own extension lead was faulty",
)

SYSTEM = Channel.SYSTEM.value
PHONE = Channel.PHONE.value
EMAIL = Channel.EMAIL.value
INTERNAL = Direction.INTERNAL.value
OPEN = PromiseStatus.OPEN.value
OPENING_CHANNELS = Weighted(phrases.OPENING_CHANNEL_WEIGHTS)


def line_channel(line: Line) -> str:
    if line.channel:
        return line.channel
    if line.direction == INTERNAL:
        return SYSTEM
    return EMAIL if line.subject else PHONE


def promise_end(x: float, created: int, due: int, latest: int) -> int:
    """When an ended promise was ended, for a uniform `x`: four in five on time (up to 45 minutes
    before it was due), the rest late, but never after `latest`."""
    if x < 0.8:
        return max(created + MINUTE, due - int(x / 0.8 * 45 * MINUTE))
    return max(due + MINUTE, min(due + int((x - 0.8) / 0.2 * 2 * HOUR), latest))


class Timeline:
    """Generates every row about one customer after the customer row itself."""

    def __init__(
        self,
        rng: random.Random,
        staff: Staff,
        offer_ids: list[uuid.UUID],
        now: int,
        *,
        first_case_number: int,
        default_owner_share: float,
    ) -> None:
        self.rng = rng
        self.staff = staff
        self.offer_ids = offer_ids
        self.now = now
        self.case_number = first_case_number
        self.default_owner_share = default_owner_share
        self.front_line = staff.of_team(Team.FRONT_LINE)
        channels, weights = zip(*phrases.GENERAL_CHANNEL_WEIGHTS, strict=True)
        self.general_channels: list[str] = list(channels)
        self.general_cum: list[int] = list(itertools.accumulate(weights))
        self.progress: dict[str, tuple[Line, ...]] = {
            kind: (*phrases.PROGRESS.get(kind, ()), *phrases.PROGRESS["default"]) for kind in CaseKind
        }

    # ---- one customer -------------------------------------------------------------------

    def for_customer(self, rows: Rows, customer: Customer) -> None:
        rng = self.rng
        rand = rng.random
        now = self.now
        low = max(customer.since, now - HISTORY)
        busy: list[tuple[int, int]] = []
        r = rand()
        cases = 0 if r < 0.75 else 1 if r < 0.95 else 2 if r < 0.99 else 3
        for _ in range(cases):
            busy.append(self.case(rows, customer, low))

        # Everyday contacts: newer more likely.
        span = now - low
        front_line = self.front_line
        events = rows.contact_events
        cid = customer.id
        count = 2 + int(rand() * 15)
        for channel in rng.choices(self.general_channels, cum_weights=self.general_cum, k=count):
            t = now - int(span * rand() ** 1.6)
            line = pick(rng, phrases.GENERAL[channel])
            if channel != SYSTEM:
                t = max(in_hours(t, now), low)
            if channel == SYSTEM:
                events.append(
                    event_row(rng, cid, None, channel, line.direction, None, t, t, None, line.summary)
                )
            else:
                events.append(
                    event_row(
                        rng,
                        cid,
                        None,
                        channel,
                        line.direction,
                        pick(rng, front_line),
                        t,
                        min(t + int(rand() * 180), now),
                        line.subject,
                        line.summary,
                    )
                )

        # Offers shown, only to customers who agreed to marketing, never while a case was open.
        if customer.marketing_consent and self.offer_ids and rand() < 0.25:
            for _ in range(1 + int(rand() * 3)):
                t = now - int(span * rand() ** 1.3)
                if any(start <= t <= end for start, end in busy):
                    continue
                rows.offer_impressions.append(
                    impression_row(rng, cid, pick(rng, self.offer_ids), pick(rng, front_line), t)
                )

    # ---- one case -----------------------------------------------------------------------

    def next_reference(self) -> str:
        self.case_number += 1
        return f"CS-{self.case_number:07d}"

    def case(self, rows: Rows, customer: Customer, low: int) -> tuple[int, int]:
        """Add a case and everything around it; return when it kept offers away (start, end)."""
        rng = self.rng
        rand = rng.random
        now = self.now
        staff = self.staff
        kind = CASE_KINDS.pick(rng)
        is_open = rand() < OPEN_SHARE
        if is_open:
            opened = max(now - HOUR - int(rand() ** 2 * 30 * DAY), customer.since + HOUR)
        else:
            latest = now - 2 * DAY
            opened = latest - int((latest - low) * rand() ** 1.5)
        opened = max(in_hours(opened, now), customer.since + HOUR)
        if kind == CaseKind.COMPLAINT:
            owner = pick(rng, staff.of_team(Team.COMPLAINTS))
        elif is_open and rand() < self.default_owner_share:
            owner = staff.default_advisor
        else:
            owner = pick(rng, self.front_line)
        formal = rand() < (0.9 if kind == CaseKind.COMPLAINT else 0.015)
        deadline = opened + 56 * DAY if formal else None
        progress_count = int(rand() * 3)

        resolved: int | None = None
        closed: int | None = None
        if is_open:
            status = OPEN_STATUSES.pick(rng)
            confirmation = Confirmation.PENDING.value
            end = now
            updated = now - int((now - opened) * rand() * 0.5)
        else:
            resolved = min(opened + HOUR + int(rand() ** 2 * 20 * DAY), now - HOUR)
            closed = resolved + int(rand() * 3 * DAY)
            if in_hours(closed, now) >= resolved:
                closed = in_hours(closed, now)
            if closed > now:
                closed = None
                status = CaseStatus.RESOLVED.value
                confirmation = Confirmation.PENDING.value
            else:
                status = CaseStatus.CLOSED.value
                confirmation = CONFIRMATIONS.pick(rng)
            end = closed if closed is not None else resolved
            updated = end
        cause = None if is_open else pick(rng, phrases.ROOT_CAUSES[kind])
        row = case_row(
            rng,
            reference=self.next_reference(),
            customer_id=customer.id,
            kind=kind,
            title=pick(rng, phrases.CASE_TITLES[kind]),
            status=status,
            severity=SEVERITIES.pick(rng),
            owner_id=owner,
            opened=opened,
            updated=updated,
            target=opened + phrases.TARGET_HOURS[kind] * HOUR,
            resolved=resolved,
            closed=closed,
            next_step=pick(rng, phrases.NEXT_STEPS[kind]) if is_open else None,
            root_cause_category=cause[0] if cause else None,
            root_cause_text=cause[1] if cause else None,
            confirmation=confirmation,
            confirmation_attempts=0 if closed is None else 1 + int(rand() ** 3 * 3),
            customer_caused_delay=(
                pick(rng, CUSTOMER_DELAYS) if closed is not None and rand() < 0.03 else None
            ),
            formal_complaint=formal,
            complaint_deadline=deadline,
            reopened_count=1 if closed is not None and rand() < 0.04 else 0,
            version=1 + progress_count + (closed is not None),
        )
        rows.cases.append(row)
        case_id: uuid.UUID = row["id"]
        self.case_events(rows, customer, case_id, kind, owner, opened, end, closed, progress_count)
        if is_open:
            self.open_promises(rows, customer, case_id, kind, owner, opened)
        else:
            assert resolved is not None
            self.closed_promise(rows, customer, case_id, kind, owner, opened, resolved)
        if deadline is not None:
            self.complaint_deadline(rows, customer, case_id, owner, opened, deadline, resolved)
        self.handoff(rows, customer, case_id, kind, owner, opened, resolved)
        if kind in GOODWILL_KINDS:
            self.goodwill(rows, customer, case_id, owner, opened, resolved)
        if closed is not None and rand() < 0.25:
            received = closed + DAY + int(rand() * 4 * DAY)
            if received < now:
                rows.feedback.append(
                    feedback_row(
                        rng,
                        case_id=case_id,
                        customer_id=customer.id,
                        fix_score=FIX_SCORES.pick(rng),
                        fault_score=FAULT_SCORES.pick(rng),
                        received=received,
                        customer_cause_text=pick(rng, CUSTOMER_CAUSES) if rand() < 0.05 else None,
                    )
                )
        if rand() < 0.07:
            previous = pick(rng, self.front_line)
            if previous != owner:
                rows.case_owner_changes.append(
                    case_owner_change_row(
                        rng,
                        case_id=case_id,
                        from_user_id=previous,
                        to_user_id=owner,
                        note=pick(rng, CASE_HANDOVER_NOTES),
                        changed=opened + int((end - opened) * rand()),
                    )
                )
        return opened, FOREVER if closed is None else closed

    def case_events(
        self,
        rows: Rows,
        customer: Customer,
        case_id: uuid.UUID,
        kind: str,
        owner: uuid.UUID,
        opened: int,
        end: int,
        closed: int | None,
        progress_count: int,
    ) -> None:
        rng = self.rng
        rand = rng.random
        now = self.now
        events = rows.contact_events
        cid = customer.id
        channel = OPENING_CHANNELS.pick(rng)
        opener = owner if rand() < 0.6 else pick(rng, self.front_line)
        events.append(
            event_row(
                rng,
                cid,
                case_id,
                channel,
                Direction.INBOUND.value,
                opener,
                opened,
                min(opened + 60 + int(rand() * 300), now),
                "Problem with my service" if channel == EMAIL else None,
                pick(rng, phrases.OPENING[kind]),
            )
        )
        progress = self.progress[kind]
        for _ in range(progress_count):
            t = opened + int((end - opened) * rand())
            moved = in_hours(t, now)
            if opened < moved < end:
                t = moved
            line = pick(rng, progress)
            channel = line_channel(line)
            if channel == SYSTEM:
                events.append(event_row(rng, cid, case_id, channel, INTERNAL, None, t, t, None, line.summary))
            else:
                events.append(
                    event_row(
                        rng,
                        cid,
                        case_id,
                        channel,
                        line.direction,
                        owner,
                        t,
                        min(t + int(rand() * 120), now),
                        line.subject,
                        line.summary,
                    )
                )
        if closed is not None:
            line = pick(rng, phrases.CLOSING)
            events.append(
                event_row(
                    rng,
                    cid,
                    case_id,
                    line_channel(line),
                    line.direction,
                    owner,
                    closed,
                    min(closed + int(rand() * 120), now),
                    line.subject,
                    line.summary,
                )
            )

    # ---- promises -----------------------------------------------------------------------

    def open_promises(
        self,
        rows: Rows,
        customer: Customer,
        case_id: uuid.UUID,
        kind: str,
        owner: uuid.UUID,
        opened: int,
    ) -> None:
        """The promise now running on an open case: due soon, or already broken."""
        rng = self.rng
        rand = rng.random
        now = self.now
        promise_kind = pick(rng, phrases.PROMISE_KINDS.get(kind, phrases.DEFAULT_PROMISE_KINDS))
        gap = now - opened
        escalated: int | None = None
        if rand() < 0.65 or gap < 2 * HOUR:
            if rand() < 0.2:
                due = now + MINUTE + int(rand() * 14 * MINUTE)  # within the quarter hour
            else:
                due = now + 15 * MINUTE + int(rand() ** 1.5 * 8 * HOUR)
            created = opened + int(gap * rand())
        else:  # broken: past due and still open
            due = now - 10 * MINUTE - int(rand() * min(3 * DAY, gap - HOUR))
            created = opened + int((due - opened) * rand() * 0.9)
            if rand() < 0.8:
                escalated = due + 15 * MINUTE
        current = promise_row(
            rng,
            customer_id=customer.id,
            case_id=case_id,
            kind=promise_kind,
            owner_id=owner,
            created=created,
            due=due,
            status=OPEN,
            window_end=due + 4 * HOUR if promise_kind == PromiseKind.ENGINEER_VISIT else None,
            phone=customer.phone if promise_kind == PromiseKind.CALLBACK else None,
            note=phrases.PROMISE_NOTES[promise_kind],
            escalated=escalated,
        )
        rows.promises.append(current)  # first: the earlier one may point at it
        if created - opened > 2 * HOUR and rand() < 0.4:
            # An earlier promise on the same case, already ended with an outcome.
            earlier_created = opened + int((created - opened) * rand() * 0.5)
            earlier_due = earlier_created + int((created - earlier_created) * 0.8)
            r = rand()
            told: bool | None = None
            if r < 0.6:
                status, outcome = PromiseStatus.DONE.value, phrases.PROMISE_DONE[PromiseKind.CALLBACK]
            elif r < 0.85:
                status, outcome = PromiseStatus.NOT_REACHABLE.value, pick(rng, phrases.NOT_REACHABLE)
                told = rand() < 0.5
            else:
                status, outcome, told = (
                    PromiseStatus.RESCHEDULED.value,
                    pick(rng, phrases.RESCHEDULED),
                    True,
                )
            rows.promises.append(
                promise_row(
                    rng,
                    customer_id=customer.id,
                    case_id=case_id,
                    kind=PromiseKind.CALLBACK.value,
                    owner_id=owner,
                    created=earlier_created,
                    due=earlier_due,
                    status=status,
                    phone=customer.phone,
                    note=phrases.PROMISE_NOTES[PromiseKind.CALLBACK],
                    outcome=outcome,
                    closed=promise_end(rand(), earlier_created, earlier_due, created),
                    customer_told=told,
                    follow_up_id=current["id"] if status == PromiseStatus.RESCHEDULED else None,
                    version=2,
                )
            )

    def closed_promise(
        self,
        rows: Rows,
        customer: Customer,
        case_id: uuid.UUID,
        kind: str,
        owner: uuid.UUID,
        opened: int,
        resolved: int,
    ) -> None:
        rng = self.rng
        rand = rng.random
        if rand() >= 0.35:
            return
        promise_kind = pick(rng, phrases.PROMISE_KINDS.get(kind, phrases.DEFAULT_PROMISE_KINDS))
        created = opened + int((resolved - opened) * rand() * 0.5)
        due = created + int((resolved - created) * rand())
        r = rand()
        told: bool | None = None
        if r < 0.85:
            status, outcome = PromiseStatus.DONE.value, phrases.PROMISE_DONE[promise_kind]
        elif r < 0.95:
            status, outcome = PromiseStatus.NOT_REACHABLE.value, pick(rng, phrases.NOT_REACHABLE)
            told = rand() < 0.5
        else:
            status, outcome, told = PromiseStatus.RESCHEDULED.value, pick(rng, phrases.RESCHEDULED), True
        rows.promises.append(
            promise_row(
                rng,
                customer_id=customer.id,
                case_id=case_id,
                kind=promise_kind,
                owner_id=owner,
                created=created,
                due=due,
                status=status,
                window_end=due + 4 * HOUR if promise_kind == PromiseKind.ENGINEER_VISIT else None,
                phone=customer.phone if promise_kind == PromiseKind.CALLBACK else None,
                note=phrases.PROMISE_NOTES[promise_kind],
                outcome=outcome,
                closed=promise_end(rand(), created, due, due + HOUR),
                customer_told=told,
                version=2,
            )
        )

    def complaint_deadline(
        self,
        rows: Rows,
        customer: Customer,
        case_id: uuid.UUID,
        owner: uuid.UUID,
        opened: int,
        deadline: int,
        resolved: int | None,
    ) -> None:
        """A formal complaint carries the regulator's eight-week deadline as a promise."""
        done = resolved is not None and resolved < deadline
        rows.promises.append(
            promise_row(
                self.rng,
                customer_id=customer.id,
                case_id=case_id,
                kind=PromiseKind.COMPLAINT_DEADLINE.value,
                owner_id=owner,
                created=opened,
                due=deadline,
                status=PromiseStatus.DONE.value if done else OPEN,
                note=phrases.PROMISE_NOTES[PromiseKind.COMPLAINT_DEADLINE],
                outcome=phrases.PROMISE_DONE[PromiseKind.COMPLAINT_DEADLINE] if done else None,
                closed=resolved if done else None,
                version=2 if done else 1,
            )
        )

    # ---- handoffs -----------------------------------------------------------------------

    def handoff(
        self,
        rows: Rows,
        customer: Customer,
        case_id: uuid.UUID,
        kind: str,
        owner: uuid.UUID,
        opened: int,
        resolved: int | None,
    ) -> None:
        rng = self.rng
        rand = rng.random
        now = self.now
        from_team, to_team, handoff_kind, share = HANDOFFS[kind]
        if rand() >= share:
            return
        staff = self.staff
        window = DAY if handoff_kind == HandoffKind.ORDER else 4 * HOUR
        creator = owner if from_team == Team.FRONT_LINE else pick(rng, staff.of_team(from_team))
        acknowledger = pick(rng, staff.of_team(to_team))
        acknowledged: int | None
        done: int | None = None
        if resolved is not None:
            created = opened + int(min(2 * HOUR, (resolved - opened) // 4) * rand())
            late = 1.5 if rand() < 0.1 else 0.9
            acknowledged = created + int(window * late * rand() ** 2)
            done = max(acknowledged, acknowledged + int((resolved - acknowledged) * rand()))
            if rand() < 0.03:
                status = HandoffStatus.CANCELLED.value
                done = None
            else:
                status = HandoffStatus.DONE.value
        else:
            created = opened + int((now - opened) * rand() * 0.5)
            r = rand()
            if r < 0.35:
                status, acknowledged = HandoffStatus.AWAITING_ACK.value, None
            else:
                acknowledged = created + int((min(created + window, now) - created) * rand())
                if r < 0.75:
                    status = HandoffStatus.ACKNOWLEDGED.value
                else:
                    status = HandoffStatus.DONE.value
                    done = acknowledged + int((now - acknowledged) * rand())
        rows.handoffs.append(
            handoff_row(
                rng,
                customer_id=customer.id,
                case_id=case_id,
                kind=handoff_kind,
                summary=phrases.HANDOFF_SUMMARIES[kind],
                from_team=from_team,
                to_team=to_team,
                created_by=creator,
                created=created,
                acknowledge_by=created + window,
                status=status,
                acknowledged_by=None if acknowledged is None else acknowledger,
                acknowledged=acknowledged,
                done_by=None if acknowledged is None else acknowledged + 3 * DAY,
                done=done,
                version=1 + (acknowledged is not None) + (done is not None),
            )
        )

    # ---- goodwill -----------------------------------------------------------------------

    def goodwill(
        self,
        rows: Rows,
        customer: Customer,
        case_id: uuid.UUID,
        owner: uuid.UUID,
        opened: int,
        resolved: int | None,
    ) -> None:
        """Requests in every state; the requester is an advisor, deciders are supervisors."""
        rng = self.rng
        rand = rng.random
        now = self.now
        if rand() >= (0.2 if resolved is None else 0.3):
            return
        limit = self.staff.limits[owner]
        goodwill_kind, category, text = pick(rng, phrases.GOODWILL_REASONS)
        within = 500 + 50 * int(rand() * ((limit - 500) // 50 + 1))
        over = limit + 500 + 50 * int(rand() * 300)
        huge = 55_000 + 500 * int(rand() * 60)  # above every supervisor's limit
        first, second = rng.sample(self.staff.supervisors, 2)
        if resolved is not None:
            requested = opened + int((resolved - opened) * rand())
            decided = requested + int(rand() * min(2 * DAY, now - requested))
            r = rand()
        else:
            requested = now - int(min(now - opened, 2 * DAY) * rand())
            decided = requested + int(rand() * (now - requested))
            r = rand() * 1.3 - 0.3  # open cases: some still wait for a decision
        decided_by: uuid.UUID | None = first
        decided_at: int | None = decided
        second_by: uuid.UUID | None = None
        second_at: int | None = None
        authorisation: str | None = Authorisation.SUPERVISOR.value
        note: str | None = pick(rng, phrases.DECISION_APPROVED)
        if r < 0 and rand() < 0.85:
            amount, state = over, GoodwillState.AWAITING_APPROVAL.value
            decided_by = decided_at = authorisation = note = None
        elif r < 0:
            amount, state = huge, GoodwillState.AWAITING_SECOND_APPROVAL.value
        elif r < 0.7:
            amount, state = within, GoodwillState.APPROVED.value
            authorisation = Authorisation.SELF_WITHIN_LIMIT.value
            decided_by, decided_at, note = None, requested, None
        elif r < 0.97:
            amount, state = over, GoodwillState.APPROVED.value
            if rand() < 0.25:
                state, authorisation = GoodwillState.REJECTED.value, None
                note = pick(rng, phrases.DECISION_REJECTED)
        else:
            amount, state = huge, GoodwillState.APPROVED.value
            authorisation = Authorisation.SECOND_SUPERVISOR.value
            second_by, second_at = second, decided + int(rand() * (now - decided) * 0.5)
        rows.goodwill.append(
            goodwill_row(
                rng,
                customer_id=customer.id,
                case_id=case_id,
                kind=goodwill_kind,
                amount_pence=amount,
                reason_category=category,
                reason_text=text,
                requested_by=owner,
                requested=requested,
                state=state,
                authorisation=authorisation,
                decided_by=decided_by,
                decided=decided_at,
                decision_note=note,
                second_decided_by=second_by,
                second_decided=second_at,
            )
        )
