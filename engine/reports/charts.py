"""Small horizontal bar charts as SVG for the report's PDF (WeasyPrint draws inline SVG)."""
from __future__ import annotations

from html import escape

ROW, LABEL, WIDTH = 22, 190, 480
COLOURS = ("#2b6cb0", "#68a063")


def bars(title: str, rows: list[tuple[str, tuple[float, ...]]], legend: tuple[str, ...], scale: float | None = None
         ) -> str:
    """One row per label with one bar per series; ``scale`` the value of a full bar (the largest by default)."""
    top = max([scale or 0.0] + [v for _, values in rows for v in values]) or 1.0
    height = 40 + ROW * len(rows) * max(len(legend), 1) + 20
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH + LABEL + 60}" height="{height}" '
             f'font-family="DejaVu Sans" font-size="10"><text x="0" y="14" font-weight="bold">{escape(title)}</text>']
    for index, name in enumerate(legend):
        x = LABEL + index * 150
        parts.append(f'<rect x="{x}" y="22" width="10" height="10" fill="{COLOURS[index % 2]}"/>'
                     f'<text x="{x + 14}" y="31">{escape(name)}</text>')
    y = 40
    for label, values in rows:
        parts.append(f'<text x="0" y="{y + 12}">{escape(label[:34])}</text>')
        for index, value in enumerate(values):
            length = max(value / top * WIDTH, 0.0)
            parts.append(f'<rect x="{LABEL}" y="{y}" width="{length:.1f}" height="{ROW - 6}" '
                         f'fill="{COLOURS[index % 2]}"/><text x="{LABEL + length + 4:.1f}" y="{y + 12}">'
                         f'{value:g}</text>')
            y += ROW
    parts.append("</svg>")
    return "".join(parts)
