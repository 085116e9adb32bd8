"""Model options: how a kind describes the ones a user may set, and early checks for all.

Every model kind validates its keyword options here before building any layer, so a
bad option fails at once with a readable message instead of deep inside Keras. A kind
lists the options the Train page offers as ``TrainOption``s (``LatentModel.train_options``);
their defaults are the constructor's own, read by ``LatentModel.option_default``. It
lists every option a saved model may carry (each ``get_config`` field) as a
``SavedOption`` with a type and a range (``LatentModel.saved_options``): a model file is
rebuilt from those values only, so nothing else in its config reaches Keras.

This module imports no Keras, so a file's options can be checked in any process.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

RECONSTRUCTION_LOSSES = ("mse", "bce", "l1")
# The activations a model may name: Keras built-ins without state or arguments. A fixed
# list, so an option can never name some other Keras function.
ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh", "elu", "selu", "gelu", "softplus", "softsign",
               "swish", "silu", "leaky_relu", "hard_sigmoid", "exponential", "mish", "relu6")
# The activations the Train page's layer builder offers for hidden layers (the course's).
BUILDER_ACTIVATIONS = ("relu", "elu", "tanh", "leaky_relu")
OptionType = Literal["number", "range", "one_of", "some_of", "int_list", "flag"]
SavedType = Literal["int", "float", "bool", "name", "one_of", "some_of", "int_list", "float_pair", "shape"]

# Bounds on sizes a saved model may ask for: far above every model this app trains, far
# below what would exhaust a shared server (the parameter count is capped too, by ``store``).
MAX_INPUT_SIDE = 1024
MAX_INPUT_VALUES = 256 * 256 * 3
MAX_LATENT_DIM = 1024
MAX_LAYER_WIDTH = 4096
MAX_LAYERS = 8
MAX_FILTERS = 512
MAX_CONV_STAGES = 4
MAX_KERNEL_SIZE = 7
MAX_SEED = 2**31 - 1
MAX_NAME_LENGTH = 100
# What the Train page's layer builder lets a user ask for (saved files may hold more, above).
BUILDER_MAX_WIDTH = 1024
BUILDER_MAX_LAYERS = 6
BUILDER_MAX_FILTERS = 256
_NAME_PATTERN = re.compile(r"[A-Za-z0-9_.\-]+")


@dataclass(frozen=True)
class TrainOption:
    """One keyword option of a model kind that the Train page offers.

    ``type`` says what a value is: ``"number"`` (a float from ``minimum`` to ``maximum``
    in steps of ``step``), ``"range"`` (a (low, high) pair of such numbers), ``"one_of"``
    (one of ``choices``), ``"some_of"`` (a tuple of ``choices``), ``"int_list"`` (a tuple
    of ``min_length`` to ``max_length`` ints from ``minimum`` to ``maximum``, typed as a
    list such as "128, 64": layer widths) or ``"flag"`` (on or off). Its label is the text
    ``train.option.<name>`` of ui/texts. ``images_only`` options are offered for image
    data only (e.g. a convolutional architecture); ``layers`` options shape the layer
    stack and are shown with the architecture they build.
    """

    name: str
    type: OptionType
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    choices: tuple = ()
    images_only: bool = False
    layers: bool = False
    min_length: int = 0
    max_length: int = 0

    def __post_init__(self):
        if self.type in ("number", "range") and None in (self.minimum, self.maximum, self.step):
            raise ValueError(f"option {self.name!r}: a {self.type} needs minimum, maximum and step.")
        if self.type == "int_list" and (None in (self.minimum, self.maximum) or self.max_length < 1):
            raise ValueError(f"option {self.name!r}: an int_list needs minimum, maximum and max_length.")
        if self.type in ("one_of", "some_of") and not self.choices:
            raise ValueError(f"option {self.name!r}: a {self.type} needs its choices.")

    def parse_list(self, text: str) -> tuple[int, ...]:
        """The ints of an ``int_list`` typed as text ("128, 64", spaces or commas between);
        raises ``SettingsRefused`` saying what is wrong (``list_not_numbers``,
        ``list_length``, ``list_range``)."""
        words = [word for word in re.split(r"[,\s]+", str(text).strip()) if word]
        details = {"option": self.name, "text": str(text)[:40], "minimum": int(self.minimum),
                   "maximum": int(self.maximum), "min_length": self.min_length, "max_length": self.max_length}
        if not all(re.fullmatch(r"[0-9]{1,9}", word) for word in words):
            raise SettingsRefused(f"{self.name}: {text!r} is not a list of whole numbers such as 128, 64.",
                                  "list_not_numbers", **details)
        if not self.min_length <= len(words) <= self.max_length:
            raise SettingsRefused(f"{self.name}: needs {self.min_length} to {self.max_length} numbers; "
                                  f"got {len(words)}.", "list_length", **details)
        values = tuple(int(word) for word in words)
        if not all(self.minimum <= value <= self.maximum for value in values):
            raise SettingsRefused(f"{self.name}: every number must be from {self.minimum:g} to "
                                  f"{self.maximum:g}; got {text!r}.", "list_range", **details)
        return values


def format_list(values) -> str:
    """An int list as the Train page shows it for editing: "128, 64"."""
    return ", ".join(str(int(value)) for value in values)


class SettingsRefused(ValueError):
    """Settings that cannot build a model, for a reason the interface words itself: ``code``
    names the reason (e.g. ``not_divisible``) and ``details`` holds its numbers."""

    def __init__(self, message: str, code: str, **details):
        super().__init__(message)
        self.code, self.details = code, details


# Why a saved option or a plain Keras layer is refused: a code per reason, worded in English
# here (for logs and the command line); the interface words each code itself
# (``upload.reason.<code>`` in ui/texts/uploads.py) from the same parameters.
REFUSAL_REASONS = {
    "not_integer": "must be an integer",
    "not_number": "must be a number",
    "not_finite": "must be finite",
    "below_minimum": "must be at least {minimum}",
    "above_maximum": "must be at most {maximum}",
    "not_bool": "must be true or false",
    "not_name": "must be a name of letters, digits and _.- (at most {length})",
    "not_choice": "must be one of {choices}",
    "not_list": "must be a list",
    "too_many_entries": "may have at most {count} entries",
    "too_few_entries": "needs at least {count} entries",
    "repeated_entry": "lists an entry twice",
    "not_pair": "must be a [low, high] pair",
    "not_shape": "must be [features] or [height, width, channels]",
    "too_many_values": "has over {count} values",
    "not_options": "must be an object of options",
    "unknown_option": "is not an option of {kind}",
    "missing": "is missing",
    "not_layer_list": "must be a list of layers",
    "no_layer_list": "holds no list of layers",
    "too_many_layers": "more than {count} layers",
    "no_input": "the model must start with keras.Input(shape=...)",
    "no_layers": "the model has no layers after its input",
    "not_layer": "is not a layer description",
    "unsupported_layer": "is a {found} layer; models of {supported} layers are supported",
    "fixed_value": "must be {expected} here",
    "not_float32": "must be float32",
    "unknown_field": "has a field {entry} this app does not rebuild",
    "output_count": "the model must have one output (or a mean and a log-variance), its last layers",
    "two_outputs": "a model with two outputs must end in two layers taking the same input (a mean and a "
                   "log-variance)",
    "not_a_chain": "does not take the previous layer's output alone; only models whose layers form one chain "
                   "are supported",
    "output_not_last": "the model's output must be its last layer",
    "input_with_batch": "the input needs a shape without its batch size",
}


class OptionRefused(ValueError):
    """A saved model's option has the wrong type or lies outside its declared range.

    ``code`` names the reason (a key of ``REFUSAL_REASONS``) and ``params`` fill in its
    wording (names and numbers only, never prose); ``field`` is the layer field at fault, if
    any. ``reason`` is the English wording. ``too_big`` is True when the value is well
    formed but asks for more than the bound.
    """

    def __init__(self, name: str, value, code: str, *, field: str | None = None, too_big: bool = False,
                 **params):
        shown = _shown(value)
        self.name, self.shown, self.code, self.field, self.params, self.too_big = \
            name, shown, code, field, {key: str(param) for key, param in params.items()}, too_big
        reason = REFUSAL_REASONS[code].format(**self.params)
        self.reason = f"{field} {reason}" if field else reason
        super().__init__(f"option {name} = {shown}: {self.reason}")


def _shown(value) -> str:
    """A short, plain rendering of an option's value for messages (objects are not shown)."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        return "a nested list"
    shown = repr(value)
    return shown if len(shown) <= 80 else shown[:77] + "..."


