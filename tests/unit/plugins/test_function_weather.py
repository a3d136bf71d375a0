"""WeatherTool against a loopback stand-in for both Open-Meteo endpoints."""

from __future__ import annotations

import json
from typing import Any

from smarter_tui.plugins.functions.weather import WeatherTool

from .conftest import LoopbackServer, Recorded, Reply

HOURS = [f"2024-06-01T{hour:02d}:00" for hour in range(24)] + [
    f"2024-06-02T{hour:02d}:00" for hour in range(24)
]


def geocode(request: Recorded) -> Reply:
    """Know one place: Paris."""
    if request.query["name"] == ["Paris"]:
        place = {"name": "Paris", "country": "France", "admin1": "Île-de-France",
                 "latitude": 48.85, "longitude": 2.35, "timezone": "Europe/Paris"}  # fmt: skip
        return Reply.json({"results": [place]})
    return Reply.json({"generationtime_ms": 0.1})


def forecast(request: Recorded) -> Reply:
    """Return 48 hourly rows; values depend on the unit asked for."""
    fahrenheit = request.query.get("temperature_unit") == ["fahrenheit"]
    return Reply.json(
        {
            "current": {
                "time": "2024-06-01T10:15",
                "temperature_2m": 68.0 if fahrenheit else 20.0,
                "precipitation": 0.0,
                "wind_speed_10m": 5.0,
                "weather_code": 2,
                "relative_humidity_2m": 50,
                "wind_direction_10m": 180,
            },  # fmt: skip
            "hourly": {
                "time": HOURS,
                "temperature_2m": [float(i) for i in range(48)],
                "precipitation": [0.1] * 48,
                "wind_speed_10m": [3.0] * 48,
            },
        }
    )


def stand_in(server: LoopbackServer) -> WeatherTool:
    """Route both endpoints and return a tool pointed at them."""
    server.route("/v1/search", geocode)
    server.route("/v1/forecast", forecast)
    return WeatherTool(f"{server.url}/v1/search", f"{server.url}/v1/forecast", timeout=2)


async def call(tool: WeatherTool, **arguments: Any) -> Any:
    """Run and parse."""
    return json.loads(await tool.run(arguments))


async def test_metric_report(http_server: LoopbackServer) -> None:
    report = await call(stand_in(http_server), location="Paris")
    assert report["location"]["name"] == "Paris" and report["location"]["country"] == "France"
    assert report["unit"] == "METRIC" and report["units"]["temperature"] == "°C"
    assert report["current"]["temperature"] == 20.0
    assert report["current"]["conditions"] == "partly cloudy"
    assert len(report["hourly"]) == 24
    assert report["hourly"][0] == {"time": "2024-06-01T10:00", "temperature": 10.0,
                                   "precipitation": 0.1, "wind_speed": 3.0}  # fmt: skip
    query = http_server.requests[-1].query
    assert query["latitude"] == ["48.85"] and query["forecast_hours"] == ["24"]
    assert "temperature_unit" not in query


async def test_uscs_units(http_server: LoopbackServer) -> None:
    report = await call(stand_in(http_server), location="Paris", unit="USCS")
    assert report["current"]["temperature"] == 68.0
    assert report["units"] == {"temperature": "°F", "precipitation": "inch", "wind_speed": "mph"}
    query = http_server.requests[-1].query
    assert query["wind_speed_unit"] == ["mph"] and query["precipitation_unit"] == ["inch"]


async def test_place_with_region_falls_back_to_town(http_server: LoopbackServer) -> None:
    report = await call(stand_in(http_server), location="Paris, France")
    assert report["location"]["name"] == "Paris"


async def test_unknown_place(http_server: LoopbackServer) -> None:
    assert await call(stand_in(http_server), location="Atlantis") == {"error": "unknown place 'Atlantis'"}


async def test_server_down(closed_port_url: str) -> None:
    tool = WeatherTool(f"{closed_port_url}/v1/search", f"{closed_port_url}/v1/forecast", 1)
    result = await call(tool, location="Paris")
    assert "unreachable" in result["error"]


async def test_server_error_and_bad_arguments(http_server: LoopbackServer) -> None:
    http_server.route("/v1/search", Reply(503, b"down"))
    tool = WeatherTool(f"{http_server.url}/v1/search", f"{http_server.url}/v1/forecast")
    assert await call(tool, location="Paris") == {"error": "the geocoding service answered HTTP 503"}
    assert "error" in await call(tool, location="")
    assert "error" in await call(tool, location="Paris", unit="KELVIN")


def test_spec() -> None:
    spec = WeatherTool().spec
    assert spec.name == "get_current_weather"
    assert spec.parameters["required"] == ["location"]
    assert spec.parameters["properties"]["unit"]["enum"] == ["METRIC", "USCS"]
