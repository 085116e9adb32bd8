"""Text of the app shell: title, sidebar and page names."""

TEXT = {
    "app.title": {"en": "Latent Explorer", "ko": "잠재 공간 탐험기"},
    "app.tagline": {
        "en": "Train, load and look inside autoencoders, VAEs and GANs.",
        "ko": "오토인코더, VAE, GAN을 학습하고 불러와서 그 안을 들여다보세요.",
    },
    "sidebar.language": {"en": "Language", "ko": "언어"},
    "sidebar.dataset": {"en": "Dataset", "ko": "데이터셋"},
    "sidebar.uploaded": {"en": "{name} (uploaded)", "ko": "{name} (업로드)"},
    "page.data": {"en": "Data", "ko": "데이터"},
    "page.library": {"en": "Model library", "ko": "모델 라이브러리"},
    "page.train": {"en": "Train", "ko": "학습"},
    "page.latent_map": {"en": "Latent map", "ko": "잠재 공간 지도"},
    "page.generate": {"en": "Generate", "ko": "생성"},
    "sidebar.model": {"en": "Model", "ko": "모델"},
    "sidebar.no_models": {
        "en": "No model for this dataset yet: train one on the Train page.",
        "ko": "이 데이터셋의 모델이 아직 없습니다. 학습 페이지에서 만들어 보세요.",
    },
    "model.label": {"en": "{name} · {kind}, {dims}-D", "ko": "{name} · {kind}, {dims}차원"},
    "model.yours": {"en": "★ {label}", "ko": "★ {label}"},
    "kind.dense_ae": {"en": "dense AE", "ko": "완전연결 AE"},
    "kind.conv_ae": {"en": "conv AE", "ko": "합성곱 AE"},
    "kind.denoising_ae": {"en": "denoising AE", "ko": "잡음 제거 AE"},
    "kind.sparse_ae": {"en": "sparse AE", "ko": "희소 AE"},
    "kind.linear_ae": {"en": "linear AE", "ko": "선형 AE"},
    "kind.vae": {"en": "VAE", "ko": "VAE"},
    "kind.dcgan": {"en": "DCGAN", "ko": "DCGAN"},
    "kind.classifier": {"en": "classifier", "ko": "분류기"},
}
