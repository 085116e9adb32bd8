"""Text of the Denoise page."""

TEXT = {
    "denoise.intro": {
        "en": "An autoencoder with a bottleneck rebuilds an image from a few numbers that describe what its "
              "training data looks like, so much of the noise, which looks like none of it, is left out, and with "
              "it some fine detail. A U-Net denoiser also hands the detail around the bottleneck (below: why it "
              "does better). Draw an image or pick a test image, add noise, and see what the model makes of it.",
        "ko": "병목이 있는 오토인코더는 학습 데이터가 어떻게 생겼는지를 나타내는 몇 개의 숫자로 이미지를 다시 만들기 "
              "때문에, 그 어떤 것과도 닮지 않은 잡음은 상당 부분 빠지고 세밀한 부분도 함께 조금 빠집니다. U-Net 잡음 "
              "제거기는 세밀한 부분을 병목 옆으로도 넘깁니다 (아래에 왜 더 잘하는지 있습니다). 그림을 그리거나 테스트 "
              "이미지를 고른 뒤 잡음을 더해 모델이 어떻게 복원하는지 보세요.",
    },
    "denoise.try_unet": {
        "en": "Any autoencoder removes some noise, but {name}, a U-Net denoiser trained on noisy inputs, does it "
              "better (see why below).",
        "ko": "어떤 오토인코더든 잡음을 어느 정도 없애지만, 잡음 섞인 입력으로 학습한 U-Net 잡음 제거기 {name}이(가) "
              "더 잘 없앱니다 (이유는 아래에 있습니다).",
    },
    "denoise.why.title": {
        "en": "Why the skip-connection denoiser beats the bottleneck one",
        "ko": "스킵 연결 잡음 제거기가 병목 잡음 제거기보다 나은 이유",
    },
    "denoise.why.body": {
        "en": "The denoising AE must push every image through its bottleneck, a code of far fewer numbers than the image has pixels, and "
              "rebuild it from that alone: even a clean image comes back with its fine detail (edges, stripes, "
              "print) smoothed away, and that loss of detail limits it whatever the noise. The U-Net denoiser has skip "
              "connections: each encoder level's feature map goes straight to the decoder level of the same size, "
              "beside what comes up from the bottleneck. The detail no longer has to fit through the code; the "
              "network only has to tell noise from image at each pixel, using the coarse levels for context. The "
              "price: its bottleneck is no code of the image, so it cannot be mapped, decoded or sampled.",
        "ko": "잡음 제거 AE는 모든 이미지를 픽셀 수보다 훨씬 적은 숫자로 된 병목 코드에 밀어 넣고 그것만으로 다시 만들어야 합니다. "
              "그래서 깨끗한 이미지조차 세밀한 부분(경계, 줄무늬, 무늬)이 뭉개져 돌아오고, 잃은 세밀함이 잡음과 "
              "상관없이 결과를 제한합니다. U-Net 잡음 제거기에는 스킵 연결이 있어, 인코더 각 단계의 특징 맵이 병목에서 올라오는 것과 "
              "함께 같은 크기의 디코더 단계로 곧바로 갑니다. 세밀한 부분이 코드를 지나갈 필요가 없으므로, 네트워크는 "
              "거친 단계를 맥락 삼아 각 픽셀에서 잡음과 이미지를 가려내기만 하면 됩니다. 대가는 병목이 이미지의 코드가 "
              "아니라는 점입니다. 지도에 놓거나 디코딩하거나 샘플링할 수 없습니다.",
    },
    "denoise.why.noisy": {"en": "noisy input", "ko": "잡음 섞인 입력"},
    "denoise.why.compared": {
        "en": "At σ = {strength}: {unet} {unet_psnr:.1f} dB, {bottleneck} {bottleneck_psnr:.1f} dB.",
        "ko": "σ = {strength}에서 {unet} {unet_psnr:.1f} dB, {bottleneck} {bottleneck_psnr:.1f} dB입니다.",
    },
    "denoise.why.ceiling": {
        "en": "Given clean test images, {bottleneck} gives them back at {clean:.1f} dB: that is its ceiling, set by "
              "the bottleneck, not by the noise.",
        "ko": "깨끗한 테스트 이미지를 넣어도 {bottleneck}은(는) {clean:.1f} dB로 돌려줍니다. 이것이 잡음이 아니라 "
              "병목이 정한 상한입니다.",
    },
    "denoise.why.source": {
        "en": "PSNR in dB on the dataset's test set with Gaussian noise of strength σ, as each model's manifest "
              "reports it when the library was built: the PSNR of the mean squared error over all test images.",
        "ko": "표준편차 σ의 가우시안 잡음을 더한 데이터셋 테스트 세트에서의 PSNR(dB)로, 라이브러리를 만들 때 각 "
              "모델의 매니페스트에 기록된 값입니다. 모든 테스트 이미지의 평균 제곱 오차로 잰 PSNR입니다.",
    },
    "denoise.why.per_image": {
        "en": "Averaged per image instead (each image's own PSNR, then the mean), {name} reaches {value:.1f} dB at "
              "σ = {strength}.",
        "ko": "이미지마다 PSNR을 잰 뒤 평균하면 {name}은(는) σ = {strength}에서 {value:.1f} dB입니다.",
    },
    "denoise.try_denoiser": {
        "en": "Any autoencoder removes some noise, but one trained on noisy inputs usually does it better: "
              "try {name}.",
        "ko": "어떤 오토인코더든 잡음을 어느 정도 없애지만, 잡음 섞인 입력으로 학습한 모델이 대개 더 잘합니다. "
              "{name}을(를) 써 보세요.",
    },
    "denoise.use_denoiser": {"en": "Use it", "ko": "사용하기"},
    "denoise.train_denoiser": {
        "en": "Tip: a denoising AE (Train page) is trained on noisy inputs and usually removes noise better than an "
              "autoencoder trained on clean images.",
        "ko": "팁: 잡음 제거 AE(학습 페이지)는 잡음 섞인 입력으로 학습하므로, 깨끗한 이미지로 학습한 오토인코더보다 "
              "대개 잡음을 더 잘 없앱니다.",
    },
    "denoise.source": {"en": "Input", "ko": "입력"},
    "denoise.source.draw": {"en": "Draw", "ko": "직접 그리기"},
    "denoise.source.test": {"en": "Test image", "ko": "테스트 이미지"},
    "denoise.noise": {"en": "Noise", "ko": "잡음"},
    "denoise.noise.gaussian": {"en": "Gaussian", "ko": "가우시안"},
    "denoise.noise.salt_pepper": {"en": "Salt and pepper", "ko": "소금-후추"},
    "denoise.noise.strokes": {"en": "My own scribbles", "ko": "직접 낙서하기"},
    "denoise.draw_help": {
        "en": "Draw with the mouse (or a finger) in white on black, like the training images.",
        "ko": "학습 이미지처럼 검은 바탕에 흰색으로 마우스(또는 손가락)로 그리세요.",
    },
    "denoise.scribble_help": {
        "en": "Scribble over the image: your strokes are the noise.",
        "ko": "이미지 위에 낙서하세요. 그린 선이 잡음이 됩니다.",
    },
    "denoise.empty_drawing": {
        "en": "Draw something on the canvas to see it denoised.",
        "ko": "캔버스에 무언가를 그리면 잡음을 제거한 결과가 나타납니다.",
    },
    "denoise.empty_scribble": {
        "en": "Scribble over the image on the canvas to add your own noise.",
        "ko": "캔버스의 이미지 위에 낙서해서 직접 잡음을 더해 보세요.",
    },
    "denoise.random_image": {"en": "Random image", "ko": "무작위 이미지"},
    "denoise.image_class": {"en": "Class: {name}", "ko": "클래스: {name}"},
    "denoise.strength": {"en": "Noise strength", "ko": "잡음 세기"},
    "denoise.strength_help.gaussian": {
        "en": "Standard deviation of the noise added to every pixel.",
        "ko": "모든 픽셀에 더하는 잡음의 표준편차입니다.",
    },
    "denoise.strength_help.salt_pepper": {
        "en": "Fraction of pixels set to pure black or white.",
        "ko": "완전한 검은색이나 흰색으로 바꾸는 픽셀의 비율입니다.",
    },
    "denoise.new_noise": {"en": "New noise", "ko": "새 잡음"},
    "denoise.clean.test": {"en": "Clean original", "ko": "깨끗한 원본"},
    "denoise.noisy": {"en": "Noisy input", "ko": "잡음 섞인 입력"},
    "denoise.denoised": {"en": "Denoised output", "ko": "잡음 제거 결과"},
    "denoise.psnr_noisy": {"en": "Noisy PSNR", "ko": "잡음 입력 PSNR"},
    "denoise.psnr_denoised": {"en": "Output PSNR", "ko": "결과 PSNR"},
    "denoise.psnr_value": {"en": "{value:.1f} dB", "ko": "{value:.1f} dB"},
    "denoise.psnr_identical": {"en": "identical", "ko": "동일함"},
    "denoise.psnr_help": {
        "en": "Peak signal-to-noise ratio against the clean image, in decibels: higher means closer.",
        "ko": "깨끗한 이미지와 비교한 최대 신호 대 잡음비(데시벨)입니다. 높을수록 원본에 가깝습니다.",
    },
    "denoise.gain": {"en": "{gain:+.1f} dB", "ko": "{gain:+.1f} dB"},
    "denoise.prepared_note": {
        "en": "Drawings are prepared the way MNIST was made: cropped to the ink, scaled into a "
              "{box}×{box} box keeping their shape, and centred by their centre of mass in {size}×{size}.",
        "ko": "그림은 MNIST를 만든 방식대로 준비됩니다. 그린 부분만 잘라 모양을 유지한 채 {box}×{box} 상자에 맞추고, "
              "{size}×{size} 안에서 무게중심이 가운데에 오도록 놓습니다.",
    },
    "denoise.error_map": {
        "en": "Where the output differs from the clean image (|x − x̂|, 0 black … 1 pale yellow): what is "
              "bright is noise left in, or ink the model lost.",
        "ko": "결과가 깨끗한 이미지와 다른 곳(|x − x̂|, 0 검정 … 1 연노랑). 밝은 곳은 남은 잡음이거나 "
              "모델이 잃어버린 획입니다.",
    },
}