@dataclass(frozen=True)
class SavedOption:
    """One option a saved model may carry, with its type and range.

    ``type``: ``"int"`` / ``"float"`` (from ``minimum`` to ``maximum``), ``"bool"``,
    ``"name"`` (a Keras object name: letters, digits, ``_.-``), ``"one_of"`` (a string from
    ``choices``), ``"some_of"`` (a non-empty list of distinct ``choices``), ``"int_list"``
    (``min_length`` to ``max_length`` ints in the range), ``"float_pair"`` (two floats in
    the range) or ``"shape"`` (an input shape: ``(features,)`` or ``(h, w, c)``, each side
    up to ``maximum``, at most ``MAX_INPUT_VALUES`` values). ``optional`` also accepts
    ``None`` (the constructor then picks the value). Nested objects are never accepted.
    """

    name: str
    type: SavedType
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple = ()
    min_length: int = 0
    max_length: int = 0
    optional: bool = False

    def check(self, value):
        """Return ``value`` normalised (lists become tuples), or raise ``OptionRefused``."""
        if value is None and self.optional:
            return None
        checker = getattr(self, f"_check_{self.type}")
        return checker(value)

    def _refuse(self, value, code: str, *, too_big: bool = False, **params) -> OptionRefused:
        return OptionRefused(self.name, value, code, too_big=too_big, **params)

    def _number(self, value, number_type, not_one: str):
        if isinstance(value, bool) or not isinstance(value, number_type):
            raise self._refuse(value, not_one)
        if isinstance(value, float) and not math.isfinite(value):
            raise self._refuse(value, "not_finite")
        if value < self.minimum:
            raise self._refuse(value, "below_minimum", minimum=f"{self.minimum:g}")
        if value > self.maximum:
            raise self._refuse(value, "above_maximum", too_big=True, maximum=f"{self.maximum:g}")
        return value

    def _check_int(self, value):
        return self._number(value, int, "not_integer")

    def _check_float(self, value):
        return float(self._number(value, (int, float), "not_number"))

    def _check_bool(self, value):
        if not isinstance(value, bool):
            raise self._refuse(value, "not_bool")
        return value

    def _check_name(self, value):
        if not isinstance(value, str) or not _NAME_PATTERN.fullmatch(value) or len(value) > MAX_NAME_LENGTH:
            raise self._refuse(value, "not_name", length=MAX_NAME_LENGTH)
        return value

    def _check_one_of(self, value):
        if not isinstance(value, str) or value not in self.choices:
            raise self._refuse(value, "not_choice", choices=", ".join(self.choices))
        return value

    def _list(self, value) -> list:
        if not isinstance(value, list):
            raise self._refuse(value, "not_list")
        if len(value) > self.max_length:
            raise self._refuse(value, "too_many_entries", too_big=True, count=self.max_length)
        if len(value) < self.min_length:
            raise self._refuse(value, "too_few_entries", count=self.min_length)
        return value

    def _check_some_of(self, value):
        values = self._list(value)
        if len(set(map(repr, values))) != len(values):
            raise self._refuse(value, "repeated_entry")
        return tuple(self._check_one_of(v) for v in values)

    def _check_int_list(self, value):
        return tuple(self._check_int(v) for v in self._list(value))

    def _check_float_pair(self, value):
        if not isinstance(value, list) or len(value) != 2:
            raise self._refuse(value, "not_pair")
        return tuple(self._check_float(v) for v in value)

    def _check_shape(self, value):
        if not isinstance(value, list) or len(value) not in (1, 3):
            raise self._refuse(value, "not_shape")
        shape = tuple(self._check_int(v) for v in value)
        if math.prod(shape) > MAX_INPUT_VALUES:
            raise self._refuse(value, "too_many_values", too_big=True, count=f"{MAX_INPUT_VALUES:,}")
        return shape


