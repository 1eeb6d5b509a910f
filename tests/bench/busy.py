"""The benchmark's busiest customer: one business account with 50,000 contact events, added once to the
cached store beside the seeded ones, for the history-scroll figure."""

from __future__ import annotations

import random
import uuid
from datetime import date

from sqlalchemy import select

from console.normalise import email_key, name_key
from console.seed.rows import DAY, at, event_row
from storage import bulk
from storage.models import Customer, User
from storage.store import Store

BUSY_ACCOUNT = "10000099"  # outside the seed's story accounts (1000000x) and numbered ones (40000001...)
# Stores seeded before the household story customers took 10000005 hold the busy customer there.
EARLIER_ACCOUNT = "10000005"
BUSY_NAME = "Logistics Ltd"
CHANNELS = ("phone", "email", "social", "letter", "chat", "visit", "system")
SUMMARIES = (
    "Called about the leased line at the Leeds office; engineer booked",
    "Email: asked for a copy of last month's itemised bill",
    "Tweeted that the broadband dropped twice this morning",
    "Letter: change of registered address for the company",
    "Chat: added two mobile lines for new starters",
    "Visited the shop to swap a faulty router",
    "Direct debit collected",
)


def ensure_busy_customer(store: Store, events: int = 50_000, seed: int = 5) -> uuid.UUID:
    """The busy customer's id, writing them and their `events` events first if the store lacks them."""
    with store.read() as session:
        found = session.scalar(
            select(Customer.id)
            .where(Customer.account_number.in_((BUSY_ACCOUNT, EARLIER_ACCOUNT)))
            .where(Customer.family_name == BUSY_NAME)
        )
        advisors = list(session.scalars(select(User.id).order_by(User.username).limit(20)))
    if found is not None:
        return found
    rng = random.Random(seed)
    newest = int(at(0).timestamp()) + 20_000 * DAY  # late 2024: fifteen years of business
    oldest = newest - 15 * 365 * DAY
    customer_id = uuid.UUID(int=rng.getrandbits(128), version=4)
    customer = {
        "id": customer_id,
        "account_number": BUSY_ACCOUNT,
        "title": None,
        "given_name": "Harbour",
        "family_name": BUSY_NAME,
        "given_key": name_key("Harbour"),
        "family_key": name_key(BUSY_NAME),
        "email": "accounts@harbour-logistics.example",
        "email_key": email_key("accounts@harbour-logistics.example"),
        "address_line": "Unit 4, Dockside Park",
        "town": "Hull",
        "postcode": "HU1 2AB",
        "postcode_key": "HU12AB",
        "vulnerable": False,
        "vulnerability_note": None,
        "marketing_consent": True,
        "preferred_channel": "email",
        "account_owner_id": advisors[0] if advisors else None,
        "customer_since": date(2009, 10, 1),
        "created_at": at(oldest),
        "updated_at": at(newest),
        "version": 1,
        "deleted": False,
    }
    rows = []
    for n in range(events):
        occurred = oldest + (newest - oldest) * n // events + rng.randrange(3600)
        channel = CHANNELS[n % len(CHANNELS)]
        advisor = None if channel == "system" or not advisors else advisors[n % len(advisors)]
        direction = "internal" if channel == "system" else ("inbound" if n % 3 else "outbound")
        rows.append(
            event_row(
                rng,
                customer_id,
                None,
                channel,
                direction,
                advisor,
                occurred,
                occurred,
                None,
                SUMMARIES[n % len(SUMMARIES)],
            )
        )
    with bulk.BulkLoader(store.engine) as loader:
        loader.add({"customers": [customer], "contact_events": rows})
    return customer_id
