"""Four hand-written customers, present at every scale, whose timelines show the failures the
console exists to prevent: a move order never passed on, a lost callback number, a sales pitch
during a fault, and a fault fixed fast whose cause nobody asked about; and a household whose
landline three customers share (a call from it has several customers to pick from)."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from typing import Any

from console.contact_reasons import load_reasons
from console.contact_rules import call_heading
from console.normalise import email_key, name_key
from console.seed.people import DEFAULT_ADVISOR, DEFAULT_SUPERVISOR, Staff
from console.seed.rows import (
    DAY,
    HOUR,
    MINUTE,
    YEAR,
    Rows,
    at,
    case_row,
    day_of,
    detail_change_row,
    event_row,
    feedback_row,
    goodwill_row,
    handoff_row,
    impression_row,
    new_id,
    owner_change_row,
    promise_row,
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
    PhoneKind,
    PromiseKind,
    PromiseStatus,
    Severity,
    Team,
)

# Account numbers of the stories, and the facts the tests and demos look for.
OFFICE_MOVE = "10000001"
LOST_CALLBACK_NUMBER = "10000002"
NO_PITCH_DURING_FAULT = "10000003"
CAUSE_NOT_INVESTIGATED = "10000004"
STORY_ACCOUNTS = (OFFICE_MOVE, LOST_CALLBACK_NUMBER, NO_PITCH_DURING_FAULT, CAUSE_NOT_INVESTIGATED)
DEMO_PHONE = "+447700900123"  # "07700 900123": Ofcom's drama range, so no real person's number
# "0115 496 0789": the Ashworths' landline at 23 Sycamore Close, held by Derek and the two below.
SHARED_LANDLINE = "+441154960789"
HOUSEHOLD_ACCOUNTS = ("10000005", "10000006")
STORY_CASES = 6

NO_CUSTOMER_YET = uuid.UUID(int=0)
REASONS = load_reasons()  # the words of the wrapped-up calls' reasons
PHONE = Channel.PHONE.value
EMAIL = Channel.EMAIL.value
CHAT = Channel.CHAT.value
SOCIAL = Channel.SOCIAL.value
LETTER = Channel.LETTER.value
VISIT = Channel.VISIT.value
SYSTEM = Channel.SYSTEM.value
IN = Direction.INBOUND.value
OUT = Direction.OUTBOUND.value
INTERNAL = Direction.INTERNAL.value


@dataclass
class Story:
    """Builds one story customer's rows; times are given as days before now at a clock time."""

    rng: random.Random
    rows: Rows
    staff: Staff
    now: int
    customer_id: uuid.UUID = NO_CUSTOMER_YET

    def day(self, days_ago: int, hour: int, minute: int = 0) -> int:
        """`days_ago` days before today (negative: after) at hour:minute UTC."""
        midnight = self.now - self.now % DAY
        return midnight - days_ago * DAY + hour * HOUR + minute * MINUTE

    def user(self, username: str) -> uuid.UUID:
        return self.staff.by_username[username]

    def member(self, team: Team, index: int = 0) -> uuid.UUID:
        people = [p for p in self.staff.of_team(team) if p != self.staff.default_advisor]
        return people[index % len(people)] if people else self.staff.default_advisor

    def customer(
        self, *, account: str, since_years: int, phones: list[tuple[str, str]], **fields: Any
    ) -> None:
        since = self.now - since_years * YEAR
        self.customer_id = new_id(since, self.rng)
        row: dict[str, Any] = {
            "id": self.customer_id,
            "account_number": account,
            "vulnerable": False,
            "vulnerability_note": None,
            "marketing_consent": False,
            "account_owner_id": None,
            "customer_since": day_of(since),
            "created_at": at(since),
            "updated_at": at(self.now - 2 * DAY),
            "version": 3,
            "deleted": False,
            **fields,
        }
        row["email_key"] = email_key(row["email"])
        row["postcode_key"] = row["postcode"].replace(" ", "")
        row["given_key"] = name_key(row["given_name"])
        row["family_key"] = name_key(row["family_name"])
        self.rows.customers.append(row)
        for index, (kind, e164) in enumerate(phones):
            self.rows.customer_phones.append(
                {
                    "id": new_id(since + index, self.rng),
                    "customer_id": self.customer_id,
                    "kind": kind,
                    "e164": e164,
                    "is_primary": index == 0,
                }
            )

    def event(
        self,
        t: int,
        channel: str,
        direction: str,
        advisor: uuid.UUID | None,
        summary: str,
        *,
        subject: str | None = None,
        case: uuid.UUID | None = None,
        wrapped: tuple[str, int] | None = None,
    ) -> None:
        """`wrapped`: a call the advisor wrapped up, its reason code and how many seconds it took (its
        line then reads as a wrap-up's: the reason's words and the duration)."""
        recorded = t if channel == SYSTEM else t + 2 * MINUTE
        if wrapped is not None and subject is None:
            subject = call_heading(REASONS.words_for(wrapped[0]) or "Call", wrapped[1])
        self.rows.contact_events.append(
            event_row(
                self.rng,
                self.customer_id,
                case,
                channel,
                direction,
                advisor,
                t,
                recorded,
                subject,
                summary,
                *(wrapped or (None, None)),
            )
        )

    def case(self, **fields: Any) -> uuid.UUID:
        row = case_row(self.rng, customer_id=self.customer_id, **fields)
        self.rows.cases.append(row)
        case_id: uuid.UUID = row["id"]
        return case_id


