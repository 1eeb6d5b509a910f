"""The ten case kinds under the issue's six words: each kind in exactly one group, every label starting
with its group's word."""

from __future__ import annotations

from console.case_groups import CASE_GROUPS, group_of, kind_label, kinds_in_order
from domain.vocabulary import CaseKind


def test_every_kind_is_in_exactly_one_of_the_six_groups() -> None:
    assert [group for group, _kinds in CASE_GROUPS] == [
        "Fault",
        "Order",
        "Billing",
        "Complaint",
        "Move",
        "Other",
    ]
    assert sorted(kinds_in_order()) == sorted(CaseKind)
    assert len(kinds_in_order()) == len(set(kinds_in_order())) == 10


def test_labels_start_with_their_group() -> None:
    for kind in CaseKind:
        assert kind_label(kind).startswith(group_of(kind))
    assert kind_label(CaseKind.BROADBAND_FAULT) == "Fault: broadband"
    assert kind_label(CaseKind.HOME_MOVE) == "Move: home move"
    assert kind_label(CaseKind.BILLING) == "Billing"
    assert kind_label(CaseKind.SERVICE_REQUEST) == "Other: service request"
