"""Plain Keras models a student built in a notebook, rebuilt safely: ``keras_ae``,
``keras_vae`` and ``keras_generator``.

An uploaded ``Sequential`` model, or a functional one whose layers form one chain (or end
in two heads on the same input: a VAE encoder's mean and log-variance), made only of the
built-in layers of ``LAYER_FIELDS``, is read from its config field by field
(``read_network``): each layer's fields are checked against a declared type and range
(activations by name from a fixed list), fields that only shape training (initializers,
regularizers, constraints) are dropped unread, and any other field, layer class or wiring
is refused naming the layer. Output shapes and parameter counts are then computed by
arithmetic, so sizes are bounded before anything is built, and ``plain_kind_and_options``
says what the file is: an autoencoder (output of its input's shape) split after its
narrowest layer (the smallest output; the first on a tie), an encoder and its decoder
(their shapes checked against each other; a two-output encoder makes a VAE), or a
generator alone (noise vector in, image out; tanh outputs mapped to [0, 1]). Inputs of
(28, 28), 784 or (28, 28, 1) values work on the 28×28 datasets, (8, 8) or 64 on digits
(``fits``); a shape no dataset has is refused naming it. The model is rebuilt from the
checked fields layer by layer through the layers' constructors (never Keras' deserialiser
on the file's config). Feature-map codes are flattened, so the code is always a vector and
every page treats the model as one of the app's own; the split can be moved to any layer
whose output a code may hold (``with_options``), and the output stays exactly the same.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from latent_core.data import DATASETS
from latent_core.frameworks import keras
from latent_core.models import options as opt
from latent_core.models.autoencoder import AutoencoderModel
from latent_core.models.base import SERIALIZATION_PACKAGE, GaussianEncoder, LatentModel, NoEncoderError

MAX_PLAIN_LAYERS = 64
_SIDE = (1, opt.MAX_INPUT_SIDE)


def _pair(name: str, low: int, high: int, *, optional: bool = False) -> opt.SavedOption:
    return opt.SavedOption(name, "int_list", minimum=low, maximum=high, min_length=2, max_length=2, optional=optional)


_ACTIVATION = opt.activation_option("activation")
_PADDING = opt.SavedOption("padding", "one_of", choices=("valid", "same"))
_CHANNELS_LAST = opt.SavedOption("data_format", "one_of", choices=("channels_last",))
_CONV = (opt.int_option("filters", opt.MAX_FILTERS), _pair("kernel_size", 1, opt.MAX_KERNEL_SIZE),
         _pair("strides", 1, 4), _PADDING, _CHANNELS_LAST, _ACTIVATION,
         opt.SavedOption("use_bias", "bool"))

# The layer classes accepted and, for each, the fields kept and passed to its constructor.
LAYER_FIELDS: dict[str, tuple[opt.SavedOption, ...]] = {
    "Dense": (opt.int_option("units", opt.MAX_LAYER_WIDTH), _ACTIVATION, opt.SavedOption("use_bias", "bool")),
    "Conv2D": _CONV,
    "Conv2DTranspose": _CONV,
    "MaxPooling2D": (_pair("pool_size", 1, 8), _pair("strides", 1, 8, optional=True), _PADDING, _CHANNELS_LAST),
    "UpSampling2D": (_pair("size", 1, 8), _CHANNELS_LAST,
                     opt.SavedOption("interpolation", "one_of", choices=("nearest", "bilinear"))),
    "Flatten": (_CHANNELS_LAST,),
    "Reshape": (opt.SavedOption("target_shape", "int_list", minimum=1, maximum=opt.MAX_INPUT_VALUES,
                                min_length=1, max_length=3),),
    "BatchNormalization": (opt.SavedOption("axis", "int", minimum=-1, maximum=-1),
                           opt.SavedOption("momentum", "float", minimum=0.0, maximum=1.0),
                           opt.SavedOption("epsilon", "float", minimum=1e-12, maximum=1.0),
                           opt.SavedOption("center", "bool"), opt.SavedOption("scale", "bool")),
    "LeakyReLU": (opt.SavedOption("negative_slope", "float", minimum=0.0, maximum=10.0),),
    "ReLU": (opt.SavedOption("max_value", "float", minimum=0.0, maximum=1e6, optional=True),
             opt.SavedOption("negative_slope", "float", minimum=0.0, maximum=10.0),
             opt.SavedOption("threshold", "float", minimum=-1e6, maximum=1e6)),
    "Activation": (_ACTIVATION,),
    "Dropout": (opt.SavedOption("rate", "float", minimum=0.0, maximum=0.99),),
}
# Fields that must hold exactly these values (anything else changes what the layer computes
# in a way this app does not rebuild).
_FIXED_FIELDS = {"groups": 1, "dilation_rate": [1, 1], "output_padding": None, "noise_shape": None, "synchronized": False,
                 "renorm": False, "renorm_clipping": None, "quantization_config": None,
                 "sparse": False, "ragged": False, "optional": False}
# Fields read by nothing: they only matter while training (or name a seed); dropped unread.
_DROPPED_SUFFIXES = ("_initializer", "_regularizer", "_constraint")
_DROPPED_FIELDS = {"trainable", "dtype", "seed", "renorm_momentum"}
_NAME = opt.SavedOption("name", "name")


def _refused(layer: str, value, code: str, *, field: str | None = None, too_big: bool = False,
             **params) -> opt.OptionRefused:
    return opt.OptionRefused(f"layer {layer}", value, code, field=field, too_big=too_big, **params)


class UnsupportedLayer(opt.OptionRefused):
    """A layer of a class this app does not rebuild (its name and class in ``layer`` and ``found``)."""

    def __init__(self, layer: str, found):
        self.layer, self.found = layer, str(found)[:40]
        super().__init__(f"layer {layer}", found, "unsupported_layer", found=self.found,
                         supported=", ".join(LAYER_FIELDS))


class NoCode(ValueError):
    """An autoencoder with no layer narrower than its input: nothing to use as a code."""

    def __init__(self, layer: str, values: int, input_values: int):
        self.layer, self.values, self.input_values = layer, values, input_values
        super().__init__(f"its narrowest layer ({layer}, {values} values) is not narrower than its input "
                         f"({input_values} values): it has no code to explore")


class ShapesDoNotMeet(ValueError):
    """An encoder and a decoder whose shapes do not meet: ``gives`` is what one gives, ``takes`` what the other takes."""

    def __init__(self, what: str, gives: tuple[int, ...], takes: tuple[int, ...]):
        self.what, self.gives, self.takes = what, tuple(gives), tuple(takes)
        super().__init__(f"the {what} gives {'codes' if what == 'encoder' else 'outputs'} of shape {self.gives}, "
                         f"but the {'decoder' if what == 'encoder' else 'encoder'} takes {self.takes}")


def _layer_name(entry) -> str:
    config = entry.get("config") if isinstance(entry, dict) else None
    name = config.get("name") if isinstance(config, dict) else None
    return name[:80] if isinstance(name, str) else "?"


def checked_layer(entry) -> dict:
    """One layer, as Keras saves it (``class_name``, ``module``, ``config``) or as this kind
    saves it (``layer``, ``config``), as ``{"layer", "config"}`` with only its kept, checked
    fields; raises ``OptionRefused`` naming the layer otherwise."""
    if not isinstance(entry, dict) or not isinstance(entry.get("config"), dict):
        raise _refused("?", entry, "not_layer")
    layer, config = _layer_name(entry), entry["config"]
    class_name = entry["layer"] if "layer" in entry else entry.get("class_name")
    if class_name not in LAYER_FIELDS or entry.get("module", "keras.layers") != "keras.layers":
        raise UnsupportedLayer(layer, class_name)
    kept = {option.name: option for option in (_NAME, *LAYER_FIELDS[class_name])}
    checked = {}
    for field, value in config.items():
        if field in kept:
            try:
                checked[field] = _plain(kept[field].check(value))
            except opt.OptionRefused as refused:
                raise _refused(layer, value, refused.code, field=field, too_big=refused.too_big,
                               **refused.params) from None
        elif field in _FIXED_FIELDS:
            if value != _FIXED_FIELDS[field]:
                raise _refused(layer, value, "fixed_value", field=field, expected=repr(_FIXED_FIELDS[field]))
        elif field in _DROPPED_FIELDS or field.endswith(_DROPPED_SUFFIXES) or field == "activity_regularizer":
            if field == "dtype" and value not in ("float32", None) and not (
                    isinstance(value, dict) and value.get("config") == {"name": "float32"}):
                raise _refused(layer, value, "not_float32", field="dtype")
        else:
            raise _refused(layer, value, "unknown_field", entry=repr(field[:40]))
    missing = sorted(set(kept) - set(checked) - {"strides", "max_value"})
    if missing:
        raise _refused(layer, None, "missing", field=missing[0])
    return {"layer": class_name, "config": checked}


def _plain(value):
    return list(value) if isinstance(value, tuple) else value


@dataclass(frozen=True)
class PlainNetwork:
    """One saved plain Keras model, checked: its own input shape, its chain of layers and,
    for a VAE-style encoder, a second head (the log-variance) taking what the last layer
    (the mean) takes."""

    input_shape: tuple[int, ...]
    layers: list[dict]
    second_head: dict | None = None

    @property
    def output_shape(self) -> tuple[int, ...]:
        """The shape of the chain's output (the mean's, for a VAE-style encoder)."""
        return stack_shapes(self.input_shape, self.layers)[0][-1] if self.layers else self.input_shape

    def weight_count(self) -> int:
        """How many weight values the file holds, by arithmetic."""
        shapes, count = stack_shapes(self.input_shape, self.layers)
        if self.second_head is not None:
            before = shapes[-2] if len(shapes) > 1 else self.input_shape
            count += layer_output(before, self.second_head)[1]
        return count

    def rebuilt(self) -> RebuiltNetwork:
        """A fresh Keras model of these layers, built through their constructors, named as in
        the file so the file's weights can be read into it by their paths."""
        inputs = keras.Input(self.input_shape)
        chain = [_built_layer(layer) for layer in self.layers]
        head = None if self.second_head is None else _built_layer(self.second_head)
        features = inputs
        for layer in chain[:-1]:
            features = layer(features)
        outputs = chain[-1](features)
        if head is not None:
            outputs = [outputs, head(features)]
        return RebuiltNetwork(keras.Model(inputs, outputs), chain, head)


