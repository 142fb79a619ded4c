"""Times are stored in UTC and shown in the site's time zone; user input is read in the site zone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from balita_cli.errors import InvalidInput

_DAY_AT = re.compile(r"^(today|yesterday|tomorrow)(?:\s+(?:at\s+)?([01]?\d|2[0-3]):([0-5]\d))?$")
_RELATIVE = re.compile(r"^\s*(?:in\s+)?(\d+)\s*(minute|min|hour|day|week)s?\s*(ago)?\s*$", re.I)
_UNITS = {"minute": 60, "min": 60, "hour": 3600, "day": 86400, "week": 604800}


_fixed_now: list[datetime] = []


def set_clock(moment: datetime | None) -> None:
    """Make "now" a fixed time (``--clock``), as Hugo's --clock does: for dry runs of the
    schedule ("what would publish at 08:00?") and for reproducible output."""
    _fixed_now.clear()
    if moment is not None:
        _fixed_now.append(moment.astimezone(UTC))


def utcnow() -> datetime:
    return _fixed_now[0] if _fixed_now else datetime.now(UTC)


def as_utc(value: datetime, zone: tzinfo) -> datetime:
    """A naive datetime is read in ``zone``; the result is always aware UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def local_time(value: datetime, zone: tzinfo, text: str) -> datetime:
    """A naive wall-clock time read in ``zone``, refused when the zone skips it (clocks moved
    forward) or has it twice (clocks moved back) rather than shifted without a word."""
    first, second = value.replace(tzinfo=zone, fold=0), value.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        later = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != value
        reason = "does not exist in" if later else "happens twice in"
        offsets = " or ".join(f"{value:%Y-%m-%d %H:%M}{_offset(moment)}" for moment in (first, second))
        raise InvalidInput(f"{text!r} {reason} {zone} (the clocks change then): give the offset, e.g. {offsets}")
    return first.astimezone(UTC)


def _offset(moment: datetime) -> str:
    text = moment.strftime("%z")
    return f"{text[:3]}:{text[3:]}"


# Every form parse_when reads, for the message that refuses anything else.
ACCEPTED_FORMS = (
    "use an ISO 8601 date or time (2026-12-01, '2026-12-01 08:00', 2026-12-01T08:00+08:00), now, today, "
    "yesterday, tomorrow, 'in 3 hours' or '2 days ago' (minutes, hours, days or weeks)"
)


def parse_when(text: str, zone: tzinfo, *, now: datetime | None = None) -> datetime:
    """Read a user's time: ISO 8601, "2026-12-01 08:00", "now", "today", "yesterday", "tomorrow",
    "yesterday 06:00", "in 3 hours", "2 days ago", "90 min" (later: a count without "ago" is from now on)."""
    raw = text.strip()
    current = now or utcnow()
    lowered = raw.lower()
    if lowered == "now":
        return current
    day_at = _DAY_AT.match(" ".join(lowered.split()))
    if day_at:  # "yesterday", "yesterday 06:00": a day of the site's calendar, at midnight or that time
        offset = {"today": 0, "yesterday": -1, "tomorrow": 1}[day_at.group(1)]
        local_day = current.astimezone(zone).date() + timedelta(days=offset)
        at = time(int(day_at.group(2)), int(day_at.group(3))) if day_at.group(2) else time()
        return as_utc(datetime.combine(local_day, at), zone)
    relative = _RELATIVE.match(raw)
    if relative:
        seconds = int(relative.group(1)[:12]) * _UNITS[relative.group(2).lower()]
        sign = -1 if relative.group(3) else 1
        try:
            moved = current + timedelta(seconds=sign * seconds)
        except OverflowError:
            raise InvalidInput(f"date {text!r} is out of range") from None
        if not 1900 <= moved.year <= 9998:
            raise InvalidInput(f"date {text!r} is out of range")
        return moved
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(raw), time())
        except ValueError:
            raise InvalidInput(f"cannot read date {text!r}: {ACCEPTED_FORMS}") from None
    if not 1900 <= parsed.year <= 9998:
        raise InvalidInput(f"date {text!r} is out of range")
    return local_time(parsed, zone, text) if parsed.tzinfo is None else parsed.astimezone(UTC)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with offset, for machine output."""
    return value.isoformat() if value is not None else None


def iso_seconds(text: str | None) -> str | None:
    """An ISO 8601 time to the whole second, with its offset (a stored time without one is UTC):
    what sitemaps, feeds' notices and ``<time datetime>`` carry."""
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).replace(microsecond=0).isoformat()


def human(value: datetime | None, zone: tzinfo) -> str:
    """A time for a person: site zone with its offset, minutes precision."""
    if value is None:
        return ""
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M %z")


_UNITS_IN_WORDS = (("day", 86400), ("hour", 3600), ("minute", 60))


def _count(number: int, unit: str, *, short: bool) -> str:
    if short:
        return f"{number}{unit[0]}"
    return f"{number} {unit}{'s' if number != 1 else ''}"


def relative_words(value: datetime, *, now: datetime | None = None, short: bool = False) -> str:
    """ "in 2 hours 59 minutes", "1 day 3 hours ago": how far ``value`` is from now, in words;
    ``short``: "in 2h 59m", "1d 3h ago", for a table's narrow column."""
    delta = value - (now or utcnow())
    seconds = int(abs(delta.total_seconds()))
    for index, (unit, size) in enumerate(_UNITS_IN_WORDS):
        if seconds >= size:
            words = _count(seconds // size, unit, short=short)
            if index + 1 < len(_UNITS_IN_WORDS):
                smaller, small_size = _UNITS_IN_WORDS[index + 1]
                rest = seconds % size // small_size
                words += f" {_count(rest, smaller, short=short)}" if rest else ""
            return f"in {words}" if delta.total_seconds() > 0 else f"{words} ago"
    return "now"
