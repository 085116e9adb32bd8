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
}
