"""What the pane reads when a customer is opened, and again after a change: in one trip to the worker."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from console.services.customers import CustomerService
from console.services.offers import OfferView
from domain.records import CaseSummary, CustomerProfile, HandoffRecord, PromiseRecord, TimelineEntry
from widgets.goodwill.panel import GoodwillView
from widgets.workbench import Workbench


@dataclass(frozen=True)
class LoadedCustomer:
    """Everything the pane shows when a customer is opened, read in one go off the UI thread."""

    profile: CustomerProfile
    cases: list[CaseSummary]
    first_history_page: list[TimelineEntry]
    promises: list[PromiseRecord] = field(default_factory=list)
    handoffs: list[HandoffRecord] = field(default_factory=list)
    needing_update: list[CaseSummary] = field(default_factory=list)
    # Not yet recorded as impressions: the window records them right after painting the pane.
    offers: OfferView | None = None
    goodwill: GoodwillView | None = None  # read in the same trip when the window has a workbench


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


def load_customer(
    service: CustomerService, profile: CustomerProfile, workbench: Workbench | None = None
) -> LoadedCustomer:
    work = load_work(service, workbench, profile.id, record_offers=False)
    return LoadedCustomer(
        profile,
        work.cases,
        service.history(profile.id),
        work.promises,
        work.handoffs,
        work.needing_update,
        work.offers,
    )


def work_of(loaded: LoadedCustomer) -> CustomerWork:
    """The part of an opening that a re-read after a change replaces."""
    return CustomerWork(
        loaded.profile.id,
        loaded.cases,
        loaded.promises,
        loaded.handoffs,
        loaded.needing_update,
        loaded.offers,
    )
