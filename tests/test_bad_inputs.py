"""Bad uploads and controls: each refused with its own message, the app serving on, nothing half-done.

Unit level: every file of ``tests/bad_inputs.py`` makes its reader (``user_data.load_user_dataset``,
``images.read_picture``, ``store.load_model``) raise the module's error with the expected
``code``, whose sentence exists in English and Korean. Page level (AppTest): the same files
uploaded on the Data, Model library and Latent map pages show exactly that sentence, raise
no exception, and leave the session as it was (same dataset, same model, same workspace).
One AppTest per page serves all its cases, so each refusal is also checked to leave the
page usable for the next upload.
"""

from __future__ import annotations

import base64
import io
import json
import re

import keras
import numpy as np
import pytest
from bad_inputs import (
    ALL_CASES,
    BY_ID,
    DATASET_CASES,
    MODEL_CASES,
    PICTURE_CASES,
    colour_picture,
    digit_png,
    good_model_bytes,
    heavy_model_bytes,
    huge_png,
    ids,
    lambda_model_bytes,
    unusual_pictures,
    zip_of,
)
from page_helpers import finish_jobs, open_page, tiny_digits_model
from PIL import Image

from latent_core import drawing, images, maps, store, user_data
from latent_core.models import build_model
from latent_core.models.options import REFUSAL_REASONS
from latent_core.training import TrainingDivergedError, train
from latent_core.uploads import MIB, ParseLimits, UploadRefused
from latent_core.workspace import Workspace
from ui import models
from ui.text import TEXT, translate
from ui.uploads import refusal_in

DIGITS_SHAPE = (8, 8, 1)
ERROR_TYPES = {"dataset": user_data.DataFormatError, "picture": images.PictureError, "model": store.StoreError}


def read(case):
    """Hand ``case``'s bytes to the reader its page uses."""
    if case.target == "dataset":
        return user_data.load_user_dataset(case.payload, filename=case.filename)
    if case.target == "picture":
        return images.read_picture(case.payload, name=case.filename)
    return store.load_model(case.payload, name=case.filename, input_shape=DIGITS_SHAPE, data_name="digits")


def refusal(case) -> UploadRefused:
    with pytest.raises(UploadRefused) as refused:
        read(case)
    return refused.value


def reason(error: UploadRefused, lang: str = "en") -> str:
    return refusal_in(error, lang)


# --------------------------------------------------------------------------- unit level


def test_the_suite_is_large_and_every_case_distinct():
    assert len(ALL_CASES) >= 40
    assert len(set(ids(ALL_CASES))) == len(ALL_CASES)


def test_every_refusal_reason_is_worded_in_both_languages_as_the_core_words_it():
    problems = [code for code, english in REFUSAL_REASONS.items()
                if TEXT.get(f"upload.reason.{code}", {}).get("en") != english]
    assert not problems, f"reasons without their text, or worded otherwise in ui/texts/uploads.py: {problems}"


OPTION_REFUSALS = [case for case in MODEL_CASES if case.code in ("bad_option", "plain_layer")]


@pytest.mark.parametrize("case", OPTION_REFUSALS, ids=ids(OPTION_REFUSALS))
def test_a_korean_option_refusal_holds_no_english_reason(case):
    refused = refusal(case)
    english = refused.details["reason"]
    assert english and english in refusal_in(refused, "en")
    korean = refusal_in(refused, "ko")
    assert english not in korean
    wording = re.sub(r"\{\w+\}", " ", REFUSAL_REASONS[refused.details["reason_code"]])  # its words, not its values
    for name in ("option", "value", "layer", "reason_field"):  # the names and values a refusal shows as they are
        korean = korean.replace(str(refused.details.get(name)), " ")
    assert not set(re.findall(r"[A-Za-z]{3,}", wording)) & set(re.findall(r"[A-Za-z]{3,}", korean)), korean


@pytest.mark.parametrize("case", ALL_CASES, ids=ids(ALL_CASES))
def test_each_bad_file_is_refused_with_its_own_reason_in_both_languages(case):
    error = refusal(case)
    assert isinstance(error, ERROR_TYPES[case.target])
    assert error.code == case.code, str(error)
    english, korean = reason(error, "en"), reason(error, "ko")
    assert english != korean and "{" not in english + korean


