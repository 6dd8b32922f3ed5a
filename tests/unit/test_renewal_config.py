"""seeds/renewal_risk_classes.csv is validated before any model runs: file:row, problem, what is allowed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from orchestration.revenue.config import RISK_FILE, RenewalConfigError, validate_renewal_config
from orchestration.settings import PROJECT_ROOT

SEEDS = PROJECT_ROOT / "seeds"


def test_the_shipped_configuration_is_valid() -> None:
    rows = validate_renewal_config(SEEDS)
    assert {row["health_rank"]: row["risk_class"] for row in rows} == {
        "Good": "Low", "Average": "Average", "Unknown": "Average", "Poor": "High",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("High,Poor,0.6,10", "Highest,Poor,0.6,10", "seeds/renewal_risk_classes.csv:5: risk_class 'Highest'"),
        (
            "High,Poor,0.6,10",
            "High,Poor,1.6,10",
            ":5: prior_renewal_rate '1.6' must be a share between 0 and 1",
        ),
        ("High,Poor,0.6,10", "High,Poor,0.6,-1", ":5: prior_weight '-1' must be a number >= 0"),
        ("High,Poor,0.6,10", "High,Good,0.6,10", ":5: health_rank 'Good' is already mapped at"),
        ("Average,Unknown,0.85,10", "Average,Unknown,0.5,10", ":4: risk_class 'Average' has another prior"),
        (
            "Low,Good,0.95,10",
            "Low,Excellent,0.95,10",
            ":2: health_rank 'Excellent' is unknown; allowed: Good",
        ),
    ],
)
def test_a_bad_row_names_file_row_and_problem(tmp_path: Path, old: str, new: str, message: str) -> None:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    path = tmp_path / "seeds" / RISK_FILE
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    with pytest.raises(RenewalConfigError) as raised:
        validate_renewal_config(tmp_path / "seeds")
    assert message in str(raised.value)
