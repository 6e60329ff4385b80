"""Risk over time as an SVG, drawn on the server so it prints (matplotlib, Agg; no pyplot state).

Two panels on one time axis: screening levels as a step line above; missing episodes as bars
and police gradings as coloured markers below. The SVG carries a <title> and <desc>, and the
child page has the same data as a table for anyone who cannot see the chart.
"""

import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from xml.sax.saxutils import escape

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

LEVEL_Y = {"none": 0, "low": 1, "medium": 2, "high": 3}
GRADE_COLOURS = {
    "very_low": "#00703c",
    "low": "#00703c",
    "medium": "#f47738",
    "high": "#d4351c",
}
GRADE_MARKERS = {"very_low": "v", "low": "v", "medium": "s", "high": "^"}


@dataclass(frozen=True)
class EpisodeBar:
    start: datetime
    end: datetime | None


@dataclass(frozen=True)
class GradingPoint:
    at: datetime
    grade: str
    label: str


@dataclass(frozen=True)
class LevelPoint:
    at: datetime
    level: str


def _range(
    episodes: list[EpisodeBar],
    gradings: list[GradingPoint],
    levels: list[LevelPoint],
    now: datetime,
) -> tuple[datetime, datetime]:
    times = [e.start for e in episodes] + [g.at for g in gradings] + [p.at for p in levels]
    start = min(times, default=now - timedelta(days=365))
    start = min(start, now - timedelta(days=90))
    return start - timedelta(days=7), now + timedelta(days=3)


def risk_chart_svg(
    *,
    reference: str,
    episodes: list[EpisodeBar],
    gradings: list[GradingPoint],
    levels: list[LevelPoint],
    now: datetime,
) -> str:
    """The chart as SVG text. ``reference`` is the child's Lantern reference, never a name."""
    left, right = _range(episodes, gradings, levels, now)
    figure = Figure(figsize=(9, 4), dpi=100)
    FigureCanvasSVG(figure)
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=[1, 1])

    top.set_title("Exploitation screening level", loc="left", fontsize=10)
    if levels:
        xs = [p.at for p in levels] + [now]
        ys = [LEVEL_Y[p.level] for p in levels] + [LEVEL_Y[levels[-1].level]]
        top.step(xs, ys, where="post", color="#1d70b8", linewidth=2)
        top.plot(xs[:-1], ys[:-1], "o", color="#1d70b8")
    else:
        top.text(0.5, 0.5, "No completed screenings", transform=top.transAxes, ha="center")
    top.set_yticks(range(4), ["None", "Low", "Medium", "High"])
    top.set_ylim(-0.5, 3.5)
    top.grid(axis="y", color="#dddddd")

    bottom.set_title("Missing episodes and police gradings", loc="left", fontsize=10)
    for e in episodes:
        end = e.end or now
        # Episodes last hours against a scale of months: give each bar a visible minimum width.
        width = max(end - e.start, (right - left) / 300)
        bottom.broken_barh(
            [(mdates.date2num(e.start), width.total_seconds() / 86400)],
            (0.6, 0.8),
            color="#505a5f" if e.end else "#d4351c",
        )
    for grade in GRADE_COLOURS:
        points = [g for g in gradings if g.grade == grade]
        if points:
            bottom.plot(
                [g.at for g in points],
                [2] * len(points),
                GRADE_MARKERS[grade],
                color=GRADE_COLOURS[grade],
                markersize=8,
                label=points[0].label,
            )
    other = [g for g in gradings if g.grade not in GRADE_COLOURS]
    if other:
        bottom.plot([g.at for g in other], [2] * len(other), "o", color="#505a5f", label="Other")
    bottom.set_yticks([1, 2], ["Episodes", "Police grading"])
    bottom.set_ylim(0, 2.8)
    if gradings:
        bottom.legend(loc="upper left", fontsize=8, frameon=False, ncols=4)
    bottom.set_xlim(left, right)
    bottom.axvline(now, color="#1d70b8", linestyle=":", linewidth=1)
    locator = mdates.AutoDateLocator()
    bottom.xaxis.set_major_locator(locator)
    bottom.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    figure.tight_layout()

    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    title = f"Risk over time for {reference}"
    desc = (
        f"{len(episodes)} missing episodes, {len(gradings)} police gradings and "
        f"{len(levels)} completed screenings"
        + (f"; latest screening level {levels[-1].level}" if levels else "")
        + f", from {left:%d %B %Y} to {now:%d %B %Y}."
    )
    return _label(svg, escape(title), escape(desc))


def _label(svg: str, title: str, desc: str) -> str:
    """Give the root <svg> an accessible name: role, aria-labelledby, <title> and <desc>."""
    match = re.search(r"<svg\b[^>]*>", svg)
    if match is None:
        return svg
    opening = match.group(0)
    labelled = opening[:-1] + ' role="img" aria-labelledby="risk-chart-title risk-chart-desc">'
    inner = f'<title id="risk-chart-title">{title}</title><desc id="risk-chart-desc">{desc}</desc>'
    return svg[: match.start()] + labelled + inner + svg[match.end() :]
