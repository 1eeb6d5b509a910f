"""The words of the demo data: case titles, one-line contact summaries by channel and case kind,
root causes, next steps, promise outcomes, goodwill reasons, vulnerability notes and offers."""

from __future__ import annotations

from typing import NamedTuple

from domain.vocabulary import CaseKind, Channel, Direction, GoodwillKind, PromiseKind


class Line(NamedTuple):
    """One contact: direction, subject (emails and letters), one-line summary, and the channel
    when the table it sits in does not say (empty: system if internal, email if it has a
    subject, otherwise phone)."""

    direction: str
    subject: str | None
    summary: str
    channel: str = ""


IN = Direction.INBOUND.value
OUT = Direction.OUTBOUND.value
INTERNAL = Direction.INTERNAL.value

CASE_TITLES: dict[str, tuple[str, ...]] = {
    CaseKind.BROADBAND_FAULT: (
        "No broadband since the weekend",
        "Broadband drops every evening",
        "Speeds far below the guaranteed minimum",
        "Router shows a red light",
        "Wi-Fi keeps disconnecting upstairs",
        "No internet after the storm",
    ),
    CaseKind.LANDLINE_FAULT: (
        "Crackling on the line",
        "No dial tone",
        "Incoming calls go straight to voicemail",
        "Line dead after roadworks",
    ),
    CaseKind.MOBILE_FAULT: (
        "No signal at home",
        "Cannot send texts abroad",
        "Mobile data not working after SIM swap",
        "Calls drop after a few seconds",
    ),
    CaseKind.NEW_SERVICE: (
        "New Full Fibre installation",
        "Add a second mobile line",
        "New broadband and landline order",
        "TV add-on activation",
    ),
    CaseKind.HOME_MOVE: (
        "Moving home: transfer broadband",
        "Home move: keep the landline number",
        "Moving house next month",
    ),
    CaseKind.BILLING: (
        "Bill higher than expected",
        "Charged twice this month",
        "Direct Debit taken on the wrong date",
        "Early termination fee disputed",
        "Roaming charges queried",
        "Discount missing from the bill",
    ),
    CaseKind.PLAN_CHANGE: (
        "Upgrade to a faster broadband plan",
        "Move to a SIM-only plan",
        "Downgrade the TV package",
        "Add unlimited calls",
    ),
    CaseKind.ENGINEER_APPOINTMENT: (
        "Engineer appointment to rebook",
        "Engineer did not arrive",
        "Engineer visit needed for the master socket",
    ),
    CaseKind.SERVICE_REQUEST: (
        "Change of name on the account",
        "Replacement router requested",
        "Copy bills requested in large print",
        "Add a trusted person to the account",
        "Change the Direct Debit account",
    ),
    CaseKind.COMPLAINT: (
        "Complaint: repeated broken promises",
        "Complaint: fault open for weeks",
        "Complaint: advisor was dismissive",
        "Complaint: charged after cancelling",
    ),
}

# Where a case starts: the customer's first contact about it.
OPENING: dict[str, tuple[str, ...]] = {
    CaseKind.BROADBAND_FAULT: (
        "Reported no broadband; ran a line test and restarted the router with the customer",
        "Reported evening drop-outs; speed test showed under 5 Mbps",
        "Router light red since the morning; checked for area outages, none found",
    ),
    CaseKind.LANDLINE_FAULT: (
        "Reported a noisy line; test showed a fault between the cabinet and the house",
        "No dial tone; customer is relying on the landline for a care alarm",
    ),
    CaseKind.MOBILE_FAULT: (
        "No signal at home since the mast work; logged against the postcode",
        "Data stopped after the SIM swap; re-sent the network settings",
    ),
    CaseKind.NEW_SERVICE: (
        "Ordered a new service; explained the installation steps and lead time",
        "Customer asked to add a line; checked credit and availability",
    ),
    CaseKind.HOME_MOVE: (
        "Customer is moving; took the new address and the move date",
        "Booked a home move; checked availability at the new address",
    ),
    CaseKind.BILLING: (
        "Queried the latest bill; went through the charges line by line",
        "Reported a double charge; confirmed two payments were taken",
        "Disputed a fee; asked for the contract terms to be checked",
    ),
    CaseKind.PLAN_CHANGE: (
        "Asked to change plan; explained the new price and the start date",
        "Requested an upgrade; confirmed it is available at the address",
    ),
    CaseKind.ENGINEER_APPOINTMENT: (
        "Engineer did not arrive in the slot; customer took the day off work",
        "Asked to rebook the engineer visit",
    ),
    CaseKind.SERVICE_REQUEST: (
        "Asked for a change on the account; checked identity and logged the request",
        "Requested a replacement router; checked the fault history first",
    ),
    CaseKind.COMPLAINT: (
        "Customer wants to make a formal complaint; explained the process and deadline",
        "Complaint received about repeated missed callbacks",
    ),
}

