"""Writing down the call in hand: the wrap-up when a call ends, a contact logged by hand, a new case,
and progress on a case (docs: README "Recording the call").

What the package gives the window (widgets/record/place.py, which MainWindow uses):

- `build_record(jobs, workbench, clock, zone, selected_case, parent)`: the `RecordController`, a
  feature `Controller` on the window's `Jobs` (None while nobody is signed in). It opens the dialogs
  (`wrapUpDialog`, `logContactDialog`, `newCaseDialog`, `caseUpdateDialog`) through
  `dialog_requested`; what it saves is announced as a `Change` of the customer (ChangeKind.CONTACT or
  CASE), so the pane, the cases and the offers re-read; refusals go to the status bar (`message`).
- `place_record(record, call_ended, customer_opened)`: the `RecordActions` row (`recordActions`:
  `logContactButton` Ctrl+L, `newCaseButton` Ctrl+Shift+N, `caseUpdateButton` Ctrl+Shift+U), wired:
  the call strip's `call_ended` opens the wrap-up, the pane's `customer_opened` tells the controller
  the customer and brings back their unsaved wrap-ups, and those of anyone come back once at start.

The new-case dialog opened from a wrap-up's "New case…" has the wrap-up as its parent and opens on
top of it: the window's OneDialog keeps a dialog open under a child of it. The controller copes with
dialogs deleted on close.
"""

from widgets.record.actions import RecordActions
from widgets.record.controller import RecordController

__all__ = ["RecordActions", "RecordController"]
