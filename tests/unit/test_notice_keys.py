"""Change notice payloads: the head alone (everyone), the head and its keys, or not a notice; and
which interests a notice meets."""

from __future__ import annotations

import uuid

from console.sync.notice_keys import Notice, customer_key, customer_keys, is_key, parse_notice

ONE, TWO = uuid.UUID(int=1), uuid.UUID(int=2)


def test_a_bare_head_is_for_everyone() -> None:
    notice = parse_notice("42")
    assert notice == Notice(42, frozenset())
    assert notice.for_everyone and notice.meets(frozenset({customer_key(ONE)}))


def test_a_head_with_keys_meets_only_interests_that_share_one() -> None:
    notice = parse_notice(f"43 {customer_key(ONE)} r:supervisor")
    assert notice is not None and notice.head == 43 and not notice.for_everyone
    assert notice.meets(customer_keys([ONE, TWO]))
    assert notice.meets(frozenset({"r:supervisor"}))
    assert not notice.meets(customer_keys([TWO]))
    assert notice.meets(frozenset({"*"}))
    everyone = parse_notice("44 *")
    assert everyone is not None and everyone.meets(frozenset({customer_key(TWO)}))


def test_anything_else_is_not_a_notice() -> None:
    assert parse_notice("") is None
    assert parse_notice("head 12") is None
    assert parse_notice("-3 c:x") is None


def test_keys_are_customer_user_team_role_or_everyone() -> None:
    assert is_key(customer_key(ONE)) and is_key(f"u:{TWO}") and is_key("t:technical") and is_key("*")
    assert not is_key("c:nobody") and not is_key("x:1") and not is_key("t:") and not is_key("r:Boss")
