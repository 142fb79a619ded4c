"""When to try a failing URL again: Retry-After, and exponential back-off with a cap.

Pure functions of their arguments (the clock is passed in), for ``balita fetch``'s schedule.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

BACKOFF_FIRST = 15 * 60.0
"""Seconds to wait after the first failure; doubled after each further one..."""
BACKOFF_CAP = 24 * 3600.0
"""...up to a day."""
RETRY_AFTER_CEILING = 7 * 24 * 3600.0
"""A server's Retry-After is obeyed up to a week, so a hostile one cannot park a feed forever."""


def parse_retry_after(value: str, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After value: delta-seconds ("120") or an HTTP-date.

    A date in the past gives 0; anything longer than a week gives a week; a value that is
    neither form (negative, fractional, garbage) gives None. A naive ``now`` is taken as UTC.
    """
    text = value.strip()
    if not text or not (text.isascii() and text.isprintable()):
        return None
    if text.isascii() and text.isdigit():
        return RETRY_AFTER_CEILING if len(text) > 9 else min(float(text), RETRY_AFTER_CEILING)

    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # "-0000" and asctime dates: UTC by RFC 9110
        when = when.replace(tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    seconds = (when - now).total_seconds()
    return min(max(seconds, 0.0), RETRY_AFTER_CEILING)


def next_attempt_delay(failures: int, retry_after: float | None) -> float:
    """Seconds to wait after ``failures`` consecutive failures: 15 min, 30 min, 1 h... up to 24 h,
    and never shorter than the server's Retry-After (itself capped at a week). No failure and no
    Retry-After: 0. Deterministic, no jitter: the cron job's schedule already spreads the feeds.
    """
    backoff = 0.0 if failures <= 0 else min(BACKOFF_FIRST * 2.0 ** min(failures - 1, 32), BACKOFF_CAP)
    if retry_after is None or math.isnan(retry_after) or retry_after <= 0:
        return backoff
    return max(backoff, min(retry_after, RETRY_AFTER_CEILING))
