"""The training command line: trains, prints a progress bar and saves a bundle."""

import pytest

from latent_core import store
from latent_core.train import main


def test_command_line_trains_and_saves_a_loadable_bundle(tmp_path, capsys):
    out = tmp_path / "bundle"
    code = main(["--dataset", "digits", "--model", "vae", "--latent-dim", "2", "--epochs", "1",
                 "--max-train", "200", "--max-test", "50", "--batch-size", "50",
                 "--option", "architecture=\"conv\"", "--option", "beta=0.5", "--out", str(out)])
    assert code == 0
    err = capsys.readouterr().err
    assert "epoch 1/1 [" in err and "100%" in err and "ETA 00:00" in err and f"saved {out}" in err
    bundle = store.load_bundle(out)
    assert bundle.model.kind == "vae" and bundle.model.options["architecture"] == "conv"
    assert bundle.model.options["beta"] == 0.5
    assert bundle.manifest["dataset"]["name"] == "digits"
    assert {"test_mse", "test_psnr", "pca_test_mse"} <= set(bundle.manifest["metrics"])


def test_command_line_explains_bad_options(tmp_path, capsys):
    assert main(["--dataset", "digits", "--model", "conv_ae", "--max-train", "50",
                 "--option", "downsample=\"avg\"", "--out", str(tmp_path)]) == 2
    assert "downsample must be one of" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--dataset", "digits", "--model", "transformer", "--out", str(tmp_path)])