# What happens while a case is open.
PROGRESS: dict[str, tuple[Line, ...]] = {
    "default": (
        Line(OUT, None, "Called with an update; explained what happens next"),
        Line(IN, None, "Customer chased for an update; told what is outstanding"),
        Line(IN, None, "Chat: customer asked for an update; gave the next step", Channel.CHAT),
        Line(IN, None, "Public post complaining about the wait; replied by DM", Channel.SOCIAL),
        Line(OUT, "Update on your case", "Emailed a progress update"),
        Line(INTERNAL, None, "Case note: waiting on the other team's reply"),
    ),
    CaseKind.BROADBAND_FAULT: (
        Line(INTERNAL, None, "Line test: fault found between the exchange and the cabinet"),
        Line(INTERNAL, None, "Network monitoring: line resynchronised 14 times in 24 hours"),
        Line(OUT, None, "Talked the customer through swapping the router filter"),
    ),
    CaseKind.LANDLINE_FAULT: (
        Line(INTERNAL, None, "Line test: earth fault detected; repair job raised with Openreach"),
    ),
    CaseKind.BILLING: (
        Line(INTERNAL, None, "Billing team confirmed the duplicate payment"),
        Line(OUT, "Your bill explained", "Sent a breakdown of the charges"),
    ),
    CaseKind.ENGINEER_APPOINTMENT: (
        Line(OUT, "Your engineer appointment", "Confirmed the new appointment slot by email"),
    ),
    CaseKind.HOME_MOVE: (Line(OUT, "Your home move", "Confirmed the move date and the router delivery"),),
}

CLOSING: tuple[Line, ...] = (
    Line(OUT, None, "Called to confirm it is sorted; customer agreed to close the case"),
    Line(IN, None, "Customer called back to confirm it is sorted"),
    Line(OUT, "Your case is resolved", "Emailed the resolution and how to reopen if needed"),
    Line(OUT, "Confirmation of resolution", "Wrote to confirm the resolution", Channel.LETTER),
)

ROOT_CAUSES: dict[str, tuple[tuple[str, str], ...]] = {
    CaseKind.BROADBAND_FAULT: (
        ("line fault (copper)", "Corroded joint in the street cabinet"),
        ("router failure", "Router power supply failed; replaced"),
        ("exchange equipment", "Faulty line card at the exchange"),
        ("customer wiring", "Extension wiring in the house caused interference"),
        ("provisioning error", "Line profile set to the wrong speed after an order"),
        ("planned works overran", "Planned network work ran past its window"),
    ),
    CaseKind.LANDLINE_FAULT: (
        ("line fault (copper)", "Water in an underground joint"),
        ("third-party damage", "Cable cut during roadworks"),
        ("customer equipment", "Faulty handset base station"),
    ),
    CaseKind.MOBILE_FAULT: (
        ("mast outage", "Local mast offline after a power failure"),
        ("SIM provisioning", "SIM swap not completed on the network"),
        ("handset settings", "APN settings missing on the handset"),
    ),
    CaseKind.NEW_SERVICE: (
        ("order completed", "Installed as ordered"),
        ("order delayed", "Wayleave needed from the landlord"),
    ),
    CaseKind.HOME_MOVE: (
        ("order completed", "Service moved on the agreed date"),
        ("order not passed on", "Sales order never reached provisioning"),
    ),
    CaseKind.BILLING: (
        ("billing system error", "Discount not applied after the price rise"),
        ("duplicate payment", "Direct Debit run twice after a bank holiday"),
        ("customer misunderstanding", "Pro-rata charge for the plan change explained"),
        ("incorrect fee", "Termination fee charged in error"),
    ),
    CaseKind.PLAN_CHANGE: (
        ("order completed", "Plan changed as requested"),
        ("provisioning error", "New plan applied with the wrong line profile"),
    ),
    CaseKind.ENGINEER_APPOINTMENT: (
        ("engineer capacity", "Engineer reassigned to an emergency repair"),
        ("appointment kept", "Engineer attended and completed the work"),
    ),
    CaseKind.SERVICE_REQUEST: (
        ("request completed", "Request completed as asked"),
    ),
    CaseKind.COMPLAINT: (
        ("broken promises", "Callbacks booked without an owner"),
        ("process failure", "Case closed without asking the customer"),
        ("advisor conduct", "Coaching given to the advisor"),
    ),
}  # fmt: skip

