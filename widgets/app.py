"""Start the console: build the window's object graph in one place, run it on qasync, or screenshot it."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QByteArray,
    QCoreApplication,
    QEvent,
    QMessageLogContext,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtGui import QImageWriter
from PySide6.QtWidgets import QApplication

from console.clock import Clock, SystemClock
from console.settings import Settings
from domain.records import CustomerProfile
from domain.vocabulary import Role
from widgets.gc_guard import GuiThreadGarbageCollector
from widgets.interrupt import on_interrupt
from widgets.main_window import MainWindow
from widgets.startup_probe import watch_start
from widgets.sync.insecure import show_unencrypted_link
from widgets.sync.status import connectivity_text
from widgets.text import APPLICATION_NAME, window_title

if TYPE_CHECKING:
    import asyncio  # with qasync, when a window runs: a screenshot does without it (and ssl)

    from console.auth import Authenticator, Session
    from console.calls import Caller
    from console.demo_team import DemoTeam  # imports the seed (Faker): only demo-team needs it
    from console.sync.engine import SyncEngine
    from console.sync.on_demand import ServerReads
    from console.sync.remote import ServerLink
    from storage.store import Store
    from widgets.early_start import EarlyStart
    from widgets.sync.link import SyncLink
    from widgets.workbench import Workbench

# Signing in, the sync engine (psycopg) and the login dialog are imported by the functions that use
# them, only when a central server is configured: a window on a local store starts without them.


class ScreenshotError(OSError):
    """The screenshot could not be written."""


def application() -> QApplication:
    """The process's QApplication, created on first use."""
    existing = QCoreApplication.instance()
    if existing is not None:
        if not isinstance(existing, QApplication):
            raise RuntimeError("a non-widget Qt application already exists in this process")
        return existing
    app = QApplication(sys.argv[:1])
    app.setApplicationName(APPLICATION_NAME)
    app.setApplicationDisplayName(APPLICATION_NAME)
    app.setOrganizationName("Advisor Console")
    return app


def default_username(role: Role | str) -> str:
    """Who the window acts as when no username is given: the demo login of the role."""
    return "supervisor" if Role(role) is Role.SUPERVISOR else "advisor"


def early_start(
    path: Path,
    role: Role | str,
    username: str | None,
    settings: Settings | None = None,
    *,
    for_screenshot: bool = False,
) -> EarlyStart | None:
    """The window on the local store at `path` painted before the store opens (widgets.early_start),
    when the user's row can be read there with sqlite3; None otherwise (open the store first).
    `for_screenshot`: one that reads the pane and My promises with sqlite3 too, which needs the store
    at this program's schema and an advisor (the supervisor's board reads through the store)."""
    from storage.peek import LocalPeek, peek_user

    user = peek_user(path, username or default_username(role))
    if user is None:
        return None
    peek = None
    if for_screenshot:
        peek = LocalPeek.at(path) if user.role is not Role.SUPERVISOR else None
        if peek is None:
            return None
    from widgets.early_start import EarlyStart

    return EarlyStart(path, user, settings, peek=peek)


def build_window(
    store: Store,
    role: Role | str,
    clock: Clock | None = None,
    *,
    username: str | None = None,
    zone: ZoneInfo | None = None,
    auto_tick: bool = True,
    settings: Settings | None = None,
) -> MainWindow:
    """The object graph: the services over the store, acting as `username`, the window, the clock.

    No globals. A store without that user (an empty one, say) still opens: the promise and handoff
    actions are off and the status bar says why.
    """
    from console.services.customers import CustomerService
    from console.services.people import PeopleService
    from widgets.workbench import workbench_for

    clock = clock or SystemClock()
    name = username or default_username(role)
    workbench: Workbench | None = None
    problem: str | None = None
    try:
        user = PeopleService(store).current_user(name)
    except LookupError as error:
        problem = str(error)
    else:
        workbench = workbench_for(store, clock, user, settings)
        role = user.role  # the users row decides what the window offers, as it decides the services' rules
    return MainWindow(
        service=CustomerService(store),
        store_description=connectivity_text(store.location),
        role=Role(role),
        clock=clock,
        workbench=workbench,
        user_problem=problem,
        zone=zone,
        auto_tick=auto_tick,
    )


def sign_in(authenticator: Authenticator) -> tuple[Session, str] | None:
    """The login dialog, before any window: the session and the password that opened it (kept in
    memory for the sync engine only), or None when the person quits."""
    application()
    from widgets.login_dialog import LoginDialog

    dialog = LoginDialog(authenticator)
    try:
        accepted = dialog.exec() == LoginDialog.DialogCode.Accepted  # no event loop runs yet: exec is safe
        if not accepted or dialog.session is None or dialog.secret is None:
            return None
        return dialog.session, dialog.secret
    finally:
        dialog.secret = None
        dialog.deleteLater()