def make_stories(rng: random.Random, staff: Staff, offers: dict[str, uuid.UUID], now: int) -> Rows:
    """The stories' rows. They take case references CS-0000001 to CS-0000006."""
    rows = Rows()
    office_move(Story(rng, rows, staff, now))
    lost_callback_number(Story(rng, rows, staff, now))
    no_pitch_during_fault(Story(rng, rows, staff, now), offers)
    cause_not_investigated(Story(rng, rows, staff, now), offers)
    household(Story(rng, rows, staff, now))
    return rows


def office_move(s: Story) -> None:
    """Sales never passed the move order to provisioning; everyone said "it's being dealt with"."""
    daniel = s.user("daniel.okafor")
    graham = s.user("graham.pike")
    s.customer(
        account=OFFICE_MOVE,
        since_years=14,
        title="Mr",
        given_name="Jonathan",
        family_name="Finch",
        email="jonathan.finch@harlowfinch.co.uk",
        address_line="Harlow & Finch Architects, Unit 4, Mill Yard, 22 Canal Street",
        town="Leeds",
        postcode="LS11 5QN",
        marketing_consent=True,
        preferred_channel=EMAIL,
        account_owner_id=daniel,
        phones=[
            (PhoneKind.WORK.value, "+441134960210"),
            (PhoneKind.MOBILE.value, "+447700900210"),
        ],
    )
    s.rows.account_owner_changes += [
        owner_change_row(
            s.rng,
            customer_id=s.customer_id,
            from_user_id=None,
            to_user_id=graham,
            note="Named account owner assigned: Harlow & Finch, 12 lines and leased broadband",
            changed=s.day(12 * 365, 10),
        ),
        owner_change_row(
            s.rng,
            customer_id=s.customer_id,
            from_user_id=graham,
            to_user_id=daniel,
            note="Graham retires at the end of the month; Daniel met the partners and takes over",
            changed=s.day(120, 11),
        ),
    ]
    move_date = s.day(-4, 8)
    opened = s.day(40, 10, 20)
    case = s.case(
        reference="CS-0000001",
        kind=CaseKind.HOME_MOVE.value,
        title="Office move to 14 Wellington Street: 12 lines and broadband",
        status=CaseStatus.IN_PROGRESS.value,
        severity=Severity.HIGH.value,
        owner_id=daniel,
        opened=opened,
        updated=s.day(1, 16),
        target=move_date,
        next_step="Provisioning to acknowledge the move order and book the engineer",
        version=5,
    )
    s.event(
        opened,
        PHONE,
        IN,
        daniel,
        "Office move booked for the 14 Wellington Street site: 12 lines and 500 Mbps "
        "broadband to move on the agreed date",
        case=case,
        wrapped=("order", 860),
    )
    s.rows.handoffs.append(
        handoff_row(
            s.rng,
            customer_id=s.customer_id,
            case_id=case,
            kind=HandoffKind.ORDER.value,
            summary="Move 12 lines and the leased broadband to 14 Wellington Street on the move date",
            from_team=Team.SALES.value,
            to_team=Team.PROVISIONING.value,
            created_by=daniel,
            created=opened + 15 * MINUTE,
            acknowledge_by=opened + 15 * MINUTE + DAY,
            status=HandoffStatus.AWAITING_ACK.value,
        )
    )
    front = [s.member(Team.FRONT_LINE, i) for i in range(4)]
    s.event(
        s.day(26, 9, 5),
        EMAIL,
        IN,
        front[0],
        "Asked for written confirmation that the move order is in place",
        subject="Move order confirmation?",
        case=case,
    )
    s.event(
        s.day(25, 14, 40),
        EMAIL,
        OUT,
        front[0],
        "Replied: it's being dealt with; the order is with our provisioning team",
        subject="RE: Move order confirmation?",
        case=case,
    )
    s.event(
        s.day(15, 11, 12),
        PHONE,
        IN,
        front[1],
        "Chased the move order; told it's being dealt with",
        case=case,
        wrapped=("order_progress", 365),
    )
    s.event(
        s.day(8, 16, 30),
        CHAT,
        IN,
        front[2],
        "Chat: asked for the engineer date; told provisioning will be in touch, it's being dealt with",
        case=case,
    )
    chased = s.day(3, 10, 45)
    s.event(
        chased,
        PHONE,
        IN,
        front[3],
        "Chased again, no engineer date; told it's being dealt with, callback booked",
        case=case,
        wrapped=("order_progress", 580),
    )
    s.rows.promises.append(
        promise_row(
            s.rng,
            customer_id=s.customer_id,
            case_id=case,
            kind=PromiseKind.CALLBACK.value,
            owner_id=front[3],
            created=chased,
            due=s.day(2, 12),
            status=PromiseStatus.OPEN.value,
            phone="+441134960210",
            note="Call Jonathan with the engineer date for the move",
            escalated=s.day(2, 12, 15),
        )
    )
    s.event(
        s.day(1, 8, 50),
        SOCIAL,
        IN,
        None,
        "Public post: five days to our office move and still no engineer date; "
        "everyone says it's being dealt with",
        case=case,
    )
    s.rows.promises.append(
        promise_row(
            s.rng,
            customer_id=s.customer_id,
            case_id=case,
            kind=PromiseKind.PROGRESS_UPDATE.value,
            owner_id=daniel,
            created=s.day(1, 9, 30),
            due=s.now + 3 * HOUR,
            status=PromiseStatus.OPEN.value,
            note="Confirm to the partners that the move order exists and when the engineer comes",
        )
    )


