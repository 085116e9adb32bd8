"""Plotly figures shared by several pages."""

from __future__ import annotations

import plotly.graph_objects as go


def loss_figure(history: dict[str, list[float]], *, title: str, x_title: str, y_title: str) -> go.Figure:
    """Loss curves per epoch, one line per loss; a loss equal to one already drawn
    (an autoencoder's ``reconstruction_loss`` is its ``loss``) is left out."""
    drawn: dict[str, list[float]] = {}
    for name, values in history.items():
        if values not in drawn.values():
            drawn[name] = values
    epochs = max((len(values) for values in drawn.values()), default=0)
    figure = go.Figure([go.Scatter(x=list(range(1, len(values) + 1)), y=values, mode="lines+markers", name=name)
                        for name, values in drawn.items()])
    figure.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, height=320,
                         margin={"t": 40, "b": 0, "l": 0, "r": 0})
    figure.update_xaxes(tickmode="linear", tick0=1, dtick=max(1, epochs // 10))
    return figure
