"""Draw a map to SVG or PNG bytes on the server, for reports and PDFs: geopandas + matplotlib.

Pure: takes ``MapLayers`` and returns bytes; no database, no access rules (the caller passes only
what the viewer may see). The base layer is the 2025 upper-tier local authority boundaries
shipped in ``lantern/geo/data`` (ONS, OGL v3): no tile server anywhere.
"""

import io
import math
from functools import cache
from typing import Any

import geopandas as gpd
import numpy as np
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from lantern.geo import areas
from lantern.geo.postcodes import DATA_DIR
from lantern.intelligence.maps import MapLayers

BOUNDARIES = DATA_DIR / "england_utla_2025.geojson"
ATTRIBUTION = (
    "Contains OS data © Crown copyright and database right 2025. "
    "Source: Office for National Statistics, Open Government Licence v3.0."
)
INK = "#1d232b"
LAND = "#f3f4f6"
EDGE = "#8a9099"
FOUND = "#1d5cb3"
HOTSPOT = "#c5221f"
FLOW = "#b45309"
# The image draws the heaviest flows only (the page's table lists them all): thousands of
# arrows are unreadable and slow to draw.
MAX_DRAWN_FLOWS = 300


@cache
def boundaries() -> gpd.GeoDataFrame:
    frame = gpd.read_file(BOUNDARIES)
    region_of = {la.ons_code: la.region_code for la in areas.upper_tier_las()}
    frame["region"] = frame["code"].map(region_of).fillna("")
    return frame


@cache
def boundaries_geojson(region: str = "") -> bytes:
    """The boundaries as GeoJSON bytes for Leaflet, optionally one region's only."""
    if not region:
        return BOUNDARIES.read_bytes()
    frame = boundaries()
    return frame[frame["region"] == region][["code", "name", "geometry"]].to_json().encode()


def render(layers: MapLayers, fmt: str = "svg") -> bytes:
    """The map as SVG or PNG bytes."""
    if fmt not in ("svg", "png"):
        raise ValueError("fmt must be svg or png")
    frame = boundaries()
    shown = frame[frame["region"] == layers.region] if layers.region else frame
    fig = Figure(figsize=(7.5, 8.5))
    ax = fig.subplots()
    ax.set_axis_off()
    if layers.choropleth:
        counts = shown["code"].map(layers.choropleth).fillna(0)
        top = max(1, int(counts.max()))
        shown.assign(count=counts).plot(
            ax=ax,
            column="count",
            cmap="Blues",
            norm=Normalize(0, top),
            edgecolor=EDGE,
            linewidth=0.3,
            legend=True,
            legend_kwds={"label": layers.choropleth_label or "Episodes", "shrink": 0.5},
        )
    else:
        shown.plot(ax=ax, color=LAND, edgecolor=EDGE, linewidth=0.3)
    bounds = list(shown.total_bounds) if len(shown) else [-6.5, 49.8, 2.0, 55.9]
    region_bounds = list(bounds)
    _points(ax, layers)
    for flow in layers.flows:
        for lat, long in (flow.origin_at, flow.destination_at):
            bounds = [
                min(bounds[0], long),
                min(bounds[1], lat),
                max(bounds[2], long),
                max(bounds[3], lat),
            ]
    if layers.region and bounds != region_bounds:
        # Flows leave the region: draw the authorities around it too, lightly, for context.
        around = frame.cx[bounds[0] : bounds[2], bounds[1] : bounds[3]]
        around = around[around["region"] != layers.region]
        around.plot(ax=ax, color="#fafafa", edgecolor="#c8ccd0", linewidth=0.2, zorder=0)
    _flows(ax, layers)
    pad_x = (bounds[2] - bounds[0]) * 0.05 + 0.02
    pad_y = (bounds[3] - bounds[1]) * 0.05 + 0.02
    ax.set_xlim(bounds[0] - pad_x, bounds[2] + pad_x)
    ax.set_ylim(bounds[1] - pad_y, bounds[3] + pad_y)
    ax.set_aspect(1 / math.cos(math.radians((bounds[1] + bounds[3]) / 2)))
    ax.set_title(layers.title, loc="left", fontsize=11, color=INK)
    fig.text(0.01, 0.01, ATTRIBUTION, fontsize=6, color="#505a5f")
    buffer = io.BytesIO()
    metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {}
    fig.savefig(buffer, format=fmt, bbox_inches="tight", dpi=110, metadata=metadata)
    return buffer.getvalue()


