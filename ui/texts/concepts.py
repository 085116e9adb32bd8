"""Text of the Concepts page."""

TEXT = {
    "concepts.intro": {
        "en": "Three ideas behind VAEs, each as a small live widget (move a slider and the numbers follow), and a "
              "look inside a trained VAE: one tab each.",
        "ko": "VAE 뒤에 있는 세 가지 개념을 작은 실시간 위젯으로 살펴보고(슬라이더를 움직이면 숫자가 따라 바뀝니다), "
              "학습된 VAE의 속을 들여다봅니다. 탭마다 하나씩입니다.",
    },
    "concepts.kl.tab": {"en": "KL divergence", "ko": "KL 발산"},
    "concepts.kl.intro": {
        "en": "KL(P‖Q) is the extra surprise, on average, of expecting Q when the truth is P: the surprise of expecting "
              "Q (the cross-entropy H(P, Q)) minus the surprise that is left even when you expect P itself (the entropy "
              "H(P)). It is never negative, and 0 only when Q equals P. Set the two distributions with the sliders "
              "(weights are normalised to sum to 1).",
        "ko": "KL(P‖Q)는 실제가 P인데 Q를 예상할 때 평균적으로 더 놀라는 양입니다. Q를 예상할 때의 놀람(교차 "
              "엔트로피 H(P, Q))에서 P 자신을 예상해도 남는 놀람(엔트로피 H(P))을 뺀 값입니다. 음수가 될 수 "
              "없고, Q가 P와 같을 때만 0입니다. 슬라이더로 두 분포를 정하세요 (가중치는 합이 1이 되도록 "
              "정규화됩니다).",
    },
    "concepts.kl.miss": {"en": "Example: Q misses an outcome", "ko": "예시: Q가 한 결과를 놓침"},
    "concepts.kl.miss_help": {
        "en": "P spreads evenly; Q gives outcome 5 no weight at all.",
        "ko": "P는 고르게 퍼져 있고, Q는 결과 5에 가중치를 전혀 주지 않습니다.",
    },
    "concepts.kl.p_bar": {"en": "P, outcome {outcome}", "ko": "P, 결과 {outcome}"},
    "concepts.kl.q_bar": {"en": "Q, outcome {outcome}", "ko": "Q, 결과 {outcome}"},
    "concepts.kl.all_zero": {
        "en": "A distribution needs some weight somewhere: raise at least one bar of P and of Q.",
        "ko": "분포에는 어딘가에 가중치가 있어야 합니다. P와 Q 각각 막대 하나 이상을 올려 주세요.",
    },
    "concepts.kl.forward": {"en": "KL(P‖Q)", "ko": "KL(P‖Q)"},
    "concepts.kl.backward": {"en": "KL(Q‖P)", "ko": "KL(Q‖P)"},
    "concepts.kl.gap": {"en": "Asymmetry |difference|", "ko": "비대칭 |차이|"},
    "concepts.kl.outcome": {"en": "outcome", "ko": "결과"},
    "concepts.kl.probability": {"en": "probability", "ko": "확률"},
    "concepts.kl.nats": {"en": "nats", "ko": "내트(nats)"},
    "concepts.kl.reading": {
        "en": "KL is not a distance: swapping P and Q changes it. Where Q is near 0 but P is not, KL(P‖Q) explodes (Q "
              "\"never expects\" what happens; at exactly 0 it would be infinite, so the widget adds 10⁻¹⁰ to every "
              "outcome and shows a large number instead). KL(Q‖P) does not explode there: Q gives that outcome no "
              "weight, so it adds nothing to KL(Q‖P), which grows instead where P is near 0 and Q is not. A VAE's KL "
              "term is KL(encoder ‖ prior).",
        "ko": "KL은 거리가 아닙니다. P와 Q를 바꾸면 값이 달라집니다. Q가 0에 가깝지만 P는 아닌 곳이 있으면 "
              "KL(P‖Q)는 폭발합니다 (Q가 일어나는 일을 \"전혀 예상하지 않으므로\". 정확히 0이면 무한대가 되므로, "
              "이 위젯은 모든 결과에 10⁻¹⁰을 더해 대신 큰 수를 보여 줍니다). KL(Q‖P)는 그곳에서 폭발하지 "
              "않습니다. Q가 그 결과에 가중치를 주지 않으므로 그 결과는 KL(Q‖P)에 아무것도 더하지 않고, "
              "KL(Q‖P)는 반대로 P가 0에 가깝고 Q는 아닌 곳에서 커집니다. VAE의 KL 항은 KL(인코더 ‖ "
              "사전분포)입니다.",
    },
    "concepts.loss.tab": {"en": "BCE vs MSE", "ko": "BCE와 MSE"},
    "concepts.loss.intro": {
        "en": "Two reconstruction losses on the same image as its \"reconstruction\" gets worse. Blur spreads "
              "ink; noise pulls every pixel towards a fixed random image.",
        "ko": "\"복원\" 이미지가 점점 나빠질 때 같은 이미지에서 두 복원 손실을 비교합니다. 흐림은 잉크를 "
              "퍼뜨리고, 잡음은 모든 픽셀을 정해진 무작위 이미지 쪽으로 끌어당깁니다.",
    },
    "concepts.loss.kind": {"en": "Degradation", "ko": "손상 방식"},
    "concepts.loss.kind.blur": {"en": "blur", "ko": "흐림"},
    "concepts.loss.kind.noise": {"en": "noise", "ko": "잡음"},
    "concepts.loss.amount": {"en": "How much worse", "ko": "손상 정도"},
    "concepts.loss.original": {"en": "original", "ko": "원본"},
    "concepts.loss.degraded": {"en": "reconstruction ({amount:.2f})", "ko": "복원 ({amount:.2f})"},
    "concepts.loss.bce_floor": {
        "en": "BCE of a perfect copy of this image: {floor:.4f}.",
        "ko": "이 이미지를 완벽하게 복사했을 때의 BCE: {floor:.4f}.",
    },
    "concepts.loss.reading": {
        "en": "MSE starts at 0, but BCE starts at {floor:.4f}: grey pixels keep their own entropy, so BCE is 0 "
              "only for pure black-and-white images. BCE also punishes confident mistakes (a pixel at 0 that "
              "should be 1) much harder than MSE, which is why it suits sigmoid outputs.",
        "ko": "MSE는 0에서 시작하지만 BCE는 {floor:.4f}에서 시작합니다. 회색 픽셀에는 고유한 엔트로피가 있어서, "
              "BCE는 순수한 흑백 이미지에서만 0이 됩니다. 또한 BCE는 확신에 찬 실수(1이어야 할 픽셀이 0)를 MSE보다 "
              "훨씬 크게 벌하므로 시그모이드 출력에 잘 맞습니다.",
    },
    "concepts.vae.tab": {"en": "Reparameterisation", "ko": "재매개변수화"},
    "concepts.inside.tab": {"en": "Inside a VAE", "ko": "VAE의 속"},
    "concepts.vae.intro": {
        "en": "A VAE's encoder gives a mean μ and a log-variance log σ² per latent dimension. To sample a code "
              "and still train by backpropagation, it draws ε ~ N(0, 1) outside the network and computes "
              "z = μ + σ·ε. Move μ and log σ² and watch the decoded samples spread.",
        "ko": "VAE의 인코더는 잠재 차원마다 평균 μ와 로그 분산 log σ²를 내놓습니다. 코드를 샘플링하면서도 "
              "역전파로 학습하려고, 네트워크 밖에서 ε ~ N(0, 1)을 뽑아 z = μ + σ·ε를 계산합니다. μ와 log σ²를 "
              "움직이며 디코딩된 샘플이 퍼지는 모습을 보세요.",
    },
    "concepts.vae.decoder": {"en": "Decoder: {name} ({dims}-D latent).", "ko": "디코더: {name} ({dims}차원 잠재 공간)."},
    "concepts.vae.more_dims": {
        "en": "This VAE has {dims} latent dimensions: the sliders set the first two; the others keep μ = 0, "
              "log σ² = 0 (the prior).",
        "ko": "이 VAE의 잠재 차원은 {dims}개입니다. 슬라이더는 처음 두 차원을 정하고, 나머지는 μ = 0, "
              "log σ² = 0 (사전분포)으로 둡니다.",
    },
    "concepts.vae.mu": {"en": "μ{dim}", "ko": "μ{dim}"},
    "concepts.vae.log_var": {"en": "log σ²{dim}", "ko": "log σ²{dim}"},
    "concepts.vae.count": {"en": "Samples", "ko": "샘플 수"},
    "concepts.vae.resample": {"en": "New ε", "ko": "새 ε 뽑기"},
    "concepts.vae.samples": {"en": "{count} decoded samples of z = μ + σ·ε", "ko": "z = μ + σ·ε 샘플 {count}개를 디코딩"},
    "concepts.vae.z": {"en": "sampled z", "ko": "샘플 z"},
    "concepts.vae.two_sigma": {"en": "μ ± 2σ", "ko": "μ ± 2σ"},
    "concepts.vae.reading": {
        "en": "With log σ² very negative, σ ≈ 0 and every sample decodes to the same image: the model acts like "
              "a plain autoencoder. As σ grows the samples spread over neighbouring codes, and the images vary.",
        "ko": "log σ²가 아주 작으면 σ ≈ 0이 되어 모든 샘플이 같은 이미지로 디코딩됩니다. 이때 모델은 보통 "
              "오토인코더처럼 동작합니다. σ가 커질수록 샘플이 주변 코드로 퍼지고 이미지도 달라집니다.",
    },
    "concepts.vae.none": {
        "en": "This widget needs a VAE decoder, and there is none for {dataset} yet. Train a VAE (a 2-D latent "
              "is best) on the Train page and pick it in the sidebar.",
        "ko": "이 위젯에는 VAE 디코더가 필요한데, {dataset}용 VAE가 아직 없습니다. 학습 페이지에서 VAE(2차원 잠재 "
              "공간이 가장 좋습니다)를 학습한 뒤 사이드바에서 고르세요.",
    },
}
