"""What the window can do in its user's name: the user and the services that act for them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from console.clock import Clock
from console.settings import Settings
from domain.records import UserRecord

if TYPE_CHECKING:  # the services (and SQLAlchemy) are imported when a workbench is built
    from console.board.measures import BoardService
    from console.services.cases import CaseService
    from console.services.compensation import CompensationService
    from console.services.contacts import ContactService
    from console.services.customer_details import DetailsService
    from console.services.customers import CustomerService
    from console.services.goodwill import GoodwillService
    from console.services.handoffs import HandoffService
    from console.services.offers import OfferService
    from console.services.pane import PaneService
    from console.services.people import PeopleService
    from console.services.promises import PromiseService
    from storage.store import Store


@dataclass(frozen=True)
class Workbench:
    """Built once per window (in `widgets.app.build_window`); None when the store has no such user."""

    user: UserRecord
    promises: PromiseService
    handoffs: HandoffService
    cases: CaseService
    people: PeopleService
    offers: OfferService
    pane: PaneService
    goodwill: GoodwillService
    compensation: CompensationService
    store: Store
    clock: Clock

    @cached_property
    def details(self) -> DetailsService:
        """Changing the customers' details with a reason, the earlier ones kept."""
        from console.services.customer_details import DetailsService

        return DetailsService(self.store, self.clock, self.user)

    @cached_property
    def customers(self) -> CustomerService:
        """Finding customers and reading their cases (the record dialogs)."""
        from console.services.customers import CustomerService

        return CustomerService(self.store)

    @cached_property
    def contacts(self) -> ContactService:
        """Writing down contacts and calls, with the contact reasons from the settings folder."""
        from console.services.contacts import ContactService

        return ContactService(self.store, self.clock, self.user)

    @cached_property
    def board(self) -> BoardService:
        """The supervisor's board measures, built (and their queries imported) on first use."""
        from console.board.measures import BoardService

        return BoardService(self.store, self.clock)


def workbench_for(
    store: Store, clock: Clock, user: UserRecord, settings: Settings | None = None
) -> Workbench:
    from console.services.cases import CaseService
    from console.services.compensation import CompensationService
    from console.services.goodwill import GoodwillService
    from console.services.handoffs import HandoffService
    from console.services.offers import OfferService
    from console.services.pane import PaneService
    from console.services.people import PeopleService
    from console.services.promises import PromiseService

    settings = settings or Settings()
    return Workbench(
        user=user,
        promises=PromiseService(store, clock, user, settings.due_soon, settings.working_hours),
        handoffs=HandoffService(store, clock, user),
        cases=CaseService(store, clock, user),
        people=PeopleService(store),
        offers=OfferService(store, clock, user, settings.complaint_offer_pause),
        pane=PaneService(store, clock, user, complaint_cooldown=settings.complaint_offer_pause),
        goodwill=GoodwillService(store, clock, user),
        compensation=CompensationService(store, clock, user),
        store=store,
        clock=clock,
    )