def render_svg(layers: MapLayers) -> bytes:
    return render(layers, "svg")


def render_png(layers: MapLayers) -> bytes:
    return render(layers, "png")


def _size(count: int, largest: int) -> float:
    return 12 + 400 * math.sqrt(count / max(1, largest))


def _points(ax: Any, layers: MapLayers) -> None:
    found = [p for p in layers.points if p.found]
    hot = [p for p in layers.points if p.hotspots]
    largest = max([p.found for p in found] + [p.hotspots for p in hot] + [1])
    if found:
        ax.scatter(
            [p.long for p in found],
            [p.lat for p in found],
            s=[_size(p.found, largest) for p in found],
            color=FOUND,
            alpha=0.55,
            edgecolors="white",
            linewidths=0.6,
            label="Children found (episodes)",
            zorder=3,
        )
    if hot:
        ax.scatter(
            [p.long for p in hot],
            [p.lat for p in hot],
            s=[_size(p.hotspots, largest) for p in hot],
            color=HOTSPOT,
            marker="^",
            alpha=0.75,
            edgecolors="white",
            linewidths=0.6,
            label="Hotspots",
            zorder=4,
        )
    if found or hot:
        ax.legend(loc="upper left", frameon=False, fontsize=8, markerscale=0.5)


def _flows(ax: Any, layers: MapLayers) -> None:
    """Curved lines, thicker for more episodes, with an arrowhead at the destination: drawn as
    two collections (one draw call each), so hundreds of flows stay fast."""
    if not layers.flows:
        return
    flows = sorted(layers.flows, key=lambda f: f.count)[-MAX_DRAWN_FLOWS:]
    if len(layers.flows) > MAX_DRAWN_FLOWS:
        ax.text(
            0.01,
            0.99,
            f"The {MAX_DRAWN_FLOWS} largest of {len(layers.flows):,} flows",
            transform=ax.transAxes,
            fontsize=7,
            va="top",
            color=INK,
        )
    counts = np.array([f.count for f in flows], dtype=float)
    start = np.array([(f.origin_at[1], f.origin_at[0]) for f in flows])
    end = np.array([(f.destination_at[1], f.destination_at[0]) for f in flows])
    chord = end - start
    normal = np.column_stack([-chord[:, 1], chord[:, 0]])
    control = (start + end) / 2 + 0.18 * normal
    t = np.linspace(0, 1, 24)[None, :, None]
    curves = (
        (1 - t) ** 2 * start[:, None] + 2 * (1 - t) * t * control[:, None] + t**2 * end[:, None]
    )
    widths = 0.4 + 4.5 * counts / counts.max()
    alpha = 0.7 if len(flows) < 50 else 0.45
    ax.add_collection(
        LineCollection(
            curves, linewidths=widths, colors=FLOW, alpha=alpha, zorder=5, capstyle="round"
        )
    )
    direction = end - control
    length = np.hypot(direction[:, 0], direction[:, 1])
    length[length == 0] = 1
    unit = direction / length[:, None]
    side = np.column_stack([-unit[:, 1], unit[:, 0]])
    span = float(np.ptp(np.vstack([start, end])[:, 0]))
    size = ((0.04 + 0.02 * widths) * max(0.2, span / 8))[:, None]
    heads = np.stack(
        [end, end - unit * size + side * size * 0.5, end - unit * size - side * size * 0.5], axis=1
    )
    ax.add_collection(PolyCollection(heads, facecolors=FLOW, edgecolors=FLOW, alpha=0.85, zorder=6))
    ends = {f.origin: f.origin_at for f in flows} | {f.destination: f.destination_at for f in flows}
    ax.scatter(
        [p[1] for p in ends.values()], [p[0] for p in ends.values()], s=8, color=INK, zorder=7
    )