NEXT_STEPS: dict[str, tuple[str, ...]] = {
    CaseKind.BROADBAND_FAULT: (
        "Engineer to test the line at the cabinet",
        "Send a replacement router and call the customer when delivered",
        "Monitor the line for 48 hours, then call the customer",
    ),
    CaseKind.LANDLINE_FAULT: ("Openreach repair visit booked", "Retest the line after the repair"),
    CaseKind.MOBILE_FAULT: ("Check mast status tomorrow morning", "Re-send the SIM activation"),
    CaseKind.NEW_SERVICE: ("Confirm the installation date", "Chase provisioning for the order"),
    CaseKind.HOME_MOVE: ("Confirm the order with provisioning", "Book the engineer at the new address"),
    CaseKind.BILLING: ("Billing to issue a credit note", "Refund the duplicate payment"),
    CaseKind.PLAN_CHANGE: ("Apply the new plan on the next bill date", "Confirm the speed after the change"),
    CaseKind.ENGINEER_APPOINTMENT: ("Rebook the engineer", "Confirm the slot with the customer"),
    CaseKind.SERVICE_REQUEST: ("Complete the request and write to the customer",),
    CaseKind.COMPLAINT: ("Complaints team to reply in writing", "Call the customer with the findings"),
}  # fmt: skip

# The target to resolve an open case, in hours after it opened.
TARGET_HOURS: dict[str, int] = {
    CaseKind.BROADBAND_FAULT: 48,
    CaseKind.LANDLINE_FAULT: 48,
    CaseKind.MOBILE_FAULT: 72,
    CaseKind.NEW_SERVICE: 14 * 24,
    CaseKind.HOME_MOVE: 21 * 24,
    CaseKind.BILLING: 5 * 24,
    CaseKind.PLAN_CHANGE: 3 * 24,
    CaseKind.ENGINEER_APPOINTMENT: 5 * 24,
    CaseKind.SERVICE_REQUEST: 5 * 24,
    CaseKind.COMPLAINT: 8 * 7 * 24,
}

PROMISE_KINDS: dict[str, tuple[str, ...]] = {
    CaseKind.BROADBAND_FAULT: (
        PromiseKind.CALLBACK, PromiseKind.CALLBACK, PromiseKind.ENGINEER_VISIT,
        PromiseKind.PROGRESS_UPDATE,
    ),
    CaseKind.LANDLINE_FAULT: (PromiseKind.CALLBACK, PromiseKind.ENGINEER_VISIT),
    CaseKind.ENGINEER_APPOINTMENT: (PromiseKind.ENGINEER_VISIT, PromiseKind.CALLBACK),
    CaseKind.BILLING: (PromiseKind.CREDIT, PromiseKind.CALLBACK, PromiseKind.PROGRESS_UPDATE),
    CaseKind.COMPLAINT: (PromiseKind.PROGRESS_UPDATE, PromiseKind.CALLBACK),
}  # fmt: skip
DEFAULT_PROMISE_KINDS = (PromiseKind.CALLBACK, PromiseKind.CALLBACK, PromiseKind.PROGRESS_UPDATE)