def lost_callback_number(s: Story) -> None:
    """Callbacks failed because the number was lost; only a formal complaint got it restored."""
    landline, mobile = "+441174960456", "+447700900456"
    s.customer(
        account=LOST_CALLBACK_NUMBER,
        since_years=31,
        title="Mrs",
        given_name="Margaret",
        family_name="Holloway",
        email="margaret.holloway@btinternet.com",
        address_line="7 Rectory Lane",
        town="Bristol",
        postcode="BS9 3DX",
        vulnerable=True,
        vulnerability_note="Relies on the landline for a telecare alarm: priority repair",
        preferred_channel=PHONE,
        phones=[(PhoneKind.LANDLINE.value, landline), (PhoneKind.MOBILE.value, mobile)],
    )
    first, second = s.member(Team.FRONT_LINE, 4), s.member(Team.FRONT_LINE, 5)
    kofi = s.user("kofi.mensah")
    supervisor = s.user(DEFAULT_SUPERVISOR)
    fault_opened = s.day(75, 9, 40)
    fault = s.case(
        reference="CS-0000002",
        kind=CaseKind.LANDLINE_FAULT.value,
        title="Crackling on the line, calls drop",
        status=CaseStatus.CLOSED.value,
        severity=Severity.HIGH.value,
        owner_id=first,
        opened=fault_opened,
        updated=s.day(60, 10),
        target=fault_opened + 48 * HOUR,
        resolved=s.day(62, 13),
        closed=s.day(60, 10),
        root_cause_category="line fault (copper)",
        root_cause_text="Corroded drop wire at the pole",
        confirmation=Confirmation.CONFIRMED.value,
        confirmation_attempts=1,
        version=6,
    )
    s.event(
        fault_opened,
        PHONE,
        IN,
        first,
        "Crackling on the line and calls drop; she relies on it for her care alarm",
        case=fault,
        wrapped=("fault", 675),
    )
    s.rows.promises.append(
        promise_row(
            s.rng,
            customer_id=s.customer_id,
            case_id=fault,
            kind=PromiseKind.CALLBACK.value,
            owner_id=first,
            created=fault_opened + 10 * MINUTE,
            due=s.day(74, 15),
            status=PromiseStatus.NOT_REACHABLE.value,
            phone=None,
            note="Call back with the line test result",
            outcome="No callback number on the record; could not call",
            closed=s.day(74, 16),
            customer_told=False,
            version=2,
        )
    )
    chased = s.day(72, 11, 5)
    s.event(
        chased,
        PHONE,
        IN,
        second,
        "Chased the callback that never came; asked us to call her landline",
        case=fault,
        wrapped=("fault_progress", 422),
    )
    s.rows.promises.append(
        promise_row(
            s.rng,
            customer_id=s.customer_id,
            case_id=fault,
            kind=PromiseKind.CALLBACK.value,
            owner_id=second,
            created=chased + 5 * MINUTE,
            due=s.day(71, 10),
            status=PromiseStatus.NOT_REACHABLE.value,
            phone="+441174960465",
            note="Call back on the landline",
            outcome="Number not recognised",
            closed=s.day(71, 10, 20),
            customer_told=False,
            version=2,
        )
    )
    complaint_opened = s.day(66, 9)
    deadline = complaint_opened + 56 * DAY
    complaint = s.case(
        reference="CS-0000003",
        kind=CaseKind.COMPLAINT.value,
        title="Complaint: promised callbacks never came",
        status=CaseStatus.CLOSED.value,
        severity=Severity.HIGH.value,
        owner_id=kofi,
        opened=complaint_opened,
        updated=s.day(54, 15),
        target=deadline,
        resolved=s.day(55, 14),
        closed=s.day(54, 15),
        root_cause_category="callback number lost",
        root_cause_text="Landline number dropped in the account migration; callbacks were booked "
        "to an empty or mistyped number",
        confirmation=Confirmation.TOLD_IN_WRITING.value,
        confirmation_attempts=2,
        formal_complaint=True,
        complaint_deadline=deadline,
        version=5,
    )
    s.event(
        complaint_opened,
        LETTER,
        IN,
        kofi,
        "Formal complaint: two promised callbacks never came, three weeks with a faulty line",
        subject="Formal complaint",
        case=complaint,
    )
    s.event(
        s.day(65, 10),
        LETTER,
        OUT,
        kofi,
        "Acknowledged the complaint in writing",
        subject="We have received your complaint",
        case=complaint,
    )
    # The landline the migration dropped (the story's wrong number is a mistyped copy of it), kept as
    # an earlier detail, and brought back only once the formal complaint came in.
    lost = detail_change_row(
        s.rng,
        customer_id=s.customer_id,
        field="landline_phone",
        old_value=landline,
        new_value="+441174960465",
        reason="Account migration: landline re-keyed from the old system",
        changed_by=supervisor,
        changed=s.day(76, 2),
    )
    s.rows.customer_detail_changes.append(lost)
    s.rows.customer_detail_changes.append(
        detail_change_row(
            s.rng,
            customer_id=s.customer_id,
            field="landline_phone",
            old_value="+441174960465",
            new_value=landline,
            reason="Formal complaint CS-0000003: the landline was mistyped in the migration",
            changed_by=kofi,
            changed=s.day(64, 9, 30),
            restores_id=lost["id"],
        )
    )
    s.event(
        s.day(64, 9, 30),
        SYSTEM,
        INTERNAL,
        None,
        "Callback number restored: landline re-added to the customer record",
        case=complaint,
    )
    restored_call = s.day(64, 10)
    s.event(
        restored_call,
        PHONE,
        OUT,
        kofi,
        "Called on the restored number; apologised; engineer booked for the line fault",
        case=fault,
    )
    s.rows.promises.append(
        promise_row(
            s.rng,
            customer_id=s.customer_id,
            case_id=fault,
            kind=PromiseKind.ENGINEER_VISIT.value,
            owner_id=kofi,
            created=restored_call,
            due=s.day(62, 8),
            window_end=s.day(62, 13),
            status=PromiseStatus.DONE.value,
            note="Engineer visit, morning slot",
            outcome="Engineer attended in the slot",
            closed=s.day(62, 13),
            version=2,
        )
    )
    s.rows.goodwill.append(
        goodwill_row(
            s.rng,
            customer_id=s.customer_id,
            case_id=complaint,
            kind=GoodwillKind.COMPENSATION.value,
            amount_pence=6_000,
            reason_category="missed callback",
            reason_text="Two missed callbacks and a vulnerable customer without a working line",
            requested_by=kofi,
            requested=s.day(63, 11),
            state=GoodwillState.APPROVED.value,
            authorisation=Authorisation.SUPERVISOR.value,
            decided_by=supervisor,
            decided=s.day(63, 11, 40),
            decision_note="Agreed: our failure, twice",
        )
    )
    s.event(
        s.day(62, 12, 50),
        VISIT,
        OUT,
        None,
        "Engineer replaced the corroded drop wire; line tested clean",
        case=fault,
    )
    s.event(
        s.day(60, 10),
        PHONE,
        OUT,
        first,
        "Called to confirm the line is clear; customer agreed to close",
        case=fault,
    )
    s.event(
        s.day(55, 14),
        LETTER,
        OUT,
        kofi,
        "Final response: callback number lost in the migration, now fixed; £60 compensation",
        subject="Our final response to your complaint",
        case=complaint,
    )
    s.rows.promises.append(
        promise_row(
            s.rng,
            customer_id=s.customer_id,
            case_id=complaint,
            kind=PromiseKind.COMPLAINT_DEADLINE.value,
            owner_id=kofi,
            created=complaint_opened,
            due=deadline,
            status=PromiseStatus.DONE.value,
            note="Final response to the complaint",
            outcome="Final response sent",
            closed=s.day(55, 14),
            version=2,
        )
    )
    s.rows.feedback.append(
        feedback_row(
            s.rng,
            case_id=complaint,
            customer_id=s.customer_id,
            fix_score=4,
            fault_score=2,
            received=s.day(50, 18),
            customer_cause_text=None,
        )
    )
    s.event(
        s.day(10, 15),
        PHONE,
        IN,
        first,
        "Called to say the line has been fine since; thanked Kofi",
        wrapped=("other", 168),
    )