def test_a_lambda_layer_is_refused_and_its_code_never_runs(tmp_path):
    marker = tmp_path / "lambda-ran"
    payload = lambda_model_bytes(marker)
    assert not marker.exists()
    with pytest.raises(store.UnsafeModelError) as refused:
        store.load_model(payload, name="lambda.keras")
    assert refused.value.code == "lambda"
    assert not marker.exists()
    # The marker does catch execution: Keras' unsafe mode runs the lambda while rebuilding the model.
    (tmp_path / "lambda.keras").write_bytes(payload)
    keras.saving.load_model(tmp_path / "lambda.keras", safe_mode=False)
    assert marker.exists()


@pytest.mark.parametrize("mode", list(unusual_pictures()))
def test_pictures_in_unusual_modes_come_out_as_the_grey_they_look(mode):
    payload, centre, corner = unusual_pictures()[mode]
    picture = images.read_picture(payload, name=f"{mode}.png")
    pixels = np.asarray(picture.image, dtype=np.float32) / 255.0
    assert picture.image.mode == "L" and not picture.is_colour
    assert pixels[10, 10] == pytest.approx(centre, abs=0.08)
    assert pixels[0, 0] == pytest.approx(corner, abs=0.08)


def test_a_colour_picture_for_a_grey_model_is_turned_grey():
    picture = images.read_picture(colour_picture(), name="colour.png")
    assert picture.is_colour
    pixels = maps.image_from_upload(picture, DIGITS_SHAPE, bright_ink=True)
    assert pixels.shape == DIGITS_SHAPE and 0.0 <= pixels.min() and pixels.max() <= 1.0


def test_a_zip_with_one_class_is_accepted_as_one_class():
    dataset = user_data.load_user_dataset(zip_of({f"only/{i}.png": digit_png(i) for i in range(5)}), filename="one.zip")
    assert dataset.class_names() == ["only"] and dataset.num_classes == 1


def test_one_top_folder_above_the_class_folders_is_fine():
    entries = {f"pets/{kind}/{i}.png": digit_png(i) for kind in ("cats", "dogs") for i in range(3)}
    assert user_data.load_user_dataset(zip_of(entries), filename="pets.zip").class_names() == ["cats", "dogs"]


def test_whole_number_float_labels_count_as_integers():
    buffer = io.BytesIO()
    np.savez(buffer, x=np.zeros((4, 8, 8), np.uint8), y=np.array([0.0, 1.0, 1.0, 0.0]))
    assert user_data.load_user_dataset(buffer.getvalue(), filename="floats.npz").num_classes == 2


@pytest.mark.parametrize("canvas", [
    None, np.zeros((280, 280, 4), np.uint8), np.full((280, 280, 4), (255, 255, 255, 0), np.uint8),
    np.full((280, 280, 4), (10, 10, 10, 255), np.uint8)],
    ids=["not_sent_yet", "transparent", "white_but_transparent", "faint_specks"])
def test_an_empty_canvas_is_the_empty_drawing_error(canvas):
    with pytest.raises(drawing.EmptyDrawingError):
        drawing.to_dataset_style(canvas, DIGITS_SHAPE)


def test_training_settings_that_diverge_stop_with_the_last_good_weights():
    points = (np.random.default_rng(0).standard_normal((300, 3)) * 100).astype("float32")
    model = build_model("linear_ae", input_shape=(3,), latent_dim=2)
    with pytest.raises(TrainingDivergedError, match="smaller learning rate"):
        train(model, points, epochs=3, batch_size=32, learning_rate=1e6)
    assert all(np.isfinite(weights).all() for weights in model.get_weights())


# --------------------------------------------------------------------------- page level


def upload(app, filename: str, payload: bytes, *, key: str | None = None):
    uploader = app.file_uploader(key=key) if key else app.file_uploader[0]
    uploader.set_value((filename, payload, "application/octet-stream"))
    return app.run()


def user_datasets(app) -> dict:
    return app.session_state["user_datasets"] if "user_datasets" in app.session_state else {}


@pytest.fixture(scope="module")
def data_page():
    """The Data page on digits, shared by every dataset case: each must leave it as it was."""
    return open_page("data.py", dataset="digits")


# The uploader takes only .npz and .zip: the browser's file picker and Streamlit itself turn
# other extensions away before the page runs, so only the unit test sees a .csv.
UPLOADABLE_DATASET_CASES = [case for case in DATASET_CASES if case.code != "wrong_type"]


def session_without_upload_marks(app) -> dict:
    """The session's state except which upload the page saw last (a refusal records that
    too, so the same file is not read again on every rerun)."""
    return {key: value for key, value in app.session_state.to_dict().items() if key != "last_upload_id"}


