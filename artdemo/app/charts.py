"""Plotly figures shared by the Streamlit pages and the Gradio variant.

Figures only draw what the library computed (predictions, confusion matrices,
balance tables); they never read files or call models.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from artdemo.app.words import pretty

ACCENT = "#9c2f2f"  # the theme's primary colour (museum red)
MUTED = "#b8b2a7"
TRUTH = "#2f6f4f"
FONT = dict(family="Source Sans Pro, sans-serif", size=14)


def probability_bars(classes: list[str], probabilities: list[float], predicted: str,
                     truth: str | None = None, title: str = "", height: int | None = None) -> go.Figure:
    """Horizontal bars of calibrated probabilities, most likely on top; the prediction in
    the accent colour, the museum's label outlined and marked "(museum)" on its axis label."""
    order = np.argsort(probabilities)
    names = [classes[i] for i in order]
    values = [float(probabilities[i]) for i in order]
    colours = [ACCENT if n == predicted else MUTED for n in names]
    outline = [3 if n == truth else 0 for n in names]
    labels = [f"<b>{pretty(n)}</b> (museum)" if n == truth else pretty(n) for n in names]
    text = [f"{v:.0%}" for v in values]
    fig = go.Figure(go.Bar(
        x=values, y=labels, orientation="h", marker=dict(color=colours, line=dict(color=TRUTH, width=outline)),
        text=text, textposition="outside", cliponaxis=False, textfont=dict(size=13),
        hovertemplate="%{y}: %{x:.1%}<extra></extra>",
    ))
    fig.update_layout(
        title=title or None, font=FONT, height=height or max(140, 34 * len(classes) + 50),
        margin=dict(l=10, r=10, t=40 if title else 10, b=10),
        xaxis=dict(range=[0, 1.22], tickformat=".0%", showgrid=False, visible=False),
        yaxis=dict(automargin=True), showlegend=False,
    )
    return fig


def confusion_heatmap(matrix: np.ndarray, classes: list[str], normalised: bool = False,
                      title: str = "") -> go.Figure:
    """The confusion matrix (rows: museum label, columns: prediction) as a heat map.

    Heat-map cells can't be selected in Plotly, so an invisible square marker sits on
    every cell: clicking a cell selects that marker, and st.plotly_chart(on_select=...)
    reports its `customdata` = [true class, predicted class]. (Streamlit keys a chart's
    selection to its figure, so the figure must not change with the selection.)
    """
    matrix = np.asarray(matrix, dtype=float)
    names = [pretty(c) for c in classes]
    text = [[f"{v:.0%}" if normalised else f"{int(v)}" for v in row] for row in matrix]
    fig = go.Figure(go.Heatmap(
        z=matrix, x=names, y=names, colorscale="Reds", text=text, texttemplate="%{text}",
        zmin=0, zmax=1 if normalised else max(1.0, float(matrix.max())), showscale=False,
        hoverinfo="skip", xgap=2, ygap=2,
    ))
    xs, ys, custom = [], [], []
    for i, true in enumerate(classes):
        for j, pred in enumerate(classes):
            xs.append(names[j]); ys.append(names[i]); custom.append([true, pred])
    fig.add_trace(go.Scatter(
        x=xs, y=ys, mode="markers", customdata=custom,
        marker=dict(symbol="square", size=30, opacity=0.01, color="black"),
        hovertemplate="museum label: %{y}<br>predicted: %{x}<extra>click to see these images</extra>",
        showlegend=False,
    ))
    size = 70 + 48 * len(classes)
    fig.update_layout(
        title=title or None, font=FONT, height=size + 90, margin=dict(l=10, r=10, t=40 if title else 10, b=10),
        xaxis=dict(title="predicted", side="bottom", tickangle=-35, fixedrange=True, range=[-0.5, len(classes) - 0.5],
                   showgrid=False, zeroline=False),
        yaxis=dict(title="museum label", range=[len(classes) - 0.5, -0.5], fixedrange=True, showgrid=False,
                   zeroline=False),
        clickmode="event+select", dragmode=False, hovermode="closest",
        hoverdistance=-1,  # anywhere in a cell picks that cell's (nearest) marker
    )
    return fig


def selected_cell(event: object) -> tuple[str, str] | None:
    """(true, predicted) from st.plotly_chart's selection event on a confusion heat map."""
    try:
        points = event["selection"]["points"]  # type: ignore[index]
    except (KeyError, TypeError):
        points = getattr(getattr(event, "selection", None), "points", None)
    for point in points or []:
        custom = point.get("customdata") if isinstance(point, dict) else None
        if custom and len(custom) == 2:
            return str(custom[0]), str(custom[1])
    return None


def balance_bars(table: pd.DataFrame, category: str, value: str = "count", colour: str | None = None,
                 title: str = "", horizontal: bool = True, percent: bool = False) -> go.Figure:
    """Bars of a balance table (one bar per category, optionally stacked by `colour`)."""
    frame = table.copy()
    frame[category] = frame[category].astype(str).map(pretty)
    traces = []
    groups = [(None, frame)] if colour is None else list(frame.groupby(colour, sort=False))
    for name, part in groups:
        kwargs = dict(x=part[value], y=part[category]) if horizontal else dict(x=part[category], y=part[value])
        traces.append(go.Bar(
            name=str(name) if name is not None else value, orientation="h" if horizontal else "v",
            marker_color=ACCENT if colour is None else None,
            hovertemplate=("%{y}" if horizontal else "%{x}") + ": %{" + ("x" if horizontal else "y") + (":.1%" if percent else ":,") + "}<extra></extra>",
            **kwargs,
        ))
    fig = go.Figure(traces)
    n = frame[category].nunique()
    fig.update_layout(
        title=title or None, font=FONT, barmode="stack", showlegend=colour is not None,
        height=max(260, 26 * n + 120) if horizontal else 420, margin=dict(l=10, r=10, t=50 if title else 10, b=10),
        legend=dict(orientation="h", y=-0.15),
    )
    axis = dict(tickformat=".0%") if percent else {}
    if horizontal:
        fig.update_yaxes(autorange="reversed", automargin=True)
        fig.update_xaxes(**axis)
    else:
        fig.update_yaxes(**axis)
    return fig