@dataclass(frozen=True)
class RebuiltNetwork:
    """A ``PlainNetwork`` rebuilt: the Keras model, its chain's layers in order and its second head."""

    model: keras.Model
    chain: list
    head: object | None


class ShapeWithoutDataset(ValueError):
    """A model takes (or gives) a shape that no dataset here has."""

    def __init__(self, shape: tuple[int, ...], known: list[tuple[int, ...]]):
        self.shape, self.known = tuple(shape), known
        super().__init__(f"it works on values of shape {self.shape}, which no dataset here has "
                         f"(they have {', '.join(map(str, known))})")


def read_network(config: dict) -> PlainNetwork:
    """The checked layers of a saved ``Sequential`` model or functional chain (a functional
    model may end in two heads on the same input: a VAE encoder's mean and log-variance);
    raises ``OptionRefused`` naming the layer for anything else."""
    inner = config.get("config")
    if not isinstance(inner, dict) or not isinstance(inner.get("layers"), list):
        raise opt.OptionRefused("config", None, "no_layer_list")
    entries = inner["layers"]
    if len(entries) > MAX_PLAIN_LAYERS + 1:
        raise opt.OptionRefused("layers", len(entries), "too_many_layers", too_big=True, count=MAX_PLAIN_LAYERS)
    if not entries or not isinstance(entries[0], dict) or entries[0].get("class_name") != "InputLayer":
        raise opt.OptionRefused("layers", None, "no_input")
    input_shape = _input_shape(entries[0])
    second = None
    if config.get("class_name") == "Functional":
        entries, second = _functional_chain(inner, entries)
    layers = [checked_layer(entry) for entry in entries[1:]]
    if not layers:
        raise opt.OptionRefused("layers", None, "no_layers")
    return PlainNetwork(input_shape, layers, None if second is None else checked_layer(second))