def assert_refused_and_kept(app, before: dict, error: UploadRefused, lang: str = "en") -> None:
    """The page shows exactly ``error``'s sentence and the session is as it was: the same
    dataset chosen, no upload kept, nothing new in the session."""
    assert not app.exception
    assert [element.value for element in app.error] == [translate("data.upload.failed", lang,
                                                                  error=reason(error, lang))]
    assert app.session_state["dataset"] == "digits" and user_datasets(app) == {}
    assert session_without_upload_marks(app) == before
    assert len(app.get("image")) == 10  # the digits' sample strips are still drawn


@pytest.mark.parametrize("case", UPLOADABLE_DATASET_CASES, ids=ids(UPLOADABLE_DATASET_CASES))
def test_data_page_refuses_each_bad_dataset_and_keeps_the_current_one(data_page, case):
    error = refusal(case)
    before = session_without_upload_marks(data_page)
    app = upload(data_page, case.filename, case.payload)
    assert app.header[0].value == "Data: Digits (8×8)"
    assert_refused_and_kept(app, before, error)


def heavy_npz() -> bytes:
    """A legal .npz of 20,000 64×64 images: 80 KB compressed, 328 MB as float32."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, x=np.zeros((20_000, 64, 64), np.uint8))
    return buffer.getvalue()


def slow_zip() -> bytes:
    """200 one-bit 2000×2000 PNGs: within the pixel budget, several seconds to decode."""
    return zip_of({f"cats/{index}.png": huge_png(2000) for index in range(200)})


def near_limit_npz() -> bytes:
    """20,000 images of 80×80: 488 MB as float32, legal locally, from a 0.1 MB upload."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, x=np.zeros((20_000, 80, 80), np.uint8))
    return buffer.getvalue()


@pytest.mark.parametrize("environment, filename, make, code", [
    ({"LATENT_EXPLORER_MAX_PARSE_MEMORY_MB": "300"}, "heavy.npz", heavy_npz, "parse_too_big"),
    ({"LATENT_EXPLORER_MAX_PARSE_SECONDS": "1"}, "slow.zip", slow_zip, "parse_too_slow"),
    ({"LATENT_EXPLORER_HOSTED": "1"}, "near.npz", near_limit_npz, "npz_too_big"),
], ids=["too_big_to_parse", "too_slow_to_parse", "hosted_array_limit"])
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_data_page_refuses_what_costs_too_much_to_read_and_keeps_the_session(monkeypatch, environment, filename,
                                                                             make, code, lang):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    payload = make()
    with pytest.raises(user_data.DataFormatError) as refused:
        user_data.load_user_dataset(payload, filename=filename)
    assert refused.value.code == code
    app = open_page("data.py", lang=lang, dataset="digits")
    before = session_without_upload_marks(app)
    assert_refused_and_kept(upload(app, filename, payload), before, refused.value, lang)


def test_data_page_says_it_in_korean():
    case = next(case for case in DATASET_CASES if case.id == "npz_object_images")
    app = upload(open_page("data.py", lang="ko", dataset="digits"), case.filename, case.payload)
    assert not app.exception
    assert app.error[0].value == translate("data.upload.failed", "ko", error=reason(refusal(case), "ko"))
    assert "안전" in app.error[0].value


def test_a_one_class_zip_is_loaded_with_a_warning_and_anomaly_detection_explains_itself():
    app = open_page("data.py", dataset="digits")
    upload(app, "one.zip", zip_of({f"only/{i}.png": digit_png(i) for i in range(6)}))
    assert not app.exception
    assert app.session_state["dataset"] == "user:one"
    assert app.warning[0].value == translate("data.upload.one_class", "en")
    anomaly = app.switch_page("pages/anomaly.py").run()
    assert not anomaly.exception
    assert anomaly.info[0].value == translate("anomaly.not_images", "en")


def test_anomaly_detection_on_an_upload_whose_test_images_are_all_one_class_says_so():
    buffer = io.BytesIO()
    np.savez(buffer, x=np.random.default_rng(0).integers(0, 256, (12, 8, 8), dtype=np.uint8), y=[0] * 10 + [1, 1])
    rare = user_data.load_user_dataset(buffer.getvalue(), filename="rare.npz", image_size=(8, 8))
    assert set(rare.y_test) == {0}  # the two images of class 1 both landed in the training split
    app = open_page("anomaly.py", dataset="user:rare", user_datasets={"rare": rare})
    finish_jobs(next(button for button in app.button if button.label.startswith('Train a detector on "0"')).click().run())
    assert not app.exception and not app.get("plotly_chart")
    assert app.warning[0].value == translate("anomaly.split.all_normal", "en", name="0")