def sync_engine(
    store: Store,
    session: Session,
    password: str,
    clock: Clock | None = None,
    settings: Settings | None = None,
) -> SyncEngine:
    """The sync engine for `store`, connecting as the signed-in person (password in memory only); with
    a notice relay in the settings, its change notices come from there, for the customers it holds."""
    from psycopg.conninfo import make_conninfo

    from console.sync.engine import SyncEngine
    from console.sync.notice_keys import customer_keys
    from console.sync.remote import connector

    info = make_conninfo(**session.server.connection_keywords())
    connect = connector(info, user=session.username, password=password)
    settings = settings or Settings()
    engine = SyncEngine(
        store,
        connect,
        clock=clock or SystemClock(),
        keep_days=settings.keep_customers_days,
        relay=settings.relay,
        link=pooled_link(settings, info, session.username, password),
    )
    engine.add_held_listener(lambda held: engine.set_interest(customer_keys(held)))
    return engine


def pooled_link(settings: Settings, direct: str, username: str, password: str) -> ServerLink | None:
    """With a pooler in the settings, the engine's link through it, naming a session the person
    opens with their own login at `direct` (console.sync.pooled); None without one."""
    pooler = settings.pooler
    if pooler is None:
        return None
    import psycopg
    from psycopg.conninfo import make_conninfo

    from console.sync.pooled import PooledSession
    from console.sync.remote import ServerLink, connector

    def open_direct() -> psycopg.Connection[Any]:
        return psycopg.connect(direct, user=username, password=password, autocommit=True, connect_timeout=5)

    pooled = make_conninfo(**pooler.connection_keywords())
    return ServerLink(connector(pooled, user=username, password=password), session=PooledSession(open_direct))


def first_sync_first(
    store: Store,
    session: Session,
    password: str,
    loop: asyncio.AbstractEventLoop,
    clock: Clock | None = None,
    settings: Settings | None = None,
) -> SyncEngine | None:
    """A new store's first sync, in `firstSyncDialog` before the window (which needs the signed-in
    person's row to act as them): the engine it ran on, or None when no first sync is due."""
    from widgets.sync.first_sync_progress import FirstSyncDialog, run_first_sync

    if not session.online:
        return None
    engine = sync_engine(store, session, password, clock, settings)
    if not loop.run_until_complete(engine.first_sync_needed()):
        return None
    dialog = FirstSyncDialog(engine, session.server.describe())
    try:
        run_first_sync(dialog, loop)
    finally:
        dialog.deleteLater()
    return engine


def attach_sync(
    window: MainWindow,
    store: Store,
    session: Session,
    password: str,
    clock: Clock | None = None,
    engine: SyncEngine | None = None,
    settings: Settings | None = None,
) -> SyncLink | None:
    """The sync engine for the window's store (`engine`, or one made here), connecting as the
    signed-in person; None when the store does not hold that person and no engine is given."""
    if window.user is None and engine is None:
        return None
    from psycopg.conninfo import make_conninfo

    from console.sync.on_demand import ServerReads, connector
    from widgets.sync.link import SyncLink

    engine = engine or sync_engine(store, session, password, clock, settings)
    window.show_sign_in(online=session.online, server=session.server.describe())
    link = SyncLink(window, engine, server=session.server.describe())
    pooler = (settings or Settings()).pooler
    if pooler is not None and engine.pooled_session is not None:
        info = make_conninfo(**pooler.connection_keywords())
        pooled = connector(info, pooled=True, user=session.username, password=password)
        reads = ServerReads(pooled, session=engine.pooled_session)
    else:
        info = make_conninfo(**session.server.connection_keywords())
        reads = ServerReads(connector(info, user=session.username, password=password))
    link.server_reads = find_on_server(window, store, reads, engine)
    return link


def find_on_server(window: MainWindow, store: Store, reads: ServerReads, engine: SyncEngine) -> ServerReads:
    """The window's search and the call strip ask the server while the engine is not offline, and a
    customer the store does not hold is fetched and kept before their pane opens, whoever opens them
    (console.sync.on_demand)."""
    from console.services.customer_finder import CustomerFinder
    from console.services.customers import CustomerService
    from console.sync.engine import Mode

    online = lambda: engine.state.mode is not Mode.OFFLINE  # noqa: E731
    finder = CustomerFinder(CustomerService(store), reads, online, clock=engine.clock)
    window.search_panel.use_finder(finder)
    window.call.use_finder(finder)
    window.pane.use_finder(finder)
    # A call or an opening that needed the server while the link was down goes on once it is back.
    engine.add_listener(window.pane.sync_state_shown)
    engine.add_listener(window.call.sync_state_shown)
    return reads