def int_option(name: str, maximum: int, *, minimum: int = 1) -> SavedOption:
    """A saved integer option from ``minimum`` to ``maximum``."""
    return SavedOption(name, "int", minimum=minimum, maximum=maximum)


def activation_option(name: str, *, optional: bool = False) -> SavedOption:
    """A saved activation: one name of ``ACTIVATIONS``."""
    return SavedOption(name, "one_of", choices=ACTIVATIONS, optional=optional)


def dense_parameters(widths: Sequence[int]) -> int:
    """Weights and biases of a chain of Dense layers through ``widths`` (in, hidden..., out)."""
    return sum(a * b + b for a, b in itertools.pairwise(widths))


def conv_parameters(kernel_size: int, channels: Sequence[int]) -> int:
    """Kernels and biases of a chain of square convolutions through ``channels``."""
    return sum(kernel_size * kernel_size * a * b + b for a, b in itertools.pairwise(channels))


def losses_for_default_outputs(input_shape) -> tuple[str, ...]:
    """The reconstruction losses that work with a kind's default output layer: images end
    in a sigmoid (outputs in 0..1), so BCE works; flat vectors are unbounded, so it does not."""
    return RECONSTRUCTION_LOSSES if len(tuple(input_shape)) == 3 else ("mse", "l1")