def no_pitch_during_fault(s: Story, offers: dict[str, uuid.UUID]) -> None:
    """Calling about broken broadband: was shown a SIM-only offer months ago, none since."""
    s.customer(
        account=NO_PITCH_DURING_FAULT,
        since_years=6,
        title="Ms",
        given_name="Chloe",
        family_name="Bennett",
        email="chloe.bennett@gmail.com",
        address_line="Flat 12, 40 Victoria Road",
        town="Manchester",
        postcode="M14 5RT",
        marketing_consent=True,
        preferred_channel=CHAT,
        phones=[(PhoneKind.MOBILE.value, DEMO_PHONE)],
    )
    advisor = s.user(DEFAULT_ADVISOR)
    seller, other = s.member(Team.SALES), s.member(Team.FRONT_LINE, 6)
    s.event(
        s.day(120, 13),
        PHONE,
        IN,
        other,
        "Asked about contract end date; explained the options",
        wrapped=("account", 330),
    )
    pitched = s.day(90, 14, 20)
    s.event(pitched, PHONE, IN, seller, "Asked about cheaper mobile plans", wrapped=("order", 492))
    s.rows.offer_impressions.append(
        impression_row(s.rng, s.customer_id, offers["SIMO30"], seller, pitched + MINUTE)
    )
    opened = s.day(4, 8, 15)
    case = s.case(
        reference="CS-0000004",
        kind=CaseKind.BROADBAND_FAULT.value,
        title="No broadband: router light red",
        status=CaseStatus.IN_PROGRESS.value,
        severity=Severity.HIGH.value,
        owner_id=advisor,
        opened=opened,
        updated=s.day(1, 11),
        target=opened + 48 * HOUR,
        next_step="Engineer to test the line at the cabinet",
        reported=opened,
        appointment=s.day(2, 8),
        appointment_missed=True,
        version=4,
    )
    s.event(
        opened,
        PHONE,
        IN,
        advisor,
        "No broadband since last night; router light red; restarted it with her",
        case=case,
        wrapped=("fault", 1005),
    )
    s.event(
        opened + 20 * MINUTE,
        SYSTEM,
        INTERNAL,
        None,
        "Line test: fault found between the exchange and the cabinet",
        case=case,
    )
    technical = s.member(Team.TECHNICAL)
    s.rows.handoffs.append(
        handoff_row(
            s.rng,
            customer_id=s.customer_id,
            case_id=case,
            kind=HandoffKind.TASK.value,
            summary="Investigate the line fault between the exchange and the cabinet",
            from_team=Team.FRONT_LINE.value,
            to_team=Team.TECHNICAL.value,
            created_by=advisor,
            created=opened + 25 * MINUTE,
            acknowledge_by=opened + 25 * MINUTE + 4 * HOUR,
            status=HandoffStatus.ACKNOWLEDGED.value,
            acknowledged_by=technical,
            acknowledged=opened + 2 * HOUR,
            done_by=s.day(-1, 13),
            version=2,
        )
    )
    s.event(
        s.day(2, 12, 5),
        SYSTEM,
        INTERNAL,
        None,
        "Engineer did not arrive for the 8am to 12pm appointment; no notice given",
        case=case,
    )
    s.event(
        s.day(2, 12, 30),
        CHAT,
        IN,
        advisor,
        "Chat: asked for an update; she works from home and needs the connection",
        case=case,
    )
    s.event(
        s.day(1, 11),
        PHONE,
        OUT,
        advisor,
        "Called with an update: engineer booked for tomorrow, 8am to 1pm",
        case=case,
    )
    s.rows.promises += [
        promise_row(
            s.rng,
            customer_id=s.customer_id,
            case_id=case,
            kind=PromiseKind.ENGINEER_VISIT.value,
            owner_id=advisor,
            created=s.day(1, 11),
            due=s.day(-1, 8),
            window_end=s.day(-1, 13),
            status=PromiseStatus.OPEN.value,
            note="Engineer visit, 8am to 1pm",
        ),
        promise_row(
            s.rng,
            customer_id=s.customer_id,
            case_id=case,
            kind=PromiseKind.CALLBACK.value,
            owner_id=advisor,
            created=s.now - 3 * HOUR,
            due=s.now + 12 * MINUTE,
            status=PromiseStatus.OPEN.value,
            phone=DEMO_PHONE,
            note="Call Chloe before the engineer visit to confirm access to the building",
        ),
    ]
    s.rows.goodwill.append(
        goodwill_row(
            s.rng,
            customer_id=s.customer_id,
            case_id=case,
            kind=GoodwillKind.GOODWILL_CREDIT.value,
            amount_pence=7_500,
            reason_category="service outage",
            reason_text="Four days without broadband while working from home",
            requested_by=advisor,
            requested=s.now - HOUR,
            state=GoodwillState.AWAITING_APPROVAL.value,
        )
    )


