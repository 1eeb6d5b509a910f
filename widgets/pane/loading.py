"""What the pane re-reads after a change to the open customer (an opening is one `PaneService.open`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from console.suppressor import OfferView
from domain.records import CaseSummary, HandoffRecord, PromiseRecord

if TYPE_CHECKING:
    from console.services.customers import CustomerService
    from console.services.pane import Pane
    from widgets.workbench import Workbench


@dataclass(frozen=True)
class CustomerWork:
    """What changes when someone acts on the open customer: cases, promises, handoffs, prompts."""

    customer_id: uuid.UUID
    cases: list[CaseSummary]
    promises: list[PromiseRecord]
    handoffs: list[HandoffRecord]
    needing_update: list[CaseSummary]
    # None without a signed-in user. Offers in it are already recorded as impressions.
    offers: OfferView | None = None


def load_work(
    service: CustomerService,
    workbench: Workbench | None,
    customer_id: uuid.UUID,
    offers_shown: frozenset[uuid.UUID] = frozenset(),
    *,
    record_offers: bool = True,
) -> CustomerWork:
    """`offers_shown`: offers already on screen (and recorded) in this opening of the customer.

    Without `record_offers` the offers are only read (an opening: recorded once the pane is painted).
    """
    cases = service.cases(customer_id)
    if workbench is None:
        return CustomerWork(customer_id, cases, [], [], [])
    promises = workbench.promises.for_customer(customer_id)
    return CustomerWork(
        customer_id,
        cases,
        promises,
        workbench.handoffs.for_customer(customer_id),
        workbench.cases.needing_update_among(cases, promises),  # read once for both
        workbench.offers.present(customer_id, offers_shown)
        if record_offers
        else workbench.offers.for_customer(customer_id),
    )


def work_of(loaded: Pane) -> CustomerWork:
    """The part of an opening that a re-read after a change replaces."""
    return CustomerWork(
        loaded.profile.id,
        loaded.cases,
        loaded.promises,
        loaded.handoffs,
        loaded.needing_update,
        loaded.offers,
    )