def find_account(store: Store | None, account: str | None) -> CustomerProfile | None:
    """The customer to open at start, read before any window: CustomerNotFoundError if unknown."""
    if account is None or store is None:
        return None
    from console.services.customers import CustomerService

    return CustomerService(store).find_account(account)


def _given(store: Store | None) -> Store:
    assert store is not None, "a window without an early start needs its store"
    return store


def run_window(
    store: Store | None,
    role: str,
    account: str | None = None,
    username: str | None = None,
    settings: Settings | None = None,
    authenticator: Authenticator | None = None,
    call: Caller | None = None,
    early: EarlyStart | None = None,
) -> int:
    """Show the console and run until its window closes; returns the exit code.

    With an `authenticator` (a central server is configured) the login dialog comes first, and the
    session decides who the window acts as. An unknown `account` raises CustomerNotFoundError
    before any window appears. The window answers this user's calls (widgets.call), starting with `call`.
    With `early` instead of a store (a local store, no account) the window is painted before the store
    opens (widgets.early_start); a store that then fails to open is raised once the window has closed.
    """
    os.environ.setdefault("QT_API", "pyside6")
    import asyncio

    import qasync  # after PySide6 and QT_API, so qasync binds to PySide6

    profile = find_account(store, account)
    app = application()
    signed: tuple[Session, str] | None = None
    if authenticator is not None:
        signed = sign_in(authenticator)
        if signed is None:
            return 0
        role, username = signed[0].role.value, signed[0].username
    collector = GuiThreadGarbageCollector(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    collector.start()
    undo_interrupt = on_interrupt(app.closeAllWindows, app)
    link: SyncLink | None = None
    window: MainWindow | None = None
    try:
        engine = first_sync_first(store, *signed, loop, None, settings) if signed and store else None
        window = early.window() if early else None
        window = window or build_window(_given(store), role, username=username, settings=settings)
        if signed is not None and authenticator is not None and store is not None:
            show_unencrypted_link(window.statusBar(), authenticator.server)
            link = attach_sync(window, store, *signed, engine=engine, settings=settings)
            if link is None:
                from widgets.sync.connectivity import ConnectivityCheck

                ConnectivityCheck(window, authenticator, signed[0])
        signed = None
        if profile is not None:
            window.open_customer_now(profile)
        window.resize(1366, 768)
        watch_start(window.search_panel.search_box)
        window.show()
        from widgets.call.channel import answer_calls

        channel = answer_calls(window, window.call)
        if call is not None:
            window.call.take_call(call)
        if link is not None:
            link.start()
        code = loop.run_forever()
        channel.close()
    finally:
        if link is not None:
            loop.run_until_complete(link.stop())
        if early is not None:
            early.close()
        if window is not None:
            window.reader.shutdown()
        undo_interrupt()
        loop.close()
        asyncio.set_event_loop(None)
        collector.stop()
        collector.deleteLater()
    if early is not None and early.pending.error is not None:
        raise early.pending.error
    return int(code) if isinstance(code, int) else 0


def run_team(team: DemoTeam, clock: Clock | None = None) -> int:
    """`demo-team`: one window for the advisor and one for the supervisor, each on its own store and
    syncing with the team's server as its person; returns when both are closed."""
    os.environ.setdefault("QT_API", "pyside6")
    import asyncio

    import qasync

    app = application()
    clock = clock or SystemClock()
    from console.sync.engine import SyncEngine
    from console.sync.remote import connector, conninfo
    from widgets.sync.link import SyncLink

    windows: list[MainWindow] = []
    links: list[SyncLink] = []
    for member in (team.advisor, team.supervisor):
        window = build_window(member.store, member.user.role, clock, username=member.user.username)
        window.setWindowTitle(window_title(f"{member.user.display_name} ({member.user.role.value})"))
        connect = connector(conninfo(team.login_url(member)), password=member.password)
        engine = SyncEngine(member.store, connect, clock=clock)
        window.show_sign_in(online=True, server="demo team server")
        links.append(SyncLink(window, engine, server="demo team server"))
        windows.append(window)
    collector = GuiThreadGarbageCollector(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    collector.start()
    undo_interrupt = on_interrupt(app.closeAllWindows, app)  # Ctrl+C in the terminal closes both
    try:
        for offset, window in enumerate(windows):
            window.resize(1280, 760)
            window.move(40 + offset * 60, 40 + offset * 60)
            window.show()
        for link in links:
            link.start()
        loop.run_forever()
    finally:
        for link in links:
            loop.run_until_complete(link.stop())
        for window in windows:
            window.reader.shutdown()
        undo_interrupt()
        loop.close()
        asyncio.set_event_loop(None)
        collector.stop()
        collector.deleteLater()
    return 0


# Offscreen-platform chatter that says nothing to a user (the window cannot hint a size to a screen).
HARMLESS_QT_MESSAGES = ("propagateSizeHints",)


def quiet_harmless_qt_messages() -> None:
    """Keep the terminal for messages that matter: drop known-harmless platform warnings."""

    def handler(_mode: QtMsgType, _context: QMessageLogContext, message: str) -> None:
        if any(text in message for text in HARMLESS_QT_MESSAGES):
            return
        print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def render_screenshot(
    store: Store,
    path: Path,
    *,
    account: str | None,
    role: str,
    size: tuple[int, int],
    username: str | None = None,
    clock: Clock | None = None,
    settings: Settings | None = None,
    call: Caller | None = None,
) -> None:
    """Render the main window offscreen at `size` to a PNG at `path`, with `account` opened if given.

    Raises CustomerNotFoundError for an unknown account and ScreenshotError if the file cannot be written.
    """
    _offscreen(size)
    from console.services.customers import CustomerService

    profile = CustomerService(store).find_account(account) if account is not None else None
    app = application()
    collector = GuiThreadGarbageCollector(app)
    collector.start()
    try:
        window = build_window(store, role, clock, username=username, auto_tick=False, settings=settings)
        paint_to_png(window, path, size, profile, call)
    finally:
        collector.stop()
        collector.deleteLater()


def render_early_screenshot(
    early: EarlyStart, path: Path, *, account: str | None, size: tuple[int, int]
) -> bool:
    """`render_screenshot` on a local store read with plain sqlite3 (`early.peek`), SQLAlchemy and the
    store opened only if something shown needs them (offers shown are recorded). False, with nothing
    written, when `account` is not on the store (the caller then takes the store's way, which says so)."""
    _offscreen(size)
    assert early.peek is not None
    try:
        profile = early.profile(account) if account is not None else None
        if account is not None and profile is None:
            return False
        app = application()
        collector = GuiThreadGarbageCollector(app)
        collector.start()
        try:
            paint_to_png(early.window(open_after_paint=False, auto_tick=False), path, size, profile, None)
        finally:
            collector.stop()
            collector.deleteLater()
    finally:
        early.close()
    return True


def _offscreen(size: tuple[int, int]) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    quiet_harmless_qt_messages()
    width, height = size
    if width <= 0 or height <= 0:
        raise ValueError(f"screenshot size must be positive, not {width}x{height}")


def paint_to_png(
    window: MainWindow,
    path: Path,
    size: tuple[int, int],
    profile: CustomerProfile | None,
    call: Caller | None,
) -> None:
    """Load the window's lists (and `profile`'s pane, or the call's one match) on this thread, paint it
    at `size` and write it to `path` as a PNG; the window is closed after."""
    app = application()
    try:
        window.load_worklist_now()
        window.load_board_now()
        matches = window.call.take_call_now(call) if call is not None else []
        if profile is None and len(matches) == 1:
            profile = window.service.profile(matches[0].id)
        if profile is not None:
            window.open_customer_now(profile)
        window.resize(*size)
        window.show()
        for _ in range(3):  # layout, polish and the first paint each take a turn of the event loop
            app.processEvents()
        image = window.grab().toImage()
        if image.isNull():
            raise ScreenshotError(f"could not render the window at {size[0]}x{size[1]}")
        writer = QImageWriter(str(path), QByteArray(b"png"))
        if not writer.write(image):
            raise ScreenshotError(f"could not write {path}: {writer.errorString()}")
    finally:
        window.close()  # stops the window's background reader
        window.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def render_login_screenshot(authenticator: Authenticator, path: Path, *, message: str | None = None) -> None:
    """Render the login dialog offscreen to a PNG at `path`, with `message` in its error line if given."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from widgets.login_dialog import LoginDialog

    quiet_harmless_qt_messages()
    app = application()
    dialog = LoginDialog(authenticator)
    try:
        if message is not None:
            dialog.error.say(message)
            dialog.unlock_button.show()
        dialog.show()
        for _ in range(3):
            app.processEvents()
        image = dialog.grab().toImage()
        writer = QImageWriter(str(path), QByteArray(b"png"))
        if image.isNull() or not writer.write(image):
            raise ScreenshotError(f"could not write {path}: {writer.errorString()}")
    finally:
        dialog.done(0)
        dialog.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
