"""Text of the Concepts page's "Inside a VAE" tab (ui/vae_views.py)."""

TEXT = {
    "vae_inside.intro": {
        "en": "A VAE's KL term is a sum over latent dimensions: KL(q(z|x) ‖ N(0, I)) = Σⱼ ½ (μⱼ² + σⱼ² − 1 − "
              "log σⱼ²). Each dimension's share, averaged over many images, tells whether the encoder uses that "
              "dimension. A dimension is counted **active** here when its average KL is above 0.01 nats; below "
              "that, q(zⱼ|x) is the prior N(0, 1) whatever the image: the dimension has collapsed.",
        "ko": "VAE의 KL 항은 잠재 차원들에 대한 합입니다: KL(q(z|x) ‖ N(0, I)) = Σⱼ ½ (μⱼ² + σⱼ² − 1 − log σⱼ²). "
              "많은 이미지에 대해 평균 낸 각 차원의 몫은 인코더가 그 차원을 쓰는지 알려 줍니다. 여기서는 평균 KL이 "
              "0.01 nats보다 큰 차원을 **활성**으로 셉니다. 그 아래라면 q(zⱼ|x)는 이미지와 상관없이 사전 분포 "
              "N(0, 1)이며, 그 차원은 붕괴한 것입니다.",
    },
    "vae_inside.model_header": {"en": "KL per latent dimension: {name}", "ko": "잠재 차원별 KL: {name}"},
    "vae_inside.active": {"en": "Active units (of {dims})", "ko": "활성 유닛 ({dims}개 중)"},
    "vae_inside.kl_total": {"en": "KL (nats per image)", "ko": "KL (이미지당 nats)"},
    "vae_inside.reconstruction": {"en": "Reconstruction error", "ko": "재구성 오차"},
    "vae_inside.reconstruction_help": {
        "en": "The model's own loss ({loss}), summed over an image's values as in training, of the image decoded "
              "from its mean code; averaged over the images.",
        "ko": "평균 코드에서 복원한 이미지에 대한 모델 자체의 손실({loss})로, 학습 때처럼 이미지의 값들에 대해 합한 "
              "뒤 이미지들에 대해 평균 낸 것입니다.",
    },
    "vae_inside.dimension": {"en": "Latent dimension", "ko": "잠재 차원"},
    "vae_inside.kl_nats": {"en": "Average KL (nats, log scale)", "ko": "평균 KL (nats, 로그 척도)"},
    "vae_inside.threshold": {"en": "active above {nats} nats", "ko": "{nats} nats 위는 활성"},
    "vae_inside.kl_reading": {
        "en": "What to look for: measured on {count} test images. Blue bars, above the dashed line at {nats} "
              "nats, are the dimensions the encoder uses to tell images apart; grey bars are collapsed ones, "
              "whose codes are prior noise for every image, and the decoder learns to ignore them. A larger β "
              "or a latent bigger than the data needs leaves more grey bars.",
        "ko": "볼 점: 테스트 이미지 {count}장으로 쟀습니다. 점선({nats} nats) 위의 파란 막대는 인코더가 이미지를 "
              "구별하는 데 쓰는 차원이고, 회색 막대는 붕괴한 차원으로 모든 이미지에서 코드가 사전 분포의 잡음이며 "
              "디코더는 이를 무시하도록 배웁니다. β가 크거나 잠재 공간이 데이터에 필요한 것보다 크면 회색 막대가 "
              "늘어납니다.",
    },
    "vae_inside.posterior_header": {
        "en": "The prior beside the aggregate posterior",
        "ko": "사전 분포와 집계 사후 분포",
    },
    "vae_inside.prior_caption": {
        "en": "{count} codes drawn from the prior N(0, I); dotted circles at 1σ and 2σ.",
        "ko": "사전 분포 N(0, I)에서 뽑은 코드 {count}개. 점선 원은 1σ와 2σ입니다.",
    },
    "vae_inside.posterior_caption": {
        "en": "{count} codes from the encoder, one z ~ q(z|x) per test image, by class: the aggregate "
              "posterior q(z).",
        "ko": "인코더에서 나온 코드 {count}개(테스트 이미지마다 z ~ q(z|x) 하나, 클래스별 색): 집계 사후 분포 q(z).",
    },
    "vae_inside.moments": {
        "en": "Aggregate posterior: mean ({mean}), variances ({variances}); the prior's are 0 and 1.",
        "ko": "집계 사후 분포: 평균 ({mean}), 분산 ({variances}). 사전 분포는 0과 1입니다.",
    },
    "vae_inside.posterior_reading": {
        "en": "What to look for: sampling a VAE draws codes from the left cloud, but the decoder learned from "
              "the right one. Where the right cloud leaves gaps the left one fills, prior samples decode to "
              "images unlike any training image; where it crowds, one region stands for many images.",
        "ko": "볼 점: VAE에서 샘플링하면 왼쪽 구름에서 코드를 뽑지만, 디코더는 오른쪽 구름으로 배웠습니다. 왼쪽은 "
              "채우는데 오른쪽이 비워 둔 곳에서는 사전 샘플이 어떤 학습 이미지와도 닮지 않은 이미지로 복원되고, "
              "오른쪽이 몰린 곳에서는 한 영역이 많은 이미지를 대표합니다.",
    },
    "vae_inside.no_model": {
        "en": "Choose a VAE for {dataset} in the sidebar (or train one on the Train page) to see its KL per "
              "dimension here.",
        "ko": "여기서 차원별 KL을 보려면 사이드바에서 {dataset}용 VAE를 고르세요(또는 학습 페이지에서 하나 "
              "학습하세요).",
    },
    "vae_inside.sweep_header": {"en": "The β sweep: trade-off and collapse", "ko": "β 스윕: 맞바꿈과 붕괴"},
    "vae_inside.sweep_intro": {
        "en": "{count} dense VAEs with {dims} latent dimensions, the same seed and {epochs} epochs each, "
              "trained on the {train} training images of the 8×8 digits with only β changed, and measured on the "
              "{test} test images.",
        "ko": "{dims}차원 잠재 공간을 가진 dense VAE {count}개를 같은 시드로 각각 {epochs} 에포크씩, β만 바꿔 8×8 "
              "숫자의 학습 이미지 {train}장으로 학습하고 테스트 이미지 {test}장으로 쟀습니다.",
    },
    "vae_inside.sweep_row": {"en": "β={beta} ({active} active)", "ko": "β={beta} (활성 {active})"},
    "vae_inside.log_kl": {"en": "log₁₀ KL", "ko": "log₁₀ KL"},
    "vae_inside.sweep_reading": {
        "en": "What to look for: left, each point is one β; from right to left, up the curve, β grows, the KL falls (the codes "
              "carry fewer nats about their image) and the reconstruction error rises. Right, one row per β, one "
              "column per dimension: dark cells are collapsed dimensions. The active units go from {first} of "
              "{dims} at β = {low} to {last} at β = {high}, where the codes say next to nothing about the image.",
        "ko": "볼 점: 왼쪽의 각 점은 β 하나입니다. 오른쪽에서 왼쪽으로, 곡선을 따라 위로 갈수록 β가 커지고, KL은 줄며(코드가 이미지에 "
              "대해 담는 nats가 적어짐) 재구성 오차는 커집니다. 오른쪽은 β마다 한 행, 차원마다 한 열이며 어두운 "
              "칸은 붕괴한 차원입니다. 활성 유닛은 β = {low}에서 {dims}개 중 {first}개였다가 β = {high}에서 "
              "{last}개가 되고, 그때 코드는 이미지에 대해 거의 아무것도 말하지 않습니다.",
    },
    "vae_inside.no_sweep": {
        "en": "No β sweep is shipped with this copy: build it with python scripts/build_beta_sweep.py (about "
              "a minute).",
        "ko": "이 사본에는 β 스윕이 없습니다. python scripts/build_beta_sweep.py로 만드세요(약 1분).",
    },
}