def _inbound(entry) -> str | None:
    """The one layer whose output ``entry`` takes alone, or None when it takes anything else."""
    nodes = entry.get("inbound_nodes") if isinstance(entry, dict) else None
    if not (isinstance(nodes, list) and len(nodes) == 1 and isinstance(nodes[0], dict)) or nodes[0].get("kwargs"):
        return None
    args = nodes[0].get("args")
    config = args[0].get("config") if isinstance(args, list) and len(args) == 1 and isinstance(args[0], dict) \
        else None
    history = config.get("keras_history") if isinstance(config, dict) else None
    return history[0] if isinstance(history, list) and history and isinstance(history[0], str) else None


# keras.io's VAE tutorial ends its encoder in a custom ``Sampling`` layer (no weights, no
# options: z = mean + exp(log_var / 2) * eps) as a third output. It is recognised by its exact
# name and fields and dropped, never deserialised: the mean and log-variance are the encoder.
SAMPLING_NAMES = ("Sampling", "Custom>Sampling")
_SAMPLING_FIELDS = {"name", "trainable", "dtype"}


def _tensor_source(tensor) -> str | None:
    config = tensor.get("config") if isinstance(tensor, dict) and tensor.get("class_name") == "__keras_tensor__" \
        else None
    history = config.get("keras_history") if isinstance(config, dict) else None
    return history[0] if isinstance(history, list) and history[1:] == [0, 0] and isinstance(history[0], str) \
        else None


def _tutorial_sampling(entries: list, names: list) -> dict | None:
    """The entry of a tutorial ``Sampling`` layer that is the model's third output and takes
    exactly its first two outputs ``[z_mean, z_log_var]``, or None when there is none. A layer so
    named that differs in any field is left in place, to be refused as any unknown layer."""
    if len(names) != 3 or None in names:
        return None
    entry = next((entry for entry in entries if _layer_entry_name(entry) == names[2]), None)
    if entry is None or entry.get("class_name") != "Sampling" or entry.get("registered_name") not in SAMPLING_NAMES:
        return None
    module, config = entry.get("module"), entry.get("config")
    if not (module is None or isinstance(module, str)) or not isinstance(config, dict) or \
            not set(config) <= _SAMPLING_FIELDS or not isinstance(config.get("trainable", True), bool):
        return None
    dtype = config.get("dtype", "float32")
    if dtype not in ("float32", None) and not (isinstance(dtype, dict) and dtype.get("config") == {"name": "float32"}):
        return None
    nodes = entry.get("inbound_nodes")
    if not (isinstance(nodes, list) and len(nodes) == 1 and isinstance(nodes[0], dict)) or nodes[0].get("kwargs") \
            or not (isinstance(nodes[0].get("args"), list) and len(nodes[0]["args"]) == 1):
        return None
    pair = nodes[0]["args"][0]
    if not (isinstance(pair, list) and [_tensor_source(tensor) for tensor in pair] == names[:2]):
        return None
    return entry


