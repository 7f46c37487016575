"""Small inline SVG charts for the dashboard: no JavaScript, readable without colour alone."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

from qserve.formats import Figures

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ENGLISH = Figures("en")
STAFFING_TITLE = "%(hour)s needed %(needed)s, open %(open)s"


def _svg(width: int, height: int, body: list[str], label: str) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(body)}</svg>'
    )


def heatmap(
    grid: list[list[int]],
    *,
    label: str = "Arrivals by hour and weekday",
    weekdays: list[str] | None = None,
    figures: Figures = ENGLISH,
) -> Markup:
    """Draw arrivals as a weekday x hour grid, darker where more people arrived."""
    names = weekdays or WEEKDAYS
    hours = [h for h in range(24) if any(grid[d][h] for d in range(7))] or list(range(8, 18))
    days = [d for d in range(7) if any(grid[d])] or list(range(5))
    top = max((grid[d][h] for d in days for h in hours), default=0) or 1
    cell, head = 22, 16
    left = max(34, 8 + 7 * max(len(name) for name in names))
    body = []
    for column, hour in enumerate(hours):
        body.append(
            f'<text x="{left + column * cell + cell / 2}" y="11" class="axis" '
            f'text-anchor="middle">{hour}</text>'
        )
    for row, day in enumerate(days):
        y = head + row * cell
        body.append(f'<text x="0" y="{y + 15}" class="axis">{escape(names[day])}</text>')
        for column, hour in enumerate(hours):
            count = grid[day][hour]
            shade = 0.08 + 0.92 * count / top if count else 0.03
            body.append(
                f'<rect x="{left + column * cell}" y="{y}" width="{cell - 2}" height="{cell - 2}" rx="3" '
                f'fill="#1f6feb" fill-opacity="{shade:.2f}">'
                f"<title>{escape(names[day])} {figures.hour(hour)} - {figures.number(count)}</title></rect>"
            )
    return _svg(left + len(hours) * cell, head + len(days) * cell, body, label)


def scatter(
    pairs: list[tuple[float, float]],
    *,
    label: str = "Predicted versus actual wait",
    axes: tuple[str, str] = ("predicted (min)", "actual (min)"),
    figures: Figures = ENGLISH,
) -> Markup:
    """Plot predicted (x) against actual (y) waits in minutes with the line where they agree."""
    size, pad = 220, 28
    top = max([max(p, a) for p, a in pairs] + [600]) / 60
    scale = (size - pad - 8) / top
    body = [
        f'<line x1="{pad}" y1="{size - pad}" x2="{size - 8}" y2="8" class="diagonal"/>',
        f'<line x1="{pad}" y1="{size - pad}" x2="{size - 8}" y2="{size - pad}" class="frame"/>',
        f'<line x1="{pad}" y1="8" x2="{pad}" y2="{size - pad}" class="frame"/>',
        f'<text x="{size / 2}" y="{size - 6}" class="axis" text-anchor="middle">{escape(axes[0])}</text>',
        f'<text x="10" y="{size / 2}" class="axis" transform="rotate(-90 10 {size / 2})" '
        f'text-anchor="middle">{escape(axes[1])}</text>',
        f'<text x="{size - 8}" y="{size - pad + 12}" class="axis" text-anchor="end">'
        f"{figures.number(top)}</text>",
    ]
    for predicted, actual in pairs[:1500]:
        x = pad + predicted / 60 * scale
        y = size - pad - actual / 60 * scale
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" class="dot"/>')
    return _svg(size, size, body, label)


def staffing(
    rows: list[dict],
    *,
    label: str = "Counters needed and open per hour",
    title: str = STAFFING_TITLE,
    figures: Figures = ENGLISH,
) -> Markup:
    """Draw counters needed (bars) next to counters open (dark ticks) for each hour; `title` says both
    for one hour (%(hour)s, %(needed)s, %(open)s)."""
    if not rows:
        return Markup("")
    top = max(max(r["counters_needed"], r["counters_open"]) for r in rows) or 1
    width, height, bar = 30 * len(rows) + 20, 150, 30
    inner = height - 44
    body = []
    for index, row in enumerate(rows):
        x = 10 + index * bar
        need = inner * row["counters_needed"] / top
        opened = inner * row["counters_open"] / top
        body.append(
            f'<rect x="{x + 4}" y="{18 + inner - need:.1f}" width="{bar - 8}" '
            f'height="{need:.1f}" class="need">'
            f"<title>{escape(title % _hour_figures(row, figures))}</title></rect>"
        )
        body.append(
            f'<text x="{x + bar / 2}" y="{14 + inner - need:.1f}" class="axis" text-anchor="middle">'
            f"{row['counters_needed']}</text>"
        )
        body.append(
            f'<rect x="{x + 2}" y="{18 + inner - opened - 1.5:.1f}" width="{bar - 4}" '
            'height="3" class="open"/>'
        )
        body.append(
            f'<text x="{x + bar / 2}" y="{height - 12}" class="axis" '
            f'text-anchor="middle">{row["hour"]}</text>'
        )
    return _svg(width, height, body, label)


def _hour_figures(row: dict, figures: Figures) -> dict:
    return {
        "hour": figures.hour(row["hour"]),
        "needed": figures.number(row["counters_needed"]),
        "open": figures.number(row["counters_open"], 1),
    }


def bars(
    items: list[tuple[str, float]], *, write: Callable[[float], str] = ENGLISH.amount, label: str = ""
) -> Markup:
    """Draw horizontal bars, one per (label, value), with the value written at the end by `write`."""
    if not items:
        return Markup("")
    top = max(value for _, value in items) or 1
    width, row = 380, 22
    body = []
    for index, (name, value) in enumerate(items):
        y = index * row
        length = 150 * value / top
        body.append(f'<text x="0" y="{y + 15}" class="axis">{escape(name[:24])}</text>')
        body.append(f'<rect x="150" y="{y + 4}" width="{length:.1f}" height="{row - 8}" class="bar"/>')
        body.append(f'<text x="{154 + length:.1f}" y="{y + 15}" class="axis">{escape(write(value))}</text>')
    return _svg(width, row * len(items), body, label)
