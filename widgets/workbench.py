"""What the window can do in its user's name: the user and the services that act for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from console.clock import Clock
from console.promise_rules import DEFAULT_DUE_SOON
from console.services.cases import CaseService
from console.services.handoffs import HandoffService
from console.services.people import PeopleService
from console.services.promises import PromiseService
from storage.records import UserRecord
from storage.store import Store


@dataclass(frozen=True)
class Workbench:
    """Built once per window (in `widgets.app.build_window`); None when the store has no such user."""

    user: UserRecord
    promises: PromiseService
    handoffs: HandoffService
    cases: CaseService
    people: PeopleService


def workbench_for(
    store: Store, clock: Clock, user: UserRecord, due_soon: timedelta = DEFAULT_DUE_SOON
) -> Workbench:
    return Workbench(
        user=user,
        promises=PromiseService(store, clock, user, due_soon),
        handoffs=HandoffService(store, clock, user),
        cases=CaseService(store, clock, user),
        people=PeopleService(store),
    )