def test_a_good_upload_after_bad_ones_still_works():
    app = open_page("data.py", dataset="digits")  # its own page: this upload changes the dataset
    for case in UPLOADABLE_DATASET_CASES[:3]:
        upload(app, case.filename, case.payload)
        assert app.error
    buffer = io.BytesIO()
    np.savez(buffer, x=np.random.default_rng(0).integers(0, 256, (20, 28, 28), dtype=np.uint8), y=np.arange(20) % 2)
    app = upload(app, "pairs.npz", buffer.getvalue())
    assert not app.exception and not app.error
    assert app.session_state["dataset"] == "user:pairs"
    assert app.success[0].value.startswith("Loaded pairs: 20 images in 2 classes")


def test_a_hosted_server_takes_smaller_uploads(monkeypatch):
    monkeypatch.setenv("LATENT_EXPLORER_MAX_UPLOAD_MB", "1")
    buffer = io.BytesIO()
    np.savez(buffer, x=np.zeros((1500, 28, 28), np.uint8))  # 1.1 MB: fine locally, too big here
    payload = buffer.getvalue()
    with pytest.raises(user_data.DataFormatError) as refused:
        user_data.load_user_dataset(payload, filename="class.npz", max_bytes=MIB)
    assert refused.value.code == "too_large"
    app = upload(open_page("data.py", dataset="digits"), "class.npz", payload)
    assert not app.exception
    assert app.error[0].value == translate("data.upload.failed", "en", error=reason(refused.value))
    assert "at most 1.0 MB" in app.error[0].value and user_datasets(app) == {}


@pytest.fixture(scope="module")
def tiny_workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("workspace")
    return root, tiny_digits_model(root)


@pytest.fixture(scope="module")
def library_page(tiny_workspace):
    """The Model library on digits with a user's model selected, shared by every model case."""
    root, entry = tiny_workspace
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(models.WORKSPACE_ENV, str(root))
        yield open_page("library.py", dataset="digits", model="workspace:" + entry.id)


def library_frame(error: UploadRefused) -> str:
    if isinstance(error, store.UnsafeModelError):
        return "library.upload.refused"
    if isinstance(error, store.IncompatibleModelError):
        return "library.upload.mismatch"
    return "library.upload.invalid"


@pytest.mark.parametrize("case", MODEL_CASES, ids=ids(MODEL_CASES))
def test_library_refuses_each_bad_model_and_keeps_the_workspace(library_page, tiny_workspace, case):
    root, entry = tiny_workspace
    error = refusal(case)
    app = upload(library_page, case.filename, case.payload)
    assert not app.exception
    assert [element.value for element in app.error] == [translate(library_frame(error), "en", error=reason(error))]
    assert [saved.id for saved in Workspace(root).entries()] == [entry.id]
    assert app.session_state["model"] == "workspace:" + entry.id
    assert app.subheader[1].value.startswith("Inside: ★ tiny digits AE")
    assert set(app.dataframe[0].value["Name"]) >= {"tiny digits AE"}


def test_library_refuses_a_lambda_upload_without_running_it(library_page, tiny_workspace, tmp_path):
    root, entry = tiny_workspace
    marker = tmp_path / "lambda-ran"
    app = upload(library_page, "lambda.keras", lambda_model_bytes(marker))
    assert not app.exception
    assert app.error[0].value.startswith("Refused: the uploaded file contains a Lambda layer")
    assert not marker.exists()
    assert [saved.id for saved in Workspace(root).entries()] == [entry.id]


