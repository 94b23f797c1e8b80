"""Charts drawn on the server as SVG (#20): no script, no library to vendor, readable without colour. Each chart
has a title and a description for screen readers, and the page shows the same figures in a table beside it."""

from __future__ import annotations

from html import escape
from typing import List, Sequence, Union

from markupsafe import Markup

Value = Union[int, str]  # a count, or "< 5" for a small one

BAR = "#1d5c8c"
TEXT = "#1a1a1a"


def columns(ident: str, title: str, description: str, labels: Sequence[str], values: Sequence[Value]) -> Markup:
    """A column chart: one column per period, its value above it ("< 5" drawn as a thin mark)."""
    width, height, top, bottom, left = 640, 240, 24, 56, 8
    slot = (width - left) / max(len(values), 1)
    largest = max([v for v in values if isinstance(v, int)] or [1]) or 1
    parts: List[str] = []
    for i, (label, value) in enumerate(zip(labels, values)):
        number = value if isinstance(value, int) else 0
        bar = (height - top - bottom) * number / largest
        x, y = left + i * slot + slot * 0.15, height - bottom - bar
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{max(bar, 2):.1f}" fill="{BAR}"/>'
        )
        parts.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{y - 6:.1f}" text-anchor="middle" fill="{TEXT}" '
            f'font-size="13">{escape(str(value))}</text>'
        )
        parts.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{height - bottom + 18:.1f}" text-anchor="middle" '
            f'fill="{TEXT}" font-size="12">{escape(_short(label))}</text>'
        )
    return _svg(ident, title, description, width, height, parts)


def bars(ident: str, title: str, description: str, labels: Sequence[str], values: Sequence[Value]) -> Markup:
    """A bar chart: one bar per row (topics), the label left, the value at the end of the bar."""
    row, label_width, width = 26, 260, 640
    height = row * len(values) + 8
    largest = max([v for v in values if isinstance(v, int)] or [1]) or 1
    parts: List[str] = []
    for i, (label, value) in enumerate(zip(labels, values)):
        number = value if isinstance(value, int) else 0
        bar = (width - label_width - 60) * number / largest
        y = 4 + i * row
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end" fill="{TEXT}" font-size="13">'
            f"{escape(_short(label, 36))}</text>"
        )
        parts.append(f'<rect x="{label_width}" y="{y + 4}" width="{max(bar, 2):.1f}" height="{row - 8}" fill="{BAR}"/>')
        parts.append(
            f'<text x="{label_width + max(bar, 2) + 6:.1f}" y="{y + 17}" fill="{TEXT}" font-size="13">'
            f"{escape(str(value))}</text>"
        )
    return _svg(ident, title, description, width, height, parts)


def _svg(ident: str, title: str, description: str, width: int, height: int, parts: List[str]) -> Markup:
    body = "".join(parts)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d"><title id="{ident}-t">{escape(title)}</title>'
        f'<desc id="{ident}-d">{escape(description)}</desc>'
        f"{body}</svg>"
    )
    return Markup(svg)  # noqa: S704 (every text in it is escaped above)


def _short(text: str, limit: int = 16) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
