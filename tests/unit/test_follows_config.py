"""Follows configuration: the shipped seeds/follows.csv is valid; a bad follow fails fast naming the file, the
row and what is allowed (the same check the Dagster build runs before any model, and `pulse digest`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.digests.follows import (
    FOLLOW_KINDS,
    FollowsConfigError,
    collect_follows_errors,
    validate_follows_config,
)
from tests.support.seeds import copy_seeds, edit_line

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_shipped_follows_are_valid() -> None:
    follows = validate_follows_config(SEEDS)
    assert {follow.follows for follow in follows} <= set(FOLLOW_KINDS)
    assert any(follow.follows == "book" for follow in follows)


# (the line's old text, its new text, what the error says)
BAD_FOLLOWS = [
    (",book,Alex Morgan", ",team,Alex Morgan",
     "follows 'team' is not allowed; allowed: account, book, list, alert"),
    (",list,risk_red", ",list,risk_redd",
     "list 'risk_redd' is not defined in lists.csv; allowed: check_in_30_days"),
    (",alert,new_paying_customer", ",alert,new_customer",
     "alert kind 'new_customer' is unknown; allowed: health_rank_changed, list_entered"),
    ("alex.morgan@example.com,", "alex.morgan@,", "follower_email 'alex.morgan@' is not an email address"),
    (",book,Alex Morgan", ",book,", "target is empty; a book follow needs one"),
    ("Customer success leads,list,risk_red", "CS leads,list,risk_red",
     "is named 'CS leads' here and 'Customer success leads' at"),
    ("jordan.lee@example.com,Jordan Lee,book,Jordan Lee",
     "alex.morgan@example.com,Alex Morgan,book,Alex Morgan", "this follow is listed twice (first at"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "expected"), BAD_FOLLOWS)
def test_a_bad_follow_names_file_row_and_what_is_allowed(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    seeds = copy_seeds(tmp_path, "follows.csv", "lists.csv")
    line = edit_line(seeds / "follows.csv", old, new)
    _follows, errors = collect_follows_errors(seeds)
    assert any(
        error.startswith(f"{seeds / 'follows.csv'}:{line}: ") and expected in error for error in errors
    ), errors
    with pytest.raises(FollowsConfigError, match=f"follows.csv:{line}: "):
        validate_follows_config(seeds)


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    (tmp_path / "follows.csv").write_text("follower_email,follows,target\na@b.io,book,X\n")
    _follows, errors = collect_follows_errors(tmp_path)
    assert errors == [
        f"{tmp_path / 'follows.csv'}:1: missing column(s) follower_name; "
        "required: follower_email, follower_name, follows, target"
    ]


def test_no_follows_file_means_no_digests(tmp_path: Path) -> None:
    assert validate_follows_config(tmp_path) == []
