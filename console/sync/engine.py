"""The sync engine: push, the first sync of a new store (its working set), eviction of customers
nobody opened lately, then pull; a connectivity state for the status bar, and a loop that syncs
every few seconds, on demand (F5) and when the server announces a change (LISTEN/NOTIFY, or a
subscription at a notice relay; notices are coalesced and paced, console/sync/pacing.py). With a
relay, the server connection closes after an idle spell."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial

from console.clock import Clock
from console.relay_address import RelayAddress
from console.sync import first_sync as first_syncing
from console.sync import holding, pacing, relay_client, sync_mark, witness
from console.sync import pull as pulling
from console.sync import push as pushing
from console.sync.notice_keys import EVERYONE, parse_notice
from console.sync.pooled import PooledSession
from console.sync.push import RetryPolicy, ServerUnreachableError, Sleep, read_local, run_local
from console.sync.relay_ticket import Ticket, fetch_ticket
from console.sync.remote import Connect, PermanentRefusalError, ServerLink, first_line, is_transient, notices
from domain.records import OutboxRecord
from domain.vocabulary import MutationState
from storage.queries import first_sync as first_sync_queries
from storage.queries import holdings
from storage.queries import sync as queries
from storage.store import Store

log = logging.getLogger(__name__)


class Mode(StrEnum):
    ONLINE = "online"
    SYNCING = "syncing"
    OFFLINE = "offline"


@dataclass(frozen=True)
class SyncState:
    """What `connectivityStatus` shows."""

    mode: Mode
    waiting: int = 0  # mutations in the outbox not yet answered by the server
    phase: str = ""  # while syncing: "sending" or "receiving"
    done: int = 0
    total: int = 0
    problem: str | None = None  # why the last sync stopped (offline)
    first_sync: bool = False  # syncing: the first sync of a new store (done and total are rows)

    def words(self) -> str:
        if self.mode is Mode.SYNCING and self.first_sync:
            return f"First sync: {self.done:,} of {self.total:,}"
        if self.mode is Mode.SYNCING:
            if self.total > 1:
                return f"Syncing: {self.phase} {self.done:,} of {self.total:,}"
            return "Syncing…"
        if self.mode is Mode.OFFLINE:
            changes = "change" if self.waiting == 1 else "changes"
            return f"Offline: {self.waiting:,} {changes} waiting"
        return "Online"


@dataclass(frozen=True)
class SyncSummary:
    pushed: int
    accepted: int
    rejected: int
    conflicts: int
    pulled: int
    waiting: int
    held_back: int = 0
    not_held: int = 0
    skew_flagged: int = 0
    offline: str | None = None  # the reason, when the server could not be reached
    first_sync: first_syncing.FirstSyncReport | None = None  # when this sync ran (part of) one
    # The server's audit chain no longer holds a head this workstation saw (console/sync/witness.py).
    audit_problems: tuple[str, ...] = ()


Listener = Callable[[SyncState], None]
SummaryListener = Callable[[SyncSummary], None]
HeldListener = Callable[[list[uuid.UUID]], None]


class SyncEngine:
    """Runs on any asyncio loop (the window's qasync loop, or asyncio.run in tests and tools)."""

    def __init__(
        self,
        store: Store,
        connect: Connect,
        *,
        clock: Clock,
        sleep: Sleep = asyncio.sleep,
        interval: float = 2.0,
        quiet_pull_interval: float = 30.0,
        pull_floor: float = pacing.FLOOR.total_seconds(),
        listen: bool = True,
        page_size: int = pulling.PAGE_SIZE,
        first_sync_page_size: int = first_syncing.PAGE_SIZE,
        first_sync_customers: int = first_syncing.CUSTOMER_PAGE,
        keep_days: int = holding.KEEP_DAYS,
        push_batch: int = pushing.BATCH,
        retry: RetryPolicy | None = None,
        link: ServerLink | None = None,
        relay: RelayAddress | None = None,
        idle_close: float = 10.0,
        relay_keepalive: float = relay_client.KEEPALIVE,
        relay_quiet_pull_interval: float = 300.0,
    ) -> None:
        self._store = store
        self._connect = connect
        self._clock = clock
        self._sleep = sleep
        self.interval = interval
        # While LISTEN works, the server says when to pull; this long poll only guards against a
        # notice lost in a reconnect. Without LISTEN (a pooler), every loop turn pulls.
        self.quiet_pull_interval = timedelta(seconds=quiet_pull_interval)
        self._listen_wanted = listen
        self._page_size = page_size
        self._first_sync_page_size = first_sync_page_size
        self._first_sync_customers = first_sync_customers  # working-set customers a page
        # Days a customer nobody opened stays (eviction), and how far back "touched" reaches.
        self.keep_days = keep_days
        self._last_eviction: datetime | None = None
        self._client: uuid.UUID | None = None  # known once the store holds its working set
        self._announced = False  # the server was told this start which customers the store holds
        self._held_listeners: list[HeldListener] = []
        self._held: list[uuid.UUID] | None = None  # as last told to the held listeners
        self._first_sync_cancelled = False
        self._push_batch = push_batch  # mutations per api.apply_mutations call
        self._retry = retry or RetryPolicy()
        self._link = link or ServerLink(connect)
        # With a notice relay (instead of LISTEN): the customer keys it wants notices for, its
        # ticket, the subscription, and when it last needed the server (the link closes after
        # `idle_close` seconds without).
        self._relay = relay
        self.idle_close = timedelta(seconds=idle_close)
        self._relay_keepalive = relay_keepalive
        # Subscribed at a relay, a lost notice is rarer still (keepalives notice a dead link, and a
        # new subscription answers the head): the guard pull comes this seldom, so a quiet
        # workstation opens a server connection every few minutes, not every 30 s.
        self.relay_quiet_pull_interval = timedelta(
            seconds=max(relay_quiet_pull_interval, quiet_pull_interval)
        )
        self._interest: frozenset[str] = frozenset({EVERYONE})
        self._ticket: Ticket | None = None
        self._subscription: relay_client.Subscription | None = None
        self._server_used_at: datetime | None = None
        self._lock = asyncio.Lock()
        self._background: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()  # request_sync: the next turn at once
        self._noticed = asyncio.Event()  # a change notice came: a pull once the pacing allows
        self._stopping = False
        self._running = False
        self._listening = False
        self._asked = True  # pull at the first turn
        self._notified = False  # a notice is waiting for its pull
        self._known_head = -1  # the change log's head as of the last pull
        self._pacing = pacing.PullPacing(
            floor=timedelta(seconds=pull_floor),
            ceiling=max(self.quiet_pull_interval, timedelta(seconds=pull_floor)),
        )
        self._last_pull: datetime | None = None
        # The audit chain witnessed and the sync marked (console/sync/sync_mark.py's cadence), and
        # what that witness found, shown until the next one.
        self._witnessed_at: datetime | None = None
        self._audit_problems: tuple[str, ...] = ()
        self._listeners: list[Listener] = []
        self._summary_listeners: list[SummaryListener] = []
        self._state = SyncState(Mode.OFFLINE, problem="not synced yet")

    # -- state ------------------------------------------------------------------------------------

    @property
    def state(self) -> SyncState:
        return self._state

    @property
    def clock(self) -> Clock:
        """The clock the engine was given (the window's, or a test's)."""
        return self._clock

    @property
    def listening(self) -> bool:
        """Whether the server's change notices reach this engine (LISTEN, or the relay subscription,
        is in place)."""
        return self._listening

    @property
    def holds_server_connection(self) -> bool:
        return self._link.is_open

    def set_interest(self, keys: Iterable[str]) -> None:
        """The keys of the customers this workstation holds (notice_keys.customer_keys), or `*` for
        every notice (the default). With a relay, only notices for these keys (and the user's, team's
        and role's own) wake this engine; the live subscription follows at once. Call it on the
        engine's loop."""
        self._interest = frozenset(keys)
        subscription = self._subscription
        if subscription is not None:
            task = asyncio.get_running_loop().create_task(subscription.set_keys(self._interest))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    def add_listener(self, listener: Listener) -> None:
        """Called with every new state (on the loop's thread)."""
        self._listeners.append(listener)

    def add_summary_listener(self, listener: SummaryListener) -> None:
        """Called after every sync (on its own or in `run()`) with what it did: the window refreshes
        what is on screen when a pull brought changes or the server answered a mutation."""
        self._summary_listeners.append(listener)

    def _set_state(self, state: SyncState) -> None:
        self._state = state
        for listener in self._listeners:
            listener(state)

    def _progress(self, phase: str) -> pushing.Progress:
        def report(done: int, total: int) -> None:
            self._set_state(
                replace(self._state, mode=Mode.SYNCING, phase=phase, done=done, total=total, first_sync=False)
            )

        return report

    def _first_sync_progress(self, done: int, total: int) -> None:
        self._set_state(
            replace(
                self._state, mode=Mode.SYNCING, phase="first sync", done=done, total=total, first_sync=True
            )
        )

    async def first_sync_needed(self) -> bool:
        """A new store (or one whose first sync has not finished) takes everything first."""
        return await read_local(self._store, first_sync_queries.needed)

    def cancel_first_sync(self) -> None:
        """Stop the first sync after the page being written; what was taken stays. Until the next
        start (or resume_first_sync) the engine only pushes: no partial pull over a partial store."""
        self._first_sync_cancelled = True

    def resume_first_sync(self) -> None:
        """Continue a cancelled first sync from its place, at the next turn."""
        self._first_sync_cancelled = False
        self.request_sync()

    @property
    def first_sync_cancelled(self) -> bool:
        return self._first_sync_cancelled

    def add_held_listener(self, listener: HeldListener) -> None:
        """Called (on the loop's thread) with the customers this store holds whole, at the first sync
        turn of a store holding its working set and whenever they changed since (a first sync, a pull
        that fetched a customer, an opening, an eviction): e.g. the keys a notice relay should send."""
        self._held_listeners.append(listener)

    async def _tell_held(self) -> None:
        if not self._held_listeners:
            return
        held = await self.held_customers()
        if held != self._held:
            self._held = held
            for listener in self._held_listeners:
                listener(held)

    async def held_customers(self) -> list[uuid.UUID]:
        """The customers this store holds whole (every customer it keeps current, by id), or an empty
        list for a store filled some other way, which keeps every change it is sent."""
        return await read_local(self._store, holdings.held_keys)

    async def _working_set_client(self) -> uuid.UUID | None:
        """This workstation's client id when it holds its working set (it began a first sync): its
        pulls are then filtered (api.pull_held) and its customers evicted; None for a store filled
        some other way, which pulls every change."""
        if self._client is None and await read_local(self._store, first_sync_queries.state) is not None:
            self._client = await run_local(self._store, partial(queries.client_id, now=self._clock.now()))
        return self._client

    def _eviction_due(self) -> bool:
        last = self._last_eviction
        return last is None or self._clock.now() - last >= holding.EVICT_EVERY

    async def waiting(self) -> int:
        return await read_local(self._store, queries.waiting_count)

    async def problems(self) -> list[OutboxRecord]:
        """Rejected and conflicting mutations with their reasons, for their authors to see."""
        return await read_local(self._store, queries.settled_problems)

    # -- one sync ---------------------------------------------------------------------------------

    async def sync_once(self, *, force_pull: bool = True) -> SyncSummary:
        """Push every waiting mutation, then pull what changed; never raises for a lost link."""
        async with self._lock:
            try:
                return await self._sync(force_pull)
            finally:
                if not self._running:  # called on its own: leave no connection behind
                    await self._link.close()

    async def _sync(self, force_pull: bool) -> SyncSummary:
        waiting = await self.waiting()
        self._set_state(SyncState(Mode.SYNCING, waiting=waiting))
        pushed = pushing.PushReport()
        pulled = pulling.PullReport()
        first: first_syncing.FirstSyncReport | None = None
        offline: str | None = None
        first_waiting = await read_local(self._store, queries.first_pending_seq) if waiting else None
        cursor_before: int | None = None
        try:
            if waiting:
                pushed = await pushing.push(
                    self._store,
                    self._link,
                    sleep=self._sleep,
                    retry=self._retry,
                    batch=self._push_batch,
                    progress=self._progress("sending"),
                )
            # A new store takes everything first; until that is done, no pull over a partial store.
            first_due = await self.first_sync_needed()
            if first_due and not self._first_sync_cancelled and not self._stopping:
                first = await first_syncing.first_sync(
                    self._store,
                    self._link,
                    clock=self._clock,
                    sleep=self._sleep,
                    retry=self._retry,
                    page_size=self._first_sync_page_size,
                    customer_page=self._first_sync_customers,
                    days=self.keep_days,
                    progress=self._first_sync_progress,
                    cancelled=lambda: self._stopping or self._first_sync_cancelled,
                )
                first_due = not first.finished
                force_pull = force_pull or first.finished  # catch up from the head it began at
            client = None if first_due else await self._working_set_client()
            if client is not None and not self._announced:
                await holding.announce(self._store, self._link, client, sleep=self._sleep, retry=self._retry)
                self._announced = True
            if client is not None and self._eviction_due() and not self._stopping:
                evicted = await holding.evict(
                    self._store,
                    self._link,
                    clock=self._clock,
                    sleep=self._sleep,
                    retry=self._retry,
                    days=self.keep_days,
                )
                self._last_eviction = self._clock.now()
                if evicted:
                    log.info("evicted %d customers not opened in %d days", evicted, self.keep_days)
            if not first_due and (force_pull or self._pull_due()):
                noticed, self._asked, self._notified = self._notified, False, False
                cursor_before = await read_local(self._store, queries.cursor)
                pulled = await pulling.pull(
                    self._store,
                    self._link,
                    clock=self._clock,
                    sleep=self._sleep,
                    retry=self._retry,
                    page_size=self._page_size,
                    progress=self._progress("receiving"),
                    cancelled=lambda: self._stopping,
                    client_id=client,
                )
                self._last_pull = self._clock.now()
                self._pacing.pulled(self._last_pull, brought=pulled.cursor > cursor_before, noticed=noticed)
                self._known_head = max(self._known_head, pulled.head, pulled.cursor)
                if sync_mark.due(self._witnessed_at, self._clock.now(), pushed=pushed.pushed > 0):
                    self._audit_problems = tuple(
                        await witness.check(
                            self._store, self._link, clock=self._clock, sleep=self._sleep, retry=self._retry
                        )
                    )
                    await sync_mark.mark(
                        self._store, self._link, clock=self._clock, sleep=self._sleep, retry=self._retry
                    )
                    self._witnessed_at = self._clock.now()
            if client is not None:
                await self._tell_held()
        except ServerUnreachableError as exc:
            offline = str(exc)
        except PermanentRefusalError as exc:  # a disabled or unknown login: sign in again
            offline = str(exc)
        except Exception as exc:
            if not is_transient(exc):
                raise
            offline = first_line(exc)
        if waiting or first is not None or cursor_before is not None:
            self._server_used_at = self._clock.now()
        if offline is not None:
            await self._link.drop()
            log.info("sync stopped: %s", offline)
            pushed, pulled = await self._partial(pushed, pulled, first_waiting, cursor_before)
        waiting = await self.waiting()
        if offline is None:
            self._set_state(SyncState(Mode.ONLINE, waiting=waiting))
        else:
            self._set_state(SyncState(Mode.OFFLINE, waiting=waiting, problem=offline))
        summary = SyncSummary(
            pushed=pushed.pushed,
            accepted=pushed.accepted,
            rejected=pushed.rejected,
            conflicts=pushed.conflicts,
            pulled=pulled.pulled + (first.fetched if first is not None else 0),
            waiting=waiting,
            held_back=pulled.held_back + (first.held_back if first is not None else 0),
            not_held=pulled.not_held + (first.not_held if first is not None else 0),
            skew_flagged=pushed.skew_flagged,
            offline=offline,
            first_sync=first,
            audit_problems=self._audit_problems,
        )
        for listener in self._summary_listeners:
            listener(summary)
        return summary

    async def _partial(
        self,
        pushed: pushing.PushReport,
        pulled: pulling.PullReport,
        first_waiting: int | None,
        cursor_before: int | None,
    ) -> tuple[pushing.PushReport, pulling.PullReport]:
        """What a sync that lost the link did before it stopped. The push stores its answers and
        the pull its pages as they come, but their reports are lost with the exception: read them
        back from the store, so the summary still says a rejection arrived (the window re-reads
        the problems to show) or changes came in (it refreshes what is on screen)."""
        if pushed.pushed == 0 and first_waiting is not None:
            answered = await read_local(self._store, partial(queries.answered_from, first_seq=first_waiting))
            pushed = pushing.PushReport(
                pushed=sum(answered.values()),
                accepted=answered.get(MutationState.ACCEPTED, 0),
                rejected=answered.get(MutationState.REJECTED, 0),
                conflicts=answered.get(MutationState.CONFLICT, 0),
            )
        if pulled.pulled == 0 and cursor_before is not None:
            moved = await read_local(self._store, queries.cursor) - cursor_before
            pulled = pulling.PullReport(pulled=moved, cursor=cursor_before + moved)  # positions passed
        return pushed, pulled

    def _pull_due(self) -> bool:
        if self._asked or not self._listening or self._last_pull is None:
            return True
        if self._notified and self._pacing.wait(self._clock.now()) == 0:
            return True
        quiet = self.relay_quiet_pull_interval if self._relay is not None else self.quiet_pull_interval
        return self._clock.now() - self._last_pull >= quiet

    # -- the loop ---------------------------------------------------------------------------------

    def request_sync(self) -> None:
        """Sync now (F5, or a service just queued a mutation)."""
        self._asked = True
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self, turns: int | None = None) -> None:
        """Sync, wait `interval` (or less, when woken), repeat until stop() (or `turns` turns)."""
        # Events made on another loop (an earlier asyncio.run) cannot be awaited on this one.
        woken, self._wake = self._wake.is_set(), asyncio.Event()
        if woken:
            self._wake.set()
        self._noticed = asyncio.Event()
        self._stopping = False
        self._running = True
        listener: asyncio.Task[None] | None = None
        if self._relay is not None:
            listener = asyncio.create_task(self._relay_notices())
        elif self._listen_wanted:
            listener = asyncio.create_task(self._listen())
        count = 0
        try:
            while not self._stopping:
                try:
                    await self.sync_once(force_pull=False)
                except Exception as exc:  # a bug must not end syncing for the rest of the day
                    log.exception("sync failed")
                    self._set_state(
                        SyncState(Mode.OFFLINE, waiting=self._state.waiting, problem=first_line(exc))
                    )
                count += 1
                if self._stopping or (turns is not None and count >= turns):
                    break
                await self._close_when_idle()
                await self._pause()
        finally:
            self._running = False
            self._listening = False
            if listener is not None:
                listener.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listener
            await self._link.close()

    async def _pause(self) -> None:
        """Rest `interval` (twice that offline), less when a notice's pull falls due sooner; a
        request_sync ends the rest at once, a notice only when the pacing allows its pull."""
        if self._wake.is_set():
            self._wake.clear()
            return
        delay = self.interval if self._state.mode is not Mode.OFFLINE else self.interval * 2
        if self._notified:
            delay = min(delay, self._pacing.wait(self._clock.now()))
            if delay <= 0:
                return
        self._noticed.clear()
        if await self._rest(delay, notices=not self._notified) == "notice":
            wait = self._pacing.wait(self._clock.now())
            if wait > 0:
                await self._rest(wait, notices=False)
        self._wake.clear()

    async def _rest(self, delay: float, *, notices: bool) -> str:
        """Sleep `delay` unless woken first: "wake" (request_sync), "notice" or "slept"."""
        waits: dict[asyncio.Future[object], str] = {asyncio.ensure_future(self._wake.wait()): "wake"}
        if notices:
            waits[asyncio.ensure_future(self._noticed.wait())] = "notice"
        waits[asyncio.ensure_future(self._sleep(delay))] = "slept"
        try:
            done, _ = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in waits:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        return next(name for task, name in waits.items() if task in done)

    async def _listen(self) -> None:
        """Mark a pull as wanted on a change notice past the head already pulled (many notices, one
        pull, paced); reconnect after a drop, quietly."""
        while not self._stopping:
            try:
                async for head in notices(self._connect):
                    self._listening = True
                    if head and not self._already_pulled(head):
                        self._notified = True
                        self._noticed.set()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # LISTEN is an optimisation; polling remains
                log.info("change notices stopped: %s", first_line(exc))
            if self._listening:  # the link to the server dropped: sync now, so offline shows at once
                self._wake.set()
            self._listening = False
            await self._sleep(self.interval * 5)

    def _already_pulled(self, payload: str) -> bool:
        """Whether a notice's head (its payload: the head, then the keys) was pulled already; a
        payload that is not a notice is not (its pull is paced like any other)."""
        notice = parse_notice(payload)
        return notice is not None and notice.head <= self._known_head

    def _noticed_head(self, head: int) -> None:
        if head > self._known_head:
            self._notified = True
            self._noticed.set()

    async def _relay_notices(self) -> None:
        """The relay's heads for this workstation's keys: a pull wanted for each past the head
        already pulled (the first, on every (re)subscribe, catches up what was missed); after a
        refusal a fresh ticket, after a drop a new subscription, quietly."""
        assert self._relay is not None
        while not self._stopping:
            try:
                ticket = await self._fresh_ticket()
                asked = self._interest
                subscription = await relay_client.Subscription.open(
                    self._relay, ticket, asked, keepalive=self._relay_keepalive
                )
                self._subscription = subscription
                try:
                    if self._interest != asked:  # set_interest while the subscription was opening
                        await subscription.set_keys(self._interest)
                    async for head in subscription:
                        self._listening = True
                        self._noticed_head(head)
                finally:
                    self._subscription = None
                    await subscription.close()
            except asyncio.CancelledError:
                raise
            except relay_client.RelayRefusedError as exc:
                self._ticket = None
                log.info("the notice relay refused: %s", exc)
            except Exception as exc:  # the relay is an optimisation; the timer pull remains
                log.info("change notices from the relay stopped: %s", first_line(exc))
            self._listening = False
            await self._sleep(self.interval * 5)

    async def _fresh_ticket(self) -> Ticket:
        """The ticket for the relay, fetched through this login again when it expires within the hour."""
        if self._ticket is None or self._ticket.expires_within(self._clock.now(), 3600):
            async with self._lock:
                try:
                    self._ticket = await fetch_ticket(self._link)
                except Exception:
                    await self._link.drop()
                    raise
                self._server_used_at = self._clock.now()
        return self._ticket

    async def _close_when_idle(self) -> None:
        """With a relay, a workstation with nothing to send or fetch holds no server connection."""
        if self._relay is None or not self._link.is_open:
            return
        used = self._server_used_at
        if used is None or self._clock.now() - used >= self.idle_close:
            async with self._lock:
                await self._link.close()

    async def close(self) -> None:
        """Stop, let go of the server connection and end the pooled session, if there is one (not
        while offline: it expires by itself, and closing should not wait for an unreachable server)."""
        self.stop()
        await self._link.close()
        if self._link.session is not None and self.state.mode is not Mode.OFFLINE:
            await asyncio.to_thread(self._link.session.end)

    @property
    def pooled_session(self) -> PooledSession | None:
        """The session its calls name when they go through a pooler's shared login."""
        return self._link.session
