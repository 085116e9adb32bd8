"""Text of the Train page."""

TEXT = {
    "train.header": {"en": "Train a model", "ko": "모델 학습"},
    "train.intro": {
        "en": "Choose a kind of model and its settings, then watch it learn: losses, a progress bar and its reconstructions after every epoch. You can switch pages while it trains.",
        "ko": "모델 종류와 설정을 고른 뒤 학습 과정을 지켜보세요. 에포크마다 손실, 진행 막대, 재구성 결과가 보입니다. 학습 중에 다른 페이지로 가도 됩니다.",
    },
    "train.kind": {"en": "Kind of model", "ko": "모델 종류"},
    "train.kind_help.dense_ae": {"en": "Flatten → dense layers → code → dense layers: the classic tutorial autoencoder.", "ko": "펼치기 → 완전연결층 → 코드 → 완전연결층: 고전적인 튜토리얼 오토인코더입니다."},
    "train.kind_help.conv_ae": {"en": "Convolutions down to a flat code and transposed convolutions back: its filters look at small patches and are shared across the image, so it works with the image's 2-D layout, which a dense AE flattens away.", "ko": "합성곱으로 평평한 코드까지 줄였다가 전치 합성곱으로 되돌립니다. 필터가 작은 조각을 보며 이미지 전체에서 함께 쓰이므로, 완전연결 AE가 펼쳐서 잃어버리는 이미지의 2차원 배치를 살려 씁니다."},
    "train.kind_help.denoising_ae": {"en": "A conv AE that sees corrupted images and learns to return the clean ones.", "ko": "잡음이 섞인 이미지를 보고 깨끗한 이미지를 돌려주도록 배우는 합성곱 AE입니다."},
    "train.kind_help.sparse_ae": {"en": "A dense AE with an L1 penalty that keeps most code values near zero.", "ko": "L1 벌점으로 코드 값 대부분을 0 근처로 유지하는 완전연결 AE입니다."},
    "train.kind_help.linear_ae": {"en": "No activations at all: one linear map down to the code and one back, so it can only find a flat subspace. Trained with MSE, its best code spans the subspace PCA keeps; with L1 it weighs errors differently and need not.", "ko": "활성화 함수가 전혀 없습니다. 코드로 내려가는 선형 사상 하나와 되돌아오는 선형 사상 하나뿐이라 평평한 부분공간만 찾을 수 있습니다. MSE로 학습하면 가장 좋은 코드는 PCA가 남기는 부분공간과 같아지지만, L1로 학습하면 오차를 다르게 재므로 꼭 그렇지는 않습니다."},
    "train.kind_help.vae": {"en": "Encodes a mean and a variance; trained with reconstruction + β·KL, which pulls the codes towards a standard normal you can sample from (the larger β, the stronger the pull; β = 0 drops it).", "ko": "평균과 분산을 인코딩하고 재구성 + β·KL로 학습합니다. KL 항이 코드를 샘플링할 수 있는 표준정규분포 쪽으로 끌어당깁니다 (β가 클수록 세게 끌어당기고, β = 0이면 끌어당기지 않습니다)."},
    "train.kind_help.dcgan": {"en": "A generator and a discriminator trained against each other; it has no encoder.", "ko": "생성자와 판별자를 서로 경쟁시키며 학습합니다. 인코더가 없습니다."},
    "train.not_for_points": {"en": "Point data (the swiss roll) trains only the kinds that take flat vectors, with dense layers: the convolutional kinds and settings are left out.", "ko": "점 데이터(스위스 롤)는 평평한 벡터를 받는 종류만 완전연결층으로 학습합니다. 합성곱 종류와 설정은 빠집니다."},
    "train.loss": {"en": "Reconstruction loss", "ko": "재구성 손실"},
    "train.epochs": {"en": "Epochs", "ko": "에포크"},
    "train.batch": {"en": "Batch size", "ko": "배치 크기"},
    "train.lr": {"en": "Learning rate", "ko": "학습률"},
    "train.images": {"en": "Training images", "ko": "학습 이미지 수"},
    "train.option.beta": {"en": "β (weight of the KL term)", "ko": "β (KL 항의 가중치)"},
    "train.option.architecture": {"en": "Encoder and decoder", "ko": "인코더와 디코더"},
    "train.option.noise_kinds": {"en": "Noise added while training", "ko": "학습 중 더할 잡음"},
    "train.option.noise_strength": {"en": "Noise strength range", "ko": "잡음 세기 범위"},
    "train.option.l1_penalty": {"en": "L1 penalty on the code", "ko": "코드에 대한 L1 벌점"},
    "train.name": {"en": "Name for the model", "ko": "모델 이름"},
    "train.name_missing": {"en": "Give the model a name.", "ko": "모델 이름을 입력하세요."},
    "train.expected": {"en": "Expected time on 2 CPU cores: about {time}.", "ko": "CPU 2코어 기준 예상 시간: 약 {time}."},
    "train.start": {"en": "Start training", "ko": "학습 시작"},
    "train.stop": {"en": "Stop", "ko": "중지"},
    "train.running": {"en": "Training {name}…", "ko": "{name} 학습 중…"},
    "train.progress": {
        "en": "Epoch {epoch}/{epochs} · batch {batch}/{batches} · {elapsed} elapsed · about {eta} left",
        "ko": "에포크 {epoch}/{epochs} · 배치 {batch}/{batches} · {elapsed} 경과 · 약 {eta} 남음",
    },
    "train.starting": {"en": "Starting…", "ko": "시작하는 중…"},
    "train.capped": {
        "en": "Classroom limits on this server: at most {epochs} epochs and {images} training images.",
        "ko": "이 서버의 수업용 제한: 에포크 최대 {epochs}개, 학습 이미지 최대 {images}개.",
    },
    "train.checkpoint_failed": {
        "en": "The latest epochs could not be saved along the way ({error_type}; the server log has the details); "
              "training goes on and saves at the end.",
        "ko": "학습 도중 최근 에포크를 저장하지 못했습니다({error_type}, 자세한 내용은 서버 로그에 있습니다). "
              "학습은 계속되며 끝날 때 저장합니다.",
    },
    "train.checkpoint_refused": {
        "en": "The latest epochs could not be saved along the way: {reason} Training goes on and tries again at the end.",
        "ko": "학습 도중 최근 에포크를 저장하지 못했습니다. {reason} 학습은 계속되며 끝날 때 다시 저장해 봅니다.",
    },
    "train.cancelled": {"en": "{name} left the queue before it started: nothing was trained.", "ko": "{name}은(는) 시작하기 전에 대기열에서 빠졌습니다. 학습된 것이 없습니다."},
    "train.preview": {"en": "Inputs (top) and what the model makes of them (bottom), after epoch {epoch}", "ko": "입력(위)과 모델의 출력(아래), 에포크 {epoch} 후"},
    "train.samples": {"en": "Samples from fixed noise after epoch {epoch}", "ko": "에포크 {epoch} 후 고정된 잡음에서 만든 샘플"},
    "train.completed": {"en": "Finished {name} in {time}. It is saved and selected: see it in the Model library.", "ko": "{name} 학습을 {time} 만에 마쳤습니다. 저장하고 선택해 두었으니 모델 라이브러리에서 보세요."},
    "train.stopped": {"en": "Stopped. {name} keeps the weights it had learned ({epochs} full epochs) and is saved.", "ko": "중지했습니다. {name}은(는) 지금까지 배운 가중치(완료된 에포크 {epochs}개)를 유지한 채 저장되었습니다."},
    "train.diverged": {
        "en": "Training diverged: a loss became NaN or infinite. Try a smaller learning rate; the server log has the details.",
        "ko": "학습이 발산했습니다. 손실이 NaN이나 무한대가 되었습니다. 더 작은 학습률로 해 보세요. 자세한 내용은 서버 로그에 있습니다.",
    },
    "train.diverged_saved": {"en": "The last good epoch was saved as {name}.", "ko": "마지막으로 정상이었던 에포크를 {name}(으)로 저장했습니다."},
    "train.bad_settings": {
        "en": "These settings do not build a {kind}; change them and start again. The server log says which setting.",
        "ko": "이 설정으로는 {kind}을(를) 만들 수 없습니다. 설정을 바꿔 다시 시작하세요. 어느 설정인지는 서버 로그에 있습니다.",
    },
    "train.last_run": {"en": "Last run", "ko": "지난 학습"},
}
