"""Dates, holidays and the weekly rhythm that shapes daily activity."""

from __future__ import annotations

import datetime as dt

import numpy as np

EPOCH = dt.date(1970, 1, 1)

# Share of a normal weekday's activity, Monday..Sunday: business software is used on workdays.
WEEKDAY_FACTOR = np.array([1.0, 1.02, 1.0, 0.97, 0.85, 0.11, 0.07])
HOLIDAY_FACTOR = 0.12
YEAR_END_FACTOR = 0.45  # the quiet week between Christmas and New Year
AUGUST_FACTOR = 0.9  # European summer holidays


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The n-th given weekday (0=Monday) of a month; n=-1 is the last one."""
    if n > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def holidays(year: int) -> set[dt.date]:
    """Public holidays most customers observe (US federal plus the shared European ones)."""
    return {
        dt.date(year, 1, 1),
        _nth_weekday(year, 1, 0, 3),  # Martin Luther King Jr. Day
        _nth_weekday(year, 2, 0, 3),  # Presidents' Day
        _nth_weekday(year, 5, 0, -1),  # Memorial Day
        dt.date(year, 7, 4),
        _nth_weekday(year, 9, 0, 1),  # Labor Day
        _nth_weekday(year, 11, 3, 4),  # Thanksgiving
        _nth_weekday(year, 11, 3, 4) + dt.timedelta(days=1),
        dt.date(year, 12, 24),
        dt.date(year, 12, 25),
        dt.date(year, 12, 26),
        dt.date(year, 12, 31),
    }


def day_factors(start: dt.date, days: int) -> np.ndarray:
    """Activity multiplier for each day of the period: weekday rhythm, holidays, seasonal dips."""
    out = np.empty(days)
    hols: set[dt.date] = set()
    for year in range(start.year, (start + dt.timedelta(days=days)).year + 1):
        hols |= holidays(year)
    for i in range(days):  # one iteration per day, not per event
        day = start + dt.timedelta(days=i)
        f = WEEKDAY_FACTOR[day.weekday()]
        if day in hols:
            f = min(f, HOLIDAY_FACTOR)
        elif (day.month == 12 and day.day >= 27) or (day.month == 1 and day.day == 2):
            f *= YEAR_END_FACTOR
        elif day.month == 8:
            f *= AUGUST_FACTOR
        out[i] = f
    return out


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar month arithmetic, clamping the day (Jan 31 + 1 month = Feb 28/29)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return dt.date(year, month, min(day.day, (nxt - dt.timedelta(days=1)).day))


def epoch_ms(day: dt.date) -> int:
    return (day - EPOCH).days * 86_400_000
