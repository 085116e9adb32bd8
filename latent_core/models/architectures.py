"""The Train page's layer builder: the course's architectures as presets, and a model's
layer table before it trains.

A ``Preset`` is a kind and the keyword options that give one named layer stack, e.g.
"MLP 784-128-64-32" (``dense_ae`` with ``hidden_units=(128, 64)``, ``latent_dim=32``);
``presets_for(input_shape)`` lists those made for that data. ``plan`` checks what a set
of options asks for by arithmetic first (the kind's ``weight_count`` and
``activation_values``, capped the way saved models are, or lower on a hosted server),
then builds the model without training it and returns its layers and parameter count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from latent_core.model_archive import MAX_WEIGHT_VALUES
from latent_core.models import options as opt
from latent_core.models.registry import build_model, kinds_for, model_class
from latent_core.store import MAX_ACTIVATION_VALUES

MNIST_SHAPE = (28, 28, 1)
SWISS_ROLL_SHAPE = (3,)


@dataclass(frozen=True)
class Preset:
    """One named architecture: ``kind``, its ``options`` (the others keep the constructor's
    defaults), its ``latent_dim`` (None: the data's suggested code size, or the size the
    options fix) and the input ``shapes`` it is made for (empty: any the kind trains on)."""

    key: str
    title: str
    kind: str
    options: Mapping = field(default_factory=dict)
    latent_dim: int | None = None
    shapes: tuple[tuple[int, ...], ...] = ()

    def fits(self, input_shape) -> bool:
        """Whether the preset is offered for inputs of ``input_shape``: its kind trains on
        them, they are one of its shapes, and (for a convolutional stack) every stage can
        halve the image."""
        shape = tuple(input_shape)
        if self.kind not in kinds_for(shape) or (self.shapes and shape not in self.shapes):
            return False
        filters = self.value("filters") if "filters" in model_class(self.kind).option_names else ()
        return not filters or (shape[0] % 2 ** len(filters) == 0 and shape[1] % 2 ** len(filters) == 0)

    def value(self, name: str):
        """Option ``name`` as the preset sets it, or the kind's default."""
        return self.options[name] if name in self.options else model_class(self.kind).option_default(name)

    def matches(self, kind: str, latent_dim: int, options: Mapping, *, input_shape,
                suggested_latent_dim: int) -> bool:
        """Whether ``kind``, ``latent_dim`` and the layer ``options`` chosen for inputs of
        ``input_shape`` are still this preset's."""
        if kind != self.kind:
            return False
        cls = model_class(kind)
        wanted = self.latent_dim or cls.fixed_latent_dim(tuple(input_shape), dict(options)) or suggested_latent_dim
        layer_options = [option.name for option in cls.train_options if option.layers and option.name in options]
        return latent_dim == wanted and all(options[name] == self.value(name) for name in layer_options)


PRESETS: tuple[Preset, ...] = (
    Preset("default_conv", "conv AE: strided 32, 64 (the app's default)", "conv_ae"),
    Preset("default_dense", "dense AE: 256 (the app's default)", "dense_ae"),
    Preset("mnist_pooling", "MNIST conv AE with pooling", "conv_ae",
           {"filters": (16, 8), "downsample": "maxpool", "upsample": "upsampling", "dense_code": False},
           shapes=(MNIST_SHAPE,)),
    Preset("mlp_784_128_64_32", "MLP 784-128-64-32", "dense_ae", {"hidden_units": (128, 64)}, latent_dim=32,
           shapes=(MNIST_SHAPE,)),
    Preset("swiss_roll_elu", "swiss roll 3-2-2 ELU", "dense_ae", {"hidden_units": (2,), "activation": "elu"},
           latent_dim=2, shapes=(SWISS_ROLL_SHAPE,)),
    Preset("conv_code_100", "conv AE with a 100-d code", "conv_ae",
           {"filters": (32, 64), "downsample": "maxpool", "upsample": "upsampling"}, latent_dim=100),
)
"""The course's labs' architectures and the app's defaults; their names are ``preset.<key>``
texts of the Train page."""


def presets_for(input_shape) -> list[Preset]:
    """The presets offered for inputs of ``input_shape``, in ``PRESETS`` order."""
    return [preset for preset in PRESETS if preset.fits(input_shape)]


def preset(key: str) -> Preset:
    """The preset named ``key``; a clear error lists the known ones."""
    for candidate in PRESETS:
        if candidate.key == key:
            return candidate
    raise ValueError(f"unknown preset {key!r}; choose one of {', '.join(p.key for p in PRESETS)}.")


@dataclass(frozen=True)
class Architecture:
    """A model's layers as ``LatentModel.summary_rows`` gives them, its parameter count and
    its multiply-adds per example (``multiply_adds``), what a training step costs."""

    rows: tuple[dict, ...]
    parameters: int
    multiply_adds: int = 0


def multiply_adds(model) -> int:
    """Multiply-adds of one example through every sub-model's weighted layers: a ``Dense``
    layer's kernel once, a convolution's kernel once per output position (a transposed one's
    per input position). Convolutions share their weights over the image, so they cost far
    more per parameter than dense layers; training time follows this, not the parameter count."""
    total = 0
    for submodel in model.submodels():
        for layer in submodel.layers:
            kernel = getattr(layer, "kernel", None)
            if kernel is None:
                continue
            size = int(np.prod(kernel.shape))
            name = type(layer).__name__
            if name == "Conv2D":
                total += size * int(np.prod(layer.output.shape[1:3]))
            elif name == "Conv2DTranspose":
                total += size * int(np.prod(layer.input.shape[1:3]))
            else:
                total += size
    return total


def plan(kind: str, *, input_shape, latent_dim: int, options: Mapping,
         max_parameters: int | None = None) -> Architecture:
    """The layers and parameter count of a ``kind`` model built with ``latent_dim`` and
    keyword ``options`` (untrained). Before building, refuses with ``SettingsRefused`` a
    model over ``max_parameters`` (at most ``MAX_WEIGHT_VALUES``: ``too_many_parameters``)
    or with feature maps over ``store.MAX_ACTIVATION_VALUES`` (``feature_maps_too_big``), the
    bounds saved models load under, so whatever trains loads again; the kind's own refusals
    are ``ValueError``s."""
    cls = model_class(kind)
    limit = MAX_WEIGHT_VALUES if max_parameters is None else min(max_parameters, MAX_WEIGHT_VALUES)
    described = {**options, "input_shape": tuple(input_shape), "latent_dim": latent_dim}
    count = cls.weight_count(described)
    if count > limit:
        raise opt.SettingsRefused(f"{kind}: these settings need {count:,} parameters, over the {limit:,} "
                                  "this server trains.", "too_many_parameters", count=count, limit=limit)
    values = cls.activation_values(described)
    if values > MAX_ACTIVATION_VALUES:
        raise opt.SettingsRefused(f"{kind}: one example's feature maps would hold {values:,} values, over the "
                                  f"{MAX_ACTIVATION_VALUES:,} this app builds.", "feature_maps_too_big",
                                  count=values, limit=MAX_ACTIVATION_VALUES)
    model = build_model(kind, input_shape=tuple(input_shape), latent_dim=latent_dim, seed=0, **options)
    return Architecture(rows=tuple(model.summary_rows()), parameters=int(model.count_params()),
                        multiply_adds=multiply_adds(model))
