"""The sandbox that parses uploads: a light child process with memory, CPU and time limits,
whose refusals and results reach the server unchanged, and which is replaced when a limit
kills it."""

from __future__ import annotations

import dataclasses
import io
import sys

import numpy as np
import pytest
from bad_inputs import BY_ID, digit_png, heavy_model_bytes, npz, zip_of

from latent_core import images, sandbox, user_data
from latent_core.uploads import MIB, ParseLimits, UploadRefused

LIMITS = ParseLimits()


def describe(limits: ParseLimits = LIMITS) -> dict:
    return sandbox.run("describe", b"", {}, name="-", limits=limits, error=UploadRefused)[0]


def heavy_npz() -> bytes:
    """A legal .npz of 20,000 64×64 images: 80 KB compressed, 328 MB as float32."""
    return npz(compressed=True, x=np.zeros((20_000, 64, 64), np.uint8))



def assert_same_refusal(sandboxed, in_place, code: str) -> None:
    """A refusal raised in the child arrives as the same class, code, message and details."""
    assert type(sandboxed) is type(in_place)
    assert (sandboxed.code, str(sandboxed)) == (in_place.code, str(in_place)) == (code, str(in_place))
    assert sandboxed.details == in_place.details

def test_the_child_imports_neither_tensorflow_nor_streamlit_though_the_server_does():
    import streamlit  # noqa: F401
    import tensorflow  # noqa: F401

    assert {"tensorflow", "streamlit"} <= set(sys.modules)
    images.read_picture(digit_png(), name="digit.png")
    user_data.load_user_dataset(zip_of({"a/1.png": digit_png(1), "b/2.png": digit_png(2)}), filename="ab.zip")
    modules = set(describe()["modules"])
    assert {"numpy", "PIL", "latent_core"} <= modules  # it did parse pictures and zips
    assert not modules & {"tensorflow", "keras", "streamlit", "sklearn", "scipy", "pandas", "torch"}


def test_the_child_runs_under_its_memory_cpu_and_file_limits():
    limits = ParseLimits(memory_bytes=1024 * MIB, max_seconds=7)
    state = describe(limits)
    assert state["memory_limit"] == 1024 * MIB
    assert state["file_size_limit"] == 0  # it cannot write files
    assert state["cpu_limit"] <= state["cpu_seconds"] + 7 + sandbox.GRACE_SECONDS + 1


@pytest.mark.parametrize("case_id", ["npz_shadow_member", "npz_huge_label", "zip_path_traversal", "zip_huge_png"])
def test_a_refusal_inside_the_child_arrives_as_the_same_refusal(case_id):
    case = BY_ID[case_id]
    with pytest.raises(user_data.DataFormatError) as in_place:
        user_data.parse_in_child(case.payload, {"filename": case.filename, "image_size": [28, 28], "channels": 1,
                                                "max_array_bytes": LIMITS.max_array_bytes,
                                                "max_pixels": LIMITS.max_pixels, "max_seconds": LIMITS.max_seconds})
    with pytest.raises(user_data.DataFormatError) as sandboxed:
        user_data.load_user_dataset(case.payload, filename=case.filename)
    assert_same_refusal(sandboxed.value, in_place.value, case.code)


def test_a_parse_that_needs_more_memory_than_the_child_has_costs_only_the_child():
    pid = describe()["pid"]
    with pytest.raises(user_data.DataFormatError) as refused:
        user_data.load_user_dataset(heavy_npz(), filename="heavy.npz", limits=ParseLimits(memory_bytes=300 * MIB))
    assert refused.value.code == "parse_too_big"
    assert refused.value.details["name"] == "heavy.npz" and refused.value.details["memory"] == "300 MB"
    # The next parse gets a fresh worker, and the same file parses under the usual limits.
    assert describe()["pid"] != pid
    assert len(user_data.load_user_dataset(heavy_npz(), filename="heavy.npz", image_size=(64, 64)).x_train) == 16_000


def test_a_parse_past_its_time_is_killed_and_its_worker_replaced(monkeypatch):
    monkeypatch.setattr(sandbox, "GRACE_SECONDS", 0.0)  # the server's patience only; the child keeps its own
    pid = describe()["pid"]
    with pytest.raises(user_data.DataFormatError) as refused:
        user_data.load_user_dataset(heavy_npz(), filename="slow.npz", limits=ParseLimits(max_seconds=0.05))
    assert refused.value.code == "parse_too_slow" and refused.value.details["seconds"] == "0.05"
    monkeypatch.undo()
    assert pid not in sandbox.idle_worker_pids()
    assert describe()["pid"] != pid


