"""The whole data set as a stream of row batches: staff and offers, the stories, then customers
in batches with their histories. Deterministic for a given (customers, seed, now)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import datetime

from console.seed.people import CustomerMaker, make_staff
from console.seed.phrases import OFFERS
from console.seed.rows import YEAR, Rows, new_id
from console.seed.stories import STORY_CASES, make_stories
from console.seed.timeline import OPEN_SHARE, Timeline

FIRST_ACCOUNT = 40_000_001
MAX_CUSTOMERS = 20_000_000
BATCH_CUSTOMERS = 2_000
# Open cases the default `advisor` login should own, so the demo shows a busy day at any scale.
DEFAULT_ADVISOR_OPEN_CASES = 30


def generate(
    customers: int, *, seed: int, now: datetime, batch_customers: int | None = None
) -> Iterator[tuple[Rows, int]]:
    """Yield (rows, customers generated so far); the first batch holds staff, offers, stories."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if not 1 <= customers <= MAX_CUSTOMERS:
        raise ValueError(f"customers must be between 1 and {MAX_CUSTOMERS:,}, not {customers:,}")
    rng = random.Random(seed)
    now_s = int(now.timestamp())
    staff = make_staff(rng, customers, now_s)
    first = Rows(users=staff.rows)
    offer_ids: dict[str, uuid.UUID] = {}
    for index, offer in enumerate(OFFERS):
        offer_id = new_id(now_s - 2 * YEAR + index, rng)
        offer_ids[offer.code] = offer_id
        first.offers.append({"id": offer_id, **offer._asdict()})
    stories = make_stories(random.Random(f"stories-{seed}"), staff, offer_ids, now_s)
    for name, story_rows in stories.tables().items():
        getattr(first, name).extend(story_rows)
    yield first, 0

    expected_open = max(1.0, customers * 0.31 * OPEN_SHARE)
    timeline = Timeline(
        rng,
        staff,
        [offer_ids[o.code] for o in OFFERS if o.active],
        now_s,
        first_case_number=STORY_CASES,
        default_owner_share=min(0.25, DEFAULT_ADVISOR_OPEN_CASES / expected_open),
    )
    maker = CustomerMaker(rng, staff, now_s, customers)
    step = batch_customers or BATCH_CUSTOMERS
    for start in range(0, customers, step):
        end = min(customers, start + step)
        rows = Rows()
        for index in range(start, end):
            customer = maker.make(rows, index, str(FIRST_ACCOUNT + index))
            timeline.for_customer(rows, customer)
        yield rows, end
