"""Server-side SVG bar charts: they print, download and work without JavaScript."""

from __future__ import annotations

from xml.sax.saxutils import escape

PALETTE = ("#1b4f8a", "#c05200", "#1e6b34", "#5b2a86", "#7a4b00", "#b3261e", "#00707a", "#4d5259")


def bar_chart(title: str, labels: list[str], values: list[int | None], *, width: int = 720, height: int = 320,
              note: str = "") -> str:
    """A titled bar chart (``None`` values are drawn as a gap marked "–", e.g. suppressed or unpublished)."""
    left, right, top, bottom = 48, 16, 40, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    highest = max([v for v in values if v is not None] or [0]) or 1
    step = _nice_step(highest)
    ceiling = step * -(-highest // step)
    description = "; ".join(f"{label}: {'–' if value is None else value}" for label, value in zip(labels, values))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="t d" font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="t">{escape(title)}</title>',
        f'<desc id="d">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{left}" y="24" font-size="15" font-weight="700" fill="#1f2328">{escape(title)}</text>',
    ]
    for tick in range(0, ceiling + 1, step):
        y = top + plot_h - plot_h * tick / ceiling
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d5d8dc"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#4d5259">{tick}</text>')
    slot = plot_w / max(len(labels), 1)
    bar = max(min(slot * 0.7, 60), 2)
    for index, (label, value) in enumerate(zip(labels, values)):
        x = left + slot * index + (slot - bar) / 2
        cx = x + bar / 2
        if value is None:
            parts.append(f'<text x="{cx:.1f}" y="{top + plot_h - 4}" text-anchor="middle" fill="#4d5259">–</text>')
        else:
            h = plot_h * value / ceiling
            parts.append(f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                         f'fill="{PALETTE[0]}"><title>{escape(label)}: {value}</title></rect>')
            parts.append(f'<text x="{cx:.1f}" y="{top + plot_h - h - 4:.1f}" text-anchor="middle" fill="#1f2328">{value}</text>')
        parts.append(f'<text x="{cx:.1f}" y="{top + plot_h + 16}" text-anchor="middle" fill="#1f2328">{escape(label[:14])}</text>')
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#1f2328"/>')
    if note:
        parts.append(f'<text x="{left}" y="{height - 10}" fill="#4d5259">{escape(note)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _nice_step(highest: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000, 50_000):
        if highest / step <= 6:
            return step
    return 10 ** (len(str(highest)) - 1)