def _functional_chain(inner: dict, entries: list) -> tuple[list, dict | None]:
    """A functional model's layers as one chain, and its second head when it has two outputs
    on the same input; ``OptionRefused`` for any other wiring."""
    outputs = inner.get("output_layers")
    if isinstance(outputs, list) and len(outputs) == 3 and isinstance(outputs[0], str):
        outputs = [outputs]
    names = [output[0] if isinstance(output, list) and output[1:] == [0, 0] else None
             for output in outputs] if isinstance(outputs, list) else [None]
    sampling = _tutorial_sampling(entries, names)
    if sampling is not None:  # z drawn from the mean and log-variance: this app's VAE draws its own
        entries, names = [entry for entry in entries if entry is not sampling], names[:2]
    if len(names) not in (1, 2) or None in names:
        raise opt.OptionRefused("output_layers", None, "output_count")
    by_name = {entry.get("name"): entry for entry in entries if isinstance(entry, dict)}
    second = None
    if len(names) == 2:
        if set(names) != {_layer_entry_name(entries[-1]), _layer_entry_name(entries[-2])} or \
                _inbound(entries[-1]) != _inbound(entries[-2]):
            raise opt.OptionRefused("output_layers", None, "two_outputs")
        second = by_name[names[1]]
        entries = [entry for entry in entries if entry is not second]
    for previous, entry in itertools.pairwise(entries):
        if _inbound(entry) is None or _inbound(entry) != _layer_entry_name(previous):
            raise _refused(_layer_name(entry), None, "not_a_chain")
    if names[0] != _layer_entry_name(entries[-1]):
        raise opt.OptionRefused("output_layers", None, "output_not_last")
    return entries, second


def _layer_entry_name(entry) -> str | None:
    return entry.get("name") if isinstance(entry, dict) else None


def _input_shape(entry: dict) -> tuple[int, ...]:
    config = entry.get("config")
    shape = config.get("batch_shape") if isinstance(config, dict) else None
    if not isinstance(shape, list) or not shape or shape[0] is not None:
        raise _refused(_layer_name(entry), shape, "input_with_batch")
    for field, value in config.items():
        if field in _FIXED_FIELDS:
            if value != _FIXED_FIELDS[field]:
                raise _refused(_layer_name(entry), value, "fixed_value", field=field,
                               expected=repr(_FIXED_FIELDS[field]))
        elif field == "dtype":
            if value != "float32":
                raise _refused(_layer_name(entry), value, "not_float32", field="dtype")
        elif field not in ("batch_shape", "name"):
            raise _refused(_layer_name(entry), value, "unknown_field", entry=repr(field[:40]))
    return _LAYER_SHAPE.check(shape[1:])


# --------------------------------------------------------------------------- shapes and datasets


def fits(layer_shape, data_shape) -> bool:
    """Whether examples of ``data_shape`` can feed layers taking ``layer_shape``: the same
    shape, an (h, w, c) image as its h·w·c values, or an (h, w, 1) image as (h, w)."""
    layer_shape, data_shape = tuple(layer_shape), tuple(data_shape)
    if layer_shape == data_shape:
        return True
    if len(data_shape) != 3:
        return False
    return layer_shape == (math.prod(data_shape),) or (data_shape[2] == 1 and layer_shape == data_shape[:2])


def dataset_shapes() -> list[tuple[int, ...]]:
    """The example shapes of the registered datasets, each once."""
    return list(dict.fromkeys(info.input_shape for info in DATASETS.values()))


def data_shape_for(layer_shape, data_shape=None) -> tuple[int, ...]:
    """The data shape layers of ``layer_shape`` work on: ``data_shape`` (the chosen data's)
    when it fits, else the first registered dataset's that does; ``ShapeWithoutDataset``
    when none fits. A chosen dataset that does not fit is judged by the caller."""
    if data_shape is not None and fits(layer_shape, data_shape):
        return tuple(data_shape)
    for shape in dataset_shapes():
        if fits(layer_shape, shape):
            return shape
    raise ShapeWithoutDataset(layer_shape, dataset_shapes() if data_shape is None
                              else list(dict.fromkeys([tuple(data_shape), *dataset_shapes()])))


def _own_shape(layer_shape, data_shape) -> list[int] | None:
    """What a model saves as ``layer_shape``: None when its layers take the data's shape itself."""
    return None if tuple(layer_shape) == tuple(data_shape) else list(layer_shape)


def last_activation(layers: list[dict]) -> str:
    """The activation of the last layer that applies one (``linear`` when none does)."""
    for layer in reversed(layers):
        config = layer["config"]
        if layer["layer"] in ("ReLU", "LeakyReLU"):
            return "relu"
        if "activation" in config:
            return config["activation"]
    return "linear"


