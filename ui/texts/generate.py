"""Text of the Generate page."""

TEXT = {
    "generate.intro": {
        "en": "A decoder turns any code into an image, so new images come from new codes: the average code "
              "of a class, codes pushed along the directions in which that class varies, random codes near it, "
              "codes on the way from one image to another, and - for VAEs and GANs - codes drawn from the "
              "prior. Where a classifier for the dataset exists, it says live what each image looks like.",
        "ko": "디코더는 어떤 코드든 이미지로 바꾸므로, 새 코드에서 새 이미지가 나옵니다. 한 클래스의 평균 코드, 그 "
              "클래스가 변하는 방향으로 밀어 본 코드, 그 근처의 무작위 코드, 한 이미지에서 다른 이미지로 가는 길 "
              "위의 코드, 그리고 VAE와 GAN이라면 사전 분포에서 뽑은 코드까지. 데이터셋의 분류기가 있으면 각 이미지가 "
              "무엇처럼 보이는지 실시간으로 알려 줍니다.",
    },
    "generate.nothing": {
        "en": "This model has nothing to generate from here: class representatives need labelled data, and "
              "sampling needs a VAE or a GAN.",
        "ko": "이 모델로는 여기서 생성할 것이 없습니다. 클래스 대표 이미지는 레이블이 있는 데이터가, 샘플링은 VAE나 "
              "GAN이 필요합니다.",
    },
    "generate.encoding": {"en": "Encoding the training images…", "ko": "학습 이미지를 인코딩하는 중…"},
    "generate.tab.class": {"en": "Class representative", "ko": "클래스 대표"},
    "generate.tab.perturb": {"en": "Perturbations", "ko": "무작위 변형"},
    "generate.tab.interpolate": {"en": "Interpolation", "ko": "보간"},
    "generate.tab.meter": {"en": "Interpolation meter", "ko": "보간 측정기"},
    "generate.tab.prior": {"en": "Samples from the prior", "ko": "사전 분포 샘플"},
    "generate.tab.gan": {"en": "GAN samples", "ko": "GAN 샘플"},
    "generate.class_intro": {
        "en": "Each class's \"ideal\" image: the average of the codes of its images ({count} encoded), decoded. "
              "The average need not be the code of any real image, so it can come out blurred or look like a "
              "neighbouring class.",
        "ko": "클래스마다의 \"이상적인\" 이미지: 그 클래스 이미지들의 코드({count}개 인코딩)를 평균 내어 복원한 것입니다. "
              "평균은 실제 이미지의 코드가 아닐 수 있어서, 흐릿하게 나오거나 이웃 클래스처럼 보일 수 있습니다.",
    },
    "generate.average": {"en": "Average", "ko": "평균 방식"},
    "generate.average.plain": {"en": "Plain average", "ko": "단순 평균"},
    "generate.average.typical": {"en": "At the class's typical distance", "ko": "클래스의 전형적인 거리로"},
    "generate.average_help": {
        "en": "Averaging cancels what a class's codes do not share, so their plain average usually lies nearer the "
              "centre of all the codes than the class's own codes do. \"At the class's typical distance\" keeps the "
              "average's direction from that centre and moves it along it to the median distance of the class's codes.",
        "ko": "평균을 내면 클래스 코드들이 공유하지 않는 부분이 서로 상쇄되어, 단순 평균은 대개 그 클래스의 코드들보다 전체 코드의 "
              "중심에 더 가까이 놓입니다. \"클래스의 전형적인 거리로\"는 중심에서 본 평균의 방향은 그대로 두고, 클래스 코드들의 "
              "거리 중앙값에 오도록 옮깁니다.",
    },
    "generate.average_shrink": {
        "en": "{name}'s plain average lies at {percent}% of the median distance of its codes from the centre of "
              "all the codes.",
        "ko": "{name}의 단순 평균은 전체 코드의 중심으로부터, 그 클래스 코드들이 떨어진 거리 중앙값의 {percent}%만큼 "
              "떨어져 있습니다.",
    },
    "generate.class_too_small": {
        "en": "{name} has too few images for its directions of variation: {count} in this sample, at least 2 needed.",
        "ko": "{name} 클래스는 이미지가 너무 적어 변화 방향을 구할 수 없습니다: 이 표본에 {count}장, 최소 2장이 필요합니다.",
    },
    "generate.directions_help": {
        "en": "Each slider moves the code along one of the class's main directions of variation (PCA of its "
              "codes), in units of the class's standard deviation along it: ±2 covers most real images.",
        "ko": "슬라이더마다 클래스의 주요 변화 방향(그 코드들의 PCA) 하나를 따라 코드를 움직입니다. 단위는 그 방향의 "
              "표준편차이며, ±2면 실제 이미지 대부분을 덮습니다.",
    },
    "generate.direction": {
        "en": "Direction {number} ({share}% of the variation)",
        "ko": "방향 {number} (변화의 {share}%)",
    },
    "generate.dimensions": {"en": "Each latent dimension on its own", "ko": "잠재 차원 하나씩"},
    "generate.dimension": {"en": "z{index} (in standard deviations)", "ko": "z{index} (표준편차 단위)"},
    "generate.reset": {"en": "Back to the representative", "ko": "대표 이미지로 되돌리기"},
    "generate.slider_image": {"en": "{name}, moved by the sliders", "ko": "슬라이더로 움직인 {name}"},
    "generate.no_classifier": {
        "en": "There is no classifier for this dataset, so no verdict.",
        "ko": "이 데이터셋에는 분류기가 없어 판정을 보여 줄 수 없습니다.",
    },
    "generate.classifier_says": {"en": "The classifier sees", "ko": "분류기 판단"},
    "generate.confidence": {"en": "{percent}% sure", "ko": "확신도 {percent}%"},
    "generate.classes_seen": {"en": "the classifier sees {classes}", "ko": "분류기 판단: {classes}"},
    "generate.download_png": {"en": "PNG", "ko": "PNG"},
    "generate.download_csv": {"en": "CSV", "ko": "CSV"},
    "generate.download_npz": {"en": "NPZ", "ko": "NPZ"},
    "generate.download_png_help": {"en": "Download the image as PNG.", "ko": "이미지를 PNG로 내려받습니다."},
    "generate.download_codes_help": {
        "en": "Download the latent codes behind the image ({format}).",
        "ko": "이미지를 만든 잠재 코드를 내려받습니다 ({format}).",
    },
    "generate.perturb_intro": {
        "en": "Random codes around {name}'s representative (the first tab's average: {average}): each is that "
              "code plus Gaussian noise, scaled per dimension by the spread of the class's codes. The same seed "
              "keeps the same noise, so the spread slider shows one set of images drifting away from the ideal.",
        "ko": "{name} 대표 코드(첫 탭의 평균 방식: {average}) 주변의 무작위 코드입니다. 그 코드에 가우스 잡음을 더하되 차원마다 그 클래스 코드의 퍼짐에 "
              "맞춰 크기를 정합니다. 시드가 같으면 잡음도 같아서, 퍼짐 슬라이더를 움직이면 같은 이미지들이 이상형에서 "
              "점점 멀어지는 모습이 보입니다.",
    },
    "generate.spread": {"en": "Spread", "ko": "퍼짐"},
    "generate.spread_help": {
        "en": "Noise size in standard deviations of the class's codes (0 gives the representative itself).",
        "ko": "클래스 코드의 표준편차 단위로 잰 잡음 크기 (0이면 대표 이미지 그대로).",
    },
    "generate.count": {"en": "Images", "ko": "이미지 수"},
    "generate.perturbed": {
        "en": "{count} perturbations of {name}; {classes}",
        "ko": "{name}의 변형 {count}개. {classes}",
    },
    "generate.interpolate_intro": {
        "en": "A straight walk through latent space between two codes, decoded step by step. Slerp follows a "
              "great circle instead, which keeps the codes at a typical length.",
        "ko": "두 코드 사이를 잠재 공간에서 곧게 걸어가며 단계마다 복원합니다. Slerp는 대신 큰 원을 따라가서 코드의 "
              "길이를 전형적인 크기로 유지합니다.",
    },
    "generate.between": {"en": "Between", "ko": "무엇 사이"},
    "generate.between.classes": {"en": "Two classes", "ko": "두 클래스"},
    "generate.between.images": {"en": "Two images", "ko": "두 이미지"},
    "generate.from": {"en": "From", "ko": "시작"},
    "generate.to": {"en": "To", "ko": "끝"},
    "generate.from_image": {"en": "From image (of {count})", "ko": "시작 이미지 ({count}장 중)"},
    "generate.to_image": {"en": "To image (of {count})", "ko": "끝 이미지 ({count}장 중)"},
    "generate.steps": {"en": "Steps", "ko": "단계 수"},
    "generate.method": {"en": "Path", "ko": "경로"},
    "generate.method.linear": {"en": "Straight line", "ko": "직선"},
    "generate.method.slerp": {"en": "Slerp", "ko": "Slerp"},
    "generate.method_help": {
        "en": "Slerp matters for codes spread like a Gaussian, as a VAE's are: in many dimensions the straight "
              "line's middle is shorter than a typical code.",
        "ko": "VAE의 코드처럼 가우스 분포로 퍼진 코드에서는 Slerp가 중요합니다. 차원이 많으면 직선의 가운데는 "
              "전형적인 코드보다 짧습니다.",
    },
    "generate.ends_classes": {
        "en": "From the mean of {start} to the mean of {end}",
        "ko": "{start} 평균에서 {end} 평균까지",
    },
    "generate.ends_images": {"en": "From a {start} to a {end}", "ko": "{start} 이미지에서 {end} 이미지까지"},
    "generate.originals": {"en": "The two original images", "ko": "원래의 두 이미지"},
    "generate.prior_intro": {
        "en": "A VAE's loss pulls the codes of its training images towards a standard normal distribution over "
              "{dims} dimensions, with weight β (this model: β = {beta}). Where that pull was strong enough, codes "
              "drawn from the normal decode to new, plausible images; with a small β (β = 0 drops the pull "
              "altogether) the codes need not follow the prior, and samples from it can come out blurred or "
              "look like no class.",
        "ko": "VAE의 손실은 학습 이미지의 코드를 {dims}차원 표준정규분포 쪽으로 가중치 β만큼 끌어당깁니다 (이 모델: "
              "β = {beta}). 그 힘이 충분했다면 정규분포에서 뽑은 코드를 복원하면 새롭고 그럴듯한 이미지가 나옵니다. "
              "β가 작으면(β = 0이면 끌어당김이 아예 없습니다) 코드가 사전 분포를 따를 필요가 없어, 거기서 뽑은 샘플이 "
              "흐릿하거나 어떤 클래스로도 보이지 않을 수 있습니다.",
    },
    "generate.prior_intro_plain": {
        "en": "A VAE's loss pulls the codes of its training images towards a standard normal distribution over "
              "{dims} dimensions. Where that pull was strong enough, codes drawn from the normal decode to new, "
              "plausible images; where it was weak, samples can come out blurred or look like no class.",
        "ko": "VAE의 손실은 학습 이미지의 코드를 {dims}차원 표준정규분포 쪽으로 끌어당깁니다. 그 힘이 충분했다면 "
              "정규분포에서 뽑은 코드를 복원하면 새롭고 그럴듯한 이미지가 나오고, 약했다면 샘플이 흐릿하거나 어떤 "
              "클래스로도 보이지 않을 수 있습니다.",
    },
    "generate.prior_caption": {
        "en": "{count} samples from the prior; {classes}",
        "ko": "사전 분포 샘플 {count}개. {classes}",
    },
    "generate.gan_intro": {
        "en": "A GAN's generator turns {dims} numbers of random noise into an image; it has no encoder, so "
              "there are no codes of real images here, only what the generator makes of noise.",
        "ko": "GAN의 생성자는 무작위 잡음 {dims}개를 이미지로 바꿉니다. 인코더가 없으므로 실제 이미지의 코드는 없고, "
              "생성자가 잡음으로 만든 것만 있습니다.",
    },
    "generate.gan_caption": {"en": "{count} GAN samples; {classes}", "ko": "GAN 샘플 {count}개. {classes}"},
    "generate.gan_pick": {"en": "Sample to edit (1 to {count})", "ko": "편집할 샘플 (1~{count})"},
    "generate.gan_sliders": {"en": "Sliders over the generator's input", "ko": "생성자 입력 슬라이더"},
    "generate.gan_sliders_help": {
        "en": "The first {count} of its {dims} noise values, starting from the chosen sample's own.",
        "ko": "잡음 값 {dims}개 중 처음 {count}개이며, 고른 샘플의 값에서 시작합니다.",
    },
    "generate.histogram": {"en": "Classes of {count} samples", "ko": "샘플 {count}개의 클래스"},
    "generate.share_axis": {"en": "share of samples", "ko": "샘플 비율"},
    "generate.rare_line": {"en": "too rare", "ko": "너무 드묾"},
    "generate.none_rare": {"en": "none under that share", "ko": "그 비율 미만인 클래스는 없음"},
    "generate.collapse": {
        "en": "Mode collapse: the samples leave out part of the data. Classes under {min_share} of the samples: "
              "{rare}. Class entropy {entropy} nats (all classes equally often: {max_entropy}; collapse is "
              "named under {min_entropy} or when any class is under {min_share}).",
        "ko": "모드 붕괴: 샘플이 데이터의 일부를 빠뜨립니다. 샘플의 {min_share} 미만인 클래스: {rare}. 클래스 "
              "엔트로피 {entropy}나트 (모든 클래스가 똑같이 자주 나오면 {max_entropy}; {min_entropy} 미만이거나 "
              "어떤 클래스든 {min_share} 미만이면 붕괴로 봅니다).",
    },
    "generate.no_collapse": {
        "en": "No mode collapse seen: every class gets at least {min_share} of the samples and the class entropy "
              "is {entropy} nats (at most {max_entropy}; collapse is named under {min_entropy}).",
        "ko": "모드 붕괴는 보이지 않습니다. 모든 클래스가 샘플의 {min_share} 이상을 차지하고 클래스 엔트로피는 "
              "{entropy}나트입니다 (최대 {max_entropy}; {min_entropy} 미만이면 붕괴로 봅니다).",
    },
    "generate.histogram_judge": {
        "en": "The classes are the verdicts of this app's own classifier for the dataset, on samples drawn "
              "with the fixed seed 0, the way the library measures its GANs. It was trained on the same images as "
              "the models and makes mistakes of its own, so read the bars as its opinion, not as ground truth.",
        "ko": "클래스는 이 앱이 이 데이터셋에 쓰는 분류기의 판정이며, 라이브러리가 GAN을 측정할 때처럼 "
              "고정 시드 0으로 뽑은 샘플에 대한 것입니다. 이 분류기는 모델과 같은 이미지로 학습했고 스스로도 "
              "틀리므로, 막대는 정답이 아니라 분류기의 의견으로 읽으세요.",
    },
    "generate.noise": {"en": "Noise value {index}", "ko": "잡음 값 {index}"},
    "generate.gan_image": {"en": "The sample, moved by the sliders", "ko": "슬라이더로 움직인 샘플"},
}
