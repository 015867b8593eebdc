"""WCAG 2.1 contrast between two sRGB colours written as #rrggbb.

See https://www.w3.org/TR/WCAG21/#dfn-relative-luminance and #dfn-contrast-ratio.
"""

import math
import re

HEX_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")

# WCAG 2.1 success criterion 1.4.3 (AA) for normal text.
MIN_CONTRAST = 4.5


def _linear(channel: int) -> float:
    value = channel / 255
    # WCAG 2.1 writes 0.03928 where the sRGB standard says 0.04045; no 8-bit value falls
    # between the two, so both give the same results.
    if value <= 0.03928:
        return value / 12.92
    return ((value + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """Relative luminance of `colour` (#rrggbb), from 0 for black to 1 for white."""
    if not HEX_COLOUR_RE.match(colour):
        raise ValueError(f"Not a #rrggbb colour: {colour!r}")
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _linear(red) + 0.7152 * _linear(green) + 0.0722 * _linear(blue)


def contrast_ratio(first: str, second: str) -> float:
    """Contrast ratio between two colours, from 1 (same luminance) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def format_ratio(ratio: float) -> str:
    """The ratio as people write it ("4.48:1"), rounded down so a refused pair never reads 4.5:1."""
    shown = math.floor(ratio * 100 + 1e-9) / 100  # the epsilon keeps 2.3 from reading 2.29
    return f"{shown:.2f}".rstrip("0").rstrip(".") + ":1"
