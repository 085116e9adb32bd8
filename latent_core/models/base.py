"""The interface every model kind shares, with NumPy in and out.

``LatentModel`` is a Keras 3 model made of small functional sub-models (``encoder``,
``decoder``; a GAN has ``generator`` and ``discriminator``). Its public methods
``encode``, ``decode``, ``reconstruct`` and ``sample`` take and return NumPy arrays,
check their input first, and run through a compiled fast path (one ``tf.function``
per sub-model, traced once for any batch size) instead of ``model.predict``, whose
per-call overhead is too high for interactive use.
"""

from __future__ import annotations

import inspect
import math
import threading
from collections.abc import Callable

from latent_core.frameworks import keras
import numpy as np
from latent_core.frameworks import tf

from latent_core.models import options as opt

SERIALIZATION_PACKAGE = "latent_explorer"
FAST_PATH_BATCH = 256


class ModelInputError(ValueError):
    """An array given to a model has the wrong shape, dtype or value range."""


class NoEncoderError(NotImplementedError):
    """The model kind has no encoder (a GAN maps noise to images only)."""


class NoLatentError(NoEncoderError):
    """The model kind takes images in but has no latent code (a U-Net's skip connections
    bypass its bottleneck): ``reconstruct`` works, ``encode`` and ``decode`` do not."""


class NotGenerativeError(NotImplementedError):
    """The model kind cannot sample new data from a prior."""


class SeededInitializers:
    """Hands out Glorot initializers with distinct fixed seeds, so that building a model
    twice with the same ``seed`` gives the same starting weights."""

    def __init__(self, seed: int):
        self._seed = seed
        self._count = 0

    def next(self) -> keras.initializers.Initializer:
        self._count += 1
        return keras.initializers.GlorotUniform(seed=self._seed * 1009 + self._count)


def reconstruction_error(x, y, loss: str, *, reduction: str = "mean"):
    """Per-example error between targets ``x`` and outputs ``y`` (a tensor of shape (n,)).

    ``reduction`` says how pixels of one example combine: ``"mean"`` (per-pixel average,
    what the autoencoders report) or ``"sum"`` (the VAE's log-likelihood scale, which
    keeps the reconstruction term comparable to the KL term).
    """
    ops = keras.ops
    if loss == "mse":
        per_value = ops.square(x - y)
    elif loss == "l1":
        per_value = ops.abs(x - y)
    elif loss == "bce":
        eps = keras.config.epsilon()
        y = ops.clip(y, eps, 1.0 - eps)
        per_value = -(x * ops.log(y) + (1.0 - x) * ops.log(1.0 - y))
    else:
        raise ValueError(f"unknown reconstruction loss {loss!r}; use one of mse, bce, l1.")
    axes = tuple(range(1, len(per_value.shape)))
    return ops.sum(per_value, axis=axes) if reduction == "sum" else ops.mean(per_value, axis=axes)


class _FastPath:
    """Compiled, shape-generic calls of sub-models in inference mode, made once per model.

    Kept in a plain object so Keras neither tracks nor saves it.
    """

    def __init__(self):
        self._functions: dict[str, Callable] = {}
        self._lock = threading.Lock()

    def call(self, name: str, function: Callable, array: np.ndarray) -> np.ndarray:
        """Run ``function`` (tensor -> tensor) on ``array`` in chunks; trace it once."""
        with self._lock:
            compiled = self._functions.get(name)
            if compiled is None:
                spec = tf.TensorSpec((None,) + tuple(array.shape[1:]), tf.float32)
                compiled = tf.function(function, input_signature=[spec])
                self._functions[name] = compiled
        if len(array) <= FAST_PATH_BATCH:
            return np.asarray(compiled(array))
        return np.concatenate([
            np.asarray(compiled(array[start : start + FAST_PATH_BATCH]))
            for start in range(0, len(array), FAST_PATH_BATCH)
        ])


