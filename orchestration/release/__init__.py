"""Which days of data are released for action: the brake on mass rank changes, holds and confirmations.

Everything that acts on people or on other systems (alerts, digests, tasks, the CRM sync) acts only on a
released day: see `released_as_of` and `orchestration.defs.release.acting_asset`.
"""

from orchestration.release.holds import (
    BrakeSettings,
    HoldError,
    ReleaseDecision,
    confirm_day,
    evaluate_brake,
    held_days,
    released_as_of,
)

__all__ = [
    "BrakeSettings",
    "HoldError",
    "ReleaseDecision",
    "confirm_day",
    "evaluate_brake",
    "held_days",
    "released_as_of",
]