def test_library_says_it_in_korean(tiny_workspace, monkeypatch):
    root, entry = tiny_workspace
    monkeypatch.setenv(models.WORKSPACE_ENV, str(root))
    case = next(case for case in MODEL_CASES if case.id == "model_wrong_input_shape")
    app = upload(open_page("library.py", lang="ko", dataset="digits", model="workspace:" + entry.id),
                 case.filename, case.payload)
    assert not app.exception
    assert app.error[0].value == translate("library.upload.mismatch", "ko", error=reason(refusal(case), "ko"))


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_library_refuses_a_model_too_big_to_read_and_keeps_the_workspace(tiny_workspace, monkeypatch, lang):
    from latent_core import sandbox

    root, entry = tiny_workspace
    store.load_model(good_model_bytes(), name="warm.keras")  # a worker that has read a model
    peak = sandbox.run("describe", b"", {}, name="-", limits=ParseLimits(), error=UploadRefused)[0][
        "peak_address_space"]
    monkeypatch.setenv("LATENT_EXPLORER_MAX_PARSE_MEMORY_MB", str(peak // MIB + 40))
    monkeypatch.setenv(models.WORKSPACE_ENV, str(root))
    payload = heavy_model_bytes()
    with pytest.raises(store.InvalidModelFileError) as refused:
        store.load_model(payload, name="heavy.keras")
    assert refused.value.code == "parse_too_big"
    app = upload(open_page("library.py", lang=lang, dataset="digits", model="workspace:" + entry.id),
                 "heavy.keras", payload)
    assert not app.exception
    assert [element.value for element in app.error] == [translate("library.upload.invalid", lang,
                                                                  error=reason(refused.value, lang))]
    assert [saved.id for saved in Workspace(root).entries()] == [entry.id]
    assert app.session_state["model"] == "workspace:" + entry.id


def open_latent_map_for_pictures(entry):
    """The Latent map (PCA layout) with "Upload a picture" chosen."""
    app = open_page("latent_map.py", dataset="digits", model="workspace:" + entry.id)
    app.radio(key="latent_map.method").set_value("pca").run()
    app.radio(key="latent_map.place_source").set_value("upload").run()
    return app


@pytest.fixture(scope="module")
def latent_map_page(tiny_workspace):
    """The picture page shared by every refused picture: each must leave it as it was."""
    root, entry = tiny_workspace
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(models.WORKSPACE_ENV, str(root))
        yield open_latent_map_for_pictures(entry)


def trace_names(app) -> list[str]:
    return [trace.get("name") for trace in json.loads(app.get("plotly_chart")[0].proto.spec)["data"]]


@pytest.mark.parametrize("case", PICTURE_CASES, ids=ids(PICTURE_CASES))
def test_latent_map_refuses_each_bad_picture_and_places_nothing(latent_map_page, case):
    error = refusal(case)
    app = upload(latent_map_page, case.filename, case.payload, key="latent_map.upload")
    assert not app.exception
    assert [element.value for element in app.error] == [translate("latent_map.upload_failed", "en",
                                                                  error=reason(error))]
    assert "your image" not in trace_names(app)
    assert "latent_map.placed" not in app.session_state


def test_latent_map_places_a_colour_picture_and_says_it_was_turned_grey(tiny_workspace, monkeypatch):
    root, entry = tiny_workspace
    monkeypatch.setenv(models.WORKSPACE_ENV, str(root))
    app = open_latent_map_for_pictures(entry)  # its own page: this picture is placed
    app = upload(app, "colour.png", colour_picture(), key="latent_map.upload")
    assert not app.exception and not app.error
    assert app.info[0].value == translate("latent_map.upload_grey", "en")
    assert trace_names(app)[-1] == "your image"


def send_canvas(app, png: bytes):
    """What the Denoise page's drawing canvas sends after a stroke: its drawing and its PNG."""
    url = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    app.session_state["denoise.draw.canvas0"] = {"drawing": {"raw": {"objects": [{"type": "path"}]}, "data": url},
                                                "backgroundFit": None}
    return app.run()


def canvas_png(ink: bool) -> bytes:
    pixels = np.zeros((280, 280, 4), np.uint8)
    pixels[..., 3] = 255
    if ink:
        pixels[80:200, 130:150, :3] = 255
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def test_denoise_page_with_an_erased_canvas_asks_for_a_drawing(tiny_workspace, monkeypatch):
    root, entry = tiny_workspace
    monkeypatch.setenv(models.WORKSPACE_ENV, str(root))
    app = send_canvas(open_page("denoise.py", dataset="digits", model="workspace:" + entry.id), canvas_png(ink=False))
    assert not app.exception
    assert app.info[-1].value == translate("denoise.empty_drawing", "en")
    assert not app.get("image")


@pytest.mark.parametrize("case_id", ["picture_20000_square", "picture_that_is_a_gif", "picture_truncated"])
def test_denoise_page_ignores_a_hostile_picture_sent_as_its_canvas(tiny_workspace, monkeypatch, case_id):
    """The canvas's PNG comes from the browser, which anyone can script: a bomb or a non-PNG
    sent in its place is refused in the sandbox, and the page waits for a drawing."""
    root, entry = tiny_workspace
    monkeypatch.setenv(models.WORKSPACE_ENV, str(root))
    app = send_canvas(open_page("denoise.py", dataset="digits", model="workspace:" + entry.id),
                      BY_ID[case_id].payload)
    assert not app.exception
    assert app.info[-1].value == translate("denoise.empty_drawing", "en")
    assert not app.get("image")
    assert send_canvas(app, canvas_png(ink=True)).get("image")  # a real drawing is still denoised