class LatentModel(keras.Model):
    """Base of every model kind: options, input checks, the NumPy interface, and a
    description of itself that the Train page and the time estimate read.

    Subclasses set ``kind`` (the registry name), ``generative``, ``has_encoder`` and ``has_latent``,
    build their sub-models in ``__init__`` from explicit keyword options, and list those
    options in ``option_names`` so ``get_config`` can round-trip them. They describe
    themselves with ``title`` (English; ui/texts holds the name shown, ``kind.<kind>``,
    and help, ``train.kind_help.<kind>``), ``image_only``, ``train_options``,
    ``supported_losses``, ``latent_dim_from_data`` and ``training_ms_per_image``. For
    saved files they declare ``saved_options`` (every ``get_config`` field with its type
    and range), ``weight_count`` (the values their weights file holds, by arithmetic) and
    ``activation_values`` (a bound on one example's largest tensor), so a file is checked
    and its size known before anything is built.
    """

    kind: str = ""
    generative: bool = False
    has_encoder: bool = True
    # False for a kind whose images pass through it without a latent code on the way (a
    # U-Net's skip connections): reconstruct works, encode and decode raise NoLatentError.
    has_latent: bool = True
    option_names: tuple[str, ...] = ()
    # Options added after bundles of the kind were first saved: left out of ``options`` (and so
    # of the saved config and manifest) while at their default, so a bundle saved before they
    # existed still matches its manifest, and one saved with another value reloads exactly.
    added_options: tuple[str, ...] = ()

    title: str = ""
    # Only (height, width, channels) inputs; flat vectors such as the swiss roll are refused.
    image_only: bool = False
    # The options the Train page offers besides the latent size and the loss.
    train_options: tuple[opt.TrainOption, ...] = ()
    # True: the Train page suggests the dataset's own code size; False: the constructor's
    # default (a GAN's noise size does not depend on the data).
    latent_dim_from_data: bool = True
    # Milliseconds per training image-epoch with the default layers on a 28×28 input: CPU time of
    # the Train page's job (benchmarks/bench_training_cost.py), about its wall time on a 2-core server
    # running two trainings; ``jobs.estimate_seconds`` scales it to other layers and sizes.
    training_ms_per_image: float | None = None
    # Every field of ``get_config``: what a saved model may carry, with types and ranges.
    saved_options: tuple[opt.SavedOption, ...] = (
        opt.SavedOption("name", "name"),
        opt.SavedOption("trainable", "bool"),
        opt.SavedOption("input_shape", "shape", minimum=1, maximum=opt.MAX_INPUT_SIDE),
        opt.int_option("latent_dim", opt.MAX_LATENT_DIM),
        opt.int_option("seed", opt.MAX_SEED, minimum=0),
    )

    @classmethod
    def checked_saved_options(cls, config) -> dict:
        """The constructor's keyword options from a saved config, each checked against
        ``saved_options``; raises ``options.OptionRefused`` for an unknown, missing or
        badly typed option or one out of range."""
        if not isinstance(config, dict):
            raise opt.OptionRefused("config", config, "not_options")
        declared = {option.name: option for option in cls.saved_options}
        unknown = sorted(set(config) - set(declared))
        if unknown:
            raise opt.OptionRefused(unknown[0], config[unknown[0]], "unknown_option", kind=cls.kind)
        if "input_shape" not in config:
            raise opt.OptionRefused("input_shape", None, "missing")
        return {name: declared[name].check(value) for name, value in config.items()}

    @classmethod
    def saved_value(cls, options: dict, name: str):
        """Option ``name`` of checked ``options``, or the constructor's default."""
        value = options.get(name)
        return cls.option_default(name) if value is None else value

    @classmethod
    def weight_count(cls, options: dict) -> int:
        """How many weight values a model built with checked ``options`` holds (what its
        weights file stores), computed without building it. Each kind gives its formula."""
        raise NotImplementedError(f"{cls.kind} does not say how many weights it holds.")

    @classmethod
    def activation_values(cls, options: dict) -> int:
        """An upper bound on the values of one example's largest intermediate tensor, so
        the memory a batch needs is known without building: here the input, the code and
        any Dense width; kinds with feature maps give their own."""
        widths = cls.saved_value(options, "hidden_units") if "hidden_units" in cls.option_names else ()
        return max(math.prod(options["input_shape"]), cls.saved_value(options, "latent_dim"), *widths)

    @classmethod
    def fixed_latent_dim(cls, input_shape, options: dict) -> int | None:
        """The code size ``options`` leave no choice about on inputs of ``input_shape`` (a
        conv AE whose code is its last feature map), or None when ``latent_dim`` is free."""
        return None

    @classmethod
    def supported_losses(cls, input_shape) -> tuple[str, ...]:
        """The reconstruction losses this kind trains with on inputs of ``input_shape``
        with its default options, the first being the one to suggest; empty when the kind
        has no reconstruction loss to choose."""
        return ()

    @classmethod
    def option_default(cls, name: str):
        """The default of keyword option ``name``, read from the constructors (the one
        place defaults are written), the most derived first."""
        for klass in cls.__mro__:
            init = klass.__dict__.get("__init__")
            if init is None:
                continue
            parameter = inspect.signature(init).parameters.get(name)
            if parameter is not None and parameter.default is not inspect.Parameter.empty:
                return parameter.default
        raise ValueError(f"{cls.kind}: no constructor of {cls.__name__} has a default for {name!r}.")

    def __init__(self, *, input_shape, latent_dim: int, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        self._input_shape = opt.check_input_shape(input_shape, kind=self.kind, image_only=self.image_only)
        self._latent_dim = opt.check_positive_int("latent_dim", latent_dim, kind=self.kind)
        self.seed = opt.check_seed(seed, kind=self.kind)
        self._fast_path = _FastPath()

    # ----- description -------------------------------------------------------------
    @property
    def input_shape(self) -> tuple[int, ...]:
        """Shape of one input example, without the batch axis."""
        return self._input_shape

    @property
    def latent_dim(self) -> int:
        """Size of the latent code (the GAN's noise vector)."""
        return self._latent_dim

    @property
    def is_image_model(self) -> bool:
        """True for (height, width, channels) inputs, which must lie in [0, 1]."""
        return len(self._input_shape) == 3

    @property
    def options(self) -> dict:
        """The keyword options this model was built with (JSON-friendly)."""
        values = {"input_shape": list(self._input_shape), "latent_dim": self._latent_dim}
        values.update({name: _jsonable(getattr(self, name)) for name in self.option_names
                       if name not in self.added_options or getattr(self, name) != self.option_default(name)})
        values["seed"] = self.seed
        return values

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable, **self.options}

    def get_compile_config(self):
        # Saved models are for inference and display; training always compiles afresh.
        return {}

    def summary_rows(self) -> list[dict]:
        """Layer name, type, output shape, activation (None for a layer without one) and
        parameter count of every sub-model layer."""
        rows = []
        for submodel in self.submodels():
            for layer in submodel.layers:
                rows.append(
                    {
                        "part": submodel.name,
                        "layer": layer.name,
                        "type": type(layer).__name__,
                        "output_shape": str(tuple(layer.output.shape)),
                        "activation": _activation_name(layer),
                        "parameters": int(layer.count_params()),
                    }
                )
        return rows

    def submodels(self) -> list[keras.Model]:
        """The functional sub-models that make up this model."""
        return [self.encoder, self.decoder]

    # ----- training hooks used by latent_core.training ------------------------------
    def configure_training(self, learning_rate: float) -> None:
        """Compile with fresh optimizers for a training run."""
        self.compile(optimizer=keras.optimizers.Adam(learning_rate), jit_compile=False)

    def preview(self, x_preview: np.ndarray | None, *, count: int) -> np.ndarray | None:
        """A few images that show training progress: reconstructions of ``x_preview``,
        clipped to [0, 1] for display."""
        if x_preview is None or not self.is_image_model:
            return None
        return np.clip(self.reconstruct(x_preview[:count]), 0.0, 1.0)

    def preview_of_codes(self, codes: np.ndarray) -> np.ndarray | None:
        """``preview`` of inputs whose ``codes`` are already known: their decodings, clipped to [0, 1]
        (for a model whose reconstruction is the decoding of its code, as every kind with a code)."""
        if not self.is_image_model:
            return None
        return np.clip(self.decode(codes), 0.0, 1.0)

    # ----- NumPy interface -----------------------------------------------------------
    def check_inputs(self, x) -> np.ndarray:
        """Return ``x`` as float32 after checking its shape and value range.

        Raises ``ModelInputError`` with the expected and the received shape or range.
        """
        array = np.asarray(x)
        expected = (None,) + self._input_shape
        if array.ndim != len(expected) or array.shape[1:] != self._input_shape:
            hint = ""
            if array.shape == self._input_shape:
                hint = " It looks like one example: add a batch axis, e.g. x[np.newaxis]."
            elif self.is_image_model and array.shape[1:] == self._input_shape[:2]:
                hint = " Add the channel axis, e.g. x[..., np.newaxis]."
            raise ModelInputError(
                f"{self.kind} expects inputs of shape (n, {', '.join(map(str, self._input_shape))})"
                f"; got {array.shape}.{hint}"
            )
        if not np.issubdtype(array.dtype, np.number):
            raise ModelInputError(f"{self.kind} expects numeric inputs; got dtype {array.dtype}.")
        array = array.astype(np.float32, copy=False)
        if not np.all(np.isfinite(array)):
            raise ModelInputError(f"{self.kind}: inputs contain NaN or infinite values.")
        if self.is_image_model and array.size:
            low, high = float(array.min()), float(array.max())
            if low < -1e-6 or high > 1 + 1e-6:
                raise ModelInputError(
                    f"{self.kind} expects pixel values in [0, 1]; got values in "
                    f"[{low:g}, {high:g}]. Divide 0-255 images by 255."
                )
        return array

    def check_codes(self, z) -> np.ndarray:
        """Return latent codes ``z`` as float32 after checking shape (n, latent_dim)."""
        array = np.asarray(z)
        if array.ndim != 2 or array.shape[1] != self._latent_dim:
            hint = " Add a batch axis, e.g. z[np.newaxis]." if array.shape == (self._latent_dim,) else ""
            raise ModelInputError(
                f"{self.kind} expects latent codes of shape (n, {self._latent_dim}); "
                f"got {array.shape}.{hint}"
            )
        array = array.astype(np.float32, copy=False)
        if not np.all(np.isfinite(array)):
            raise ModelInputError(f"{self.kind}: latent codes contain NaN or infinite values.")
        return array

    def encode(self, x) -> np.ndarray:
        """Latent codes of inputs ``x`` (n, *input_shape) -> (n, latent_dim)."""
        return self._fast_path.call("encode", self._encode_tensor, self.check_inputs(x))

    def decode(self, z) -> np.ndarray:
        """Outputs for latent codes ``z`` (n, latent_dim) -> (n, *input_shape)."""
        return self._fast_path.call("decode", self._decode_tensor, self.check_codes(z))

    def _encode_tensor(self, x):
        return self.encoder(x, training=False)

    def _decode_tensor(self, z):
        return self.decoder(z, training=False)

    def reconstruct(self, x) -> np.ndarray:
        """``decode(encode(x))``: the model's reconstruction of ``x``, in one compiled call."""
        return self._fast_path.call("reconstruct", self._reconstruct_tensor, self.check_inputs(x))

    def _reconstruct_tensor(self, x):
        return self._decode_tensor(self._encode_tensor(x))

    def sample(self, n: int, *, seed: int = 0) -> np.ndarray:
        """``n`` new examples drawn from the model (generative kinds only)."""
        raise NotGenerativeError(
            f"{self.kind} is not generative: it has no prior to sample from. Decode codes "
            "from encode() instead, or train a 'vae' or 'dcgan'."
        )

    def _prior_codes(self, n: int, seed: int) -> np.ndarray:
        opt.check_positive_int("n", n, kind=self.kind)
        opt.check_seed(seed, kind=self.kind)
        return np.random.default_rng(seed).standard_normal((n, self._latent_dim)).astype(np.float32)


class GaussianEncoder:
    """What every VAE shares (trained here or uploaded): an ``encoder`` giving
    ``[z_mean, z_log_var]``, the mean as the code, the decoder fed the mean outside
    training, and samples decoded from the prior N(0, I). Put before ``LatentModel``."""

    def call(self, inputs, training=False):
        return self.decoder(self.encoder(inputs, training=training)[0], training=training)

    def _encode_tensor(self, x):
        return self.encoder(x, training=False)[0]

    def encode_distribution(self, x) -> tuple[np.ndarray, np.ndarray]:
        """Mean and log-variance of q(z|x) for inputs ``x``."""
        z_mean, z_log_var = self.encoder(self.check_inputs(x), training=False)
        return np.asarray(z_mean), np.asarray(z_log_var)

    def sample(self, n: int, *, seed: int = 0) -> np.ndarray:
        """Decode ``n`` codes drawn from the prior N(0, I)."""
        return self.decode(self._prior_codes(n, seed))


def _activation_name(layer) -> str | None:
    """The name of a layer's own activation ("relu"), None for a layer without one."""
    activation = getattr(layer, "activation", None)
    return getattr(activation, "__name__", None) if activation is not None else None


def _jsonable(value):
    return list(value) if isinstance(value, tuple) else value
