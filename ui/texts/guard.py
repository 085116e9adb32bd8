"""Text of the page guard (``ui/guard.py``): the messages a page shows when it cannot run."""

TEXT = {
    "guard.not_images": {
        "en": "This page works on images; choose an image dataset in the sidebar.",
        "ko": "이 페이지는 이미지를 다룹니다. 사이드바에서 이미지 데이터셋을 고르세요.",
    },
    "guard.no_model": {
        "en": "No model to run: pick one in the sidebar, or train one for this dataset on the Train page.",
        "ko": "실행할 모델이 없습니다. 사이드바에서 모델을 고르거나 학습 페이지에서 이 데이터셋으로 모델을 학습하세요.",
    },
    "guard.load_failed": {
        "en": "The model could not be loaded: {error}",
        "ko": "모델을 불러오지 못했습니다: {error}",
    },
    "guard.no_encoder": {
        "en": "A {kind} has no encoder, so it cannot take an image in. Pick an autoencoder or a VAE.",
        "ko": "{kind}에는 인코더가 없어 이미지를 입력받을 수 없습니다. 오토인코더나 VAE를 고르세요.",
    },
}
