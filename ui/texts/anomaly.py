"""Text of the Anomaly detection page."""

TEXT = {
    "anomaly.intro": {
        "en": "An autoencoder trained on one \"normal\" class only learns to rebuild images like those. Images of other "
              "classes are usually rebuilt worse, so the reconstruction error can serve as an anomaly score — but not "
              "always: an image of another class that is simple or looks like the normal class can be rebuilt as well "
              "as a normal one and slips through (for some classes most anomalies do at the default threshold: watch "
              "the recall). A second score also asks how far the image's code lies from the normal class's codes. Pick "
              "the normal class, then move the threshold and watch precision and recall trade.",
        "ko": "\"정상\" 클래스 하나로만 학습한 오토인코더는 그런 이미지를 복원하는 법만 배웁니다. 다른 클래스의 이미지는 "
              "대개 더 나쁘게 복원되므로 복원 오차를 이상 점수로 쓸 수 있습니다. 하지만 늘 그렇지는 않습니다. "
              "단순하거나 정상 클래스와 닮은 다른 클래스의 이미지는 정상 이미지만큼 잘 복원되어 빠져나갑니다 (어떤 "
              "클래스는 기본 임계값에서 이상의 대부분이 그렇습니다. 재현율을 보세요). 두 번째 점수는 이미지의 코드가 정상 "
              "클래스의 코드들에서 얼마나 멀리 있는지도 봅니다. 정상 클래스를 고른 뒤 임계값을 움직이며 정밀도와 "
              "재현율이 어떻게 맞바뀌는지 보세요.",
    },
    "anomaly.not_images": {
        "en": "Anomaly detection needs images in at least two classes; choose an image dataset in the sidebar "
              "(your own upload works too).",
        "ko": "이상 탐지에는 클래스가 두 개 이상인 이미지가 필요합니다. 사이드바에서 이미지 데이터셋을 고르세요 "
              "(직접 업로드한 데이터도 됩니다).",
    },
    "anomaly.normal_class": {"en": "Normal class", "ko": "정상 클래스"},
    "anomaly.source": {"en": "Detector", "ko": "탐지기"},
    "anomaly.source.pretrained": {"en": "Pretrained for this class", "ko": "이 클래스용 사전 학습 모델"},
    "anomaly.source.here": {"en": "Train one here", "ko": "여기서 학습"},
    "anomaly.no_pretrained": {
        "en": "No pretrained detector for this dataset: train one here in a few seconds.",
        "ko": "이 데이터셋용 사전 학습 탐지기가 없습니다. 여기서 몇 초 만에 학습해 보세요.",
    },
    "anomaly.load_failed": {"en": "The detector could not be loaded: {error}", "ko": "탐지기를 불러오지 못했습니다: {error}"},
    "anomaly.pretrained_about": {
        "en": "Detector: {name} ({kind}, {dims}-D code), trained on this class only.",
        "ko": "탐지기: {name} ({kind}, {dims}차원 코드), 이 클래스로만 학습했습니다.",
    },
    "anomaly.train_first": {
        "en": "Train a small dense autoencoder on the {count} training images of \"{name}\" only. It takes a "
              "few seconds and stays here until you leave the app.",
        "ko": "\"{name}\" 클래스의 학습 이미지 {count}장만으로 작은 완전연결 오토인코더를 학습합니다. 몇 초면 "
              "끝나며, 앱을 닫기 전까지 여기에 남아 있습니다.",
    },
    "anomaly.train": {"en": "Train a detector on \"{name}\"", "ko": "\"{name}\"로 탐지기 학습"},
    "anomaly.retrain": {"en": "Train again", "ko": "다시 학습"},
    "anomaly.training": {
        "en": "Training on \"{name}\" images only…",
        "ko": "\"{name}\" 이미지로만 학습하는 중…",
    },
    "anomaly.trained_about": {
        "en": "Detector trained here on {images} images of \"{name}\": {epochs} epochs in {seconds} s.",
        "ko": "여기서 \"{name}\" 이미지 {images}장으로 학습한 탐지기: {epochs} 에포크, {seconds}초.",
    },
    "anomaly.shape_mismatch": {
        "en": "The detector expects inputs of shape {model} but this dataset's images are {data}.",
        "ko": "탐지기는 {model} 모양의 입력을 받는데, 이 데이터셋의 이미지는 {data}입니다.",
    },
    "anomaly.split.no_normal": {
        "en": "The test images hold no \"{name}\", so nothing can be scored as normal. Choose another class.",
        "ko": "테스트 이미지에 \"{name}\"이(가) 없어 정상으로 평가할 것이 없습니다. 다른 클래스를 고르세요.",
    },
    "anomaly.split.all_normal": {
        "en": "Every test image is \"{name}\": there are no anomalies to find. Use data with more than one class.",
        "ko": "모든 테스트 이미지가 \"{name}\"입니다. 찾을 이상치가 없으니 클래스가 둘 이상인 데이터를 쓰세요.",
    },
    "anomaly.split.no_normal_training": {
        "en": "There is no training image of \"{name}\" to learn what normal looks like. Choose another class.",
        "ko": "\"{name}\"의 학습 이미지가 없어 정상이 어떤 모습인지 배울 수 없습니다. 다른 클래스를 고르세요.",
    },
    "anomaly.split.too_few_normals": {
        "en": "The test images hold fewer than two \"{name}\": one is needed to fit the threshold and another to "
              "test it. Choose another class or use more data.",
        "ko": "테스트 이미지에 \"{name}\"이(가) 두 장 미만입니다. 임계값을 맞추는 데 한 장, 검사하는 데 또 한 장이 "
              "필요합니다. 다른 클래스를 고르거나 더 많은 데이터를 쓰세요.",
    },
    "anomaly.scoring": {"en": "Scoring the test images…", "ko": "테스트 이미지 점수를 계산하는 중…"},
    "anomaly.results": {"en": "Normal: \"{name}\" — everything else is an anomaly",
                        "ko": "정상: \"{name}\" — 나머지는 모두 이상"},
    "anomaly.evaluated": {
        "en": "The threshold starts at the 95th percentile ({default:.5f}) of the {what} of {fit} normal test "
              "images set aside for it, so about 5% of normal images are flagged. Everything below counts only "
              "the other {total} test images, which neither the detector's training nor the threshold used: "
              "{normals} normal, {others} anomalous (the library's precision and recall are measured the same way).",
        "ko": "임계값은 이를 위해 따로 떼어 둔 정상 테스트 이미지 {fit}장의 {what} 중 95번째 백분위수({default:.5f})에서 "
              "시작하므로, 정상 이미지의 약 5%가 이상으로 표시됩니다. 아래의 모든 수치는 탐지기 학습에도 임계값에도 "
              "쓰이지 않은 나머지 테스트 이미지 {total}장만 셉니다: 정상 {normals}장, 이상 {others}장 (라이브러리의 "
              "정밀도와 재현율도 같은 방식으로 측정합니다).",
    },
    "anomaly.what.error": {"en": "errors", "ko": "오차"},
    "anomaly.what.combined": {"en": "scores", "ko": "점수"},
    "anomaly.score": {"en": "Score", "ko": "점수"},
    "anomaly.score.error": {"en": "Reconstruction error", "ko": "복원 오차"},
    "anomaly.score.combined": {"en": "Error and code distance", "ko": "오차와 코드 거리"},
    "anomaly.score.not_offered": {
        "en": "The score with the code's distance needs at least {needed} training images of \"{name}\" to learn "
              "where its codes lie; there are {count}, so only the reconstruction error is offered.",
        "ko": "코드 거리를 더한 점수는 \"{name}\"의 코드가 어디에 있는지 배우려면 학습 이미지가 최소 {needed}장 필요합니다. "
              "{count}장뿐이라 복원 오차만 제공합니다.",
    },
    "anomaly.score_help": {
        "en": "Reconstruction error: the MSE between an image and the detector's reconstruction. Error and code "
              "distance adds how far the image's code lies from the codes of the normal class's training images "
              "(the Mahalanobis distance under a Gaussian fitted to them). Each of the two is put on a log scale in "
              "units of its spread over normal training images, so 0 is a typical normal image, and the two are "
              "summed: an image of another class that the detector rebuilds well can still have an unusual code.",
        "ko": "복원 오차: 이미지와 탐지기의 복원 사이의 MSE입니다. 오차와 코드 거리는 여기에 이미지의 코드가 정상 클래스 "
              "학습 이미지들의 코드에서 얼마나 멀리 있는지(그 코드들에 맞춘 가우스 분포에서의 마할라노비스 거리)를 "
              "더합니다. 둘 다 로그 척도로 바꾸어 정상 학습 이미지에서의 퍼짐을 단위로 삼으므로 0이 전형적인 정상 "
              "이미지이고, 둘을 더합니다. 탐지기가 잘 복원하는 다른 클래스의 이미지도 코드는 낯설 수 있습니다.",
    },
    "anomaly.threshold": {"en": "Threshold (reconstruction MSE)", "ko": "임계값 (복원 MSE)"},
    "anomaly.threshold.combined": {"en": "Threshold (error and code distance)", "ko": "임계값 (오차와 코드 거리)"},
    "anomaly.threshold_help": {
        "en": "Images whose error is above the threshold are called anomalies.",
        "ko": "오차가 임계값보다 큰 이미지를 이상으로 판정합니다.",
    },
    "anomaly.threshold_help.combined": {
        "en": "Images whose score is above the threshold are called anomalies; 0 is a typical normal image.",
        "ko": "점수가 임계값보다 큰 이미지를 이상으로 판정합니다. 0이 전형적인 정상 이미지입니다.",
    },
    "anomaly.precision": {"en": "Precision", "ko": "정밀도"},
    "anomaly.precision_help": {
        "en": "Of the images flagged, the share that really are anomalies.",
        "ko": "이상으로 표시한 이미지 중 실제로 이상인 비율.",
    },
    "anomaly.recall": {"en": "Recall", "ko": "재현율"},
    "anomaly.recall_help": {
        "en": "Of the real anomalies, the share that were flagged.",
        "ko": "실제 이상 중 이상으로 표시된 비율.",
    },
    "anomaly.accuracy": {"en": "Accuracy", "ko": "정확도"},
    "anomaly.f1": {"en": "F1", "ko": "F1"},
    "anomaly.auroc": {"en": "AUROC", "ko": "AUROC"},
    "anomaly.auroc_help": {
        "en": "Area under the ROC curve: the chance that a random anomaly scores higher than a random normal "
              "image. It does not depend on the threshold.",
        "ko": "ROC 곡선 아래 면적: 임의의 이상 이미지가 임의의 정상 이미지보다 높은 점수를 받을 확률입니다. "
              "임계값과 무관합니다.",
    },
    "anomaly.flagged": {
        "en": "{flagged} of {total} images flagged; {false_alarms} of the {normals} normal images are false alarms.",
        "ko": "{total}장 중 {flagged}장을 이상으로 표시했고, 정상 이미지 {normals}장 중 {false_alarms}장은 잘못된 경보입니다.",
    },
    "anomaly.normal": {"en": "normal", "ko": "정상"},
    "anomaly.anomalous": {"en": "anomalous", "ko": "이상"},
    "anomaly.threshold_line": {"en": "threshold", "ko": "임계값"},
    "anomaly.error_axis": {"en": "reconstruction error (MSE)", "ko": "복원 오차 (MSE)"},
    "anomaly.error_axis.combined": {"en": "error and code distance (0: a typical normal image)",
                                    "ko": "오차와 코드 거리 (0: 전형적인 정상 이미지)"},
    "anomaly.share_axis": {"en": "share of the group", "ko": "그룹 내 비율"},
    "anomaly.roc_name": {"en": "ROC (AUROC {auroc:.3f})", "ko": "ROC (AUROC {auroc:.3f})"},
    "anomaly.chance": {"en": "chance", "ko": "무작위"},
    "anomaly.operating_point": {"en": "this threshold", "ko": "현재 임계값"},
    "anomaly.fpr_axis": {"en": "false positive rate (normals flagged)", "ko": "거짓 양성률 (잘못 표시된 정상)"},
    "anomaly.tpr_axis": {"en": "true positive rate (recall)", "ko": "참 양성률 (재현율)"},
    "anomaly.most": {"en": "Most anomalous test images (highest error first)",
                     "ko": "가장 이상한 테스트 이미지 (오차가 큰 순)"},
    "anomaly.least": {"en": "Least anomalous test images (lowest error first)",
                      "ko": "가장 정상적인 테스트 이미지 (오차가 작은 순)"},
    "anomaly.most.combined": {"en": "Most anomalous test images (highest score first)",
                              "ko": "가장 이상한 테스트 이미지 (점수가 큰 순)"},
    "anomaly.least.combined": {"en": "Least anomalous test images (lowest score first)",
                               "ko": "가장 정상적인 테스트 이미지 (점수가 작은 순)"},
    "anomaly.image_score": {"en": "{name} {score:.4f}", "ko": "{name} {score:.4f}"},
    "anomaly.most_rows": {
        "en": "From the top: the image · the detector's reconstruction · where they differ (|x − x̂|, 0 black … "
              "1 pale yellow, one scale for all). Look for whole bright shapes: the parts a model of the "
              "normal class could not rebuild are what makes an image anomalous.",
        "ko": "위에서부터: 이미지 · 탐지기의 복원 · 둘이 다른 곳(|x − x̂|, 0 검정 … 1 연노랑, 모두 같은 척도). "
              "통째로 밝은 모양을 찾아보세요. 정상 클래스만 아는 모델이 다시 만들지 못한 부분이 그 이미지를 "
              "이상하게 만드는 부분입니다.",
    },
    "anomaly.most_rows.combined": {
        "en": "From the top: the image · the detector's reconstruction · where they differ (|x − x̂|, 0 black … "
              "1 pale yellow, one scale for all). With this score an image can also be flagged for its code alone: "
              "one the detector rebuilds well (a dark bottom row) whose code lies far from the normal class's codes.",
        "ko": "위에서부터: 이미지 · 탐지기의 복원 · 둘이 다른 곳(|x − x̂|, 0 검정 … 1 연노랑, 모두 같은 척도). "
              "이 점수로는 코드만으로도 이상이 될 수 있습니다. 탐지기가 잘 복원했지만(아래 줄이 어두움) 코드가 정상 "
              "클래스의 코드들에서 멀리 있는 이미지입니다.",
    },
}
