"""A small CNN that tells which class an image looks like.

Pages use it to label what a model made: the decoded mean of a class, a perturbed
code, a GAN sample. ``train_classifier`` fits one on a dataset; ``save_classifier``
writes ``classifier.keras`` (built-in Keras layers only) and a JSON manifest;
``load_classifier_folder`` reads them back with Keras safe mode. ``Classifier``
answers through a compiled function (one trace, any batch size), not
``model.predict``, whose per-call overhead is too high for a slider.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from latent_core.frameworks import keras
import numpy as np
from latent_core.frameworks import tf

CLASSIFIER_FILENAME = "classifier.keras"
MANIFEST_FILENAME = "manifest.json"
PREDICT_CHUNK = 512


class ClassifierError(ValueError):
    """A classifier file or folder is missing, damaged or does not fit its manifest."""


def _checked_network_shape(role: str, input_shape, num_classes) -> tuple[int, int, int]:
    """``input_shape`` as an (h, w, c) tuple of ints, refused unless it is one and
    ``num_classes`` is an integer >= 2."""
    shape = tuple(int(d) for d in input_shape)
    if len(shape) != 3:
        raise ValueError(f"the {role} needs images shaped (h, w, c); got {shape}.")
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"num_classes must be an integer >= 2; got {num_classes!r}.")
    return shape


def _seeded_initializers(kind, base_seed: int):
    """``init(offset)``: a fresh ``kind`` initialiser seeded ``base_seed + offset``, so each
    layer draws its own reproducible weights."""
    def init(offset: int) -> keras.initializers.Initializer:
        return kind(seed=base_seed + offset)
    return init


def build_classifier_network(input_shape, num_classes: int, *, seed: int = 0) -> keras.Model:
    """Two strided convolutions, a dense layer with dropout, and a softmax.

    Strided convolutions instead of pooling keep it cheap on a CPU; it reaches about
    91% on Fashion-MNIST and 98% on MNIST in a few epochs.
    """
    shape = _checked_network_shape("classifier", input_shape, num_classes)
    layers = keras.layers
    init = _seeded_initializers(keras.initializers.GlorotUniform, seed * 1009)
    images = keras.Input(shape=shape, name="image")
    h = layers.Conv2D(32, 3, strides=2, padding="same", activation="relu",
                      kernel_initializer=init(1), name="conv_0")(images)
    h = layers.Conv2D(64, 3, strides=2, padding="same", activation="relu",
                      kernel_initializer=init(2), name="conv_1")(h)
    h = layers.Flatten(name="flatten")(h)
    h = layers.Dropout(0.3, seed=seed * 1009 + 3, name="dropout")(h)
    h = layers.Dense(128, activation="relu", kernel_initializer=init(4), name="hidden")(h)
    probabilities = layers.Dense(num_classes, activation="softmax", kernel_initializer=init(5),
                                 name="probabilities")(h)
    return keras.Model(images, probabilities, name="classifier")


def build_judge_network(input_shape, num_classes: int, *, seed: int = 0) -> keras.Model:
    """A second classifier, built differently from ``build_classifier_network`` (pooling
    instead of strides, batch normalisation, a smaller dense layer), used only to judge the
    library: a model tuned until the app's classifier likes its pictures is not thereby liked
    by a classifier that learnt other features."""
    shape = _checked_network_shape("judge", input_shape, num_classes)
    layers = keras.layers
    init = _seeded_initializers(keras.initializers.HeNormal, seed * 7919)
    images = keras.Input(shape=shape, name="image")
    h = images
    for stage, filters in enumerate((32, 64)):
        h = layers.Conv2D(filters, 3, padding="same", use_bias=False, kernel_initializer=init(stage),
                          name=f"conv_{stage}")(h)
        h = layers.BatchNormalization(name=f"norm_{stage}")(h)
        h = layers.Activation("relu", name=f"relu_{stage}")(h)
        h = layers.MaxPooling2D(2, name=f"pool_{stage}")(h)
    h = layers.Flatten(name="flatten")(h)
    h = layers.Dropout(0.4, seed=seed * 7919 + 10, name="dropout")(h)
    h = layers.Dense(64, activation="relu", kernel_initializer=init(11), name="hidden")(h)
    probabilities = layers.Dense(num_classes, activation="softmax", kernel_initializer=init(12),
                                 name="probabilities")(h)
    return keras.Model(images, probabilities, name="judge")


NETWORKS = {"classifier": build_classifier_network, "judge": build_judge_network}


class Classifier:
    """A trained classifier network and the names of its classes.

    ``predict_proba(images)`` gives (n, classes) probabilities for float images in
    [0, 1]; ``predict`` the most likely class per image.
    """

    def __init__(self, network: keras.Model, class_names):
        self.network = network
        self.class_names = tuple(str(name) for name in class_names)
        self.input_shape = tuple(int(d) for d in network.input_shape[1:])
        outputs = int(network.output_shape[-1])
        if outputs != len(self.class_names):
            raise ClassifierError(
                f"the network predicts {outputs} classes but {len(self.class_names)} class "
                "names were given.")
        self._compiled = None
        self._lock = threading.Lock()

    def _check_images(self, images) -> np.ndarray:
        array = np.asarray(images, dtype=np.float32)
        if array.ndim != 4 or array.shape[1:] != self.input_shape:
            raise ValueError(
                f"the classifier expects images of shape (n, {', '.join(map(str, self.input_shape))}); "
                f"got {array.shape}.")
        if array.size and (not np.all(np.isfinite(array)) or array.min() < -1e-6
                           or array.max() > 1 + 1e-6):
            raise ValueError("the classifier expects finite pixel values in [0, 1].")
        return array

    def _function(self):
        with self._lock:
            if self._compiled is None:
                spec = tf.TensorSpec((None,) + self.input_shape, tf.float32)
                self._compiled = tf.function(lambda x: self.network(x, training=False),
                                             input_signature=[spec])
            return self._compiled

    def predict_proba(self, images) -> np.ndarray:
        """Class probabilities, shape (n, classes)."""
        array = self._check_images(images)
        if len(array) == 0:
            return np.zeros((0, len(self.class_names)), dtype=np.float32)
        function = self._function()
        return np.concatenate([np.asarray(function(array[start:start + PREDICT_CHUNK]))
                               for start in range(0, len(array), PREDICT_CHUNK)])

    def predict(self, images) -> np.ndarray:
        """The most likely class index of each image, shape (n,)."""
        return np.argmax(self.predict_proba(images), axis=1)

    def accuracy(self, images, labels) -> float:
        """Fraction of ``images`` whose predicted class equals ``labels``."""
        return float(np.mean(self.predict(images) == np.asarray(labels)))


def train_classifier(x_train, y_train, class_names, *, epochs: int = 4, batch_size: int = 128,
                     learning_rate: float = 1e-3, seed: int = 0,
                     architecture: str = "classifier") -> tuple[Classifier, dict]:
    """Fit a new classifier (``architecture``: one of ``NETWORKS``, the app's or the held-out
    judge) on images ``x_train`` (n, h, w, c) in [0, 1] and integer labels; return it and its
    training record (settings, per-epoch loss and accuracy, seconds)."""
    if architecture not in NETWORKS:
        raise ValueError(f"architecture must be one of {', '.join(NETWORKS)}; got {architecture!r}.")
    keras.utils.set_random_seed(seed)
    network = NETWORKS[architecture](x_train.shape[1:], len(class_names), seed=seed)
    network.compile(optimizer=keras.optimizers.Adam(learning_rate),
                    loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    started = time.perf_counter()
    history = network.fit(np.asarray(x_train, dtype=np.float32), np.asarray(y_train, dtype=np.int64),
                          epochs=epochs, batch_size=batch_size, shuffle=True, verbose=0)
    record = {"architecture": architecture, "epochs": epochs, "batch_size": batch_size, "learning_rate": learning_rate,
              "seed": seed, "seconds": round(time.perf_counter() - started, 3),
              "history": {name: [float(v) for v in values]
                          for name, values in history.history.items()}}
    return Classifier(network, class_names), record


def save_classifier(classifier: Classifier, folder, *, manifest: dict) -> Path:
    """Write ``classifier.keras`` (no optimizer state) and ``manifest.json`` holding
    ``manifest`` plus the class names and input shape; return the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    # The .keras format stores a compiled model's optimizer state too (tripling the
    # file); an uncompiled copy rebuilt from the config stores only the weights
    # (``clone_model`` of a network with batch normalisation comes back compiled).
    network = keras.Model.from_config(classifier.network.get_config())
    network.set_weights(classifier.network.get_weights())
    keras.saving.save_model(network, folder / CLASSIFIER_FILENAME)
    content = {**manifest, "class_names": list(classifier.class_names),
               "input_shape": list(classifier.input_shape), "model_file": CLASSIFIER_FILENAME}
    (folder / MANIFEST_FILENAME).write_text(json.dumps(content, indent=2), encoding="utf-8")
    return folder


def load_classifier_folder(folder) -> tuple[Classifier, dict]:
    """Load a saved classifier (Keras safe mode: no code from the file runs) and its
    manifest; raise ``ClassifierError`` when they are missing or disagree."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST_FILENAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ClassifierError(f"{folder} holds no classifier manifest ({MANIFEST_FILENAME}).") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ClassifierError(f"{folder / MANIFEST_FILENAME} is not valid JSON: {error}.") from None
    path = folder / str(manifest.get("model_file", CLASSIFIER_FILENAME))
    if not path.is_file():
        raise ClassifierError(f"no classifier file at {path}.")
    try:
        network = keras.saving.load_model(path, safe_mode=True, compile=False)
    except (ValueError, TypeError, KeyError, OSError) as error:
        raise ClassifierError(f"{path} could not be loaded safely: {error}") from None
    classifier = Classifier(network, manifest.get("class_names", ()))
    if list(classifier.input_shape) != manifest.get("input_shape"):
        raise ClassifierError(
            f"{folder / MANIFEST_FILENAME} says input_shape {manifest.get('input_shape')} but the "
            f"network takes {list(classifier.input_shape)}.")
    return classifier, manifest
