"""The six words an advisor looks for when opening a case (fault, order, billing, complaint, move,
other) over the ten finer case kinds the rules, the server and the board keep: each kind's group and
its label in the new-case list ("Fault: broadband"), so typing a group's first letters finds it."""

from __future__ import annotations

from domain.vocabulary import CaseKind

# In the order the new-case list shows them: the six groups, and within each its kinds.
CASE_GROUPS: tuple[tuple[str, tuple[CaseKind, ...]], ...] = (
    ("Fault", (CaseKind.BROADBAND_FAULT, CaseKind.LANDLINE_FAULT, CaseKind.MOBILE_FAULT)),
    ("Order", (CaseKind.NEW_SERVICE, CaseKind.PLAN_CHANGE)),
    ("Billing", (CaseKind.BILLING,)),
    ("Complaint", (CaseKind.COMPLAINT,)),
    ("Move", (CaseKind.HOME_MOVE,)),
    ("Other", (CaseKind.ENGINEER_APPOINTMENT, CaseKind.SERVICE_REQUEST)),
)

# What follows the group's word; a group of one kind is its word alone.
_DETAIL = {
    CaseKind.BROADBAND_FAULT: "broadband",
    CaseKind.LANDLINE_FAULT: "landline",
    CaseKind.MOBILE_FAULT: "mobile",
    CaseKind.NEW_SERVICE: "new service",
    CaseKind.PLAN_CHANGE: "plan change",
    CaseKind.HOME_MOVE: "home move",
    CaseKind.ENGINEER_APPOINTMENT: "engineer appointment",
    CaseKind.SERVICE_REQUEST: "service request",
}


def group_of(kind: CaseKind) -> str:
    """The group word of `kind` ("Fault" for a broadband fault)."""
    return next(group for group, kinds in CASE_GROUPS if kind in kinds)


def kind_label(kind: CaseKind) -> str:
    """`kind` as the new-case list shows it: "Fault: broadband", "Billing"."""
    group = group_of(kind)
    detail = _DETAIL.get(kind)
    return f"{group}: {detail}" if detail else group


def kinds_in_order() -> list[CaseKind]:
    """Every case kind, grouped, in the list's order."""
    return [kind for _group, kinds in CASE_GROUPS for kind in kinds]