def test_a_warm_worker_is_reused():
    first = describe()["pid"]
    images.read_picture(digit_png(), name="digit.png")
    assert describe()["pid"] == first


def test_a_picture_comes_back_with_its_mode_and_pixels():
    buffer = io.BytesIO()
    pixels = np.random.default_rng(0).integers(0, 256, (9, 7, 3), dtype=np.uint8)
    from PIL import Image

    Image.fromarray(pixels).save(buffer, format="PNG")
    picture = images.read_picture(buffer.getvalue(), name="noise.png")
    assert picture.is_colour and picture.original_mode == "RGB"
    np.testing.assert_array_equal(np.asarray(picture.image), pixels)


def test_an_unexpected_failure_inside_the_child_is_a_refusal_and_the_worker_lives_on():
    first = describe()
    with pytest.raises(UploadRefused) as refused:  # options without the file's name: a KeyError in the child
        sandbox.run("dataset", b"not a dataset", {}, name="mine.npz", limits=LIMITS, error=UploadRefused)
    assert refused.value.code == "unreadable" and refused.value.details["name"] == "mine.npz"
    assert "KeyError" in str(refused.value)
    assert describe()["pid"] == first["pid"]  # the same child answered; nothing had to be replaced


def test_the_child_sees_none_of_the_servers_secrets(monkeypatch):
    monkeypatch.setenv("LATENT_EXPLORER_TEST_SECRET", "s3cret")
    fresh = dataclasses.replace(LIMITS, memory_bytes=LIMITS.memory_bytes + MIB)  # a new child, started now
    seen = describe(fresh)["environment"]
    assert "LATENT_EXPLORER_TEST_SECRET" not in seen
    assert seen["OMP_NUM_THREADS"] == "1"


def test_unknown_tasks_are_refused_before_any_child_sees_them():
    with pytest.raises(ValueError, match="unknown sandbox task"):
        sandbox.run("exec", b"print(1)", {}, name="-", limits=LIMITS, error=UploadRefused)


def test_hosted_mode_lowers_what_reading_an_upload_may_cost():
    from latent_core.hosting import limits_from_env
    from latent_core.uploads import parse_limits

    local, hosted = parse_limits(limits_from_env({})), parse_limits(limits_from_env({"LATENT_EXPLORER_HOSTED": "1"}))
    assert local == ParseLimits()
    assert hosted.max_array_bytes == 128 * MIB < local.max_array_bytes
    assert hosted.max_pixels == 100_000_000 < local.max_pixels
    assert hosted.max_seconds == 20 < local.max_seconds
    assert hosted.memory_bytes == 768 * MIB < local.memory_bytes
    # Each alone, hosted or not; the memory limit may also be raised for a bigger machine.
    alone = parse_limits(limits_from_env({"LATENT_EXPLORER_MAX_UPLOAD_ARRAY_MB": "64",
                                          "LATENT_EXPLORER_MAX_PARSE_MEMORY_MB": "8192"}))
    assert alone == ParseLimits(max_array_bytes=64 * MIB, memory_bytes=8192 * MIB)


def test_parses_from_several_sessions_at_once_each_get_their_own_answer():
    from concurrent.futures import ThreadPoolExecutor

    def load(classes: int):
        entries = {f"class{label}/{index}.png": digit_png(index) for label in range(classes) for index in range(3)}
        return user_data.load_user_dataset(zip_of(entries), filename=f"c{classes}.zip").num_classes

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(load, [1, 2, 3, 4, 5, 6])) == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("answer", [
    ({"class_names": ["a"]}, {"images": np.full((2, 28, 28, 1), 7.0, np.float32), "labels": np.zeros(2, np.int64)}),
    ({"class_names": ["a"]}, {"images": np.zeros((2, 28, 28, 1), np.float32), "labels": np.array([0, 5])}),
    ({"class_names": ["a"]}, {"images": np.zeros((2, 9, 9, 1), np.float32), "labels": np.zeros(2, np.int64)}),
    ({"class_names": [3]}, {"images": np.zeros((2, 28, 28, 1), np.float32), "labels": np.zeros(2, np.int64)}),
], ids=["values_over_one", "label_without_class", "wrong_image_size", "class_name_not_text"])
def test_an_answer_no_parse_produces_is_refused_not_used(monkeypatch, answer):
    """What crosses back from the child is checked again: a compromised child's answer is refused."""
    monkeypatch.setattr(sandbox, "run", lambda *args, **kwargs: answer)
    with pytest.raises(user_data.DataFormatError) as refused:
        user_data.load_user_dataset(zip_of({"a/1.png": digit_png()}), filename="odd.zip")
    assert refused.value.code == "zip_unreadable"


