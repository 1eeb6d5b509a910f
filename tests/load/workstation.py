"""One simulated workstation: an asyncio client on the product's ServerLink that queues its person's
acts as mutations (a new one every 20-60 s), pushes them (api.apply_mutations, a page a call,
retried with the same ids as the sync engine's RetryPolicy says), pulls on a change notice (paced as
console/sync/pacing.py paces) or on the 30 s timer when no notice came, then checks the audit chain
and marks its sync, as the engine does after every pull. A supervisor's workstation approves the
requests its pulls show."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

from console.ids import new_id
from console.sync import sync_mark
from console.sync.notice_keys import parse_notice
from console.sync.pacing import PullPacing
from console.sync.push import RetryPolicy
from console.sync.remote import PermanentRefusalError, ServerLink, first_line, is_transient
from domain import mutation_kinds
from domain.vocabulary import Role
from tests.load.mix import Advisor, Mutation, approval

T = TypeVar("T")
PAGE = 1_000  # rows a pull page asks for (console/sync/pull.py's page size)
QUIET_PULL = 30.0  # seconds: the engine's timer pull while notices come (quiet_pull_interval)
POLL = 2.0  # seconds: the engine's loop interval, every turn of which pulls while no notice comes
OFFLINE_REST = 4.0  # seconds between tries while the server is unreachable (the engine's interval x 2)
NOTICE_RETRY = 10.0  # seconds before a dropped notice source is opened again (the engine's interval x 5)
WITNESSED = 20  # audit heads the engine sends with each witness call
CALL_TIMEOUT = 60.0  # seconds: a call that takes longer is abandoned and retried (same ids)
CANCEL_WAIT = 10.0  # seconds a stopping workstation waits for its cancelled tasks

NoticeSource = Callable[[], AsyncIterator[str]]


def why(exc: BaseException) -> str:
    """The server's or the pooler's own words (after FATAL or ERROR), else the first line, short."""
    text = " ".join(str(exc).split())
    for mark in ("FATAL:", "ERROR:"):
        if mark in text:
            text = text[text.index(mark) :]
            break
    return text[:90]


class OfflineError(Exception):
    """A call failed on every try of the RetryPolicy: the workstation is offline for now."""


@dataclass
class Figures:
    """What the workstations of one process saw; merged across processes by the run."""

    acks: list[float] = field(default_factory=list)  # queued to answered, seconds
    approvals: list[float] = field(default_factory=list)  # approval committed to the advisor's pull
    approval_at: list[float] = field(default_factory=list)  # wall time each approval arrived
    pulls: int = 0  # pulls (a pull may be several pull_changes calls)
    pull_calls: int = 0
    pulled_rows: int = 0
    pushes: int = 0
    notices: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)  # "kind state"
    errors: Counter[str] = field(default_factory=Counter)  # anything that is not an accepted answer
    retries: Counter[str] = field(default_factory=Counter)  # transient faults retried
    sent: dict[str, str] = field(default_factory=dict)  # mutation id -> state answered ("" none)
    sends: int = 0  # apply_mutations calls that carried a mutation already sent before
    awaiting: int = 0  # requests awaiting approval at the end, not yet seen approved
    missed: int = 0  # approved on the server long before the end, never pulled by their advisor
    sign_in_seconds: float = 0.0  # opening every workstation's pooled session, before the run

    def as_dict(self) -> dict[str, Any]:
        return {
            name: (dict(value) if isinstance(value, Counter) else value) for name, value in vars(self).items()
        }


class Workstation:
    """Run by `run(until)`: acts until `until` (monotonic), then only syncs until `drain_until`."""

    def __init__(
        self,
        *,
        username: str,
        user_id: uuid.UUID,
        role: Role,
        limit_pence: int,
        link: ServerLink,
        notices: NoticeSource | None,
        customers: list[str],
        cursor: int,
        figures: Figures,
        rng: random.Random,
        supervisor_index: tuple[int, int] = (0, 1),
        mean_gap: tuple[float, float] = (20.0, 60.0),
        held_pulls: bool = True,
    ) -> None:
        self.username = username
        self.user_id = str(user_id)
        self.role = role
        self.link = link
        self.notice_source = notices
        self.figures = figures
        self.rng = rng
        self.client_id = uuid.uuid4()
        self.cursor = cursor
        self.known_head = cursor
        self.advisor = Advisor(rng, customers, limit_pence)
        self.outbox: list[Mutation] = []
        self.next_seq = 1
        self.answered_through = 0
        self.awaiting: dict[str, float] = {}  # goodwill id -> monotonic time the request was answered
        self.decided: set[str] = set()  # requests this supervisor queued an approval for
        self.supervisor_index = supervisor_index
        self.gap = mean_gap
        self.pacing = PullPacing()
        self.retry = RetryPolicy()
        self.heads: list[int] = []
        self.wake = asyncio.Event()  # something to push
        self.noticed = asyncio.Event()
        self.notified = False
        self.last_pull = 0.0
        self.witnessed_at: datetime | None = None
        self.listening = False
        self.notices_dropped = False
        self.acting = True
        self.stopped = False
        self.seen_approvals: list[float] = []
        self.lock = asyncio.Lock()
        self.held_pulls = held_pulls
        self.holding = False

    # -- acts -------------------------------------------------------------------------------------

    def queue(self, kind: str, payload: dict[str, Any]) -> None:
        mutation = Mutation(new_id(), self.next_seq, kind, payload, datetime.now(UTC), time.monotonic())
        self.next_seq += 1
        self.outbox.append(mutation)
        self.figures.sent[str(mutation.mutation_id)] = ""
        self.wake.set()

    async def act(self, until: float) -> None:
        await asyncio.sleep(self.rng.uniform(0, self.gap[1]))  # workstations start spread out
        while time.monotonic() < until:
            kind, payload = self.advisor.act(datetime.now(UTC))
            self.queue(kind, payload)
            await asyncio.sleep(self.rng.uniform(*self.gap))

    # -- calls ------------------------------------------------------------------------------------

    async def call(self, what: Callable[[], Awaitable[T]]) -> T:
        """One server call, retried on transient faults with the RetryPolicy's delays."""
        delays = iter(self.retry.delays())
        while True:
            try:
                return await asyncio.wait_for(what(), CALL_TIMEOUT)
            except PermanentRefusalError as exc:
                self.figures.errors[f"refused: {exc}"[:100]] += 1
                raise OfflineError(str(exc)) from None
            except Exception as exc:
                if not is_transient(exc):
                    raise
                self.figures.retries[f"{type(exc).__name__}: {why(exc)}"] += 1
                await self.link.drop()
                delay = next(delays, None)
                if delay is None:
                    raise OfflineError(first_line(exc)) from None
                await asyncio.sleep(delay)

    async def push(self) -> None:
        while self.outbox:
            page = self.outbox[:500]
            if any(mutation.sends for mutation in page):
                self.figures.sends += 1
            for mutation in page:
                mutation.sends += 1
            text = json.dumps([m.wire(self.client_id) for m in page])  # a page as the push sends it
            answers = [
                json.loads(answer.text) for answer in await self.call(partial(self.link.apply_page, text))
            ]
            self.figures.pushes += 1
            now = time.monotonic()
            by_id = {str(answer.get("mutation_id")): answer for answer in answers}
            for mutation in page:
                answer = by_id.get(str(mutation.mutation_id))
                if answer is None:
                    self.figures.errors["an answer missing from a batch"] += 1
                    continue
                self.answered(mutation, answer, now)
            self.outbox = [m for m in self.outbox if m.answer is None]
            self.answered_through = max(
                [self.answered_through, *(m.client_seq for m in page if m.answer is not None)]
            )

    def answered(self, mutation: Mutation, answer: dict[str, Any], now: float) -> None:
        mutation.answer = answer
        state = str(answer.get("state"))
        self.figures.acks.append(now - mutation.queued)
        self.figures.outcomes[f"{mutation.kind} {state}"] += 1
        self.figures.sent[str(mutation.mutation_id)] = state
        if state != "accepted":
            self.figures.errors[f"{mutation.kind} {state}: {answer.get('reason')}"[:120]] += 1
            return
        record = answer.get("record") or {}
        if mutation.kind == mutation_kinds.GOODWILL_REQUEST and record.get("state") == "awaiting_approval":
            self.awaiting[str(record["id"])] = now

    async def pull(self, *, pushed: bool = False) -> None:
        moved = False
        while True:
            page = await self.call(partial(self.fetch, self.cursor))
            self.figures.pull_calls += 1
            changes = page.get("changes") or []
            self.figures.pulled_rows += len(changes)
            for change in changes:
                self.apply(change)
            after = int(page["next_after"])
            moved = moved or after > self.cursor
            self.cursor = max(self.cursor, after)
            self.known_head = max(self.known_head, int(page.get("head") or 0), self.cursor)
            if not page.get("more"):
                break
        self.figures.pulls += 1
        noticed, self.notified = self.notified, False
        self.last_pull = time.monotonic()
        self.pacing.pulled(datetime.now(UTC), brought=moved, noticed=noticed)
        now = datetime.now(UTC)
        if not sync_mark.due(self.witnessed_at, now, pushed=pushed):  # the engine's cadence
            return
        self.witnessed_at = now
        witness = await self.call(lambda: self.link.audit_witness(self.heads[-WITNESSED:]))
        head = witness.get("head") or {}
        if head.get("seq") is not None and (not self.heads or self.heads[-1] != int(head["seq"])):
            self.heads = [*self.heads[-WITNESSED + 1 :], int(head["seq"])]
        if not self.outbox:
            await self.call(
                lambda: self.link.sync_mark(self.client_id, self.answered_through, datetime.now(UTC))
            )

    async def fetch(self, after: int) -> dict[str, Any]:
        """One page: the changes of the customers held (api.pull_held), or every change."""
        if self.held_pulls:
            if not self.holding:
                await self.link.hold_customers(self.client_id, [uuid.UUID(c) for c in self.advisor.customers])
                self.holding = True
            return await self.link.pull_held(self.client_id, after, PAGE)
        return await self.link.pull_changes(after, PAGE)

    def apply(self, change: dict[str, Any]) -> None:
        if change.get("entity") != "goodwill":
            return
        data = change.get("data") or {}
        goodwill_id = str(data.get("id"))
        state = data.get("state")
        if state == "approved" and goodwill_id in self.awaiting:
            del self.awaiting[goodwill_id]
            committed = datetime.fromisoformat(str(change["committed_at"]))
            self.figures.approvals.append(time.time() - committed.timestamp())
            self.seen_approvals.append(time.time() - committed.timestamp())
            self.figures.approval_at.append(time.time())
        elif (
            state == "awaiting_approval" and self.role is Role.SUPERVISOR and goodwill_id not in self.decided
        ):
            index, count = self.supervisor_index
            if int(uuid.UUID(goodwill_id)) % count == index:  # one supervisor per request: no conflicts
                self.decided.add(goodwill_id)
                self.queue(
                    mutation_kinds.GOODWILL_APPROVE, approval(goodwill_id, int(data.get("version") or 1))
                )

    # -- the loop ---------------------------------------------------------------------------------

    async def listen(self) -> None:
        """Mark a pull as wanted on a notice past the head already pulled; reopen after a drop."""
        assert self.notice_source is not None
        while not self.notices_dropped:
            try:
                async for head in self.notice_source():
                    self.listening = True
                    if self.hears_nothing():
                        break
                    notice = parse_notice(head)  # the head, then (LISTEN) its changes' keys
                    if notice is not None and notice.head > self.known_head:
                        self.figures.notices += 1
                        self.notified = True
                        self.noticed.set()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.figures.retries[f"notices: {type(exc).__name__}: {why(exc)}"] += 1
            self.listening = False
            if not self.notices_dropped:
                await asyncio.sleep(NOTICE_RETRY)

    def hears_nothing(self) -> bool:
        return self.notices_dropped

    def drop_notices(self) -> None:
        """From now on this workstation hears no notice: only its timer pulls bring changes."""
        self.notices_dropped = True

    def timer(self) -> float:
        """Seconds between timer pulls: the long one while notices come, the engine's loop interval
        while they do not (no notice source, or it dropped)."""
        return QUIET_PULL if self.listening else POLL

    def pull_due(self) -> bool:
        if self.notified and self.pacing.wait(datetime.now(UTC)) == 0:
            return True
        return time.monotonic() - self.last_pull >= self.timer()

    async def sync(self, drain_until: float) -> None:
        """Push what is queued (then pull, as the engine does after a push), pull on a notice once the
        pacing allows, and on the timer; keep going while offline."""
        while time.monotonic() < drain_until and not self.stopped:
            try:
                async with self.lock:  # one call at a time on the link, as the engine's lock does
                    if self.outbox:
                        self.wake.clear()
                        await self.push()
                        await self.pull(pushed=True)
                    elif self.pull_due():
                        await self.pull()
            except OfflineError:
                await asyncio.sleep(OFFLINE_REST)
                continue
            if not self.acting and not self.outbox and not self.awaiting and self.role is Role.ADVISOR:
                return
            await self.rest(drain_until)

    async def rest(self, drain_until: float) -> None:
        timer = max(self.last_pull + self.timer() - time.monotonic(), 0.0)
        if self.notified:
            timer = min(timer, self.pacing.wait(datetime.now(UTC)))
        timer = min(timer, max(drain_until - time.monotonic(), 0.0))
        waits = [asyncio.ensure_future(self.wake.wait())]
        if not self.notified:
            self.noticed.clear()
            waits.append(asyncio.ensure_future(self.noticed.wait()))
        try:
            await asyncio.wait(waits, timeout=timer, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in waits:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    def stop(self) -> None:
        self.stopped = True
        self.wake.set()

    async def run(self, until: float, drain_until: float) -> None:
        self.last_pull = time.monotonic() - self.rng.uniform(0, QUIET_PULL)  # timers spread out
        tasks = []
        if self.notice_source is not None:
            tasks.append(asyncio.create_task(self.listen()))
        if self.role is Role.ADVISOR:
            tasks.append(asyncio.create_task(self.act(until)))
        syncing = asyncio.create_task(self.sync(drain_until))
        try:
            while tasks and not syncing.done() and time.monotonic() < until:
                await asyncio.wait([syncing], timeout=max(min(until - time.monotonic(), 5.0), 0.0))
            self.acting = False
            self.wake.set()
            await syncing
        finally:
            for task in [*tasks, syncing]:
                task.cancel()
            _, hung = await asyncio.wait([*tasks, syncing], timeout=CANCEL_WAIT)
            for task in hung:
                self.figures.errors[f"a task went on after its cancel ({awaiting(task)})"] += 1
            self.figures.awaiting += len(self.awaiting)
            await self.link.close()

    def pending_approvals(self) -> list[str]:
        return list(self.awaiting)


def awaiting(task: asyncio.Task[Any]) -> str:
    """Where a task waits: the innermost coroutine frame of the chain it awaits through."""
    found = "?"
    step: Any = task.get_coro()
    while step is not None:
        frame = getattr(step, "cr_frame", None) or getattr(step, "ag_frame", None)
        if frame is not None:
            found = f"{frame.f_code.co_filename.rsplit('/', 1)[-1]}:{frame.f_code.co_name}:{frame.f_lineno}"
        step = getattr(step, "cr_await", None) or getattr(step, "ag_await", None)
    return found


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]
