"""Text of the Data page."""

TEXT = {
    "data.header": {"en": "Data: {title}", "ko": "데이터: {title}"},
    "data.about.fashion_mnist": {
        "en": "70,000 greyscale 28×28 pictures of clothing in 10 classes, a drop-in harder replacement for MNIST. "
              "The counts below are those of the copy this server loaded, which can be a smaller sample.",
        "ko": "10가지 종류의 옷을 찍은 28×28 흑백 이미지 70,000장. MNIST보다 어려운 대체 데이터셋입니다. "
              "아래 개수는 이 서버가 불러온 사본의 것이며, 더 작은 표본일 수 있습니다.",
    },
    "data.about.mnist": {
        "en": "70,000 handwritten digits, 28×28 greyscale: the classic first dataset of deep learning. The counts "
              "below are those of the copy this server loaded, which can be a smaller sample.",
        "ko": "28×28 흑백 손글씨 숫자 70,000장. 딥러닝의 고전적인 첫 데이터셋입니다. 아래 개수는 이 서버가 "
              "불러온 사본의 것이며, 더 작은 표본일 수 있습니다.",
    },
    "data.about.digits": {
        "en": "1,797 tiny 8×8 handwritten digits that ship with scikit-learn: models train on them in seconds.",
        "ko": "scikit-learn에 포함된 8×8 손글씨 숫자 1,797장. 몇 초 만에 모델을 학습할 수 있습니다.",
    },
    "data.about.swiss_roll": {
        "en": "3,000 points on a rolled-up 2-D sheet in 3-D: the classic test of whether a method can unroll a manifold.",
        "ko": "3차원 공간에 돌돌 말린 2차원 면 위의 점 3,000개. 매니폴드를 펼칠 수 있는지 시험하는 고전적인 예입니다.",
    },
    "data.about.user": {
        "en": "Your own data, uploaded in this session.",
        "ko": "이 세션에서 업로드한 나의 데이터입니다.",
    },
    "data.train_count": {"en": "Training examples", "ko": "학습 데이터 수"},
    "data.test_count": {"en": "Test examples", "ko": "테스트 데이터 수"},
    "data.shape": {"en": "Shape of one example", "ko": "데이터 하나의 크기"},
    "data.classes": {"en": "Classes", "ko": "클래스 수"},
    "data.source": {"en": "Source: {source}", "ko": "출처: {source}"},
    "data.samples": {"en": "Samples by class", "ko": "클래스별 예시"},
    "data.samples_per_class": {"en": "Images per class", "ko": "클래스당 이미지 수"},
    "data.reshuffle": {"en": "Show other examples", "ko": "다른 예시 보기"},
    "data.roll_caption": {
        "en": "Colour is the position along the roll: an unrolling method should keep it smooth.",
        "ko": "색은 롤을 따라간 위치입니다. 잘 펼친다면 색이 부드럽게 이어져야 합니다.",
    },
    "data.upload.header": {"en": "Use your own data", "ko": "나의 데이터 사용하기"},
    "data.upload.help": {
        "en": "An .npz with an array `x` of images (and optionally integer labels `y`), or a .zip of PNG/JPEG images with one folder per class. Images are resized to 28×28 greyscale.",
        "ko": "이미지 배열 `x`(선택적으로 정수 라벨 `y`)가 들어 있는 .npz 파일, 또는 클래스마다 폴더 하나씩 PNG/JPEG 이미지를 담은 .zip 파일. 이미지는 28×28 흑백으로 바뀝니다.",
    },
    "data.upload.label": {"en": "Upload .npz or .zip", "ko": ".npz 또는 .zip 업로드"},
    "data.upload.done": {
        "en": "Loaded {name}: {count} images in {classes} classes. It is now in the dataset list.",
        "ko": "{name}을(를) 불러왔습니다: {classes}개 클래스, 이미지 {count}장. 이제 데이터셋 목록에 있습니다.",
    },
    "data.upload.failed": {"en": "Could not use this file: {error}", "ko": "이 파일을 사용할 수 없습니다: {error}"},
    "data.upload.one_class": {
        "en": "All its images are one class: fine for training an autoencoder, but class colours and per-class "
              "pages have nothing to compare. For classes, give each its own folder (or integer labels y).",
        "ko": "모든 이미지가 한 클래스입니다. 오토인코더 학습에는 괜찮지만, 클래스별 색이나 클래스를 비교하는 페이지에서는 "
              "비교할 것이 없습니다. 클래스를 나누려면 클래스마다 폴더를 만들거나 정수 라벨 y를 넣으세요.",
    },
    "data.note": {"en": "Note: {note}", "ko": "참고: {note}"},
}
