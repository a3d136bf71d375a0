"""The `date_calculator` function: differences, arithmetic, ordering and formatting of dates."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from smarter_tui.domain.tools import ToolKind, ToolSpec
from smarter_tui.plugins._common import to_json

OPERATIONS = ("difference", "oldest", "newest", "convert", "add", "subtract")
FORMATS = ("ISO", "US", "EU")
MAX_DATES = 100

_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december",
)  # fmt: skip
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NOISE = {"st", "nd", "rd", "th", "of", "the", "ad", "ce"}
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[t\s].*)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})$")


class DateError(Exception):
    """A date could not be read or computed; the message is shown to the model."""


def _year(text: str) -> int:
    value = int(text)
    if len(text) <= 2:  # the strptime %y convention
        value += 2000 if value < 69 else 1900
    return value


def _make(year: int, month: int, day: int, original: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise DateError(f"invalid date {original!r}: {exc}") from None


def _month(token: str) -> int | None:
    if token == "sept":
        return 9
    if len(token) < 3:
        return None
    for index, name in enumerate(_MONTHS, start=1):
        if name.startswith(token):
            return index
    return None


def parse_date(text: str, date_format: str = "ISO", today: dt.date | None = None) -> dt.date:
    """Return the date written in `text`; raises DateError.

    Reads ISO (2024-02-29, with or without time), numeric dates (02/29/1972 as US or 29/02/1972 as
    EU; the other order is tried when the preferred one is impossible), month names
    (29-Feb-1972, Feb 29 1972, February 29th, 1972) and today/yesterday/tomorrow.
    """
    today = today or dt.date.today()
    original = str(text)
    value = original.strip().lower()
    if not value:
        raise DateError("empty date")
    relative = {"today": 0, "now": 0, "yesterday": -1, "tomorrow": 1}
    if value in relative:
        return today + dt.timedelta(days=relative[value])
    if match := _ISO.match(value) or _COMPACT.match(value):
        year, month, day = (int(group) for group in match.groups())
        return _make(year, month, day, original)
    if match := _NUMERIC.match(value):
        first, second, year_text = match.groups()
        year = _year(year_text)
        a, b = int(first), int(second)
        orders = [(b, a), (a, b)] if date_format == "EU" else [(a, b), (b, a)]
        for month, day in orders:
            try:
                return dt.date(year, month, day)
            except ValueError:
                continue
        raise DateError(f"invalid date {original!r}")
    parsed = _parse_named(value, original)
    if parsed is not None:
        return parsed
    try:
        return dt.datetime.fromisoformat(original.strip().replace("Z", "+00:00")).date()
    except ValueError:
        pass
    raise DateError(f"could not read the date {original!r}; use e.g. 2024-02-29, 29-Feb-2024 or Feb 29 2024")


def _parse_named(value: str, original: str) -> dt.date | None:
    tokens = re.findall(r"[a-z]+|\d+", value)
    month: int | None = None
    numbers: list[str] = []
    for token in tokens:
        if token.isdigit():
            numbers.append(token)
            continue
        if token in _NOISE or any(day.startswith(token) for day in _WEEKDAYS if len(token) >= 3):
            continue
        found = _month(token)
        if found is None or month is not None:
            return None
        month = found
    if month is None or not numbers or len(numbers) > 2:
        return None
    if len(numbers) == 1:
        if len(numbers[0]) < 3:
            return None
        return _make(int(numbers[0]), month, 1, original)
    first, second = numbers
    if len(first) >= 3 or (int(first) > 31 and len(second) <= 2):
        year_text, day_text = first, second
    elif len(second) >= 3 or int(second) > 31:
        year_text, day_text = second, first
    else:  # two short numbers: "Feb 29 72" / "29 Feb 72" -> the last is the year
        year_text, day_text = second, first
    return _make(_year(year_text), month, int(day_text), original)


def format_date(value: dt.date, date_format: str = "ISO") -> str:
    """Return the date as ISO (2024-02-29), US (02/29/2024) or EU (29/02/2024)."""
    if date_format == "US":
        return f"{value.month:02d}/{value.day:02d}/{value.year:04d}"
    if date_format == "EU":
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def add_months(value: dt.date, months: int) -> dt.date:
    """Return `value` moved by whole calendar months (the day is clamped to the month's end)."""
    index = value.year * 12 + value.month - 1 + months
    year, month = divmod(index, 12)
    day = min(value.day, calendar.monthrange(year, month + 1)[1])
    return dt.date(year, month + 1, day)


def difference(start: dt.date, end: dt.date) -> dict[str, Any]:
    """Return the calendar-aware distance between two dates (earlier first, all values >= 0)."""
    if end < start:
        start, end = end, start
    days = (end - start).days
    months = (end.year - start.year) * 12 + end.month - start.month
    while months > 0 and add_months(start, months) > end:
        months -= 1
    rest = (end - add_months(start, months)).days
    return {
        "days": days,
        "weeks": days // 7,
        "months": months,
        "years": months // 12,
        "breakdown": {"years": months // 12, "months": months % 12, "days": rest},
    }


class DateCalculatorTool:
    """The built-in `date_calculator` function: returns a result object or {"error": "..."}."""

    def __init__(self, today: Callable[[], dt.date] | None = None) -> None:
        """Create the tool; `today` may be injected (tests) and defaults to the local date."""
        self.today = today or dt.date.today
        self.spec = ToolSpec(
            name="date_calculator",
            description=(
                "Calculate with dates: 'difference' between two dates (days, weeks, months, "
                "years; with one date, the difference to today), 'oldest'/'newest' of several "
                "dates, 'convert' dates to a format, 'add'/'subtract' a number of days. Dates "
                "may be written like 2024-02-29, 29-Feb-1972, Feb 29 1972, 02/29/1972 or 'today'."
            ),
            parameters={
                "type": "object",
                "properties": {
                    "dates": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "The dates to work on.",
                    },
                    "operation": {"type": "string", "enum": list(OPERATIONS)},
                    "date_format": {
                        "type": "string",
                        "enum": list(FORMATS),
                        "default": "ISO",
                        "description": "Format of results, and how to read numeric dates "
                        "(US = MM/DD/YYYY, EU = DD/MM/YYYY).",
                    },
                    "days": {
                        "type": "integer",
                        "description": "Number of days for 'add' and 'subtract'.",
                    },
                },
                "required": ["dates", "operation"],
            },
            kind=ToolKind.FUNCTION,
            source="date_calculator",
        )

    async def run(self, arguments: dict[str, Any]) -> str:
        """Run one operation; errors come back as {"error": ...}."""
        try:
            return to_json(self.calculate(arguments or {}))
        except DateError as exc:
            return to_json({"error": str(exc)})

    def calculate(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Return the result object of an operation; raises DateError."""
        operation = str(arguments.get("operation") or "").strip().lower()
        if operation not in OPERATIONS:
            raise DateError(f"operation must be one of: {', '.join(OPERATIONS)}")
        date_format = str(arguments.get("date_format") or "ISO").strip().upper()
        if date_format not in FORMATS:
            raise DateError("date_format must be ISO, US or EU")
        raw = arguments.get("dates")
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not raw:
            raise DateError("'dates' must be a non-empty list of date strings")
        if len(raw) > MAX_DATES:
            raise DateError(f"at most {MAX_DATES} dates are allowed")
        today = self.today()
        dates = [parse_date(str(item), date_format, today) for item in raw]

        def fmt(value: dt.date) -> str:
            return format_date(value, date_format)

        if operation == "difference":
            if len(dates) > 2:
                raise DateError("'difference' takes two dates (or one, compared with today)")
            start, end = dates[0], dates[1] if len(dates) == 2 else today
            return {"from": fmt(min(start, end)), "to": fmt(max(start, end)),
                    **difference(start, end)}  # fmt: skip
        if operation in ("oldest", "newest"):
            index = dates.index(min(dates) if operation == "oldest" else max(dates))
            return {operation: fmt(dates[index]), "input": str(raw[index])}
        if operation == "convert":
            return {"format": date_format, "dates": [fmt(value) for value in dates]}
        days = arguments.get("days")
        try:
            days = int(days) if not isinstance(days, bool) and days is not None else None
        except (TypeError, ValueError):
            days = None
        if days is None:
            raise DateError(f"{operation!r} needs an integer 'days'")
        try:
            delta = dt.timedelta(days=days if operation == "add" else -days)
            results = [fmt(value + delta) for value in dates]
        except OverflowError:
            raise DateError("the resulting date is out of range") from None
        result: dict[str, Any] = {"operation": operation, "days": days, "dates": results}
        if len(results) == 1:
            result["result"] = results[0]
        return result
