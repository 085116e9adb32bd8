"""Words several pages share, under one key each."""

TEXT = {
    "common.class": {"en": "Class", "ko": "클래스"},
    "common.compression": {"en": "Compression", "ko": "압축률"},
    "common.dataset_unavailable": {
        "en": "This dataset is not available on this machine; choose another one in the sidebar.",
        "ko": "이 데이터셋은 이 컴퓨터에서 사용할 수 없습니다. 사이드바에서 다른 데이터셋을 고르세요.",
    },
    "common.drawing_as_seen": {
        "en": "Your drawing as the model sees it",
        "ko": "모델이 보는 내 그림",
    },
    "common.epoch": {"en": "Epoch", "ko": "에포크"},
    "common.latent_size": {"en": "Latent size", "ko": "잠재 공간 크기"},
    "common.loss": {"en": "Loss", "ko": "손실"},
    "common.loss_per_epoch": {"en": "Loss per epoch", "ko": "에포크별 손실"},
    "common.minutes": {"en": "{value} min", "ko": "{value}분"},
    "common.none": {"en": "None", "ko": "없음"},
    "common.seconds": {"en": "{value} s", "ko": "{value}초"},
    "common.seed": {"en": "Seed", "ko": "시드"},
    "common.test_image_number": {"en": "Test image number", "ko": "테스트 이미지 번호"},
    "common.training_failed": {
        "en": "Training failed ({error_type}); the server log has the details.",
        "ko": "학습에 실패했습니다({error_type}). 자세한 내용은 서버 로그에 있습니다.",
    },
    "common.error_scale": {
        "en": "Error colours, the same fixed scale on every heatmap: |x − x̂| per pixel from 0 (black: "
              "exact) through 0.5 (red) to 1 (pale yellow: black where white should be).",
        "ko": "오차 색은 모든 히트맵에서 같은 고정 척도입니다. 픽셀마다 |x − x̂|를 0(검정: 정확함)부터 "
              "0.5(빨강)를 거쳐 1(연노랑: 흰색이어야 할 곳이 검정)까지 나타냅니다.",
    },
}
