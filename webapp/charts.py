"""Server-rendered SVG charts for the monitoring pages (9.1): no script, text escaped, readable at any width."""
from __future__ import annotations

from markupsafe import Markup, escape

PALETTE = ("#1f5f99", "#2e8b57", "#c0392b", "#c77700", "#6c4f9e", "#17808a", "#8a5a17", "#5b6776")


def hbars(labels: list[str], series: list[tuple[str, list[int]]], classes: tuple[str, ...] = ()) -> Markup:
    """Horizontal bars, one group per label, one bar per series (e.g. completed / passed / failed per activity)."""
    if not labels:
        return Markup("")
    top, row, bar = 12 + 20 * ((len(series) + 1) // 2), 14 + 18 * len(series), 15
    width, left, right = 480, 170, 36
    height = top + row * len(labels) + 8
    largest = max([1, *(v for _, values in series for v in values)])
    parts = [_legend([name for name, _ in series])]
    for i, label in enumerate(labels):
        y = top + i * row
        parts.append(f'<text x="{left - 8}" y="{y + row / 2 + 4}" text-anchor="end" class="axis">{escape(_short(label, 18))}'
                     f'<title>{escape(label)}</title></text>')
        for j, (name, values) in enumerate(series):
            length = (width - left - right) * values[i] / largest
            parts.append(f'<rect x="{left}" y="{y + 6 + j * 18}" width="{length:.1f}" height="{bar}" '
                         f'fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(name)}: {values[i]}</title></rect>'
                         f'<text x="{left + length + 4:.1f}" y="{y + 18 + j * 18}" class="value">{values[i]}</text>')
    return _svg(width, height, parts)


def columns(periods: list[str], series: list[tuple[str, list[int]]]) -> Markup:
    """Stacked columns over time: one column per period (month), one colour per series (activity)."""
    if not periods:
        return Markup("")
    width, left, bottom, top = 480, 40, 40, 20 + 20 * ((len(series) + 1) // 2)
    height = top + 180 + bottom
    totals = [sum(values[i] for _, values in series) for i in range(len(periods))]
    largest = max([1, *totals])
    step = (width - left - 10) / len(periods)
    parts = [_legend([name for name, _ in series]), f'<line x1="{left}" y1="{top + 180}" x2="{width - 10}" '
             f'y2="{top + 180}" class="axisline"/>', f'<text x="{left - 6}" y="{top + 8}" text-anchor="end" '
             f'class="axis">{largest}</text>', f'<text x="{left - 6}" y="{top + 180}" text-anchor="end" class="axis">0</text>']
    for i, period in enumerate(periods):
        x, base = left + i * step + step * 0.15, top + 180.0
        for j, (name, values) in enumerate(series):
            h = 180 * values[i] / largest
            base -= h
            if values[i]:
                parts.append(f'<rect x="{x:.1f}" y="{base:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" '
                             f'fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(period)} · {escape(name)}: '
                             f'{values[i]}</title></rect>')
        parts.append(f'<text x="{x + step * 0.35:.1f}" y="{top + 196}" text-anchor="middle" class="axis">'
                     f'{escape(period)}</text><text x="{x + step * 0.35:.1f}" y="{base - 4:.1f}" '
                     f'text-anchor="middle" class="value">{totals[i]}</text>')
    return _svg(width, height, parts)


def _legend(names: list[str]) -> str:
    items = []
    for j, name in enumerate(names):
        x, y = 8 + (j % 2) * 236, 6 + (j // 2) * 20
        items.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{PALETTE[j % len(PALETTE)]}"/>'
                     f'<text x="{x + 17}" y="{y + 11}" class="legend">{escape(_short(name, 24))}'
                     f'<title>{escape(name)}</title></text>')
    return "".join(items)


def _short(text: str, limit: int = 32) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _svg(width: int, height: float, parts: list[str]) -> Markup:
    return Markup(f'<svg class="chart" viewBox="0 0 {width} {height:.0f}" role="img" '
                  f'xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>')
