"""``keras_ae``: a plain Keras autoencoder a student built in a notebook, rebuilt safely.

An uploaded ``Sequential`` model, or a functional one whose layers form one chain, made
only of the built-in layers of ``LAYER_FIELDS``, is read from its config field by field:
each layer's fields are checked against a declared type and range (activations by name
from a fixed list), fields that only shape training (initializers, regularizers,
constraints) are dropped unread, and any other field, layer class or wiring is refused
naming the layer. Output shapes and parameter counts are then computed by arithmetic,
so sizes are bounded before anything is built. The model is rebuilt from those checked
fields layer by layer through the layers' constructors (never Keras' deserialiser on the
file's config) and split into an encoder and a decoder after its narrowest layer (the
smallest output; the first on a tie). Feature-map codes are flattened, so the code is
always a vector and every page treats the model as one of the app's own.
"""

from __future__ import annotations

import itertools
import math

from latent_core.frameworks import keras

from latent_core.models import options as opt
from latent_core.models.autoencoder import AutoencoderModel
from latent_core.models.base import SERIALIZATION_PACKAGE

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


def _refused(layer: str, value, reason: str, *, too_big: bool = False) -> opt.OptionRefused:
    return opt.OptionRefused(f"layer {layer}", value, reason, too_big=too_big)


def _layer_name(entry) -> str:
    config = entry.get("config") if isinstance(entry, dict) else None
    name = config.get("name") if isinstance(config, dict) else None
    return name[:80] if isinstance(name, str) else "?"


def checked_layer(entry) -> dict:
    """One layer, as Keras saves it (``class_name``, ``module``, ``config``) or as this kind
    saves it (``layer``, ``config``), as ``{"layer", "config"}`` with only its kept, checked
    fields; raises ``OptionRefused`` naming the layer otherwise."""
    if not isinstance(entry, dict) or not isinstance(entry.get("config"), dict):
        raise _refused("?", entry, "is not a layer description")
    layer, config = _layer_name(entry), entry["config"]
    class_name = entry["layer"] if "layer" in entry else entry.get("class_name")
    if class_name not in LAYER_FIELDS or entry.get("module", "keras.layers") != "keras.layers":
        raise _refused(layer, class_name, f"is a {str(class_name)[:40]} layer; models of "
                       f"{', '.join(LAYER_FIELDS)} layers are supported")
    kept = {option.name: option for option in (_NAME, *LAYER_FIELDS[class_name])}
    checked = {}
    for field, value in config.items():
        if field in kept:
            try:
                checked[field] = _plain(kept[field].check(value))
            except opt.OptionRefused as refused:
                raise _refused(layer, value, f"{field} {refused.reason}", too_big=refused.too_big) from None
        elif field in _FIXED_FIELDS:
            if value != _FIXED_FIELDS[field]:
                raise _refused(layer, value, f"{field} must be {_FIXED_FIELDS[field]!r} here")
        elif field in _DROPPED_FIELDS or field.endswith(_DROPPED_SUFFIXES) or field == "activity_regularizer":
            if field == "dtype" and value not in ("float32", None) and not (
                    isinstance(value, dict) and value.get("config") == {"name": "float32"}):
                raise _refused(layer, value, "dtype must be float32")
        else:
            raise _refused(layer, value, f"has a field {field[:40]!r} this app does not rebuild")
    missing = sorted(set(kept) - set(checked) - {"strides", "max_value"})
    if missing:
        raise _refused(layer, None, f"{missing[0]} is missing")
    return {"layer": class_name, "config": checked}


def _plain(value):
    return list(value) if isinstance(value, tuple) else value


def options_from_keras_config(config: dict) -> dict:
    """``keras_ae`` options (input shape, checked layers, split) from the config of a saved
    ``Sequential`` model or functional chain; raises ``OptionRefused`` for anything else."""
    inner = config.get("config")
    if not isinstance(inner, dict) or not isinstance(inner.get("layers"), list):
        raise opt.OptionRefused("config", None, "holds no list of layers")
    entries = inner["layers"]
    if len(entries) > MAX_PLAIN_LAYERS + 1:
        raise opt.OptionRefused("layers", len(entries), f"more than {MAX_PLAIN_LAYERS} layers", too_big=True)
    if config.get("class_name") == "Functional":
        _check_chain(inner, entries)
    if not entries or not isinstance(entries[0], dict) or entries[0].get("class_name") != "InputLayer":
        raise opt.OptionRefused("layers", None, "the model must start with keras.Input(shape=...)")
    input_shape = _input_shape(entries[0])
    layers = [checked_layer(entry) for entry in entries[1:]]
    return {"input_shape": input_shape, "layers": layers, "split": narrowest_layer(input_shape, layers)}


def _check_chain(inner: dict, entries: list) -> None:
    """A functional model is accepted when each layer takes exactly the previous one's output."""
    for previous, entry in itertools.pairwise(entries):
        nodes = entry.get("inbound_nodes") if isinstance(entry, dict) else None
        args = nodes[0].get("args") if isinstance(nodes, list) and len(nodes) == 1 and isinstance(nodes[0], dict) \
            else None
        history = args[0].get("config", {}).get("keras_history") if isinstance(args, list) and len(args) == 1 \
            and isinstance(args[0], dict) else None
        if not (isinstance(history, list) and history and history[0] == previous.get("name")
                and not nodes[0].get("kwargs")):
            raise _refused(_layer_name(entry), None, "does not take the previous layer's output alone; only "
                           "models whose layers form one chain are supported")
    last = entries[-1].get("name") if entries and isinstance(entries[-1], dict) else None
    if inner.get("output_layers") not in ([last, 0, 0], [[last, 0, 0]]):
        raise opt.OptionRefused("output_layers", None, "the model must have one output, its last layer")


