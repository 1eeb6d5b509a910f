"""Render the record dialogs offscreen to PNGs at their natural size, to look at them:
`python -m tests.ui.record_shots OUTDIR` (writes wrapUpDialog.png and the others)."""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QDialog

from console.contact_reasons import ReasonList, load_reasons
from console.ids import new_id
from console.services.customers import CustomerService
from domain.records import WrapUpDraftRecord
from tests.ui.support import NOW
from tests.ui.work_support import LONDON, TOM_ACCOUNT, build_work_store
from widgets.record.dialogs import (
    CaseUpdateDialog,
    LogContactDialog,
    NewCaseDialog,
    NewCasePrefill,
    WrapUpDialog,
)


def grab(dialog: QDialog, folder: Path, name: str) -> Path:
    dialog.adjustSize()
    dialog.show()
    QApplication.processEvents()
    path = folder / f"{name}.png"
    dialog.grab().save(str(path))
    dialog.close()
    return path


def main(folder: Path) -> list[Path]:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert app is not None
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        data = build_work_store(Path(scratch) / "shots.db")
        try:
            tom = CustomerService(data.store).find_account(TOM_ACCOUNT)
            assert tom is not None
            cases = CustomerService(data.store).cases(tom.id)
        finally:
            data.store.close()
    draft = WrapUpDraftRecord(
        new_id(),
        tom.id,
        "+447700900456",
        NOW - timedelta(minutes=12, seconds=4),
        NOW,
        "billing",
        "Second charge for October; refund promised by Friday",
        None,
    )
    made = []
    wrap = WrapUpDialog(draft, load_reasons(), cases, LONDON, customer_name="Tom Hughes")
    made.append(grab(wrap, folder, "wrapUpDialog"))
    wrap = WrapUpDialog(draft, load_reasons(), cases, LONDON, customer_name="Tom Hughes", restored=True)
    wrap.note_edit.setPlainText("")
    wrap.submit()
    made.append(grab(wrap, folder, "wrapUpDialog-restored-error"))
    broken = ReasonList((), "contact_reasons.toml line 9: not valid TOML (Invalid value)")
    made.append(grab(WrapUpDialog(draft, broken, cases, LONDON), folder, "wrapUpDialog-broken-list"))
    log = LogContactDialog(tom.id, cases, customer_name="Tom Hughes")
    log.submit()
    made.append(grab(log, folder, "logContactDialog"))
    new = NewCaseDialog(
        tom.id,
        NOW,
        LONDON,
        prefill=NewCasePrefill("Reporting a fault", "No dial tone since the storm"),
        customer_name="Tom Hughes",
    )
    made.append(grab(new, folder, "newCaseDialog"))
    update = CaseUpdateDialog(cases)
    update.submit()
    made.append(grab(update, folder, "caseUpdateDialog"))
    return made


if __name__ == "__main__":
    for path in main(Path(sys.argv[1] if len(sys.argv) > 1 else "record-shots")):
        print(path)
