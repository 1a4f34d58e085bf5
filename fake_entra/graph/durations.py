"""ISO 8601 durations, as Graph writes ``schedule.interval`` (``PT40M``) and as the clock
endpoint takes them.

Graph serializes .NET TimeSpans: days, hours, minutes and seconds, never years or
months (their length is not fixed), so neither are accepted here.
"""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(
    r"^P(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)

#: .NET ``TimeSpan.MaxValue``: a disabled job's schedule interval [G …post-jobs.md].
NEVER = "P10675199DT2H48M5.4775807S"


def parse_duration(text: str) -> timedelta:
    """``PT40M``, ``P1DT2H``, ``PT0.5S``; raises ValueError for anything else."""
    match = _DURATION.match(text.strip())
    if match is None or text.strip() in ("P", "PT") or text.strip().endswith("T"):
        raise ValueError(f"'{text}' is not an ISO 8601 duration such as PT40M")
    parts = {name: float(value) for name, value in match.groupdict().items() if value}
    return timedelta(
        days=parts.get("days", 0),
        hours=parts.get("hours", 0),
        minutes=parts.get("minutes", 0),
        seconds=parts.get("seconds", 0),
    )


def format_duration(delta: timedelta) -> str:
    """The shortest ISO 8601 form: ``PT40M``, ``P1DT2H``, ``PT0S``."""
    total_microseconds = delta // timedelta(microseconds=1)
    if total_microseconds < 0:
        raise ValueError("durations are not negative")
    days, rest = divmod(total_microseconds, 86_400_000_000)
    hours, rest = divmod(rest, 3_600_000_000)
    minutes, rest = divmod(rest, 60_000_000)
    seconds, micro = divmod(rest, 1_000_000)
    time = ""
    if hours:
        time += f"{hours}H"
    if minutes:
        time += f"{minutes}M"
    if seconds or micro:
        time += f"{seconds}.{micro:06d}".rstrip("0").rstrip(".") + "S"
    text = "P" + (f"{days}D" if days else "")
    if time:
        text += "T" + time
    return text if text != "P" else "PT0S"
