"""seeds/source_completeness.csv is validated before dbt runs: file:row, the problem, what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.quality.completeness import CompletenessConfigError, validate_completeness_config
from tests.support.seeds import SEEDS, copy_seeds, edit_line


def test_shipped_configuration_is_valid() -> None:
    rows = validate_completeness_config(SEEDS)
    assert [row["source"] for row in rows] == ["app_events", "helpdesk", "crm"]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "app_events,usage data",
            "app_eventz,usage data",
            "source 'app_eventz' is unknown; allowed: app_events",
        ),
        ("true,volume", "yes,volume", "is_required 'yes' must be true or false"),
        ("true,volume", "true,median", "method 'median' is unknown; allowed: volume, latest"),
        ("0.25,2", "0.25,two", "stale_after_days 'two' must be a whole number of days >= 0"),
        ("volume,0,0.25", "volume,0,", "min_volume_share '' must be a number in (0, 1]"),
        ("helpdesk,support data", "crm,support data", "source 'crm' is configured twice"),
    ],
)
def test_a_bad_row_names_file_row_and_what_is_allowed(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    seeds = copy_seeds(tmp_path, "source_completeness.csv")
    line = edit_line(seeds / "source_completeness.csv", old, new)
    with pytest.raises(CompletenessConfigError) as raised:
        validate_completeness_config(seeds)
    where = f"seeds/source_completeness.csv:{line + 1 if 'twice' in expected else line}: "
    assert any(error.startswith(where) and expected in error for error in raised.value.errors), (
        raised.value.errors
    )
