"""The due-soon notice over the pane: which promise it is about, its words on every tick (the same time
as the lists), a quiet count instead of an alarm while a call is in hand, and asking before it opens
another customer over the caller's pane."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, Signal

from console.promise_rules import Urgency, countdown, urgency
from domain.records import CustomerProfile, PromiseRecord
from widgets.promise_text import kind_label
from widgets.promises.models import WorklistModel
from widgets.promises.panels import PromiseBanner
from widgets.tray import DesktopNotices


class DueNotice(QObject):
    """Drives `banner` from My promises (`worklist`); the window's tick calls `tick(now)`."""

    # The advisor asked to open a promise's customer (and said so over a call): carries its id.
    open_customer_requested = Signal(object)
    # Promises newly due soon (or found overdue) were announced: carries the list of PromiseRecord.
    promises_announced = Signal(object)

    def __init__(
        self,
        worklist: WorklistModel,
        notices: DesktopNotices,
        profile: Callable[[], CustomerProfile | None],
        in_call: Callable[[], bool | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._worklist, self._notices, self._profile, self._in_call = worklist, notices, profile, in_call
        self._noticed: uuid.UUID | None = None  # the promise the banner is about
        self.banner = PromiseBanner()
        self.banner.open_customer_requested.connect(self._open)

    def tick(self, now: datetime) -> None:
        """Announce what newly fell due, then word the banner for `now`."""
        self._announce_due(now)
        self._show(now)

    def refresh(self, now: datetime) -> None:
        """Another customer's pane opened (a call's, perhaps): word the banner for them at once."""
        self._show(now)

    def _over_call(self, promise: PromiseRecord) -> bool:
        """A call is in hand and `promise` is another customer's: it must not shout over the caller."""
        profile = self._profile()
        return bool(self._in_call()) and (profile is None or promise.customer_id != profile.id)

    def _announce_due(self, now: datetime) -> None:
        """Tell the user, once per promise, that it is due soon (or already overdue), whoever is open;
        during a call, other customers' promises only move the quiet count."""
        fresh = self._worklist.newly_due(now)
        if not fresh:
            return
        first = fresh[0]
        if not self.banner.asking:  # a question the advisor has not answered yet stays
            self._noticed = first.id
            self.banner.announce("", None, overdue=False)
            self._show(now)
        if not self._over_call(first):
            text = self.banner.text.text()
            if self.banner.asking:
                text = (
                    self.tr("%1 for %2 %3")
                    .replace("%1", kind_label(first.kind))
                    .replace("%2", first.customer_name)
                    .replace("%3", countdown(first.due_at, now))
                )
            self._notices.tell(self.tr("Promise due"), text)
        self.promises_announced.emit(fresh)

    def _show(self, now: datetime) -> None:
        """Word the banner from the same time as the lists, so they never disagree."""
        if self.banner.isHidden() or self._noticed is None:  # isHidden: also before the window shows
            return
        promise = self._worklist.promise_at(self._worklist.row_of(self._noticed))
        if promise is None:  # ended, or no longer this user's: nothing left to say about it
            self._noticed = None
            self.banner.hide()
            return
        profile = self._profile()
        due = self._worklist.due_by(now)
        if self._over_call(promise):
            callers = [p for p in due if profile is not None and p.customer_id == profile.id]
            if callers:  # the caller's own promise falling due is what matters on this call
                self._noticed, promise = callers[0].id, callers[0]
        if self._over_call(promise):
            others = sum(1 for p in due if profile is None or p.customer_id != profile.id)
            text = (
                self.tr("1 promise for another customer due soon or overdue: see My promises (Ctrl+Shift+P)")
                if others == 1
                else self.tr(
                    "%1 promises for other customers due soon or overdue: see My promises (Ctrl+Shift+P)"
                ).replace("%1", str(others))
            )
            self.banner.show_text(text, None, overdue=False, quiet=True)
            return
        overdue = urgency(promise.due_at, now, self._worklist.due_soon) is Urgency.OVERDUE
        when = countdown(promise.due_at, now)
        text = (
            self.tr("%1 for %2 %3")
            .replace("%1", kind_label(promise.kind))
            .replace("%2", promise.customer_name)
            .replace("%3", when if overdue else self.tr("due %1").replace("%1", when))
        )
        more = sum(1 for p in due if p.id != promise.id)
        if more:
            tail = (
                self.tr("%1 — and %2 for others due soon or overdue: see My promises (Ctrl+Shift+P)")
                if self._in_call()
                else self.tr("%1 — and %2 more due soon or overdue: see My promises (Ctrl+Shift+P)")
            )
            text = tail.replace("%1", text).replace("%2", str(more))
        opens = None if profile is not None and profile.id == promise.customer_id else promise.customer_id
        self.banner.show_text(text, opens, overdue=overdue)

    def _open(self, customer_id: uuid.UUID) -> None:
        """Open the promise's customer; over a call with someone else, only once the advisor said so."""
        profile = self._profile()
        if self._in_call() and profile is not None and profile.id != customer_id and not self.banner.asking:
            row = self._worklist.row_of(self._noticed) if self._noticed else -1
            noticed = self._worklist.promise_at(row)
            other = noticed.customer_name if noticed is not None else self.tr("the other customer")
            self.banner.ask(self.banner.over_call_question(profile.full_name, other), customer_id)
            return
        self.banner.hide()
        self.open_customer_requested.emit(customer_id)
