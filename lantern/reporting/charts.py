"""Server-rendered charts: matplotlib draws SVG, shown as an image beside the table it comes from.

The charts are drawn from the same Table objects the page prints, so the table is always the
accessible version of the chart. SVG goes in a ``data:`` image URL: the Content Security Policy
allows data images but not inline styles, which matplotlib's SVG uses. Figures are drawn with
the object-oriented API (no pyplot), so no global backend or state is shared between requests.
"""

import base64
import io
from dataclasses import dataclass

import matplotlib
from matplotlib.figure import Figure

from lantern.reporting.figures import Figures, Table

PALETTE = ["#24406b", "#f0b323", "#1d5cb3", "#00703c", "#b45309", "#4c2c92"]
INK = "#1d232b"
matplotlib.rcParams.update(
    {
        "svg.fonttype": "none",
        "font.family": "sans-serif",
        "font.size": 10,
        "axes.edgecolor": "#b1b4b6",
        "axes.labelcolor": INK,
        "xtick.color": INK,
        "ytick.color": INK,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)


@dataclass(frozen=True)
class Chart:
    key: str
    alt: str
    data_url: str


def _svg(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _numbers(table: Table, column: int) -> list[float]:
    values = [row[column] for row in table.rows]
    return [float(v) if isinstance(v, int | float) else 0.0 for v in values]


def grouped_bars(table: Table, columns: list[int], title: str) -> str:
    """Horizontal bars, one group per row and one bar per chosen column."""
    labels = [str(row[0]) for row in table.rows]
    fig = Figure(figsize=(7, 0.5 + 0.45 * len(labels) * max(1, len(columns) * 0.7)))
    ax = fig.subplots()
    height = 0.8 / len(columns)
    positions = range(len(labels))
    for n, column in enumerate(columns):
        values = _numbers(table, column)
        bars = ax.barh(
            [p + n * height for p in positions],
            values,
            height=height,
            color=PALETTE[n % len(PALETTE)],
            label=table.columns[column],
        )
        ax.bar_label(bars, labels=[f"{v:,.0f}" for v in values], padding=3, fontsize=9)
    ax.set_yticks([p + height * (len(columns) - 1) / 2 for p in positions], labels)
    ax.invert_yaxis()
    ax.set_title(title, loc="left", fontsize=11, color=INK)
    if len(columns) > 1:
        ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.margins(x=0.15)
    return _svg(fig)


def stacked_columns(table: Table, title: str) -> str:
    """Columns over time, one stacked segment per series (the table's other columns)."""
    labels = [str(row[0]) for row in table.rows]
    fig = Figure(figsize=(8, 3.4))
    ax = fig.subplots()
    bottom = [0.0] * len(labels)
    for n, column in enumerate(range(1, len(table.columns))):
        values = _numbers(table, column)
        ax.bar(
            labels,
            values,
            bottom=bottom,
            color=PALETTE[n % len(PALETTE)],
            label=table.columns[column],
        )
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_title(title, loc="left", fontsize=11, color=INK)
    ax.tick_params(axis="x", labelrotation=45)
    ax.legend(frameon=False, fontsize=8, ncols=2, loc="upper left", bbox_to_anchor=(0, -0.3))
    return _svg(fig)


def for_figures(figures: Figures) -> dict[str, Chart]:
    """A chart for each table that reads well as one; keyed by the table's key."""
    charts: dict[str, Chart] = {}
    categories = figures.table("categories")
    charts["categories"] = Chart(
        "categories",
        "Bar chart of incidents and children by category; the figures are in the table below.",
        grouped_bars(categories, [1, 2], "Incidents and children"),
    )
    durations = figures.table("durations")
    charts["durations"] = Chart(
        "durations",
        "Bar chart of how long episodes lasted; the figures are in the table below.",
        grouped_bars(durations, [1], "Incidents by duration"),
    )
    rhi = figures.table("rhi")
    charts["rhi"] = Chart(
        "rhi",
        "Bar chart of return interviews offered, accepted and completed; figures below.",
        grouped_bars(rhi, [1], "Return interviews (episodes)"),
    )
    trend = figures.table("trend")
    charts["trend"] = Chart(
        "trend",
        "Stacked column chart of incidents by month and category; the figures are in the "
        "table below.",
        stacked_columns(trend, "Incidents by month"),
    )
    return charts