def plain_kind_and_options(networks: list[PlainNetwork], data_shape=None) -> tuple[type, dict]:
    """The kind (autoencoder, VAE or generator) and options of one uploaded file or of an
    encoder and a decoder, by arithmetic only. ``ValueError`` says why the networks are none
    of these; ``ShapeWithoutDataset`` when no dataset has their shape."""
    if len(networks) == 2:
        return _pair(*networks, data_shape)
    network = networks[0]
    if network.second_head is not None:
        raise ValueError("it has two outputs (a mean and a log-variance?): upload it together with its decoder")
    own, output = network.input_shape, network.output_shape
    if output == own or (math.prod(output) == math.prod(own) and len(own) != len(output)
                         and _same_data(own, output, data_shape)):
        target = data_shape_for(own, data_shape)
        return KerasAutoencoder, {"input_shape": list(target), "layer_shape": _own_shape(own, target),
                                  "layers": network.layers, "split": narrowest_layer(own, network.layers)}
    if len(own) == 1 and _generated_image_shape(output, data_shape) is not None:
        target = _generated_image_shape(output, data_shape)
        return KerasGenerator, {"input_shape": list(target), "latent_dim": own[0], "layers": network.layers,
                                "layer_shape": _own_shape(output, target),
                                "output_range": "tanh" if last_activation(network.layers) == "tanh" else "unit"}
    raise ValueError(f"its output has shape {output}, not its input's {own}: it is not an autoencoder, "
                     "nor a generator of images from a noise vector")


def _generated_image_shape(output, data_shape) -> tuple[int, ...] | None:
    """The image data shape a generator's ``output`` fills; None when its output is no image
    (a flat output no image dataset has); ``ShapeWithoutDataset`` for an image no dataset has."""
    try:
        target = data_shape_for(output, data_shape)
    except ShapeWithoutDataset:
        if len(output) > 1:
            raise
        return None
    return target if len(target) == 3 else None


def encoder_first(networks: list[PlainNetwork]) -> list[int]:
    """The order of two uploaded files that puts the encoder first: the one with two outputs
    (a VAE's), else the one taking more values (data, not codes)."""
    return sorted(range(len(networks)), key=lambda index: (networks[index].second_head is None,
                                                           -math.prod(networks[index].input_shape), index))


def _same_data(first, second, data_shape) -> bool:
    """Whether layer shapes ``first`` and ``second`` work on the same data (784 values in, a 28×28 image out)."""
    try:
        return data_shape_for(first, data_shape) == data_shape_for(second, data_shape)
    except ShapeWithoutDataset:
        return False


def _pair(encoder: PlainNetwork, decoder: PlainNetwork, data_shape) -> tuple[type, dict]:
    """An encoder and a decoder as one chain split where the encoder ends; their shapes must meet."""
    if decoder.second_head is not None:
        raise ValueError("the decoder has two outputs; a decoder gives one image")
    if decoder.input_shape != encoder.output_shape:
        raise ShapesDoNotMeet("encoder", encoder.output_shape, decoder.input_shape)
    target = data_shape_for(encoder.input_shape, data_shape)
    if decoder.output_shape != encoder.input_shape and not fits(decoder.output_shape, target):
        raise ShapesDoNotMeet("decoder", decoder.output_shape, encoder.input_shape)
    taken = {layer["config"]["name"] for layer in encoder.layers}
    if encoder.second_head is not None:
        taken.add(encoder.second_head["config"]["name"])
    decoder_layers = [_renamed(layer, taken) for layer in decoder.layers]
    options = {"input_shape": list(target), "layer_shape": _own_shape(encoder.input_shape, target),
               "layers": encoder.layers + decoder_layers, "split": len(encoder.layers) - 1}
    if encoder.second_head is None:
        return KerasAutoencoder, options
    return KerasVAE, {**options, "log_var_layer": encoder.second_head}


def _renamed(layer: dict, taken: set[str]) -> dict:
    """``layer``, renamed when the encoder already has a layer of its name (files from two sessions)."""
    name = layer["config"]["name"]
    if name not in taken:
        taken.add(name)
        return layer
    suffix = 1
    while f"decoder_{name}_{suffix}"[: opt.MAX_NAME_LENGTH] in taken:
        suffix += 1
    renamed = f"decoder_{name}_{suffix}"[: opt.MAX_NAME_LENGTH]
    taken.add(renamed)
    return {"layer": layer["layer"], "config": {**layer["config"], "name": renamed}}


# --------------------------------------------------------------------------- arithmetic


def _conv_length(length: int, kernel: int, stride: int, padding: str) -> int:
    return math.ceil(length / stride) if padding == "same" else (length - kernel) // stride + 1