def cause_not_investigated(s: Story, offers: dict[str, uuid.UUID]) -> None:
    """A plan change broke the connection; fixed in two hours; nobody asked why."""
    s.customer(
        account=CAUSE_NOT_INVESTIGATED,
        since_years=9,
        title="Mr",
        given_name="Derek",
        family_name="Ashworth",
        email="derek.ashworth@outlook.com",
        address_line="23 Sycamore Close",
        town="Nottingham",
        postcode="NG5 2LP",
        marketing_consent=True,
        preferred_channel=PHONE,
        phones=[
            (PhoneKind.MOBILE.value, "+447700900789"),
            (PhoneKind.LANDLINE.value, SHARED_LANDLINE),
        ],
    )
    seller, fixer = s.member(Team.SALES, 1), s.member(Team.FRONT_LINE, 7)
    provisioning = s.user("ruth.evans")
    change_opened = s.day(21, 10)
    change = s.case(
        reference="CS-0000005",
        kind=CaseKind.PLAN_CHANGE.value,
        title="Upgrade to Full Fibre 500",
        status=CaseStatus.CLOSED.value,
        severity=Severity.LOW.value,
        owner_id=seller,
        opened=change_opened,
        updated=s.day(20, 7, 5),
        target=change_opened + 72 * HOUR,
        resolved=s.day(20, 7, 5),
        closed=s.day(20, 7, 5),
        root_cause_category="order completed",
        root_cause_text="Plan changed as requested",
        confirmation=Confirmation.CONFIRMED.value,
        confirmation_attempts=1,
        version=3,
    )
    s.event(
        change_opened,
        PHONE,
        IN,
        seller,
        "Asked to upgrade to Full Fibre 500; explained the new price and start date",
        case=change,
        wrapped=("order", 723),
    )
    s.rows.handoffs.append(
        handoff_row(
            s.rng,
            customer_id=s.customer_id,
            case_id=change,
            kind=HandoffKind.ORDER.value,
            summary="Apply the plan change on the line",
            from_team=Team.SALES.value,
            to_team=Team.PROVISIONING.value,
            created_by=seller,
            created=change_opened + 10 * MINUTE,
            acknowledge_by=change_opened + 10 * MINUTE + DAY,
            status=HandoffStatus.DONE.value,
            acknowledged_by=provisioning,
            acknowledged=change_opened + 2 * HOUR,
            done_by=change_opened + 3 * DAY,
            done=s.day(20, 7),
            version=3,
        )
    )
    s.event(s.day(20, 7), SYSTEM, INTERNAL, None, "Plan change applied: Full Fibre 500", case=change)
    broke = s.day(20, 7, 40)
    fault = s.case(
        reference="CS-0000006",
        kind=CaseKind.BROADBAND_FAULT.value,
        title="No broadband after the plan change",
        status=CaseStatus.CLOSED.value,
        severity=Severity.HIGH.value,
        owner_id=fixer,
        opened=broke,
        updated=s.day(19, 10),
        target=broke + 48 * HOUR,
        resolved=broke + 2 * HOUR,
        closed=s.day(19, 10),
        root_cause_category="not investigated",
        root_cause_text=None,
        confirmation=Confirmation.CONFIRMED.value,
        confirmation_attempts=1,
        version=4,
    )
    s.event(
        broke,
        PHONE,
        IN,
        fixer,
        "Connection dropped completely when the plan change went live",
        case=fault,
        wrapped=("fault", 567),
    )
    s.event(
        broke + 100 * MINUTE, SYSTEM, INTERNAL, None, "Line profile re-applied; line back in sync", case=fault
    )
    s.event(
        broke + 2 * HOUR,
        PHONE,
        OUT,
        fixer,
        "Called to confirm the connection is back; customer happy with the speed",
        case=fault,
    )
    s.rows.feedback.append(
        feedback_row(
            s.rng,
            case_id=fault,
            customer_id=s.customer_id,
            fix_score=5,
            fault_score=1,
            received=s.day(17, 19),
            customer_cause_text="Sorted in two hours, but nobody could tell me why the upgrade "
            "cut me off in the first place",
        )
    )
    s.rows.offer_impressions.append(
        impression_row(s.rng, s.customer_id, offers["WIFIMESH"], fixer, s.day(6, 15))
    )
    s.event(s.day(6, 15), PHONE, IN, fixer, "Asked why the Wi-Fi is weak upstairs", wrapped=("fault", 418))


