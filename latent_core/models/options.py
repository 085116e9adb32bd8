"""Model options: how a kind describes the ones a user may set, and early checks for all.

Every model kind validates its keyword options here before building any layer, so a
bad option fails at once with a readable message instead of deep inside Keras. A kind
lists the options the Train page offers as ``TrainOption``s (``LatentModel.train_options``);
their defaults are the constructor's own, read by ``LatentModel.option_default``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import keras

RECONSTRUCTION_LOSSES = ("mse", "bce", "l1")
OptionType = Literal["number", "range", "one_of", "some_of"]


@dataclass(frozen=True)
class TrainOption:
    """One keyword option of a model kind that the Train page offers.

    ``type`` says what a value is: ``"number"`` (a float from ``minimum`` to ``maximum``
    in steps of ``step``), ``"range"`` (a (low, high) pair of such numbers), ``"one_of"``
    (one of ``choices``) or ``"some_of"`` (a tuple of ``choices``). Its label is the text
    ``train.option.<name>`` of ui/texts. ``images_only`` options are offered for image
    data only (e.g. a convolutional architecture).
    """

    name: str
    type: OptionType
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    choices: tuple = ()
    images_only: bool = False

    def __post_init__(self):
        numeric = self.type in ("number", "range")
        if numeric and None in (self.minimum, self.maximum, self.step):
            raise ValueError(f"option {self.name!r}: a {self.type} needs minimum, maximum and step.")
        if not numeric and not self.choices:
            raise ValueError(f"option {self.name!r}: a {self.type} needs its choices.")


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
    """Return ``value`` after checking Keras knows an activation of that name."""
    try:
        keras.activations.get(value)
    except (ValueError, TypeError):
        raise ValueError(
            f"{kind}: {name} must name a Keras activation such as 'relu', 'linear' or "
            f"'sigmoid'; got {value!r}."
        ) from None
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
        raise ValueError(
            f"{kind}: image height and width must be multiples of {factor} ({why}); got "
            f"{height}x{width}. Pad or resize the images, or use fewer down-sampling stages."
        )


def check_loss_fits_output(loss: str, output_activation: str, *, kind: str) -> None:
    """BCE needs outputs in (0, 1): refuse it for unbounded outputs."""
    if loss == "bce" and output_activation != "sigmoid":
        raise ValueError(
            f"{kind}: loss='bce' needs output_activation='sigmoid' (outputs in 0..1); got "
            f"output_activation={output_activation!r}. Use loss='mse' or 'l1' instead."
        )
