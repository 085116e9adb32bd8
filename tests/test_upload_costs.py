"""What a hostile or near-limit upload costs the server: peak memory and time, measured in
a fresh process (``ru_maxrss`` is a process's peak, so each measurement gets its own)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MB = 2**20

MEASURE = textwrap.dedent("""
    import json, resource, sys, time
    sys.path.insert(0, "tests")
    import numpy as np
    from bad_inputs import npz
    from latent_core import user_data

    def peak():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    images, image_side = int(sys.argv[1]), int(sys.argv[2])
    payload = npz(compressed=True, x=np.zeros((images, image_side, image_side), np.uint8))
    user_data.load_user_dataset(npz(x=np.zeros((2, 8, 8), np.uint8)), filename="warm.npz")  # the worker starts
    before = peak()
    try:
        dataset = user_data.load_user_dataset(payload, filename="near.npz", image_size=(image_side, image_side))
        outcome = f"{len(dataset.x_train) + len(dataset.x_test)} images"
    except user_data.DataFormatError as error:
        outcome = error.code
    print(json.dumps({"upload": len(payload), "growth": peak() - before, "outcome": outcome}))
""")


def measure(images: int, side: int, **environment: str) -> dict:
    env = {**os.environ, **environment}
    result = subprocess.run([sys.executable, "-c", MEASURE, str(images), str(side)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_near_limit_npz_is_refused_when_hosted_and_costs_the_server_little():
    # 20,000 images of 80×80: 488 MB as float32, legal locally (under 512 MB), from a 0.5 MB upload.
    measured = measure(20_000, 80, LATENT_EXPLORER_HOSTED="1")
    assert measured["upload"] < MB
    assert measured["outcome"] == "npz_too_big"
    assert measured["growth"] < 40 * MB


def test_a_near_the_hosted_limit_npz_loads_with_bounded_server_memory():
    # 20,000 images of 40×40: 122 MB as float32, just under the hosted 128 MB. The server holds
    # the images once as they arrive and once split into training and test images.
    measured = measure(20_000, 40, LATENT_EXPLORER_HOSTED="1")
    assert measured["outcome"] == "20000 images"
    assert measured["growth"] < 2.5 * 128 * MB


MEASURE_BOMB = textwrap.dedent("""
    import json, resource, sys, time
    sys.path.insert(0, "tests")
    from bad_inputs import huge_png, pixel_bomb_zip
    from latent_core import images, user_data

    picture, payload = huge_png(4096), pixel_bomb_zip()
    user_data.load_user_dataset(pixel_bomb_zip(2, 8), filename="warm.zip")  # the worker starts
    start = time.perf_counter()
    for _ in range(5):
        images.decode_picture(picture, name="one.png")
    one_picture = (time.perf_counter() - start) / 5
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    start = time.perf_counter()
    try:
        user_data.load_user_dataset(payload, filename="pixels.zip")
        outcome = "loaded"
    except user_data.DataFormatError as error:
        outcome = error.code
    refused_in = time.perf_counter() - start
    growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    print(json.dumps({"one_picture": one_picture, "refused_in": refused_in, "outcome": outcome, "growth": growth,
                      "upload": len(payload)}))
""")


@pytest.mark.parametrize("hosted", ["0", "1"], ids=["local", "hosted"])
def test_a_zip_of_20000_huge_pictures_is_refused_in_the_time_of_a_few_hundred_decodes(hosted):
    env = {**os.environ, "LATENT_EXPLORER_HOSTED": hosted}
    result = subprocess.run([sys.executable, "-c", MEASURE_BOMB], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300, check=True)
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    assert measured["outcome"] == "zip_too_many_pixels"
    # Decoding all 20,000 would take 20,000 pictures' time; the refusal takes under 1% of it.
    assert measured["refused_in"] < 200 * measured["one_picture"], measured
    assert measured["growth"] < 64 * MB
