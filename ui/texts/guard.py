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
    "guard.no_latent": {
        "en": "A {kind} has no latent code: its skip connections carry each image's details past the "
              "bottleneck, so it does not compress an image into a few numbers, and there is no code to show "
              "here. It takes an image in and gives one out: use it on the Denoise page, or pick an "
              "autoencoder or a VAE.",
        "ko": "{kind}에는 잠재 코드가 없습니다. 스킵 연결이 각 이미지의 세부를 병목 옆으로 그대로 넘기므로 이미지를 "
              "몇 개의 숫자로 압축하지 않고, 여기서 보여 줄 코드도 없습니다. 이미지를 받아 이미지를 내놓는 모델이니 "
              "잡음 제거 페이지에서 쓰거나, 오토인코더나 VAE를 고르세요.",
    },
    "guard.use_model_with_code": {
        "en": "Use {name}",
        "ko": "{name} 사용하기",
    },
}
