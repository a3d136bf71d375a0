"""DateCalculatorTool: parsing, every operation, every format."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from smarter_tui.plugins.functions.date_calculator import (
    DateCalculatorTool,
    DateError,
    add_months,
    parse_date,
)

TODAY = dt.date(2024, 6, 15)


async def run(**arguments: Any) -> Any:
    """Run the tool with a fixed today and parse the answer."""
    return json.loads(await DateCalculatorTool(today=lambda: TODAY).run(arguments))


@pytest.mark.parametrize(
    ("text", "date_format", "expected"),
    [
        ("2024-02-29", "ISO", dt.date(2024, 2, 29)),
        ("2024/02/29", "ISO", dt.date(2024, 2, 29)),
        ("20240229", "ISO", dt.date(2024, 2, 29)),
        ("2024-02-29T13:45:00Z", "ISO", dt.date(2024, 2, 29)),
        ("29-Feb-1972", "ISO", dt.date(1972, 2, 29)),
        ("29 February 1972", "ISO", dt.date(1972, 2, 29)),
        ("Feb 29 1972", "ISO", dt.date(1972, 2, 29)),
        ("February 29th, 1972", "ISO", dt.date(1972, 2, 29)),
        ("Tuesday, 29 Feb 1972", "ISO", dt.date(1972, 2, 29)),
        ("Sept 3 2001", "ISO", dt.date(2001, 9, 3)),
        ("1972 Feb 29", "ISO", dt.date(1972, 2, 29)),
        ("March 2024", "ISO", dt.date(2024, 3, 1)),
        ("02/29/1972", "US", dt.date(1972, 2, 29)),
        ("29/02/1972", "EU", dt.date(1972, 2, 29)),
        ("03/04/2024", "US", dt.date(2024, 3, 4)),
        ("03/04/2024", "EU", dt.date(2024, 4, 3)),
        ("29/02/1972", "US", dt.date(1972, 2, 29)),  # impossible as US: the other order is used
        ("29.02.72", "EU", dt.date(1972, 2, 29)),
        ("today", "ISO", TODAY),
        ("Yesterday", "ISO", TODAY - dt.timedelta(days=1)),
        ("tomorrow", "ISO", TODAY + dt.timedelta(days=1)),
    ],
)
def test_parse(text: str, date_format: str, expected: dt.date) -> None:
    assert parse_date(text, date_format, TODAY) == expected


@pytest.mark.parametrize("text", ["", "someday", "2023-02-29", "31/31/2020", "Feb 30 2024", "Smarch 3"])
def test_parse_rejects(text: str) -> None:
    with pytest.raises(DateError):
        parse_date(text, "ISO", TODAY)


async def test_difference_leap_days() -> None:
    # 52 years of 365.25 days: (date(2024, 2, 29) - date(1972, 2, 29)).days == 18993
    result = await run(dates=["29-Feb-1972", "2024-02-29"], operation="difference")
    assert result == {
        "from": "1972-02-29",
        "to": "2024-02-29",
        "days": 18993,
        "weeks": 2713,
        "months": 624,
        "years": 52,
        "breakdown": {"years": 52, "months": 0, "days": 0},
    }
    assert (dt.date(2024, 2, 29) - dt.date(1972, 2, 29)).days == 18993


async def test_difference_order_and_calendar_months() -> None:
    result = await run(dates=["2024-03-15", "2023-01-31"], operation="difference")
    assert result["from"] == "2023-01-31" and result["to"] == "2024-03-15"
    assert result["days"] == 409
    assert result["breakdown"] == {"years": 1, "months": 1, "days": 15}
    assert result["months"] == 13 and result["years"] == 1


async def test_difference_single_date_is_to_today() -> None:
    result = await run(dates=["2024-06-01"], operation="difference")
    assert result["days"] == 14 and result["to"] == "2024-06-15"


async def test_difference_too_many_dates() -> None:
    assert "error" in await run(dates=["2024-01-01"] * 3, operation="difference")


async def test_oldest_newest() -> None:
    dates = ["2024-06-01", "29-Feb-1972", "Jan 1 2000"]
    assert await run(dates=dates, operation="oldest") == {"oldest": "1972-02-29",
                                                          "input": "29-Feb-1972"}  # fmt: skip
    assert await run(dates=dates, operation="newest", date_format="US") == {
        "newest": "06/01/2024",
        "input": "2024-06-01",
    }


async def test_convert_formats() -> None:
    dates = ["1972-02-29", "Dec 25 2023"]
    assert (await run(dates=dates, operation="convert", date_format="US"))["dates"] == [
        "02/29/1972",
        "12/25/2023",
    ]
    assert (await run(dates=dates, operation="convert", date_format="eu"))["dates"] == [
        "29/02/1972",
        "25/12/2023",
    ]
    assert await run(dates=["02/29/1972"], operation="convert") == {
        "format": "ISO",
        "dates": ["1972-02-29"],
    }


async def test_add_subtract() -> None:
    assert (await run(dates=["2024-02-28"], operation="add", days=2))["result"] == "2024-03-01"
    result = await run(dates=["2024-03-01", "2023-03-01"], operation="subtract", days=1)
    assert result == {"operation": "subtract", "days": 1, "dates": ["2024-02-29", "2023-02-28"]}
    assert (await run(dates="today", operation="add", days="10", date_format="EU"))["result"] == "25/06/2024"


async def test_errors() -> None:
    assert "needs an integer 'days'" in (await run(dates=["2024-01-01"], operation="add"))["error"]
    assert "operation" in (await run(dates=["2024-01-01"], operation="multiply"))["error"]
    assert "date_format" in (await run(dates=["2024-01-01"], operation="convert",
                                       date_format="JP"))["error"]  # fmt: skip
    assert "could not read" in (await run(dates=["soon"], operation="convert"))["error"]
    assert "non-empty" in (await run(dates=[], operation="convert"))["error"]
    assert "out of range" in (await run(dates=["9999-12-31"], operation="add", days=1))["error"]
    assert "out of range" in (await run(dates=["2000-01-01"], operation="add",
                                        days=10**12))["error"]  # fmt: skip


def test_add_months_clamps() -> None:
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2024, 1, 15), -1) == dt.date(2023, 12, 15)


def test_spec() -> None:
    spec = DateCalculatorTool().spec
    assert spec.parameters["required"] == ["dates", "operation"]
    assert spec.parameters["properties"]["dates"]["items"] == {"type": "string"}