def layer_output(shape: tuple[int, ...], layer: dict) -> tuple[tuple[int, ...], int]:
    """The output shape and weight count of one checked layer on inputs of ``shape``;
    ``ValueError`` when the layer does not apply to such inputs."""
    kind, config = layer["layer"], layer["config"]
    name = config["name"]
    image = len(shape) == 3
    if kind in ("Conv2D", "Conv2DTranspose", "MaxPooling2D", "UpSampling2D") and not image:
        raise ValueError(f"layer {name} ({kind}) needs (height, width, channels) inputs, not {shape}")
    if kind == "Dense":
        return shape[:-1] + (config["units"],), shape[-1] * config["units"] + config["units"] * config["use_bias"]
    if kind in ("Conv2D", "Conv2DTranspose"):
        (kh, kw), (sh, sw), filters = config["kernel_size"], config["strides"], config["filters"]
        if kind == "Conv2D":
            sides = (_conv_length(shape[0], kh, sh, config["padding"]), _conv_length(shape[1], kw, sw, config["padding"]))
        elif config["padding"] == "same":
            sides = (shape[0] * sh, shape[1] * sw)
        else:
            sides = (shape[0] * sh + max(kh - sh, 0), shape[1] * sw + max(kw - sw, 0))
        if min(sides) < 1:
            raise ValueError(f"layer {name} ({kind}) leaves no pixels of a {shape} input")
        return (*sides, filters), kh * kw * shape[2] * filters + filters * config["use_bias"]
    if kind == "MaxPooling2D":
        (ph, pw), strides = config["pool_size"], config.get("strides") or config["pool_size"]
        sides = (_conv_length(shape[0], ph, strides[0], config["padding"]),
                 _conv_length(shape[1], pw, strides[1], config["padding"]))
        if min(sides) < 1:
            raise ValueError(f"layer {name} (MaxPooling2D) leaves no pixels of a {shape} input")
        return (*sides, shape[2]), 0
    if kind == "UpSampling2D":
        return (shape[0] * config["size"][0], shape[1] * config["size"][1], shape[2]), 0
    if kind == "Flatten":
        return (math.prod(shape),), 0
    if kind == "Reshape":
        target = tuple(config["target_shape"])
        if math.prod(target) != math.prod(shape):
            raise ValueError(f"layer {name} (Reshape) cannot make {shape} into {target}")
        return target, 0
    if kind == "BatchNormalization":
        return shape, shape[-1] * (2 + config["center"] + config["scale"])
    return shape, 0  # activations and dropout keep the shape and hold no weights


def stack_shapes(input_shape, layers: list[dict]) -> tuple[list[tuple[int, ...]], int]:
    """Every checked layer's output shape and the stack's total weight count."""
    shape, shapes, weights = tuple(input_shape), [], 0
    for layer in layers:
        shape, count = layer_output(shape, layer)
        shapes.append(shape)
        weights += count
    return shapes, weights


def narrowest_layer(input_shape, layers: list[dict]) -> int:
    """The index of the layer with the smallest output (the first on a tie), the last layer
    aside: where the encoder ends. ``ValueError`` when there is no such bottleneck."""
    if len(layers) < 2:
        raise ValueError("an autoencoder needs at least two layers after its input")
    shapes, _ = stack_shapes(input_shape, layers)
    sizes = [math.prod(shape) for shape in shapes[:-1]]
    split = sizes.index(min(sizes))
    if sizes[split] >= math.prod(input_shape):
        raise NoCode(layers[split]["config"]["name"], sizes[split], math.prod(input_shape))
    return split


# --------------------------------------------------------------------------- the models


def _built_layer(layer: dict) -> keras.layers.Layer:
    """A layer built through its class's constructor from its checked fields only."""
    return getattr(keras.layers, layer["layer"])(**layer["config"])


_LAYER_SHAPE = opt.SavedOption("layer_shape", "int_list", minimum=1, maximum=opt.MAX_INPUT_SIDE, min_length=1,
                               max_length=3, optional=True)
OUTPUT_RANGES = ("unit", "tanh")  # outputs in [0, 1], or in [-1, 1] (shown mapped to [0, 1])


class PlainLayers:
    """What the plain kinds share: a chain of checked layers (``layer_specs``, built as
    ``stack``), checked, counted and bounded from their saved options before anything is
    built, a description for the layer diagram, and a copy with other options."""

    # Layer options besides ``layers``: each a checked layer or None.
    layer_options: tuple[str, ...] = ()
    # Options that follow from the others (left out when other options are chosen).
    derived_options: tuple[str, ...] = ()

    @classmethod
    def checked_saved_options(cls, config) -> dict:
        """As for every kind, with ``layers`` checked layer by layer against ``LAYER_FIELDS``."""
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise opt.OptionRefused("layers", None, "not_layer_list")
        if len(config["layers"]) > MAX_PLAIN_LAYERS:
            raise opt.OptionRefused("layers", len(config["layers"]), "too_many_layers", too_big=True,
                                    count=MAX_PLAIN_LAYERS)
        layers = [checked_layer(entry) for entry in config["layers"]]
        extra = {name: checked_layer(config[name]) for name in cls.layer_options if config.get(name) is not None}
        rest = {key: value for key, value in config.items() if key != "layers" and key not in cls.layer_options}
        options = super().checked_saved_options(rest)
        if options.get("layer_shape") is not None:
            options["layer_shape"] = list(options["layer_shape"])
        return {**options, "layers": layers, **extra}

    @classmethod
    def stack_input(cls, options: dict) -> tuple[int, ...]:
        """The shape the chain of layers takes, from checked options."""
        raise NotImplementedError

    @classmethod
    def weight_count(cls, options: dict) -> int:
        shapes, count = stack_shapes(cls.stack_input(options), options["layers"])
        for name in cls.layer_options:
            if options.get(name) is not None:
                before = shapes[options["split"] - 1] if options["split"] else cls.stack_input(options)
                count += layer_output(before, options[name])[1]
        return count

    @classmethod
    def activation_values(cls, options: dict) -> int:
        shapes, _ = stack_shapes(cls.stack_input(options), options["layers"])
        return max(math.prod(options["input_shape"]), *(math.prod(shape) for shape in shapes))

    def weight_layers(self) -> list:
        """The built layers holding weights, in the order ``take_weights`` copies them."""
        return list(self.stack)

    def take_weights(self, layers: list) -> None:
        """Copy the weights of ``layers`` (a rebuilt file's, or another model's
        ``weight_layers()``), layer by layer, into this model's."""
        for mine, theirs in zip(self.weight_layers(), layers, strict=True):
            mine.set_weights(theirs.get_weights())

    def with_options(self, **changes):
        """The same layers and weights under other options (a moved split, another output range)."""
        options = {name: value for name, value in self.options.items() if name not in self.derived_options}
        copy = type(self)(**{**options, **changes})
        copy.take_weights(self.weight_layers())
        return copy

    def layer_rows(self) -> list[dict]:
        """Every layer of the chain: position, name, type, output shape, values and part."""
        shapes, _ = stack_shapes(self.stack_input(self.options), self.layer_specs)
        return [{"index": index, "name": layer["config"]["name"], "type": layer["layer"], "shape": shape,
                 "values": math.prod(shape), "part": self.part_of(index)}
                for index, (layer, shape) in enumerate(zip(self.layer_specs, shapes))]

    def part_of(self, index: int) -> str:
        """Which sub-model layer ``index`` of the chain belongs to."""
        raise NotImplementedError


