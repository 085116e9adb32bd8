"""The Model library page: the model table, a look inside a model, download, upload, delete."""

import io
import zipfile

import keras
import numpy as np
import pytest
from page_helpers import open_page, tiny_digits_model

from latent_core import pretrained, store
from latent_core.data import Dataset
from latent_core.models import build_model
from latent_core.workspace import Workspace



def test_a_users_model_is_listed_and_shown_inside(workspace_root):
    entry = tiny_digits_model(workspace_root)
    app = open_page("library.py", dataset="digits", model="workspace:" + entry.id)
    assert not app.exception
    table = app.dataframe[0].value
    assert "tiny digits AE" in set(table["Name"]) and "yours" in set(table["Origin"])
    assert app.subheader[1].value.startswith("Inside: ★ tiny digits AE")
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Latent size"] == "4" and metrics["Compression"] == "16.0 : 1"
    architecture = app.dataframe[1].value
    model = Workspace(workspace_root).load(entry.id).model
    assert len(architecture) == len(model.summary_rows())
    assert architecture["Parameters"].sum() == model.count_params()
    assert len(app.dataframe) == 2 and not app.get("plotly_chart")  # only the open tab (architecture) is drawn
    assert app.get("download_button")
    app.session_state["library.tab"] = "Training"
    app.run()
    assert not app.exception
    training = app.dataframe[1].value
    assert "epochs" in set(training["Setting"])


def test_the_keras_download_is_built_only_when_asked_for(workspace_root, monkeypatch):
    from streamlit.runtime.media_file_manager import MediaFileManager

    built, deferred = [], []
    archive = store.model_archive_bytes
    monkeypatch.setattr(store, "model_archive_bytes", lambda model: built.append(model) or archive(model))
    register = MediaFileManager.add_deferred
    monkeypatch.setattr(MediaFileManager, "add_deferred", lambda self, make, *args, **options: deferred.append(
        (make, options.get("file_name"))) or register(self, make, *args, **options))
    entry = tiny_digits_model(workspace_root)
    app = open_page("library.py", dataset="digits", model="workspace:" + entry.id)
    assert not app.exception
    assert [button.label for button in app.get("download_button")] == ["Download .keras"]
    assert built == []  # opening the page (or any rerun) builds no file
    [(make, file_name)] = [(make, name) for make, name in deferred if name.endswith(".keras")]
    assert file_name == "tiny digits AE.keras"
    payload = make()  # what a click asks for
    assert payload[:2] == b"PK" and len(built) == 1
    assert store.load_model(payload, name=file_name).count_params() == \
        Workspace(workspace_root).load(entry.id).model.count_params()


def test_pretrained_models_are_listed_for_their_dataset(workspace_root):
    entries = pretrained.list_pretrained("digits")
    if not entries:
        pytest.skip("no pretrained digits model in pretrained/index.json")
    app = open_page("library.py", dataset="digits", model="pretrained:" + entries[0].name)
    assert not app.exception
    assert set(app.dataframe[0].value["Name"]) >= {entry.name for entry in entries if not entry.is_anomaly_detector}
    assert app.subheader[1].value.startswith(f"Inside: {entries[0].name}")


def test_no_model_yet_says_how_to_get_one(workspace_root, empty_library):
    app = open_page("library.py", dataset="swiss_roll", model=None)
    assert not app.exception
    assert not app.dataframe
    assert "Train one on the Train page" in app.info[0].value


def upload(app, payload: bytes, name: str = "model.keras"):
    app.file_uploader[0].set_value((name, payload, "application/octet-stream")).run()
    return app


def test_uploading_a_good_model_adds_and_selects_it(workspace_root):
    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=3)
    app = open_page("library.py", dataset="digits")
    upload(app, store.model_archive_bytes(model), "shared by a friend.keras")
    assert not app.exception and not app.error
    entries = Workspace(workspace_root).entries()
    assert [entry.name for entry in entries] == ["shared by a friend"]
    assert app.session_state["model"] == "workspace:" + entries[0].id
    assert app.subheader[1].value.startswith("Inside: ★ shared by a friend")


def lambda_model_bytes(folder) -> bytes:
    """A .keras file with a Lambda layer, written in ``folder``."""
    inputs = keras.Input((8, 8, 1))
    outputs = keras.layers.Lambda(lambda x: x * 2)(inputs)
    path = folder / "lambda.keras"
    keras.Model(inputs, outputs).save(path)
    return path.read_bytes()