PROMISE_NOTES: dict[str, str] = {
    PromiseKind.CALLBACK: "Call back with the outcome",
    PromiseKind.PROGRESS_UPDATE: "Email an update on progress",
    PromiseKind.ENGINEER_VISIT: "Engineer visit in the booked slot",
    PromiseKind.CREDIT: "Credit to appear on the next bill",
    PromiseKind.COMPLAINT_DEADLINE: "Final response to the complaint",
}
PROMISE_DONE: dict[str, str] = {
    PromiseKind.CALLBACK: "Called back; customer updated",
    PromiseKind.PROGRESS_UPDATE: "Update sent",
    PromiseKind.ENGINEER_VISIT: "Engineer attended in the slot",
    PromiseKind.CREDIT: "Credit applied",
    PromiseKind.COMPLAINT_DEADLINE: "Final response sent",
}
NOT_REACHABLE = (
    "No answer; voicemail left",
    "No answer twice; text sent asking the customer to call us",
    "Number not recognised",
)
RESCHEDULED = ("Customer asked to be called tomorrow instead", "Slot moved at the customer's request")

GOODWILL_REASONS: tuple[tuple[str, str, str], ...] = (
    (GoodwillKind.GOODWILL_CREDIT, "service outage", "Days without broadband"),
    (GoodwillKind.GOODWILL_CREDIT, "missed callback", "Promised callback did not happen"),
    (GoodwillKind.COMPENSATION, "missed appointment", "Engineer did not attend the booked slot"),
    (GoodwillKind.COMPENSATION, "delayed repair", "Repair took longer than two working days"),
    (GoodwillKind.COMPENSATION, "delayed installation", "Installation later than promised"),
    (GoodwillKind.FEE_WAIVER, "fee charged in error", "Waive the late payment fee"),
    (GoodwillKind.FEE_WAIVER, "moving home", "Waive the reconnection fee after the move"),
    (GoodwillKind.REFUND, "billing error", "Refund the duplicate payment"),
)
DECISION_APPROVED = ("Agreed: fault well documented", "Approved", "Fair given the outage")
DECISION_REJECTED = (
    "Already credited on the last bill",
    "Outage was caused by the customer's own equipment",
    "Above what the policy allows for this case",
)

HANDOFF_SUMMARIES: dict[str, str] = {
    CaseKind.NEW_SERVICE: "Install the new service as ordered",
    CaseKind.HOME_MOVE: "Move the service to the new address on the move date",
    CaseKind.PLAN_CHANGE: "Apply the plan change on the line",
    CaseKind.ENGINEER_APPOINTMENT: "Attend and fix; customer has been told the slot",
    CaseKind.BROADBAND_FAULT: "Investigate the line fault and report back",
    CaseKind.LANDLINE_FAULT: "Repair the line fault",
    CaseKind.BILLING: "Correct the bill and issue a credit note",
    CaseKind.COMPLAINT: "Investigate and send the final response",
    CaseKind.MOBILE_FAULT: "Check the SIM on the network",
    CaseKind.SERVICE_REQUEST: "Complete the account change",
}

VULNERABILITY_NOTES = (
    "Hard of hearing: prefers email or text",
    "Recently bereaved: be patient, do not mention the late account holder's debts",
    "Relies on the landline for a telecare alarm: priority repair",
    "Registered blind: large print or audio letters",
    "Anxiety: explain next steps slowly and confirm in writing",
    "Power of attorney held by her daughter",
    "Serious illness: avoid unnecessary calls",
)