def _reshape(shape, name: str) -> list:
    return [keras.layers.Reshape(tuple(shape), name=name)]


class _PlainAutoencoder(PlainLayers, AutoencoderModel):
    """The chain split into an encoder (through layer ``split``) and a decoder; the code is
    the split layer's output, flattened when it is a feature map."""

    saved_options = AutoencoderModel.saved_options + (
        opt.int_option("split", MAX_PLAIN_LAYERS - 1, minimum=0), _LAYER_SHAPE,
    )
    derived_options = ("latent_dim",)

    @classmethod
    def stack_input(cls, options: dict) -> tuple[int, ...]:
        return tuple(options.get("layer_shape") or options["input_shape"])

    def __init__(self, *, input_shape, layers, split: int, layer_shape=None, log_var_layer=None,
                 latent_dim: int | None = None, loss: str = "mse", seed: int = 0, **kwargs):
        layers = [checked_layer(layer) for layer in layers]
        data_shape = tuple(input_shape)
        own = tuple(layer_shape) if layer_shape is not None else data_shape
        if not fits(own, data_shape):
            raise ValueError(f"layers taking {own} cannot work on data of shape {data_shape}")
        shapes, _ = stack_shapes(own, layers)
        if shapes[-1] != own and not fits(shapes[-1], data_shape):
            raise ValueError(f"its output has shape {shapes[-1]}, not its input's {own}: it is not an autoencoder")
        if not 0 <= split < len(layers) - 1:
            raise ValueError(f"split {split} must name a layer before the last of {len(layers)}")
        code_shape = shapes[split]
        size = math.prod(code_shape)
        if latent_dim is not None and latent_dim != size:
            raise ValueError(f"latent_dim {latent_dim} differs from the split layer's {size} values")
        super().__init__(input_shape=data_shape, latent_dim=size, loss=loss, seed=seed, **kwargs)
        self.layer_specs, self.split, self.layer_shape = layers, split, None if layer_shape is None else list(own)
        self.stack = [_built_layer(layer) for layer in layers]
        self.log_var_spec = None if log_var_layer is None else checked_layer(log_var_layer)
        inputs = keras.Input(data_shape)
        features = inputs
        for layer in ([] if own == data_shape else _reshape(own, "input>reshape")) + self.stack[:split]:
            features = layer(features)
        code = self.stack[split](features)
        if len(code_shape) > 1:
            code = keras.layers.Flatten(name="code>flatten")(code)
        if self.log_var_spec is None:
            self.encoder = keras.Model(inputs, code, name="encoder")
        else:
            self.log_var_head = _built_layer(self.log_var_spec)
            self.encoder = keras.Model(inputs, [code, self.log_var_head(features)], name="encoder")
        self.decoder = keras.Sequential(
            [keras.Input((size,)), *([] if len(code_shape) == 1 else _reshape(code_shape, "code>reshape")),
             *self.stack[split + 1:], *([] if shapes[-1] == data_shape else _reshape(data_shape, "output>reshape"))],
            name="decoder")
        self.built = True

    def split_choices(self) -> list[int]:
        """The layers the encoder may end after: any but the last whose output is a code
        this app can hold (at most ``MAX_LATENT_DIM`` values)."""
        return [row["index"] for row in self.layer_rows()[:-1] if row["values"] <= opt.MAX_LATENT_DIM]

    def part_of(self, index: int) -> str:
        return "encoder" if index <= self.split else "decoder"

    @property
    def options(self) -> dict:
        return {**super().options, "layers": self.layer_specs, "split": self.split, "layer_shape": self.layer_shape}


