"""Every dialog of the console, built from a work store's records, so a test can walk them all (their
mnemonics, where the focus starts, how they look with their error line showing)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

from keyring.backends import fail
from PySide6.QtWidgets import QDialog

from console import paths
from console.auth import Authenticator
from console.clock import ManualClock
from console.contact_reasons import load_reasons
from console.credentials import CredentialStore
from console.ids import new_id
from console.offline_unlock import OfflineUnlockCache
from console.server_address import parse_server_url
from console.services.customer_details import DetailsService
from console.services.customers import CustomerService
from console.services.goodwill import GoodwillService
from console.services.people import PeopleService
from console.teams import built_in
from domain.records import CaseServiceDates, WrapUpDraftRecord
from domain.vocabulary import GoodwillKind, Team
from storage.store import Store
from tests.ui.work_support import LONDON, TOM_ACCOUNT, make_promise
from widgets.board.reassign_dialog import ReassignDialog
from widgets.cases.choose_case import CaseChoiceDialog
from widgets.cases.ownership_dialog import OwnershipDialog
from widgets.cases.resolve_dialogs import (
    AdrLetterDialog,
    ComplaintDialog,
    ConfirmDialog,
    DeadlockDialog,
    FeedbackDialog,
    ReopenDialog,
    ResolveDialog,
)
from widgets.cases.service_dates_dialog import ServiceDatesDialog
from widgets.details.dialog import CustomerDetailsDialog
from widgets.details.new_customer import NewCustomerDialog
from widgets.dialog_parts import SaveDialog
from widgets.goodwill.dialogs import GoodwillDialog, RejectDialog
from widgets.handoffs.done_dialog import HandoffDoneDialog
from widgets.login_dialog import LoginDialog
from widgets.promises.dialogs import OutcomeDialog, PromiseDialog
from widgets.record.dialogs import CaseUpdateDialog, LogContactDialog, NewCaseDialog, WrapUpDialog
from widgets.team_handoffs.dialogs import HandOffDialog

# Long enough to wrap in every dialog: the error lines must push the fields down, never squash them.
LONG_ERROR = (
    "The central server cannot be reached (connection timed out after 5 seconds): check the network "
    "cable or the VPN, then try again; your changes are kept on this workstation until then."
)


def every_dialog(store: Store, clock: ManualClock) -> Iterator[tuple[str, Callable[[], QDialog]]]:
    """(name, a function making the dialog) for each dialog, as a customer's call would open it."""
    customers = CustomerService(store)
    tom = customers.find_account(TOM_ACCOUNT)
    cases = customers.cases(tom.id)
    case = next(c for c in cases if c.status.is_open)
    people = PeopleService(store)
    alex, jo = people.current_user("alex"), people.current_user("jo")
    promise = make_promise(store, clock, TOM_ACCOUNT, timedelta(hours=2))
    goodwill = GoodwillService(store, clock, alex).request(
        tom.id, GoodwillKind.GOODWILL_CREDIT, "120.00", "missed callback", "Promised callback did not happen"
    )
    now = clock.now()
    dates = CaseServiceDates(
        case.id, tom.id, case.reference, case.kind, case.title, case.opened_at,
        None, None, None, None, None, False, None, 0, None, 1,
    )  # fmt: skip
    draft = WrapUpDraftRecord(
        new_id(), tom.id, "+447700900456", now - timedelta(minutes=12), now, None, "", None
    )
    current = DetailsService(store, clock, alex).current(tom.id)
    authenticator = Authenticator(
        parse_server_url("postgresql://central.example:5432/console"),
        clock,
        credentials=CredentialStore(fail.Keyring()),
        cache=OfflineUnlockCache(paths.data_dir() / "offline-unlock.json"),
    )
    name = "Tom Hughes"
    yield "resolveDialog", lambda: ResolveDialog(case, clock, LONDON)
    yield "confirmDialog", lambda: ConfirmDialog(case, clock, LONDON)
    yield "reopenDialog", lambda: ReopenDialog(case)
    yield "feedbackDialog", lambda: FeedbackDialog(case)
    yield "complaintDialog", lambda: ComplaintDialog(case, clock, LONDON)
    yield "deadlockDialog", lambda: DeadlockDialog(case, LONDON)
    yield "adrLetterDialog", lambda: AdrLetterDialog(case)
    yield "serviceDatesDialog", lambda: ServiceDatesDialog(dates, LONDON, now)
    yield "takeOverDialog", lambda: OwnershipDialog(case, taking=True)
    yield "handOverDialog", lambda: OwnershipDialog(case, taking=False, colleagues=[alex, jo])
    yield "promiseDialog", lambda: PromiseDialog(tom.id, name, "+447700900456", cases, clock, LONDON)
    yield "outcomeDialog", lambda: OutcomeDialog(promise, clock, LONDON)
    yield "reassignDialog", lambda: ReassignDialog(promise, [alex, jo])
    yield (
        "handOffDialog",
        lambda: HandOffDialog(built_in(), Team.FRONT_LINE, lambda _team: now, LONDON, cases),
    )
    yield "goodwillDialog", lambda: GoodwillDialog(tom.id, name, cases, alex.goodwill_limit_pence)
    yield "rejectDialog", lambda: RejectDialog(goodwill)
    yield "handoffDoneDialog", lambda: HandoffDoneDialog("Move the broadband to the new flat on the 30th")
    yield "wrapUpDialog", lambda: WrapUpDialog(draft, load_reasons(), cases, LONDON, customer_name=name)
    yield "logContactDialog", lambda: LogContactDialog(tom.id, cases, customer_name=name)
    yield "newCaseDialog", lambda: NewCaseDialog(tom.id, now, LONDON, customer_name=name)
    yield "caseUpdateDialog", lambda: CaseUpdateDialog(cases)
    yield "customerDetailsDialog", lambda: CustomerDetailsDialog(tom.id, name, current, [], LONDON)
    yield "newCustomerDialog", lambda: NewCustomerDialog("+447700900999")
    yield "loginDialog", lambda: LoginDialog(authenticator)
    yield "chooseCaseDialog", lambda: CaseChoiceDialog("Resolve", cases)


def show_error(dialog: QDialog, text: str = LONG_ERROR) -> bool:
    """The dialog's error line saying `text`, as after a refused save (or, signing in, no server);
    False for a dialog without one (a question with nothing to refuse)."""
    if isinstance(dialog, LoginDialog):
        dialog.error.say(text)
        dialog.unlock_button.show()
    elif isinstance(dialog, SaveDialog):
        dialog.show_error(text)
    else:
        return False
    return True
