"""The library builder end to end on a tiny spec: one bundle trained for one epoch on the
8×8 digits into a scratch library, measured with the evaluation module's metric names,
listed in the index the app reads and in the report."""

import importlib.util
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from latent_core import pretrained

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def builder(tmp_path, monkeypatch):
    """``scripts/build_pretrained.py`` as a module, writing into a scratch library."""
    monkeypatch.syspath_prepend(str(ROOT / "scripts"))
    spec = importlib.util.spec_from_file_location("build_pretrained", ROOT / "scripts" / "build_pretrained.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # its dataclasses look their module up
    spec.loader.exec_module(module)
    library = tmp_path / "pretrained"
    for name, path in (("PRETRAINED_DIR", library), ("MODELS_DIR", library / pretrained.MODELS_DIR),
                       ("CLASSIFIERS_DIR", library / pretrained.CLASSIFIERS_DIR),
                       ("BUILDING_DIR", library / ".building"), ("INDEX_PATH", library / pretrained.INDEX_FILENAME),
                       ("REPORT_PATH", tmp_path / "pretrained.md")):
        monkeypatch.setattr(module, name, path)
    return module


def test_the_command_line_builds_one_bundle_by_name(builder):
    args = builder.build_parser().parse_args(["--only", "digits_ae_8"])
    assert args.only == ["digits_ae_8"]
    with pytest.raises(SystemExit):
        builder.build_parser().parse_args(["--only", "no_such_bundle"])


def test_one_quick_bundle_lands_in_the_index_and_the_report(builder):
    builder.build(replace(builder.SPECS["digits_ae_8"], epochs=1))
    entry = pretrained.get_entry("digits_ae_8", root=builder.PRETRAINED_DIR)
    assert {"test_mse", "test_psnr", "sample_mse", "pca_test_mse"} == set(entry.metrics)
    assert pretrained.load_latent_map("digits_ae_8", root=builder.PRETRAINED_DIR).codes.shape[1] == 8
    report = builder.REPORT_PATH.read_text(encoding="utf-8")
    assert f"| digits_ae_8 | dense_ae | 8 | {entry.metrics['test_mse']:.4f} |" in report


def test_the_library_stores_latent_codes_at_half_precision_and_reads_them_as_float32(builder):
    import numpy as np

    from latent_core import history

    builder.build(replace(builder.SPECS["digits_ae_8"], epochs=1))
    folder = builder.MODELS_DIR / "digits_ae_8"
    for filename in (pretrained.LATENT_MAP_FILENAME, history.HISTORY_FILENAME):
        with np.load(folder / filename) as arrays:
            assert arrays["codes"].dtype == np.float16, filename
    assert pretrained.load_latent_map("digits_ae_8", root=builder.PRETRAINED_DIR).codes.dtype == np.float32
    assert history.load_history(folder).codes.dtype == np.float32


def test_the_roll_bundle_starts_from_its_layout_and_records_how_far_its_code_follows_the_roll(builder, monkeypatch):
    from latent_core import history, manifold

    quick = manifold.LayoutStart(layout_epochs=2, decoder_epochs=1)
    started, original = [], manifold.train_from_layout
    monkeypatch.setattr(manifold, "train_from_layout", lambda *args, **options: started.append(args[2].shape)
                        or original(*args, start=quick, **options))
    builder.build(replace(builder.SPECS["swiss_roll_ae_2"], epochs=30, history_epochs=5))
    assert started == [(2400, 2)]  # Isomap's layout of every training point
    entry = pretrained.get_entry("swiss_roll_ae_2", root=builder.PRETRAINED_DIR)
    assert 0.0 <= entry.metrics["fresh_roll_order"] <= 1.0
    folder = builder.PRETRAINED_DIR / entry.path
    recorded = history.load_history(folder)
    assert list(recorded.epochs) == [0, 8, 15, 22, 30] and recorded.labels is not None  # thinned; test positions
    assert "swiss_roll_ae_2: one code axis follows the roll" in builder.REPORT_PATH.read_text(encoding="utf-8")
