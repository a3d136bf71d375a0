"""The `get_current_weather` function: geocode a place, then read Open-Meteo's forecast."""

from __future__ import annotations

from typing import Any

from smarter_tui.domain.tools import ToolKind, ToolSpec
from smarter_tui.plugins._common import to_json

GEOCODING_URL = "https://geocoding-api.open-meteo.com/v1/search"
FORECAST_URL = "https://api.open-meteo.com/v1/forecast"
HOURS = 24

#: WMO weather interpretation codes used by Open-Meteo.
WEATHER_CODES = {
    0: "clear sky", 1: "mainly clear", 2: "partly cloudy", 3: "overcast", 45: "fog",
    48: "depositing rime fog", 51: "light drizzle", 53: "moderate drizzle", 55: "dense drizzle",
    56: "light freezing drizzle", 57: "dense freezing drizzle", 61: "slight rain",
    63: "moderate rain", 65: "heavy rain", 66: "light freezing rain", 67: "heavy freezing rain",
    71: "slight snow fall", 73: "moderate snow fall", 75: "heavy snow fall", 77: "snow grains",
    80: "slight rain showers", 81: "moderate rain showers", 82: "violent rain showers",
    85: "slight snow showers", 86: "heavy snow showers", 95: "thunderstorm",
    96: "thunderstorm with slight hail", 99: "thunderstorm with heavy hail",
}  # fmt: skip

_UNITS = {
    "METRIC": {"temperature": "°C", "precipitation": "mm", "wind_speed": "km/h"},
    "USCS": {"temperature": "°F", "precipitation": "inch", "wind_speed": "mph"},
}


class WeatherError(Exception):
    """The weather could not be fetched; the message is shown to the model."""


class WeatherTool:
    """The built-in `get_current_weather` function (Open-Meteo, no API key)."""

    def __init__(
        self,
        geocoding_url: str = GEOCODING_URL,
        forecast_url: str = FORECAST_URL,
        timeout: float = 10,
    ) -> None:
        """Create the tool; the URLs are configurable so tests can use a local stand-in."""
        self.geocoding_url = geocoding_url
        self.forecast_url = forecast_url
        self.timeout = timeout
        self.spec = ToolSpec(
            name="get_current_weather",
            description=(
                "Get the current weather and the hourly forecast for the next 24 hours "
                "(temperature, precipitation, wind) for a place name."
            ),
            parameters={
                "type": "object",
                "properties": {
                    "location": {
                        "type": "string",
                        "description": "A place name, e.g. 'Paris' or 'Austin, Texas'.",
                    },
                    "unit": {
                        "type": "string",
                        "enum": list(_UNITS),
                        "default": "METRIC",
                        "description": "METRIC (°C, mm, km/h) or USCS (°F, inch, mph).",
                    },
                },
                "required": ["location"],
            },
            kind=ToolKind.FUNCTION,
            source="get_current_weather",
        )

    async def run(self, arguments: dict[str, Any]) -> str:
        """Return {location, unit, units, current, hourly[24]} or {"error": ...} as JSON."""
        arguments = arguments or {}
        location = str(arguments.get("location") or "").strip()
        unit = str(arguments.get("unit") or "METRIC").strip().upper()
        if not location:
            return to_json({"error": "'location' is required"})
        if unit not in _UNITS:
            return to_json({"error": "unit must be METRIC or USCS"})
        try:
            return to_json(await self.fetch(location, unit))
        except WeatherError as exc:
            return to_json({"error": str(exc)})

    async def fetch(self, location: str, unit: str = "METRIC") -> dict[str, Any]:
        """Return the weather report for a place; raises WeatherError."""
        import httpx  # heavy: imported on first call

        try:
            async with httpx.AsyncClient(timeout=self.timeout, follow_redirects=True) as client:
                place = await self._geocode(client, location)
                params: dict[str, Any] = {
                    "latitude": place["latitude"],
                    "longitude": place["longitude"],
                    "current": "temperature_2m,relative_humidity_2m,apparent_temperature,"
                    "precipitation,weather_code,wind_speed_10m,wind_direction_10m",
                    "hourly": "temperature_2m,precipitation,wind_speed_10m,weather_code",
                    "forecast_hours": HOURS,
                    "timezone": "auto",
                }
                if unit == "USCS":
                    params.update(
                        temperature_unit="fahrenheit",
                        wind_speed_unit="mph",
                        precipitation_unit="inch",
                    )
                forecast = await _get_json(client, self.forecast_url, params, "weather service")
        except httpx.TimeoutException:
            raise WeatherError(f"the weather service did not answer within {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise WeatherError(f"the weather service is unreachable ({type(exc).__name__})") from None
        return _report(place, unit, forecast)

    async def _geocode(self, client: Any, location: str) -> dict[str, Any]:
        params = {"name": location, "count": 1, "language": "en", "format": "json"}
        data = await _get_json(client, self.geocoding_url, params, "geocoding service")
        results = data.get("results") if isinstance(data, dict) else None
        if not results and "," in location:  # "Austin, Texas": the geocoder wants the town only
            params["name"] = location.split(",")[0].strip()
            data = await _get_json(client, self.geocoding_url, params, "geocoding service")
            results = data.get("results") if isinstance(data, dict) else None
        if not results or not isinstance(results[0], dict):
            raise WeatherError(f"unknown place {location!r}")
        place = results[0]
        if place.get("latitude") is None or place.get("longitude") is None:
            raise WeatherError(f"the geocoding service gave no coordinates for {location!r}")
        return place


async def _get_json(client: Any, url: str, params: dict[str, Any], what: str) -> Any:
    response = await client.get(url, params=params)
    if response.status_code >= 400:
        raise WeatherError(f"the {what} answered HTTP {response.status_code}")
    try:
        return response.json()
    except ValueError:
        raise WeatherError(f"the {what} returned an unreadable answer") from None


def _report(place: dict[str, Any], unit: str, forecast: Any) -> dict[str, Any]:
    if not isinstance(forecast, dict):
        raise WeatherError("the weather service returned an unreadable answer")
    current = forecast.get("current") or {}
    code = current.get("weather_code")
    hourly = forecast.get("hourly") or {}
    times = list(hourly.get("time") or [])
    start = 0
    now = str(current.get("time") or "")
    if now:  # skip hours already past when the service sends the whole day
        hour = now[:13]
        start = next((i for i, t in enumerate(times) if str(t)[:13] >= hour), 0)

    def column(name: str, index: int) -> Any:
        values = hourly.get(name) or []
        return values[index] if index < len(values) else None

    rows = [
        {
            "time": times[i],
            "temperature": column("temperature_2m", i),
            "precipitation": column("precipitation", i),
            "wind_speed": column("wind_speed_10m", i),
        }
        for i in range(start, min(start + HOURS, len(times)))
    ]
    return {
        "location": {
            key: place.get(key)
            for key in ("name", "admin1", "country", "latitude", "longitude", "timezone")
            if place.get(key) is not None
        },
        "unit": unit,
        "units": _UNITS[unit],
        "current": {
            "time": current.get("time"),
            "temperature": current.get("temperature_2m"),
            "apparent_temperature": current.get("apparent_temperature"),
            "humidity_percent": current.get("relative_humidity_2m"),
            "precipitation": current.get("precipitation"),
            "wind_speed": current.get("wind_speed_10m"),
            "wind_direction_degrees": current.get("wind_direction_10m"),
            "conditions": WEATHER_CODES.get(code) if isinstance(code, int) else None,
        },
        "hourly": rows,
    }