@keras.saving.register_keras_serializable(package=SERIALIZATION_PACKAGE)
class KerasAutoencoder(_PlainAutoencoder):
    """A plain Keras autoencoder from a notebook (one file, or an encoder and a decoder):
    its own layers, split at the narrowest or where the encoder file ends."""

    kind = "keras_ae"
    title = "Keras AE"

    def __init__(self, *, input_shape, layers, split: int, layer_shape=None, latent_dim: int | None = None,
                 loss: str = "mse", seed: int = 0, **kwargs):
        super().__init__(input_shape=input_shape, layers=layers, split=split, layer_shape=layer_shape,
                         latent_dim=latent_dim, loss=loss, seed=seed, **kwargs)


@keras.saving.register_keras_serializable(package=SERIALIZATION_PACKAGE)
class KerasVAE(GaussianEncoder, _PlainAutoencoder):
    """A VAE from a notebook: an encoder with two outputs (mean and log-variance, Dense
    layers on the same input) and a decoder. ``encode`` gives the mean; ``sample`` decodes
    draws from the prior N(0, I)."""

    kind = "keras_vae"
    title = "Keras VAE"
    generative = True
    layer_options = ("log_var_layer",)

    def __init__(self, *, input_shape, layers, split: int, log_var_layer, layer_shape=None,
                 latent_dim: int | None = None, loss: str = "mse", seed: int = 0, **kwargs):
        log_var = checked_layer(log_var_layer)
        mean = checked_layer(layers[split]) if 0 <= split < len(layers) else None
        if mean is None or mean["layer"] != "Dense" or log_var["layer"] != "Dense" or \
                mean["config"]["units"] != log_var["config"]["units"]:
            raise ValueError("a VAE encoder must end in two Dense layers of the same size (mean and log-variance)")
        super().__init__(input_shape=input_shape, layers=layers, split=split, layer_shape=layer_shape,
                         log_var_layer=log_var, latent_dim=latent_dim, loss=loss, seed=seed, **kwargs)

    def split_choices(self) -> list[int]:
        return [self.split]  # the code is the mean, beside the log-variance

    def weight_layers(self) -> list:
        return [*self.stack, self.log_var_head]

    @property
    def options(self) -> dict:
        return {**super().options, "log_var_layer": self.log_var_spec}


@keras.saving.register_keras_serializable(package=SERIALIZATION_PACKAGE)
class KerasGenerator(PlainLayers, LatentModel):
    """A generator from a notebook (a GAN's, noise → image) alone: Generate and sampling
    only, no encoder. Outputs of a tanh generator (``output_range`` "tanh", in [-1, 1]) are
    mapped to [0, 1]."""

    kind = "keras_generator"
    title = "Keras generator"
    generative = True
    has_encoder = False
    saved_options = LatentModel.saved_options + (
        _LAYER_SHAPE, opt.SavedOption("output_range", "one_of", choices=OUTPUT_RANGES),
    )

    @classmethod
    def stack_input(cls, options: dict) -> tuple[int, ...]:
        return (options["latent_dim"],)

    def __init__(self, *, input_shape, latent_dim: int, layers, output_range: str = "unit", layer_shape=None,
                 seed: int = 0, **kwargs):
        layers = [checked_layer(layer) for layer in layers]
        data_shape = tuple(input_shape)
        shapes, _ = stack_shapes((latent_dim,), layers)
        own = tuple(layer_shape) if layer_shape is not None else data_shape
        if shapes[-1] != own or not fits(own, data_shape):
            raise ValueError(f"it gives outputs of shape {shapes[-1]}, not {data_shape}")
        super().__init__(input_shape=data_shape, latent_dim=latent_dim, seed=seed, **kwargs)
        self.output_range = opt.check_choice("output_range", output_range, OUTPUT_RANGES, kind=self.kind)
        self.layer_specs, self.layer_shape = layers, None if layer_shape is None else list(own)
        self.stack = [_built_layer(layer) for layer in layers]
        self.generator = keras.Sequential(
            [keras.Input((latent_dim,)), *self.stack, *([] if own == data_shape else _reshape(data_shape, "output>reshape"))],
            name="generator")
        self.built = True

    def part_of(self, index: int) -> str:
        return "generator"

    def submodels(self) -> list[keras.Model]:
        return [self.generator]

    def call(self, codes, training=False):
        return self.generator(codes, training=training)

    def encode(self, x):
        raise NoEncoderError("A generator has no encoder: it maps noise to images, not images to codes. "
                             "Use sample(n) or decode(z).")

    def reconstruct(self, x):
        return self.encode(x)

    def _decode_tensor(self, z):
        images = self.generator(z, training=False)
        return (images + 1.0) / 2.0 if self.output_range == "tanh" else images

    def sample(self, n: int, *, seed: int = 0) -> np.ndarray:
        """Images generated from ``n`` standard normal noise vectors."""
        return self.decode(self._prior_codes(n, seed))

    @property
    def options(self) -> dict:
        return {**super().options, "layers": self.layer_specs, "output_range": self.output_range,
                "layer_shape": self.layer_shape}


# The plain kinds, each saved under its own registered name.
PLAIN_KINDS = (KerasAutoencoder, KerasVAE, KerasGenerator)