def zip_bytes(**files: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, payload in files.items():
            archive.writestr(name, payload)
    return buffer.getvalue()


@pytest.mark.parametrize("payload, message", [
    (b"definitely not a zip", "Not a usable model: the uploaded file is not a Keras .keras file"),
    (zip_bytes(**{"readme.txt": b"hi"}), "Not a usable model: the uploaded file is a zip archive but not a Keras model"),
    (None, "Refused: the uploaded file contains a Lambda layer"),
    ("wrong-shape", "Does not fit this dataset"),
])
def test_bad_uploads_get_a_specific_message_and_nothing_is_saved(workspace_root, tmp_path, payload, message):
    if payload is None:
        payload = lambda_model_bytes(tmp_path)
    elif payload == "wrong-shape":
        payload = store.model_archive_bytes(build_model("dense_ae", input_shape=(28, 28, 1), latent_dim=3))
    app = open_page("library.py", dataset="digits")
    upload(app, payload)
    assert not app.exception
    assert app.error[0].value.startswith(message)
    assert Workspace(workspace_root).entries() == []


def test_deleting_a_users_model(workspace_root):
    entry = tiny_digits_model(workspace_root)
    app = open_page("library.py", dataset="digits", model="workspace:" + entry.id)
    [button for button in app.button if button.label == "Delete this model"][0].click().run()
    assert not app.exception
    assert Workspace(workspace_root).entries() == []


def test_library_in_korean(workspace_root):
    entry = tiny_digits_model(workspace_root, name="숫자 모델")
    app = open_page("library.py", lang="ko", dataset="digits", model="workspace:" + entry.id)
    assert app.header[0].value == "모델 라이브러리"
    assert app.subheader[1].value.startswith("모델 내부: ★ 숫자 모델")
    assert np.isin(["이름", "종류"], list(app.dataframe[0].value.columns)).all()


def upload_named(name: str, shape: tuple[int, ...]) -> Dataset:
    rng = np.random.default_rng(0)
    return Dataset(name=name, x_train=rng.random((20, *shape), dtype=np.float32), y_train=np.arange(20) % 2,
                   x_test=rng.random((6, *shape), dtype=np.float32), y_test=np.arange(6) % 2, source="upload",
                   class_names_en=("a", "b"), class_names_ko=("a", "b"))


@pytest.mark.parametrize("shape", [(28, 28, 1), (16, 16, 1)], ids=["same shape", "other shape"])
def test_an_upload_named_like_a_registered_dataset_gets_no_pretrained_model(workspace_root, shape):
    assert any(not entry.is_anomaly_detector for entry in pretrained.list_pretrained("mnist"))  # there is one to offer
    Workspace(workspace_root).save(build_model("dense_ae", input_shape=shape, latent_dim=2, seed=0), name="mine")
    app = open_page("library.py", dataset="user:mnist", user_datasets={"mnist": upload_named("mnist", shape)})
    assert not app.exception
    assert app.sidebar.selectbox[1].options == ["★ mine · dense AE, 2-D"]
    assert list(app.dataframe[0].value["Name"]) == ["mine"]


def test_a_registered_dataset_offers_only_its_pretrained_models_of_its_shape(workspace_root):
    app = open_page("library.py", dataset="digits")
    offered = set(app.sidebar.selectbox[1].options)
    digits = [entry for entry in pretrained.list_pretrained("digits") if not entry.is_anomaly_detector]
    assert digits and {entry.name for entry in digits} <= {label.split(" · ")[0] for label in offered}
    assert not any(label.startswith("★") for label in offered)


def test_uploading_a_plain_keras_autoencoder_adds_selects_and_shows_it(workspace_root):
    layers = keras.layers
    notebook_model = keras.Sequential([
        keras.Input((8, 8, 1)), layers.Conv2D(4, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
        layers.Flatten(), layers.Dense(3), layers.Dense(64, activation="relu"), layers.Reshape((4, 4, 4)),
        layers.UpSampling2D(2), layers.Conv2D(1, 3, padding="same", activation="sigmoid")])
    app = open_page("library.py", dataset="digits")
    upload(app, keras_file_bytes(notebook_model), "my notebook AE.keras")
    assert not app.exception and not app.error
    entries = Workspace(workspace_root).entries()
    assert [(entry.name, entry.kind, entry.latent_dim) for entry in entries] == [("my notebook AE", "keras_ae", 3)]
    assert app.session_state["model"] == "workspace:" + entries[0].id
    assert app.subheader[1].value.startswith("Inside: ★ my notebook AE")


def keras_file_bytes(model) -> bytes:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        model.save(path)
        return path.read_bytes()


def digits_encoder_decoder():
    layers = keras.layers
    encoder = keras.Sequential([keras.Input((8, 8)), layers.Flatten(), layers.Dense(16, activation="relu", name="hidden"),
                                layers.Dense(3, name="code")])
    decoder = keras.Sequential([keras.Input((3,)), layers.Dense(64, activation="sigmoid"), layers.Reshape((8, 8))])
    return encoder, decoder


def test_an_encoder_and_its_decoder_upload_together_once_both_are_there(workspace_root):
    encoder, decoder = digits_encoder_decoder()
    app = open_page("library.py", dataset="digits")
    app.checkbox(key="library.upload.pair").check().run()
    upload(app, keras_file_bytes(decoder), "decoder.keras")  # the decoder where the encoder goes: told by shapes
    assert Workspace(workspace_root).entries() == []  # a pair waits for both files
    app.file_uploader[1].set_value(("encoder.keras", keras_file_bytes(encoder), "application/octet-stream")).run()
    assert not app.exception and not app.error
    [entry] = Workspace(workspace_root).entries()
    assert (entry.kind, entry.latent_dim, entry.input_shape) == ("keras_ae", 3, (8, 8, 1))
    x = np.random.default_rng(0).random((4, 8, 8, 1), dtype=np.float32)
    expected = np.asarray(decoder(encoder(x[..., 0]))).reshape(x.shape)
    np.testing.assert_allclose(Workspace(workspace_root).load(entry.id).model.reconstruct(x), expected, atol=1e-5)


def test_moving_the_split_on_the_layer_diagram_saves_the_model_with_its_new_code(workspace_root):
    encoder, decoder = digits_encoder_decoder()
    app = open_page("library.py", dataset="digits")
    app.checkbox(key="library.upload.pair").check().run()
    upload(app, keras_file_bytes(encoder), "encoder.keras")
    app.file_uploader[1].set_value(("decoder.keras", keras_file_bytes(decoder), "application/octet-stream")).run()
    [entry] = Workspace(workspace_root).entries()
    slider = next(widget for widget in app.select_slider if widget.label == "The encoder ends after")
    assert slider.value == 2  # after the code layer, where the encoder file ends
    slider.set_value(1).run()
    assert not app.exception and not app.error
    [moved] = Workspace(workspace_root).entries()
    assert moved.id == entry.id and moved.latent_dim == 16
    model = Workspace(workspace_root).load(moved.id).model
    assert model.split == 1
    x = np.random.default_rng(0).random((4, 8, 8, 1), dtype=np.float32)
    np.testing.assert_allclose(model.reconstruct(x), np.asarray(decoder(encoder(x[..., 0]))).reshape(x.shape),
                               atol=1e-5)
    assert any(metric.label == "Latent size" and metric.value == "16" for metric in app.metric)


def test_a_generators_output_range_is_read_from_its_last_activation_and_can_be_changed(workspace_root):
    layers = keras.layers
    generator = keras.Sequential([keras.Input((4,)), layers.Dense(64, activation="tanh"), layers.Reshape((8, 8, 1))])
    app = open_page("library.py", dataset="digits")
    upload(app, keras_file_bytes(generator), "generator.keras")
    assert not app.exception and not app.error
    [entry] = Workspace(workspace_root).entries()
    assert entry.kind == "keras_generator"
    radio = next(widget for widget in app.radio if widget.label == "The generator's outputs")
    assert radio.value == "tanh"
    radio.set_value("unit").run()
    assert not app.exception
    assert Workspace(workspace_root).load(entry.id).model.output_range == "unit"


def test_a_model_no_dataset_has_is_refused_naming_its_shape_in_korean(workspace_root):
    layers = keras.layers
    odd = keras.Sequential([keras.Input((5, 5, 1)), layers.Flatten(), layers.Dense(2), layers.Dense(25),
                            layers.Reshape((5, 5, 1))])
    app = open_page("library.py", dataset="digits", lang="ko")
    upload(app, keras_file_bytes(odd), "odd.keras")
    assert Workspace(workspace_root).entries() == []
    assert "(5, 5, 1)" in app.error[0].value and "데이터셋이 없습니다" in app.error[0].value


@pytest.mark.parametrize("lang, words", [("en", "is a GaussianNoise layer"), ("ko", "GaussianNoise 층인데")])
def test_an_unsupported_layer_is_named_in_either_language(workspace_root, lang, words):
    layers = keras.layers
    noisy = keras.Sequential([keras.Input((8, 8, 1)), layers.Flatten(), layers.Dense(4),
                              layers.GaussianNoise(0.1, name="noisy"), layers.Dense(64), layers.Reshape((8, 8, 1))])
    app = open_page("library.py", dataset="digits", lang=lang)
    upload(app, keras_file_bytes(noisy), "noisy.keras")
    assert Workspace(workspace_root).entries() == []
    assert "noisy" in app.error[0].value and words in app.error[0].value


def test_a_split_that_cannot_be_found_is_told_in_korean(workspace_root):
    layers = keras.layers
    wide = keras.Sequential([keras.Input((64,)), layers.Dense(128, name="wide"), layers.Dense(64)])
    app = open_page("library.py", dataset="digits", lang="ko")
    upload(app, keras_file_bytes(wide), "wide.keras")
    assert "wide" in app.error[0].value and "탐색할 코드가 없습니다" in app.error[0].value