# --------------------------------------------------------------------------- model archives


def keras_bytes(model) -> bytes:
    from latent_core import store

    return store.model_archive_bytes(model)


def small_model():
    from latent_core.models import build_model

    return build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=2, hidden_units=(4,))


def tight_limits() -> ParseLimits:
    """Just above what a worker needs to read a small model: far too little for a heavy one."""
    from latent_core import store

    store.load_model(keras_bytes(small_model()), name="small.keras")
    return ParseLimits(memory_bytes=describe()["peak_address_space"] + 40 * MIB)


def test_an_uploaded_model_is_read_in_the_child_which_never_imports_tensorflow():
    from latent_core import store

    model = small_model()
    loaded = store.load_model(keras_bytes(model), name="small.keras")
    modules = set(describe()["modules"])
    assert "h5py" in modules  # this worker did read the model archive
    assert not modules & {"tensorflow", "keras", "streamlit", "sklearn", "scipy", "torch"}
    points = np.random.default_rng(0).random((5, 8, 8, 1), dtype=np.float32)
    np.testing.assert_allclose(loaded.encode(points), model.encode(points), rtol=1e-6, atol=1e-6)


def test_only_uploaded_bytes_go_through_the_sandbox_the_apps_own_bundles_load_in_place(monkeypatch, tmp_path):
    from latent_core import store

    tasks = []
    real_run = sandbox.run
    monkeypatch.setattr(sandbox, "run", lambda task, *args, **kwargs: (tasks.append(task), real_run(task, *args,
                                                                                                    **kwargs))[1])
    folder = store.save_bundle(small_model(), tmp_path / "bundle")
    store.load_bundle(folder)
    assert tasks == []
    store.load_model((folder / store.MODEL_FILENAME).read_bytes(), name="upload.keras")
    assert tasks == ["model_archive"]


ARCHIVE_CASES = ["model_not_a_zip", "model_zip_without_config", "model_config_not_json", "model_corrupt_weights",
                 "model_unexpected_member", "model_config_too_large", "model_without_weights",
                 "model_weights_declared_512mb", "model_weights_not_stored", "model_weights_gzip_zeros",
                 "model_weights_lzf", "model_weights_float64"]


@pytest.mark.parametrize("case_id", ARCHIVE_CASES)
def test_a_hostile_model_archive_is_refused_identically_through_the_sandbox(case_id):
    from latent_core import model_archive, store

    case = BY_ID[case_id]
    with pytest.raises(model_archive.InvalidModelFileError) as in_place:
        model_archive.read_model_archive(case.payload, case.filename)
    with pytest.raises(model_archive.InvalidModelFileError) as sandboxed:
        store.load_model(case.payload, name=case.filename)
    assert_same_refusal(sandboxed.value, in_place.value, case.code)


def test_a_model_that_needs_more_memory_than_the_child_has_costs_only_the_child():
    from latent_core import store

    small, heavy, tight = keras_bytes(small_model()), heavy_model_bytes(), tight_limits()
    store.load_model(small, name="small.keras", limits=tight)
    pid = describe(tight)["pid"]
    with pytest.raises(store.InvalidModelFileError) as refused:
        store.load_model(heavy, name="heavy.keras", limits=tight)
    assert refused.value.code == "parse_too_big" and refused.value.details["name"] == "heavy.keras"
    assert describe(tight)["pid"] != pid
    assert store.load_model(heavy, name="heavy.keras").count_params() > 7_000_000


def test_a_model_past_its_time_is_stopped_with_the_usual_message(monkeypatch):
    from latent_core import store

    monkeypatch.setattr(sandbox, "GRACE_SECONDS", 0.0)
    with pytest.raises(store.InvalidModelFileError) as refused:
        store.load_model(heavy_model_bytes(), name="slow.keras", limits=ParseLimits(max_seconds=0.001))
    assert refused.value.code == "parse_too_slow" and refused.value.details["seconds"] == "0.001"


@pytest.mark.parametrize("answer", [
    ({"config": ["not", "an", "object"]}, {}),
    ({"config": {}, "code": "print(1)"}, {}),
    ({"config": {}}, {"layers/dense/vars/0": np.zeros((2, 2), np.int64)}),
], ids=["config_not_an_object", "extra_metadata", "weights_not_float32"])
def test_a_model_answer_no_reading_produces_is_refused_not_used(monkeypatch, answer):
    from latent_core import store

    monkeypatch.setattr(sandbox, "run", lambda *args, **kwargs: answer)
    with pytest.raises(store.InvalidModelFileError) as refused:
        store.load_model(keras_bytes(small_model()), name="odd.keras")
    assert refused.value.code == "damaged"
