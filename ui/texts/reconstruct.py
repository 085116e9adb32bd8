"""Text of the Reconstruct & compress page."""

TEXT = {
    "reconstruct.intro": {
        "en": "An autoencoder squeezes each image into a few numbers (its latent code) and rebuilds the image from them "
              "alone. Below, test images it never saw go through your model and, for comparison, through PCA with the "
              "same number of dimensions, fitted on up to {pca_images} training images: on the images it is fitted on, PCA is "
              "the best linear compression of that size, so on new images it is a strong linear baseline.",
        "ko": "오토인코더는 이미지 하나를 몇 개의 숫자(잠재 코드)로 압축한 뒤, 그 숫자만으로 이미지를 다시 만듭니다. "
              "아래에서는 모델이 학습 때 보지 못한 테스트 이미지를 선택한 모델과, 비교를 위해 학습 이미지 "
              "{pca_images}장으로 맞춘 같은 차원 수의 PCA에 각각 통과시킵니다. PCA는 맞춘 이미지에서는 그 "
              "크기의 가장 좋은 선형 압축이므로, 새 이미지에서는 강력한 선형 기준선이 됩니다.",
    },
    "reconstruct.no_latent": {
        "en": "A {kind} does not compress: its skip connections hand each level's feature maps to the decoder, "
              "so the image is rebuilt from far more numbers than its pixels, not from a small code, and there is no "
              "compression ratio or PCA of the same size to compare with. It is made to remove noise: see it on the "
              "Denoise page, or pick an autoencoder here.",
        "ko": "{kind}는 압축하지 않습니다. 스킵 연결이 각 단계의 특징 맵을 디코더로 넘기므로, 이미지는 작은 코드가 아니라 "
              "픽셀보다 훨씬 많은 숫자로 다시 만들어지고, 압축률이나 같은 크기의 PCA와 비교할 것이 없습니다. 잡음을 "
              "없애려고 만든 모델이니 잡음 제거 페이지에서 보거나, 여기서는 오토인코더를 고르세요.",
    },
    "reconstruct.scoring": {
        "en": "Scoring the model and PCA on the test images…",
        "ko": "테스트 이미지로 모델과 PCA를 평가하는 중…",
    },
    "reconstruct.ratio_value": {"en": "{ratio:.1f} : 1", "ko": "{ratio:.1f} : 1"},
    "reconstruct.ratio_help": {
        "en": "{pixels} pixel values become {dims} latent numbers.",
        "ko": "픽셀 값 {pixels}개가 잠재 숫자 {dims}개가 됩니다.",
    },
    "reconstruct.model_mse": {"en": "Autoencoder MSE", "ko": "오토인코더 MSE"},
    "reconstruct.pca_mse": {"en": "PCA MSE, {dims} dimensions", "ko": "PCA MSE, {dims}차원"},
    "reconstruct.mse_help": {
        "en": "Mean squared pixel error over {count} test images (lower is better).",
        "ko": "테스트 이미지 {count}장의 평균 제곱 픽셀 오차 (낮을수록 좋음).",
    },
    "reconstruct.versus_pca": {
        "en": "{percent:.0f}% lower error than PCA",
        "ko": "PCA보다 오차 {percent:.0f}% 낮음",
    },
    "reconstruct.behind_pca": {
        "en": "{percent:.0f}% higher error than PCA",
        "ko": "PCA보다 오차 {percent:.0f}% 높음",
    },
    "reconstruct.verdict_better": {
        "en": "With the same {dims} numbers per image, your model's test error is lower than that of PCA fitted on "
              "{pca_images} training images. For a non-linear model this is the gain of a curved code over a flat "
              "projection. A linear autoencoder can only be as good as the best linear projection, so a lead of one "
              "comes from being fitted on more or other images than this PCA.",
        "ko": "이미지마다 같은 {dims}개의 숫자를 쓰는데, 선택한 모델의 테스트 오차가 학습 이미지 "
              "{pca_images}장으로 맞춘 PCA보다 낮습니다. 비선형 모델이라면 이는 평평한 투영 대신 휘어진 "
              "코드를 쓴 덕분입니다. 선형 오토인코더는 가장 좋은 선형 투영보다 나을 수 없으므로, 앞선 만큼은 이 "
              "PCA보다 더 많거나 다른 이미지로 학습한 데서 옵니다.",
    },
    "reconstruct.verdict_worse": {
        "en": "PCA with the same {dims} numbers does better than this model: it may need more training, or a different "
              "architecture (a VAE also gives up some reconstruction for a code space it can sample from).",
        "ko": "같은 {dims}개의 숫자로 PCA가 이 모델보다 잘 복원합니다. 학습을 더 하거나 다른 구조가 필요할 수 "
              "있습니다 (VAE는 샘플링할 수 있는 코드 공간을 얻는 대신 복원을 어느 정도 양보하기도 합니다).",
    },
    "reconstruct.no_pca": {
        "en": "PCA cannot keep {dims} dimensions of images with {pixels} pixels, so there is no PCA comparison.",
        "ko": "픽셀이 {pixels}개인 이미지에서는 PCA로 {dims}차원을 유지할 수 없어 PCA 비교가 없습니다.",
    },
    "reconstruct.grid": {"en": "Test images", "ko": "테스트 이미지"},
    "reconstruct.count": {"en": "How many images", "ko": "이미지 수"},
    "reconstruct.pick": {"en": "Which images", "ko": "어떤 이미지"},
    "reconstruct.pick.random": {"en": "Random", "ko": "무작위"},
    "reconstruct.pick.class": {"en": "One class", "ko": "한 클래스"},
    "reconstruct.shuffle": {"en": "Other images", "ko": "다른 이미지"},
    "reconstruct.rows": {
        "en": "Top: original · middle: your model · bottom: PCA with the same number of dimensions.",
        "ko": "위: 원본 · 가운데: 선택한 모델 · 아래: 같은 차원 수의 PCA.",
    },
    "reconstruct.rows_no_pca": {
        "en": "Top: original · bottom: your model.",
        "ko": "위: 원본 · 아래: 선택한 모델.",
    },
    "reconstruct.image_errors": {
        "en": "{name} · MSE {model:.4f} · PCA {pca:.4f}",
        "ko": "{name} · MSE {model:.4f} · PCA {pca:.4f}",
    },
    "reconstruct.image_error": {"en": "{name} · MSE {model:.4f}", "ko": "{name} · MSE {model:.4f}"},
    "reconstruct.show_errors": {"en": "Show where the errors are", "ko": "오차가 난 곳 보기"},
    "reconstruct.show_errors_help": {
        "en": "Adds a heatmap of |x − x̂| under each reconstruction: bright pixels are where it differs from the original.",
        "ko": "복원 이미지마다 아래에 |x − x̂| 히트맵을 더합니다. 밝은 픽셀이 원본과 다른 곳입니다.",
    },
    "reconstruct.rows_errors": {
        "en": "From the top: original · your model · where your model differs from it · PCA with the same number "
              "of dimensions · where PCA differs. Look for where the bright pixels sit: along the edges of "
              "strokes is blur, a whole bright stroke is a part the code could not keep.",
        "ko": "위에서부터: 원본 · 선택한 모델 · 모델이 원본과 다른 곳 · 같은 차원 수의 PCA · PCA가 다른 곳. "
              "밝은 픽셀이 어디 있는지 보세요. 획의 가장자리를 따라 있으면 흐려진 것이고, 획 전체가 밝으면 "
              "코드가 담지 못한 부분입니다.",
    },
    "reconstruct.rows_errors_no_pca": {
        "en": "From the top: original · your model · where your model differs from it. Look for where the bright "
              "pixels sit: along the edges of strokes is blur, a whole bright stroke is a part the code could not keep.",
        "ko": "위에서부터: 원본 · 선택한 모델 · 모델이 원본과 다른 곳. 밝은 픽셀이 어디 있는지 보세요. 획의 "
              "가장자리를 따라 있으면 흐려진 것이고, 획 전체가 밝으면 코드가 담지 못한 부분입니다.",
    },
}