def _input_shape(entry: dict) -> list[int]:
    config = entry.get("config")
    shape = config.get("batch_shape") if isinstance(config, dict) else None
    if not isinstance(shape, list) or not shape or shape[0] is not None:
        raise _refused(_layer_name(entry), shape, "the input needs a shape without its batch size")
    for field, value in config.items():
        if field in _FIXED_FIELDS:
            if value != _FIXED_FIELDS[field]:
                raise _refused(_layer_name(entry), value, f"{field} must be {_FIXED_FIELDS[field]!r} here")
        elif field == "dtype":
            if value != "float32":
                raise _refused(_layer_name(entry), value, "dtype must be float32")
        elif field not in ("batch_shape", "name"):
            raise _refused(_layer_name(entry), value, f"has a field {field[:40]!r} this app does not rebuild")
    return list(opt.SavedOption("input_shape", "shape", minimum=1, maximum=opt.MAX_INPUT_SIDE).check(shape[1:]))


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
        raise ValueError(f"its narrowest layer ({layers[split]['config']['name']}, {sizes[split]} values) is not "
                         f"narrower than its input ({math.prod(input_shape)} values): it has no code to explore")
    return split


# --------------------------------------------------------------------------- the model


def _built_layer(layer: dict) -> keras.layers.Layer:
    """A layer built through its class's constructor from its checked fields only."""
    return getattr(keras.layers, layer["layer"])(**layer["config"])


@keras.saving.register_keras_serializable(package=SERIALIZATION_PACKAGE)
class KerasAutoencoder(AutoencoderModel):
    """A plain Keras autoencoder from a notebook: its own layers, split at the narrowest."""

    kind = "keras_ae"
    title = "Keras AE"
    saved_options = AutoencoderModel.saved_options + (
        opt.int_option("split", MAX_PLAIN_LAYERS - 1, minimum=0),
    )

    @classmethod
    def checked_saved_options(cls, config) -> dict:
        """As for every kind, with ``layers`` checked layer by layer against ``LAYER_FIELDS``."""
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise opt.OptionRefused("layers", None, "must be a list of layers")
        if len(config["layers"]) > MAX_PLAIN_LAYERS:
            raise opt.OptionRefused("layers", len(config["layers"]), f"more than {MAX_PLAIN_LAYERS} layers",
                                    too_big=True)
        layers = [checked_layer(entry) for entry in config["layers"]]
        options = super().checked_saved_options({key: value for key, value in config.items() if key != "layers"})
        return {**options, "layers": layers}

    @classmethod
    def weight_count(cls, options: dict) -> int:
        return stack_shapes(options["input_shape"], options["layers"])[1]

    @classmethod
    def activation_values(cls, options: dict) -> int:
        shapes, _ = stack_shapes(options["input_shape"], options["layers"])
        return max(math.prod(options["input_shape"]), *(math.prod(shape) for shape in shapes))

    def __init__(self, *, input_shape, layers, split: int, latent_dim: int | None = None, loss: str = "mse",
                 seed: int = 0, **kwargs):
        layers = [checked_layer(layer) for layer in layers]
        shapes, _ = stack_shapes(input_shape, layers)
        if shapes[-1] != tuple(input_shape):
            raise ValueError(f"its output has shape {shapes[-1]}, not its input's {tuple(input_shape)}: "
                             "it is not an autoencoder")
        if not 0 <= split < len(layers) - 1:
            raise ValueError(f"split {split} must name a layer before the last of {len(layers)}")
        code_shape = shapes[split]
        size = math.prod(code_shape)
        if latent_dim is not None and latent_dim != size:
            raise ValueError(f"latent_dim {latent_dim} differs from the split layer's {size} values")
        super().__init__(input_shape=input_shape, latent_dim=size, loss=loss, seed=seed, **kwargs)
        self.layer_specs, self.split = layers, split
        self.stack = [_built_layer(layer) for layer in layers]
        flat = len(code_shape) == 1
        self.encoder = keras.Sequential(
            [keras.Input(self.input_shape), *self.stack[: split + 1], *([] if flat else [keras.layers.Flatten(name="code>flatten")])],
            name="encoder")
        self.decoder = keras.Sequential(
            [keras.Input((size,)), *([] if flat else [keras.layers.Reshape(code_shape, name="code>reshape")]), *self.stack[split + 1:]],
            name="decoder")
        self.built = True

    def plain_model(self) -> keras.Sequential:
        """A fresh ``Sequential`` of this model's layers, as the uploaded file was saved: its
        weights file can be read into it by its paths, then handed over with ``set_weights_from``."""
        return keras.Sequential([keras.Input(self.input_shape),
                                 *(_built_layer(layer) for layer in self.layer_specs)])

    def set_weights_from(self, plain: keras.Sequential) -> None:
        """Take the weights of ``plain`` (from ``plain_model``), layer by layer."""
        for mine, theirs in zip(self.stack, plain.layers, strict=True):
            mine.set_weights(theirs.get_weights())

    @property
    def options(self) -> dict:
        return {**super().options, "layers": self.layer_specs, "split": self.split}
