"""The app's charts, as Altair (Vega-Lite) specs drawn in the browser from inline data.

Nothing is fetched to draw them: no map tiles, no remote data; coordinates are plotted on
plain longitude and latitude axes. Every chart has a title and labelled axes with units.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt

STATUS_COLOURS = alt.Scale(
    domain=["optimal", "feasible", "infeasible", "this scenario"],
    range=["#1f77b4", "#ff7f0e", "#d62728", "#2ca02c"],
)


def _padded(values: Sequence[float], share: float = 0.08) -> list[float]:
    low, high = min(values), max(values)
    pad = max((high - low) * share, 0.2)
    return [low - pad, high + pad]


def network(geography: Mapping[str, Any], title: str) -> alt.LayerChart:
    """Sites (sized by calls, crossed when outside the promise), stations (filled when open,
    labelled with their technicians) and each site's line to its station."""
    stations = {s["id"]: s for s in geography["stations"]}
    sites = [
        {
            "site": s["id"],
            "city": s["city"],
            "lon": s["lon"],
            "lat": s["lat"],
            "calls a year": round(s["emergency_calls"], 1),
            "station": s["station"] or "none",
            "travel h": None if s["travel_hours"] is None else round(s["travel_hours"], 2),
            "promise": "outside the promise" if s["within_promise"] is False else "within",
        }
        for s in geography["sites"]
    ]
    lines = []
    for s in geography["sites"]:
        to = stations.get(s["station"]) if s["station"] else None
        if to is None:
            continue
        for lon, lat in ((s["lon"], s["lat"]), (to["lon"], to["lat"])):
            lines.append({"pair": f"{s['id']}→{to['id']}", "lon": lon, "lat": lat})
    points = [
        {
            "station": s["id"],
            "city": s["city"],
            "lon": s["lon"],
            "lat": s["lat"],
            "state": "open" if s["open"] else "closed",
            "technicians": s["technicians"],
            "on duty": s["on_duty"],
            "label": f"{s['technicians']} tech." if s["open"] else "",
        }
        for s in geography["stations"]
    ]
    lons = [p["lon"] for p in sites + points]
    lats = [p["lat"] for p in sites + points]
    x = alt.X("lon:Q", title="longitude (°E)", scale=alt.Scale(domain=_padded(lons)))
    y = alt.Y("lat:Q", title="latitude (°N)", scale=alt.Scale(domain=_padded(lats)))
    assign = (
        alt.Chart(alt.Data(values=lines))
        .mark_line(color="#999999", strokeWidth=1, opacity=0.7)
        .encode(x=x, y=y, detail="pair:N")
    )
    site_marks = (
        alt.Chart(alt.Data(values=sites))
        .mark_point(filled=True, opacity=0.8)
        .encode(
            x=x,
            y=y,
            size=alt.Size("calls a year:Q", title="emergency calls a year"),
            shape=alt.Shape(
                "promise:N",
                title="site",
                scale=alt.Scale(
                    domain=["within", "outside the promise"], range=["circle", "cross"]
                ),
            ),
            color=alt.Color(
                "promise:N",
                title="site",
                scale=alt.Scale(
                    domain=["within", "outside the promise"], range=["#4c78a8", "#d62728"]
                ),
            ),
            tooltip=["site:N", "city:N", "calls a year:Q", "station:N", "travel h:Q", "promise:N"],
        )
    )
    station_marks = (
        alt.Chart(alt.Data(values=points))
        .mark_square(size=160, strokeWidth=2)
        .encode(
            x=x,
            y=y,
            fill=alt.Fill(
                "state:N",
                title="station",
                scale=alt.Scale(domain=["open", "closed"], range=["#2ca02c", "#ffffff"]),
            ),
            stroke=alt.value("#2ca02c"),
            tooltip=["station:N", "city:N", "state:N", "technicians:Q", "on duty:Q"],
        )
    )
    labels = (
        alt.Chart(alt.Data(values=points))
        .mark_text(align="left", dx=9, dy=-9, fontSize=11)
        .encode(x=x, y=y, text="label:N")
    )
    return (
        alt.layer(assign, site_marks, station_marks, labels)
        .resolve_scale(color="independent", shape="independent")
        .properties(title=title, height=520)
    )


