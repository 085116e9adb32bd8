"""Text of the Generate page's interpolation meter (ui/interpolation_views.py)."""

TEXT = {
    "interpolation.intro": {
        "en": "Is every code between two images one the model understands? Each step of the path is decoded, the "
              "image encoded again, and that code decoded once more. Where the model's space is filled, the "
              "second code lands where the first was; in a hole, where no training image was encoded, it lands "
              "somewhere else.",
        "ko": "두 이미지 사이의 모든 코드를 모델이 이해할까요? 경로의 각 단계를 복원하고, 그 이미지를 다시 "
              "인코딩한 뒤, 그 코드를 한 번 더 복원합니다. 모델의 공간이 채워진 곳에서는 두 번째 코드가 첫 번째 "
              "코드 자리에 떨어지고, 어떤 학습 이미지도 인코딩되지 않은 구멍에서는 다른 곳에 떨어집니다.",
    },
    "interpolation.between": {"en": "Between", "ko": "무엇 사이"},
    "interpolation.between.classes": {"en": "Two class representatives", "ko": "두 클래스 대표"},
    "interpolation.between.images": {"en": "Two images", "ko": "두 이미지"},
    "interpolation.from": {"en": "From", "ko": "시작"},
    "interpolation.to": {"en": "To", "ko": "끝"},
    "interpolation.from_image": {"en": "From image (of {count})", "ko": "시작 이미지 ({count}장 중)"},
    "interpolation.to_image": {"en": "To image (of {count})", "ko": "끝 이미지 ({count}장 중)"},
    "interpolation.steps": {"en": "Steps", "ko": "단계 수"},
    "interpolation.method": {"en": "Path", "ko": "경로"},
    "interpolation.method.linear": {"en": "Straight line", "ko": "직선"},
    "interpolation.method.slerp": {"en": "Slerp (spherical)", "ko": "Slerp (구면)"},
    "interpolation.latent_strip": {
        "en": "Latent space: the decoded image D(z) at each step of the path",
        "ko": "잠재 공간: 경로의 각 단계에서 복원한 이미지 D(z)",
    },
    "interpolation.again_strip": {
        "en": "The same steps encoded and decoded again, D(E(D(z))): where they differ from the row above, the "
              "model does not keep that code",
        "ko": "같은 단계를 다시 인코딩하고 복원한 D(E(D(z))): 위 줄과 다른 곳에서는 모델이 그 코드를 유지하지 "
              "못합니다",
    },
    "interpolation.pixels_classes": {
        "en": "Pixel space: the two representatives' images cross-faded, (1 − t)·x₀ + t·x₁",
        "ko": "픽셀 공간: 두 대표 이미지를 겹쳐 바꾼 것, (1 − t)·x₀ + t·x₁",
    },
    "interpolation.pixels_images": {
        "en": "Pixel space: the two images ({start} → {end}) cross-faded, (1 − t)·x₀ + t·x₁",
        "ko": "픽셀 공간: 두 이미지({start} → {end})를 겹쳐 바꾼 것, (1 − t)·x₀ + t·x₁",
    },
    "interpolation.peak": {"en": "Largest re-encoding error", "ko": "가장 큰 재인코딩 오차"},
    "interpolation.peak_help": {
        "en": "||E(D(z)) − z|| at the worst step, in the model's own code units.",
        "ko": "가장 나쁜 단계의 ||E(D(z)) − z||, 모델 자체의 코드 단위입니다.",
    },
    "interpolation.peak_at": {"en": "…at position", "ko": "…위치"},
    "interpolation.distance": {"en": "Distance between the ends", "ko": "양 끝 사이 거리"},
    "interpolation.code_error": {"en": "Re-encoding error ||E(D(z)) − z||", "ko": "재인코딩 오차 ||E(D(z)) − z||"},
    "interpolation.image_change": {"en": "Image change (RMS)", "ko": "이미지 변화 (RMS)"},
    "interpolation.position": {"en": "Position on the path (0 = from, 1 = to)", "ko": "경로 위 위치 (0 = 시작, 1 = 끝)"},
    "interpolation.log_density": {"en": "Prior log-density log N(z; 0, I)", "ko": "사전 분포 로그 밀도 log N(z; 0, I)"},
    "interpolation.typical": {"en": "typical prior sample", "ko": "전형적인 사전 샘플"},
    "interpolation.reading": {
        "en": "What to look for: peaks. The solid line is the re-encoding error ||E(D(z)) − z|| (in the model's "
              "own code units, so compare it along one path, not between models); the dotted line is the same in "
              "pixels, the root mean square of D(E(D(z))) − D(z), which does compare between models. Even the "
              "ends need not be 0: a class representative is the mean of many codes, not the code of one image. "
              "A rise in the middle is a hole between the two ends. Try a plain autoencoder and a VAE on the same "
              "two classes, and the straight line against slerp.",
        "ko": "볼 점: 봉우리. 실선은 재인코딩 오차 ||E(D(z)) − z||입니다(모델 자체의 코드 단위이므로 한 경로 안에서 "
              "비교하고 모델끼리는 비교하지 마세요). 점선은 같은 것을 픽셀로 잰 D(E(D(z))) − D(z)의 제곱평균제곱근으로, "
              "모델끼리도 비교할 수 있습니다. 양 끝도 0이 아닐 수 있습니다. 클래스 대표는 한 이미지의 코드가 아니라 "
              "많은 코드의 평균이기 때문입니다. 가운데가 솟으면 두 끝 사이에 구멍이 있다는 뜻입니다. 같은 두 클래스로 "
              "일반 오토인코더와 VAE를, 직선과 slerp를 비교해 보세요.",
    },
    "interpolation.density_reading": {
        "en": "For a VAE: how likely its prior N(0, I) finds each step. The dashed line is the average over the "
              "prior's own samples in {dims} dimensions. A straight line between two codes usually passes nearer the "
              "centre than its ends, so its density rises in the middle. "
              "Slerp follows an arc instead, which keeps the length of two equally long ends exactly, so "
              "its density stays nearer the level of its ends.",
        "ko": "VAE의 경우: 사전 분포 N(0, I)가 각 단계를 얼마나 그럴듯하게 보는지입니다. 점선은 {dims}차원에서 사전 "
              "분포 자신의 샘플에 대한 평균입니다. 두 코드 사이의 직선은 보통 양 끝보다 중심에 가깝게 지나가므로 가운데에서 "
              "밀도가 올라갑니다. slerp는 대신 호를 따라가며 길이가 같은 두 끝의 길이를 "
              "정확히 유지하므로, 밀도가 양 끝의 수준에 더 가깝게 머뭅니다.",
    },
}
