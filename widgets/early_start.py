"""Cold start on a local store: the window is built from the user's row (storage.peek) and painted
first; the store, SQLAlchemy and the services are opened just after that first paint. Until then each
service is a `Later`: the worker's reads (a search typed meanwhile, the worklist) wait for it, so
nothing asked for is lost. A screenshot goes further: with a `LocalPeek` the pane, its goodwill and My
promises are read with plain sqlite3, and the store opens only if something needs it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from typing_extensions import override

from console.clock import Clock, SystemClock
from console.settings import Settings
from domain.records import UserRecord
from domain.vocabulary import Role
from storage import pane_sql
from storage.errors import StoreError
from widgets.main_window import MainWindow
from widgets.sync.status import local_store_text
from widgets.workbench import Workbench

if TYPE_CHECKING:
    from console.services.customers import CustomerService
    from domain.records import CustomerProfile, PromiseRecord
    from storage.peek import LocalPeek

Opened = tuple[Workbench, "CustomerService"]


class Pending:
    """The opened store's workbench and customer service, once `open_now` has run."""

    def __init__(self, opener: Callable[[], Opened]) -> None:
        self._opener = opener
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._opened: Opened | None = None
        self.error: BaseException | None = None

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    def open_now(self) -> None:
        """Open the store (on the UI thread); an error is kept in `error` and raised."""
        with self._lock:
            if self._ready.is_set():
                return
            try:
                self._opened = self._opener()
            except BaseException as error:
                self.error = error
                raise
            finally:
                self._ready.set()

    def cancel(self) -> None:
        """The window closes before the store opened: whatever waits for it gives up."""
        with self._lock:
            self._ready.set()

    def get(self) -> Opened:
        if threading.current_thread() is threading.main_thread():
            self.open_now()  # the UI thread never waits for itself
        self._ready.wait()
        if self._opened is None:
            raise StoreError("the store was not opened") from self.error
        return self._opened

    @property
    def opened(self) -> Opened | None:
        return self._opened


class Later:
    """Stands for one service until the store is open: a method called before then runs once it is."""

    def __init__(
        self, pending: Pending, pick: Callable[[Workbench, CustomerService], Any], **known: Any
    ) -> None:
        self._pending = pending
        self._pick = pick
        self._known = known

    def __getattr__(self, name: str) -> Any:
        if name in self._known:
            return self._known[name]
        if self._pending.ready:
            return getattr(self._pick(*self._pending.get()), name)
        return partial(self._call, name)

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return getattr(self._pick(*self._pending.get()), name)(*args, **kwargs)


def _workbench(
    pending: Pending, user: UserRecord, clock: Clock, settings: Settings, peek: LocalPeek | None
) -> Workbench:
    def later(name: str, **known: Any) -> Any:
        return Later(pending, lambda workbench, _service: getattr(workbench, name), **known)

    hours, due_soon = settings.working_hours, settings.due_soon
    promises, people, pane = (
        later("promises", working_hours=hours, due_soon=due_soon),
        later("people"),
        later("pane"),
    )
    if peek is not None:  # read on the calling thread only: screenshots
        from console.services.pane import PaneService

        promises = later(
            "promises", working_hours=hours, due_soon=due_soon, worklist=partial(_worklist, peek, user)
        )
        people = later("people", colleagues=partial(_colleagues, peek))
        pane = PaneService(peek, clock, user, complaint_cooldown=settings.complaint_offer_pause)
    workbench = Workbench(
        user=user,
        promises=promises,
        handoffs=later("handoffs"),
        cases=later("cases"),
        people=people,
        offers=later("offers"),
        pane=pane,
        goodwill=later("goodwill"),
        compensation=later("compensation"),
        store=later("store"),
        clock=clock,
    )
    for name in ("details", "customers", "contacts", "board"):  # its cached properties, ahead of time
        workbench.__dict__[name] = later(name)
    return workbench


def _worklist(peek: LocalPeek, user: UserRecord) -> list[PromiseRecord]:
    with peek.plain_snapshot() as reader:
        return pane_sql.open_for_owner(reader, user.id)


def _colleagues(peek: LocalPeek) -> list[UserRecord]:
    with peek.plain_snapshot() as reader:
        return pane_sql.active_users(reader)


class _Watch(QObject):
    """Opens the store once the search box is first painted (unless not `open_after_paint`); a window
    closing first releases the reads waiting for it (the window's closeEvent waits for the worker)."""

    def __init__(self, window: MainWindow, start: EarlyStart, *, open_after_paint: bool = True) -> None:
        super().__init__(window)
        self._start = start
        self._window = window
        window.installEventFilter(self)
        if open_after_paint:
            window.search_panel.search_box.installEventFilter(self)

    @override
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and watched is not self._window:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._open)  # once this paint is done
        elif event.type() == QEvent.Type.Close and watched is self._window:
            self._start.pending.cancel()
        return False

    def _open(self) -> None:
        try:
            self._start.pending.open_now()
        except Exception:  # told by the command line once the loop has ended
            self._window.close()
            QCoreApplication.exit(1)


class EarlyStart:
    """The window on the SQLite store at `path` for `user`, its store opened after the first paint."""

    def __init__(
        self,
        path: Path,
        user: UserRecord,
        settings: Settings | None = None,
        clock: Clock | None = None,
        *,
        peek: LocalPeek | None = None,
    ) -> None:
        self.path = path
        self.user = user
        self.settings = settings or Settings()
        self.clock = clock or SystemClock()
        self.peek = peek
        self.pending = Pending(self._open)

    def _open(self) -> Opened:
        from console.services.customers import CustomerService
        from console.services.people import PeopleService
        from storage.location import parse_location
        from storage.store import open_store
        from widgets.workbench import workbench_for

        store = open_store(parse_location(str(self.path)))
        try:
            user = PeopleService(store).current_user(self.user.username)
            if user != self.user:
                raise StoreError(
                    f"{self.user.username}'s account changed while the console started: start it again"
                )
            return workbench_for(store, self.clock, user, self.settings), CustomerService(store)
        except BaseException:
            store.close()
            raise

    def window(self, *, open_after_paint: bool = True, auto_tick: bool = True) -> MainWindow:
        """The window, its services standing in until the store opens after its first paint (or, not
        `open_after_paint`, when a service is first used)."""
        pending = self.pending
        service = cast("CustomerService", Later(pending, lambda _workbench, service: service))
        workbench = _workbench(pending, self.user, self.clock, self.settings, self.peek)
        window = MainWindow(
            service,
            local_store_text(self.path),
            Role(self.user.role),
            self.clock,
            workbench=workbench,
            auto_tick=auto_tick,
        )
        _Watch(window, self, open_after_paint=open_after_paint)
        return window

    def profile(self, account: str) -> CustomerProfile | None:
        """The customer with that account number, read with sqlite3 (`peek` only); None if none."""
        assert self.peek is not None
        with self.peek.plain_snapshot() as reader:
            customer_id = pane_sql.customer_id_for_account(reader, account.strip())
            return pane_sql.profile(reader, customer_id) if customer_id is not None else None

    def close(self) -> None:
        """Release whatever still waits for the store, and close the store if it was opened."""
        self.pending.cancel()
        if self.pending.opened is not None:
            self.pending.opened[0].store.close()
        if self.peek is not None:
            self.peek.close()