def cost_curve(
    points: Sequence[Mapping[str, Any]],
    own: Mapping[str, Any] | None,
    *,
    x: str,
    x_title: str,
    y: str,
    y_title: str,
    title: str,
    x_percent: bool = False,
) -> alt.LayerChart:
    """A cost curve: ``points`` (each with a ``status``) joined by a line, and the
    scenario's ``own`` point marked."""
    fmt = ".2%" if x_percent else ",.2f"
    xs = alt.X(f"{x}:Q", title=x_title, axis=alt.Axis(format=".2%" if x_percent else None))
    xs = xs.scale(zero=False)
    ys = alt.Y(f"{y}:Q", title=y_title, scale=alt.Scale(zero=False), axis=alt.Axis(format="~s"))
    solved = [p for p in points if p.get(y) is not None and p.get(x) is not None]
    tooltip = [
        alt.Tooltip(f"{x}:Q", title=x_title, format=fmt),
        alt.Tooltip(f"{y}:Q", title=y_title, format=",.0f"),
        alt.Tooltip("status:N", title="status"),
    ]
    line = alt.Chart(alt.Data(values=list(solved))).mark_line(color="#888888").encode(x=xs, y=ys)
    dots = (
        alt.Chart(alt.Data(values=list(solved)))
        .mark_point(filled=True, size=70)
        .encode(
            x=xs,
            y=ys,
            color=alt.Color("status:N", title="point", scale=STATUS_COLOURS),
            tooltip=tooltip,
        )
    )
    layers = [line, dots]
    if own is not None and own.get(x) is not None and own.get(y) is not None:
        mine = dict(own, status="this scenario")
        layers.append(
            alt.Chart(alt.Data(values=[mine]))
            .mark_point(shape="diamond", size=260, filled=True)
            .encode(
                x=xs,
                y=ys,
                color=alt.Color("status:N", title="point", scale=STATUS_COLOURS),
                tooltip=tooltip,
            )
        )
    return alt.layer(*layers).properties(title=title, height=380)


def check(rows: Sequence[Mapping[str, Any]], title: str) -> alt.LayerChart:
    """Each promise's simulated mean with its 95 % interval (error bar) and the optimisers'
    prediction (a tick), red where they disagree."""
    data = [dict(r, item=f"{r['kpi']} · {r['region']}") for r in rows]
    y = alt.Y("item:N", title="KPI · region", sort=None, axis=alt.Axis(labelLimit=300))
    colour = alt.Color(
        "agrees:N",
        title="prediction inside the interval",
        scale=alt.Scale(domain=["yes", "NO"], range=["#4c78a8", "#d62728"]),
    )
    values = [v for r in rows for v in (r["lo"], r["hi"], r["predicted"])]
    x_title = "share (simulated mean, 95 % interval; tick: predicted)"
    axis = alt.Axis(format=".0%")
    scale = alt.Scale(domain=[max(0.0, min(values) - 0.02), min(1.0, max(values) + 0.01)])
    x = alt.X("simulated:Q", title=x_title, axis=axis, scale=scale)
    base = alt.Chart(alt.Data(values=data))
    bars = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("lo:Q", title=x_title, axis=axis, scale=scale), x2="hi:Q", y=y, color=colour
    )
    means = base.mark_point(filled=True, size=50).encode(
        x=x,
        y=y,
        color=colour,
        tooltip=["kpi:N", "region:N", "predicted:Q", "simulated:Q", "lo:Q", "hi:Q", "agrees:N"],
    )
    predicted = base.mark_tick(color="black", thickness=2, size=14).encode(
        x=alt.X("predicted:Q", title=x_title, axis=axis, scale=scale), y=y
    )
    return alt.layer(bars, means, predicted).properties(
        title=title, height=max(200, 18 * len(data))
    )


def cost_components(rows: Sequence[Mapping[str, Any]], title: str) -> alt.Chart:
    """Each scenario's annual cost stacked by component (``scenario``, ``component``,
    ``amount`` in CNY a year)."""
    return (
        alt.Chart(alt.Data(values=list(rows)))
        .mark_bar()
        .encode(
            x=alt.X("amount:Q", title="annual cost (CNY a year)", axis=alt.Axis(format="~s")),
            y=alt.Y("scenario:N", title="scenario", sort=None, axis=alt.Axis(labelLimit=300)),
            color=alt.Color("component:N", title="cost component", sort=None),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("scenario:N", title="scenario"),
                alt.Tooltip("component:N", title="component"),
                alt.Tooltip("amount:Q", title="CNY a year", format=",.0f"),
            ],
        )
        .properties(title=title, height=max(160, 48 * len({r["scenario"] for r in rows})))
    )


def kpi_deltas(rows: Sequence[Mapping[str, Any]], title: str) -> alt.Chart:
    """Each KPI's change against the baseline, in percent of the baseline's value
    (``metric``, ``scenario``, ``change`` as a share, ``delta`` and ``unit`` for the tooltip)."""
    return (
        alt.Chart(alt.Data(values=list(rows)))
        .mark_bar()
        .encode(
            x=alt.X(
                "change:Q",
                title="change against the baseline (% of its value)",
                axis=alt.Axis(format=".1%"),
            ),
            y=alt.Y(
                "metric:N",
                title="KPI",
                sort=None,
                axis=alt.Axis(labelLimit=300, labelOverlap=False),
            ),
            yOffset=alt.YOffset("scenario:N", sort=None),
            color=alt.Color("scenario:N", title="scenario", sort=None),
            tooltip=[
                alt.Tooltip("metric:N", title="KPI"),
                alt.Tooltip("scenario:N", title="scenario"),
                alt.Tooltip("delta:Q", title="change", format=",.4~f"),
                alt.Tooltip("unit:N", title="unit"),
                alt.Tooltip("change:Q", title="% of the baseline", format=".2%"),
            ],
        )
        .properties(title=title, height=max(240, 30 * len(rows)))
    )
