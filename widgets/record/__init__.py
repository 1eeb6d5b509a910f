"""Writing down the call in hand: the wrap-up when a call ends, a contact logged by hand, a new case,
and progress on a case (docs: README "Recording the call").

What the package gives the window:

- `RecordActions(parent)`: a row with `logContactButton`, `newCaseButton`, `caseUpdateButton`, to
  place in the customer pane (disabled while no customer is open).
- `RecordController(workbench, reader, clock, zone, parent=window)`: opens the dialogs
  (`wrapUpDialog`, `logContactDialog`, `newCaseDialog`, `caseUpdateDialog`) and runs the services on
  the background reader. Its signals: `dialog_requested(QDialog)`, `saved(str)` (one line; refresh
  the pane: timeline, cases, offers), `refused(str)` (one line for the status bar).

The new-case dialog opened from a wrap-up's "New case…" has the wrap-up as its parent and opens on
top of it: the window must not close the wrap-up when it opens that one (it may close a dialog that
is not a record dialog's parent). The controller copes with dialogs deleted on close.

Wiring, in the one place the window is built::

    record = RecordController(workbench, reader, clock, zone, parent=window)
    record.dialog_requested.connect(lambda dialog: dialog.open())        # never exec()
    record.saved.connect(window_shows_and_refreshes_the_pane)
    record.refused.connect(window_shows_in_the_status_bar)
    actions = RecordActions(pane); pane_layout.addWidget(actions); record.attach(actions)
    call_strip.call_ended.connect(
        lambda call: record.wrap_up(call.customer_id, call.started_at, call.ended_at, call.number))
    # when a customer is opened or closed, and when the case list's selection changes:
    record.set_customer(customer_id, display_name); record.offer_drafts(customer_id)
    record.set_case(selected_case_or_none)
    # once the window is shown: a wrap-up left unsaved (even by a killed console) comes back
    record.offer_drafts()
"""

from widgets.record.actions import RecordActions
from widgets.record.controller import RecordController

__all__ = ["RecordActions", "RecordController"]