def household(s: Story) -> None:
    """Derek Ashworth's wife and son, each with an account of their own, at his address and on his
    landline: a call from it matches three customers."""
    address = {"address_line": "23 Sycamore Close", "town": "Nottingham", "postcode": "NG5 2LP"}
    front_line = s.member(Team.FRONT_LINE, 8)
    s.customer(
        account=HOUSEHOLD_ACCOUNTS[0],
        since_years=7,
        title="Mrs",
        given_name="Susan",
        family_name="Ashworth",
        email="sue.ashworth@outlook.com",
        preferred_channel=PHONE,
        phones=[(PhoneKind.LANDLINE.value, SHARED_LANDLINE), (PhoneKind.MOBILE.value, "+447700900790")],
        **address,
    )
    s.event(
        s.day(35, 11, 10),
        PHONE,
        IN,
        front_line,
        "Asked when her mobile contract ends; explained the options",
        wrapped=("account", 264),
    )
    s.customer(
        account=HOUSEHOLD_ACCOUNTS[1],
        since_years=2,
        title="Mr",
        given_name="Thomas",
        family_name="Ashworth",
        email="tom.ashworth@gmail.com",
        preferred_channel=CHAT,
        phones=[(PhoneKind.MOBILE.value, "+447700900791"), (PhoneKind.LANDLINE.value, SHARED_LANDLINE)],
        **address,
    )
    s.event(
        s.day(12, 17, 40), CHAT, IN, front_line, "Chat: asked why his bill went up; the October price rise"
    )
