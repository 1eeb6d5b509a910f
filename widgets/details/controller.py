"""Opens the customer details dialog (editDetailsButton, Ctrl+D) for the open customer, saves changes
and restores off the UI thread, and re-opens the customer so the header shows what is now true."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import tzinfo
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, SignalInstance
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from console.details_rules import DetailRuleError, NewCustomer, check_new_customer
from domain.records import CustomerProfile, DetailChangeRecord
from widgets.controller import Controller
from widgets.details.dialog import CustomerDetailsDialog, DetailsRequest
from widgets.details.new_customer import NewCustomerDialog
from widgets.jobs import Change, ChangeKind, Jobs

if TYPE_CHECKING:
    from console.services.customer_details import DetailsService

EDIT_KEYS = "Ctrl+D"
NEW_KEYS = "Ctrl+Alt+N"

Profile = Callable[[], CustomerProfile | None]


class DetailsController(Controller):
    # Re-open this customer (their header changed): carries the customer id.
    open_customer_requested = Signal(object)

    def __init__(
        self,
        jobs: Jobs,
        service: DetailsService | None,
        zone: tzinfo | None,
        can_act: Profile,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._jobs, self._service, self._zone, self._can_act = jobs, service, zone, can_act
        self.bar = QWidget()
        self.bar.setObjectName("detailsBar")
        row = QHBoxLayout(self.bar)
        row.setContentsMargins(0, 0, 0, 0)
        self.edit_button = QPushButton(self.tr("Details…"), self.bar)
        self.edit_button.setObjectName("editDetailsButton")
        self.edit_button.setToolTip(
            self.tr("Change the customer's phones, email, address… with a reason (%1)")
        )
        self.edit_button.setToolTip(self.edit_button.toolTip().replace("%1", EDIT_KEYS))
        self.edit_button.setEnabled(service is not None)  # with no customer open, it says to open one
        self.edit_button.clicked.connect(self.edit_details)
        row.addWidget(self.edit_button)
        row.addStretch(1)
        # The search column's way in (the call strip has its own `newCustomerButton`).
        self.new_customer_button = QPushButton(self.tr("New customer…"))
        self.new_customer_button.setObjectName("searchNewCustomerButton")
        self.new_customer_button.setToolTip(
            self.tr("Add a customer search did not find (%1)").replace("%1", NEW_KEYS)
        )
        self.new_customer_button.setShortcut(QKeySequence(NEW_KEYS))
        self.new_customer_button.setEnabled(service is not None)
        self.new_customer_button.clicked.connect(self._new_from_search)
        self.edit_button.setShortcut(QKeySequence(EDIT_KEYS))  # the window's: wherever the focus is in it

    def place_in(self, row: QWidget) -> None:
        """Put the details button at the end of a row of buttons (before its stretch, if any)."""
        layout = row.layout()
        if isinstance(layout, QHBoxLayout):
            layout.insertWidget(max(layout.count() - 1, 0), self.bar)
        else:
            self.bar.setParent(row)

    def wire(
        self, new_customer_requested: SignalInstance, button_row: QWidget, search_panel: QWidget
    ) -> None:
        """The call strip's new-customer request; the edit button at the end of `button_row`, the
        new-customer button under `search_panel`."""
        new_customer_requested.connect(self.new_customer)
        self.place_in(button_row)
        column = search_panel.parentWidget()
        layout = column.layout() if column is not None else None
        if layout is not None:
            layout.addWidget(self.new_customer_button)

    def new_customer(self, e164: str | None) -> NewCustomerDialog | None:
        """Open the new-customer dialog, the caller's number filled in when there is one."""
        if self._service is None:
            self.say(self.tr("Adding a customer needs someone signed in"))
            return None
        dialog = NewCustomerDialog(e164, self.bar.window())
        self.open_dialog(dialog, self._add)
        return dialog

    def _new_from_search(self) -> None:
        self.new_customer(None)

    def _add(self, new: NewCustomer) -> None:
        service, dialog = self._service, self.dialog
        if service is None or not isinstance(dialog, NewCustomerDialog):
            return
        values = check_new_customer(new)
        asked = {"mobile_phone": values["phone"], "email": values["email"]}

        def job() -> uuid.UUID | list[str]:
            if not dialog.warned:
                found = [duplicate.words() for duplicate in service.duplicates(None, asked)]
                if found:
                    return found
            return service.create(new)

        def done(result: uuid.UUID | list[str]) -> None:
            if isinstance(result, list):
                dialog.warn(result)
                return
            self.saved_in(dialog)
            self.open_customer_requested.emit(result)

        def announce(result: uuid.UUID | list[str]) -> Change | None:
            if isinstance(result, list):
                return None
            name = f"{new.given_name.strip()} {new.family_name.strip()}"
            return Change(ChangeKind.DETAILS, result, self.tr("New customer added: %1").replace("%1", name))

        self._jobs.change(job, done, announce=announce).failed(
            lambda error: self.refuse(
                dialog, error, (DetailRuleError,), self.tr("the customer was not added: %1")
            )
        ).run()

    def edit_details(self) -> None:
        """Read the open customer's details and history, then open the dialog."""
        profile, service = self._can_act(), self._service
        if profile is None or service is None:
            return

        def read() -> tuple[dict[str, str | None], list[DetailChangeRecord]]:
            return service.current(profile.id), service.history(profile.id)

        def show(found: tuple[dict[str, str | None], list[DetailChangeRecord]]) -> None:
            self.open_details_now(profile, *found)

        self._jobs.read(read, show).failed(lambda error: self.say(str(error))).latest("details:read").run()

    def open_details_now(
        self, profile: CustomerProfile, current: dict[str, str | None], history: list[DetailChangeRecord]
    ) -> CustomerDetailsDialog:
        dialog = CustomerDetailsDialog(
            profile.id, profile.full_name, current, history, self._zone, self.bar.window()
        )
        dialog.restore_requested.connect(self._restore)
        self.open_dialog(dialog, self._save)
        return dialog

    def _save(self, request: DetailsRequest) -> None:
        service, dialog = self._service, self.dialog
        if service is None or not isinstance(dialog, CustomerDetailsDialog):
            return
        customer_id = dialog.customer_id

        def job() -> tuple[list[DetailChangeRecord], list[str]]:
            made = service.change(customer_id, request.values, request.reason)
            warnings = service.duplicates(customer_id, {c.field: c.new_value for c in made})
            return made, [duplicate.words() for duplicate in warnings]

        def announce(result: tuple[list[DetailChangeRecord], list[str]]) -> Change:
            made, warnings = result
            text = self.tr("Details changed: %1").replace(
                "%1", ", ".join(c.field.replace("_", " ") for c in made)
            )
            return Change(ChangeKind.DETAILS, customer_id, "; ".join([text, *warnings]))

        self._jobs.change(job, lambda _r: self._done(dialog, customer_id), announce=announce).failed(
            lambda error: self.refuse(
                dialog, error, (DetailRuleError,), self.tr("the details were not saved: %1")
            )
        ).run()

    def _restore(self, change_id: uuid.UUID, reason: str) -> None:
        service, dialog = self._service, self.dialog
        if service is None or not isinstance(dialog, CustomerDetailsDialog):
            return
        customer_id = dialog.customer_id

        def announce(change: DetailChangeRecord) -> Change:
            text = self.tr("Earlier %1 brought back").replace("%1", change.field.replace("_", " "))
            return Change(ChangeKind.DETAILS, customer_id, text)

        self._jobs.change(
            lambda: service.restore(change_id, reason),
            lambda _r: self._done(dialog, customer_id),
            announce=announce,
        ).failed(
            lambda error: self.refuse(
                dialog, error, (DetailRuleError,), self.tr("the detail was not restored: %1")
            )
        ).run()

    def _done(self, dialog: CustomerDetailsDialog, customer_id: uuid.UUID) -> None:
        self.saved_in(dialog)
        self.open_customer_requested.emit(customer_id)
