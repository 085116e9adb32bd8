"""The Generate page's interpolation meter through AppTest: strips, the error chart, a VAE's prior density."""

import base64
import json
import math

import numpy as np
from page_helpers import open_with_model
from streamlit.testing.v1 import AppTest

from latent_core import interpolation

PAGE = "generate.py"


def captions(app: AppTest) -> list[str]:
    return [image.proto.imgs[0].caption for image in app.get("image")]


def chart(app: AppTest, key_part: str) -> dict:
    return next(json.loads(c.proto.spec) for c in app.get("plotly_chart") if key_part in c.proto.id)


def values(array) -> list[float]:
    """A trace's numbers; plotly encodes NumPy arrays as {"dtype", "bdata"}."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"])).tolist()
    return list(array)


def curve(app: AppTest, key_part: str = "interpolation.errors", trace: int = 0) -> list[float]:
    return values(chart(app, key_part)["data"][trace]["y"])


def test_the_meter_shows_latent_re_decoded_and_pixel_strips_and_the_error_at_every_step(tiny):
    app = open_with_model(PAGE, tiny.ae)
    assert not app.exception
    assert "Interpolation meter" in [tab.label for tab in app.tabs]
    shown = captions(app)
    assert any(caption.startswith("Latent space: the decoded image") for caption in shown)
    assert any(caption.startswith("The same steps encoded and decoded again") for caption in shown)
    assert any(caption.startswith("Pixel space: the two representatives") for caption in shown)
    assert len(curve(app, trace=0)) == len(curve(app, trace=1)) == 11  # the default 11 steps, two curves
    assert not [c for c in app.get("plotly_chart") if "interpolation.density" in c.proto.id]  # no prior in a plain AE
    peak = next(metric for metric in app.metric if metric.label == "Largest re-encoding error")
    assert float(peak.value) == round(max(curve(app)), 3) and max(curve(app)) > 0


def test_steps_method_and_ends_change_the_path(tiny):
    app = open_with_model(PAGE, tiny.ae)
    linear = curve(app)
    app.slider(key="interpolation.steps").set_value(7).run()
    assert len(curve(app)) == 7
    app.slider(key="interpolation.steps").set_value(11).run()
    app.radio(key="interpolation.method").set_value("slerp").run()
    slerp = curve(app)
    assert not app.exception and slerp != linear and slerp[0] == linear[0]  # same ends, another way between
    app.radio(key="interpolation.between").set_value("images").run()
    app.number_input(key="interpolation.to_image").set_value(5).run()
    assert not app.exception
    assert any(caption.startswith("Pixel space: the two images (") for caption in captions(app))


def test_a_path_is_measured_once_per_model_version_and_settings(tiny, monkeypatch):
    steps_measured = []
    measure = interpolation.measure_path
    monkeypatch.setattr(interpolation, "measure_path", lambda *args, **kwargs: steps_measured.append(args[4]) or
                        measure(*args, **kwargs))
    app = open_with_model(PAGE, tiny.ae)
    for steps in (15, 11, 15):
        app.slider(key="interpolation.steps").set_value(steps).run()
    assert not app.exception and steps_measured.count(15) == 1  # the second visit to 15 steps reuses the first


def test_a_vae_also_gets_the_prior_log_density_beside_a_typical_prior_sample(tiny):
    app = open_with_model(PAGE, tiny.vae)
    assert not app.exception
    density = curve(app, "interpolation.density")
    assert len(density) == 11 and np.isfinite(density).all()
    typical = chart(app, "interpolation.density")["layout"]["shapes"][0]["y0"]
    assert typical == interpolation.typical_prior_log_density(2) == -(math.log(2 * math.pi) + 1)
    assert max(density) <= -math.log(2 * math.pi) + 1e-6  # never above the density at the centre


def test_the_meter_speaks_korean(tiny):
    app = open_with_model(PAGE, tiny.vae, lang="ko")
    assert not app.exception
    assert "보간 측정기" in [tab.label for tab in app.tabs]
    assert any(caption.startswith("잠재 공간:") for caption in captions(app))
    assert any("볼 점: 봉우리" in caption.value for caption in app.caption)
