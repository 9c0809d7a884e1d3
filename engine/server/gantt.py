"""The night as a Gantt chart in SVG: one row per job run, a bar from start to end in its
status colour, the expected end as a dashed outline, the deadline as a red tick, and the
present time as a vertical line. Plain SVG: no script, prints and scales."""
from __future__ import annotations

import datetime as _dt
from html import escape

from engine.server.night import NightItem

ROW, LEFT, WIDTH, TOP = 22, 150, 900, 28


def gantt_svg(items: list[NightItem], lo: _dt.datetime, hi: _dt.datetime, now: _dt.datetime | None = None) -> str:
    now = now or _dt.datetime.now()
    starts = [i.start for i in items if i.start]
    ends = [t for i in items for t in (i.end, i.expected_end, i.deadline) if t]
    if starts:                                   # zoom on the part of the day that has runs
        lo = max(lo, min(starts) - _dt.timedelta(minutes=10))
        hi = min(hi, max(ends + starts + ([now] if lo <= now <= hi else [])) + _dt.timedelta(minutes=10))
    span = max((hi - lo).total_seconds(), 60.0)

    def x(t: _dt.datetime) -> float:
        return LEFT + max(0.0, min(1.0, (t - lo).total_seconds() / span)) * WIDTH

    height = TOP + ROW * max(len(items), 1) + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="gantt" viewBox="0 0 {LEFT + WIDTH + 20} {height}" '
           f'width="100%" role="img" aria-label="Gantt of the night">',
           '<style>text{font:11px sans-serif}</style>']
    # hour grid
    step = _dt.timedelta(hours=1) if span > 3 * 3600 else _dt.timedelta(minutes=10) if span > 1800 \
        else _dt.timedelta(minutes=2)
    t = lo.replace(minute=0, second=0, microsecond=0)
    while t <= hi:
        if t >= lo:
            out.append(f'<line x1="{x(t):.1f}" y1="{TOP - 8}" x2="{x(t):.1f}" y2="{height}" stroke="#ddd"/>')
            out.append(f'<text x="{x(t) + 2:.1f}" y="{TOP - 12}">{t:%H:%M}</text>')
        t += step
    for n, item in enumerate(items):
        y = TOP + n * ROW
        label = f"{item.job} {item.run_id or ''}"
        out.append(f'<text x="4" y="{y + 14}">{escape(label)}</text>')
        if item.start:
            end = item.end or now
            out.append(f'<rect x="{x(item.start):.1f}" y="{y + 3}" width="{max(x(end) - x(item.start), 2):.1f}" '
                       f'height="{ROW - 7}" fill="{item.colour}" stroke="#555"><title>{escape(label)} '
                       f'{item.label} {item.start:%H:%M:%S}–{item.end:%H:%M:%S}</title></rect>'
                       if item.end else
                       f'<rect x="{x(item.start):.1f}" y="{y + 3}" width="{max(x(end) - x(item.start), 2):.1f}" '
                       f'height="{ROW - 7}" fill="{item.colour}" stroke="#555"><title>{escape(label)} '
                       f'{item.label} since {item.start:%H:%M:%S}</title></rect>')
            if item.expected_end and (item.end is None or item.expected_end > item.end):
                out.append(f'<rect x="{x(item.start):.1f}" y="{y + 3}" '
                           f'width="{max(x(item.expected_end) - x(item.start), 2):.1f}" height="{ROW - 7}" '
                           f'fill="none" stroke="#333" stroke-dasharray="4 2"><title>expected end '
                           f'{item.expected_end:%H:%M:%S}</title></rect>')
        elif item.expected_end:
            out.append(f'<text x="{LEFT + 4}" y="{y + 14}" fill="#555">{escape(item.label)}</text>')
        if item.deadline:
            out.append(f'<line x1="{x(item.deadline):.1f}" y1="{y + 1}" x2="{x(item.deadline):.1f}" y2="{y + ROW - 2}" '
                       f'stroke="#d00" stroke-width="2"><title>deadline {item.deadline:%H:%M}</title></line>')
    if lo <= now <= hi:
        out.append(f'<line x1="{x(now):.1f}" y1="{TOP - 8}" x2="{x(now):.1f}" y2="{height}" stroke="#1565c0" '
                   f'stroke-width="1.5"><title>now {now:%H:%M}</title></line>')
    out.append("</svg>")
    return "\n".join(out)
