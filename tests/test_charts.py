"""Shared charts."""

from ui.charts import loss_figure


def test_loss_figure_skips_duplicate_curves_and_counts_epochs_from_one():
    figure = loss_figure({"loss": [0.3, 0.2], "reconstruction_loss": [0.3, 0.2], "val_loss": [0.35, 0.25]},
                         title="Loss", x_title="Epoch", y_title="Loss")
    assert [trace.name for trace in figure.data] == ["loss", "val_loss"]
    assert list(figure.data[0].x) == [1, 2]
    assert figure.layout.xaxis.dtick == 1 and figure.layout.xaxis.tick0 == 1


def test_long_runs_get_fewer_ticks():
    figure = loss_figure({"loss": [1.0] * 50}, title="", x_title="", y_title="")
    assert figure.layout.xaxis.dtick == 5
