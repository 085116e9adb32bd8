"""Every page on Fashion-MNIST reads its training images as rows (``data.ByteImages``): none turns the whole
training split into float32, which would take back the 141 MiB the bytes save in every server process."""

import pytest
from page_helpers import open_page

from latent_core import data, sources

PAGES = ["data.py", "library.py", "train.py", "reconstruct.py", "denoise.py", "latent_map.py", "generate.py",
         "anomaly.py", "concepts.py"]


@pytest.mark.skipif(not sources.DEBIAN_FASHION_MNIST_DIR.is_dir(),
                    reason="needs `apt-get install dataset-fashion-mnist`")
@pytest.mark.parametrize("page", PAGES)
def test_no_page_converts_the_whole_training_split(page, monkeypatch):
    from ui import reconstruct_views

    reconstruct_views.pca_baseline.clear()  # fitted afresh, from rows of the training split

    def converted_whole(self, *args, **kwargs):
        raise AssertionError(f"{page} turned all {len(self)} training images into float32")

    monkeypatch.setattr(data.ByteImages, "__array__", converted_whole)
    app = open_page(page, dataset="fashion_mnist")
    assert not app.exception, [e.value for e in app.exception]