def check_input_shape(input_shape, *, kind: str, image_only: bool = False) -> tuple[int, ...]:
    """Return ``input_shape`` as a tuple of positive ints: ``(features,)`` or ``(h, w, c)``."""
    try:
        shape = tuple(int(d) for d in input_shape)
    except (TypeError, ValueError):
        raise ValueError(
            f"{kind}: input_shape must be a sequence of ints such as (28, 28, 1) or (3,); "
            f"got {input_shape!r}."
        ) from None
    if image_only and len(shape) != 3:
        raise ValueError(
            f"{kind}: input_shape must be an image shape (height, width, channels) such as "
            f"(28, 28, 1); got {shape}. Flat vectors need the dense_ae or linear_ae kind."
        )
    if len(shape) not in (1, 3) or any(d <= 0 for d in shape):
        raise ValueError(
            f"{kind}: input_shape must be (features,) or (height, width, channels) with "
            f"positive sizes; got {shape}."
        )
    return shape


def check_positive_int(name: str, value, *, kind: str) -> int:
    """Return ``value`` as an int after checking it is a positive integer."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{kind}: {name} must be a positive integer; got {value!r}.")
    return value


def check_int_tuple(name: str, values, *, kind: str, allow_empty: bool) -> tuple[int, ...]:
    """Return ``values`` as a tuple of positive ints, e.g. layer widths."""
    if isinstance(values, int) or not isinstance(values, Iterable):
        raise ValueError(
            f"{kind}: {name} must be a list of positive ints such as [256, 128]; got {values!r}."
        )
    result = tuple(values)
    if not allow_empty and not result:
        raise ValueError(f"{kind}: {name} needs at least one entry, such as [32, 64].")
    for v in result:
        check_positive_int(f"every entry of {name}", v, kind=kind)
    return result


def check_choice(name: str, value, choices: Sequence[str], *, kind: str) -> str:
    """Return ``value`` after checking it is one of ``choices``."""
    if value not in choices:
        raise ValueError(
            f"{kind}: {name} must be one of {', '.join(map(repr, choices))}; got {value!r}."
        )
    return value


def check_activation(name: str, value, *, kind: str) -> str:
    """Return ``value`` after checking it names one of ``ACTIVATIONS``."""
    if not isinstance(value, str) or value not in ACTIVATIONS:
        raise ValueError(
            f"{kind}: {name} must name one of the activations {', '.join(ACTIVATIONS)}; "
            f"got {value!r}."
        )
    return value


def check_non_negative_float(name: str, value, *, kind: str) -> float:
    """Return ``value`` as a float after checking it is finite and >= 0."""
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{kind}: {name} must be a number >= 0; got {value!r}.") from None
    if not result >= 0 or result == float("inf"):
        raise ValueError(f"{kind}: {name} must be a finite number >= 0; got {value!r}.")
    return result


def check_seed(value, *, kind: str) -> int:
    """Return ``value`` after checking it is a non-negative int usable as a seed."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{kind}: seed must be an integer >= 0; got {value!r}.")
    return value


def check_divisible(input_shape: tuple[int, ...], factor: int, *, kind: str, why: str) -> None:
    """Check the image height and width are multiples of ``factor``."""
    height, width = input_shape[0], input_shape[1]
    if height % factor or width % factor:
        raise SettingsRefused(
            f"{kind}: image height and width must be multiples of {factor} ({why}); got "
            f"{height}x{width}. Pad or resize the images, or use fewer down-sampling stages.",
            "not_divisible", factor=factor, height=height, width=width)


def check_loss_fits_output(loss: str, output_activation: str, *, kind: str) -> None:
    """BCE needs outputs in (0, 1): refuse it for unbounded outputs."""
    if loss == "bce" and output_activation != "sigmoid":
        raise ValueError(
            f"{kind}: loss='bce' needs output_activation='sigmoid' (outputs in 0..1); got "
            f"output_activation={output_activation!r}. Use loss='mse' or 'l1' instead."
        )