# Events with no case: everyday contacts by channel.
GENERAL: dict[str, tuple[Line, ...]] = {
    Channel.PHONE: (
        Line(IN, None, "Asked why the bill went up; explained the end of the discount"),
        Line(IN, None, "Asked for the PUK code; identity checked"),
        Line(IN, None, "Asked about contract end date; explained the options"),
        Line(IN, None, "Wanted to update the payment card"),
        Line(IN, None, "Asked how to set up voicemail"),
        Line(IN, None, "Queried a charge for calls to an 09 number"),
        Line(OUT, None, "Courtesy call after the price change letter"),
        Line(OUT, None, "Returned a missed call; customer's question already answered"),
        Line(IN, None, "Asked whether Full Fibre is available at the address"),
        Line(IN, None, "Reported a suspected scam text; advised not to reply"),
    ),
    Channel.EMAIL: (
        Line(IN, "Copy of my bill", "Asked for a copy of the last bill"),
        Line(OUT, "Your bill is ready", "Monthly bill notification"),
        Line(IN, "Change of email address", "Asked to update the email on the account"),
        Line(OUT, "Price changes from April", "Annual price change notice"),
        Line(OUT, "Your contract ends soon", "End-of-contract notification"),
        Line(IN, "Question about roaming", "Asked about roaming charges in the EU"),
    ),
    Channel.CHAT: (
        Line(IN, None, "Chat: asked how to change the Wi-Fi password"),
        Line(IN, None, "Chat: asked when the next bill is due"),
        Line(IN, None, "Chat: asked to add a data bolt-on"),
        Line(IN, None, "Chat: asked to block premium-rate numbers"),
    ),
    Channel.SOCIAL: (
        Line(IN, None, "Direct message: asked about an outage in the area"),
        Line(IN, None, "Public post: praised the engineer; thanked on behalf of the team"),
        Line(OUT, None, "Replied to a public post and moved the talk to a direct message"),
    ),
    Channel.LETTER: (
        Line(OUT, "Annual price change", "Price change letter sent"),
        Line(OUT, "Your annual summary", "Annual best-tariff notice sent"),
        Line(IN, "Change of address", "Letter asking to update the billing address"),
    ),
    Channel.VISIT: (
        Line(IN, None, "Visited the shop to collect a replacement SIM"),
        Line(IN, None, "Visited the shop to ask about handset upgrades"),
        Line(OUT, None, "Engineer visit: checked the master socket, no fault found"),
    ),
    Channel.SYSTEM: (
        Line(INTERNAL, None, "Direct Debit collected"),
        Line(INTERNAL, None, "Monthly bill issued"),
        Line(INTERNAL, None, "Router firmware updated remotely"),
        Line(INTERNAL, None, "Payment card expiring next month: reminder sent"),
        Line(INTERNAL, None, "Usage alert: 80% of the data allowance used"),
    ),
}

# Channel mix of the contacts: phone most common, then email, chat, social, letter, visit, system.
GENERAL_CHANNEL_WEIGHTS: tuple[tuple[str, int], ...] = (
    (Channel.PHONE.value, 38),
    (Channel.EMAIL.value, 20),
    (Channel.CHAT.value, 12),
    (Channel.SOCIAL.value, 5),
    (Channel.LETTER.value, 4),
    (Channel.VISIT.value, 3),
    (Channel.SYSTEM.value, 18),
)
# How a customer first raises a problem.
OPENING_CHANNEL_WEIGHTS: tuple[tuple[str, int], ...] = (
    (Channel.PHONE.value, 60),
    (Channel.CHAT.value, 15),
    (Channel.EMAIL.value, 12),
    (Channel.SOCIAL.value, 8),
    (Channel.LETTER.value, 2),
    (Channel.VISIT.value, 3),
)


class OfferSpec(NamedTuple):
    code: str
    title: str
    description: str
    product: str
    monthly_price_pence: int
    active: bool


OFFERS: tuple[OfferSpec, ...] = (
    OfferSpec(
        "FIBRE900", "Full Fibre 900", "Gigabit-class broadband, 24-month term", "broadband", 5500, True
    ),
    OfferSpec("FIBRE500", "Full Fibre 500", "Fast fibre for busy homes, 24 months", "broadband", 4200, True),
    OfferSpec(
        "SIMO30", "SIM-only 30GB", "30GB data, unlimited calls and texts, 12 months", "mobile", 1200, True
    ),
    OfferSpec("SIMOUNL", "SIM-only Unlimited", "Unlimited data, 24 months", "mobile", 2000, True),
    OfferSpec("BUNDLE", "Mobile + Broadband bundle", "£5 off each when taken together", "bundle", 6000, True),
    OfferSpec("WIFIMESH", "Whole-home Wi-Fi", "Two mesh discs for every room", "add-on", 800, True),
    OfferSpec("TVSPORT", "Sports TV add-on", "Live football and cricket", "tv", 2500, True),
    OfferSpec("ANYTIME", "Anytime calls", "Unlimited UK landline and mobile calls", "landline", 1000, False),
)
