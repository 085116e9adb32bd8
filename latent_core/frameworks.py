"""TensorFlow and Keras, imported by one thread at a time: every module of ``latent_core``
takes them from here.

Two threads importing TensorFlow at once (a fresh server's first page and its warm-up, two
visitors arriving together, a page opened while the first run is still importing) can enter
its circular imports at different modules; Python then breaks the deadlock by handing one
thread a half-initialised module, and the page fails with an ``AttributeError`` deep inside
TensorFlow. Importing this module instead makes every other thread wait on its import lock
until the first one has imported both libraries whole (nothing they import comes back here).
"""

import keras
import tensorflow as tf

__all__ = ["keras", "tf"]
