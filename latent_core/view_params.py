"""A view's settings as text for the page address, read back strictly.

A shared link carries widget values (a class, slider positions, a map's layout) as query
parameters. Anything a reader of the address cannot trust is refused here, so the page uses
its default instead: unknown choices, numbers outside a widget's range or off its step,
lists of the wrong length, and any spelling other than a plain decimal (no ``nan``, ``inf``,
exponents, leading zeros or spaces).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

__all__ = ["format_number", "format_numbers", "parse_choice", "parse_int", "parse_listed_int", "parse_number",
           "parse_numbers"]

_INTEGER = re.compile(r"0|-?[1-9]\d{0,8}")  # as str(int) writes it: no leading zeros, no "-0"
_DECIMAL = re.compile(r"-?(0|[1-9]\d{0,8})(\.\d{1,17})?")
_ON_STEP = 1e-6  # how far (in steps) a value may be off its step grid and still be read as on it


def parse_choice(text: str, options: Sequence[str]) -> str | None:
    """``text`` when it is exactly one of ``options``, else None."""
    return text if text in options else None


def parse_int(text: str, low: int, high: int) -> int | None:
    """A whole number written plainly and within ``low`` … ``high``, else None."""
    if not _INTEGER.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


def parse_listed_int(text: str, allowed: Sequence[int]) -> int | None:
    """A whole number written plainly that is one of ``allowed`` (an epoch a history recorded), else None."""
    value = parse_int(text, min(allowed), max(allowed)) if len(allowed) else None
    return value if value in {int(item) for item in allowed} else None


def _decimals(step: float) -> int:
    return max(0, -math.floor(math.log10(step))) if step < 1 else 0


def parse_number(text: str, low: float, high: float, step: float) -> float | None:
    """A plain decimal within ``low`` … ``high`` on the grid ``low + k·step``, rounded to the step's
    decimals (so 0.30000000000000004 and 0.3 read alike), else None."""
    if step <= 0:
        raise ValueError(f"step must be positive, got {step!r}.")
    if not _DECIMAL.fullmatch(text):
        return None
    value = float(text)
    steps = (value - low) / step
    if not low - step * _ON_STEP <= value <= high + step * _ON_STEP or abs(steps - round(steps)) > _ON_STEP:
        return None
    return min(max(round(low + round(steps) * step, _decimals(step)), low), high)


def parse_numbers(text: str, count: int, low: float, high: float, step: float) -> list[float] | None:
    """Exactly ``count`` comma-separated numbers, each as :func:`parse_number` reads it, else None."""
    parts = text.split(",")
    if len(parts) != count:
        return None
    values = [parse_number(part, low, high, step) for part in parts]
    return None if any(value is None for value in values) else values


def format_number(value: float, step: float) -> str:
    """A slider value as the address shows it: rounded to the step's decimals, no trailing zeros."""
    text = f"{round(float(value), _decimals(step)):.{_decimals(step)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_numbers(values: Sequence[float], step: float) -> str:
    """Slider values as one comma-separated address value."""
    return ",".join(format_number(value, step) for value in values)
