"""Text of the Manifold lab page."""

TEXT = {
    "manifold.intro": {
        "en": "The swiss roll is a flat sheet rolled up in 3-D: each point has a position along the sheet "
              "(the colour). A good 2-D embedding unrolls it, so the colours run smoothly from one end to the "
              "other. Look at the roll (turn it in 3-D to rotate it), then compare how an autoencoder and four "
              "classic methods flatten it.",
        "ko": "스위스 롤은 평평한 종이를 3차원에서 돌돌 만 모양입니다. 각 점에는 종이 위의 위치(색)가 있습니다. "
              "좋은 2차원 임베딩은 롤을 펼쳐서 색이 한쪽 끝에서 다른 끝까지 매끄럽게 이어집니다. 롤을 살펴본 뒤"
              "(3-D로 돌려 보기를 켜면 회전할 수 있습니다), 오토인코더와 네 가지 고전적 방법이 롤을 어떻게 펼치는지 "
              "비교해 보세요.",
    },
    "manifold.turn_3d": {"en": "Turn it in 3-D", "ko": "3-D로 돌려 보기"},
    "manifold.turn_3d_help": {
        "en": "Off: the roll seen along its axis as a still picture, which opens at once. On: a 3-D view of the "
              "same points that you can drag to rotate and scroll to zoom; the browser takes a moment longer "
              "to draw it.",
        "ko": "끄면: 롤을 축 방향에서 본 정지 그림으로, 바로 열립니다. 켜면: 같은 점들의 3-D 보기로, 드래그해서 "
              "회전하고 스크롤해서 확대할 수 있습니다. 브라우저가 그리는 데 조금 더 걸립니다.",
    },
    "manifold.roll_caption_still": {
        "en": "{points} points of the roll, seen along its axis; nearer points are drawn over farther ones. "
              "Colour: position along the sheet.",
        "ko": "롤의 점 {points}개를 축 방향에서 본 모습입니다. 가까운 점이 먼 점 위에 그려집니다. 색: 종이 위의 위치.",
    },
    "manifold.position": {"en": "position", "ko": "위치"},
    "manifold.roll_caption": {
        "en": "{points} points of the roll; drag to rotate, scroll to zoom. Colour: position along the sheet.",
        "ko": "롤의 점 {points}개. 드래그하면 회전하고, 스크롤하면 확대됩니다. 색: 종이 위의 위치.",
    },
    "manifold.embeddings": {"en": "Five ways to flatten it", "ko": "롤을 펼치는 다섯 가지 방법"},
    "manifold.points": {"en": "Points", "ko": "점 개수"},
    "manifold.neighbours": {"en": "Neighbours (Isomap, LLE)", "ko": "이웃 수 (Isomap, LLE)"},
    "manifold.neighbours_help": {
        "en": "How many nearest points count as neighbours. Too few tear the sheet apart; too many short-cut "
              "between layers of the roll.",
        "ko": "가장 가까운 점 몇 개를 이웃으로 볼지 정합니다. 너무 적으면 종이가 찢어지고, 너무 많으면 롤의 "
              "층 사이를 가로지릅니다.",
    },
    "manifold.ae": {"en": "Autoencoder", "ko": "오토인코더"},
    "manifold.ae.pretrained": {"en": "Pretrained", "ko": "사전 학습"},
    "manifold.ae.here": {"en": "Train here", "ko": "여기서 학습"},
    "manifold.load_failed": {"en": "The pretrained autoencoder could not be loaded: {error}",
                             "ko": "사전 학습 오토인코더를 불러오지 못했습니다: {error}"},
    "manifold.train_ae": {"en": "Train an autoencoder ({epochs} epochs)", "ko": "오토인코더 학습 ({epochs} 에포크)"},
    "manifold.retrain_ae": {"en": "Train it again ({epochs} epochs)", "ko": "다시 학습 ({epochs} 에포크)"},
    "manifold.training": {"en": "Training for {epochs} epochs…", "ko": "{epochs} 에포크 동안 학습하는 중…"},
    "manifold.ae_help": {
        "en": "Pretrained: the library's 3 → 2 autoencoder, started from Isomap's layout. Train here: the same "
              "network trained on this page from random weights on reconstruction alone, to see what that gives.",
        "ko": "사전 학습: 라이브러리의 3 → 2 오토인코더로, Isomap의 배치에서 시작했습니다. 여기서 학습: 같은 신경망을 "
              "이 페이지에서 무작위 가중치로부터 복원 오차만으로 학습해, 어떤 결과가 나오는지 봅니다.",
    },
    "manifold.ae_missing": {
        "en": "Press the button above to train a 3 → 2 autoencoder on the roll; it takes seconds.",
        "ko": "위의 버튼을 누르면 롤에서 3 → 2 오토인코더를 학습합니다. 몇 초면 됩니다.",
    },
    "manifold.ae_title_pretrained": {"en": "Autoencoder (started from Isomap)",
                                     "ko": "오토인코더 (Isomap에서 시작)"},
    "manifold.ae_title_here": {"en": "Autoencoder (trained here, {seconds} s)", "ko": "오토인코더 (여기서 학습, {seconds}초)"},
    "manifold.computing": {"en": "Computing {method}…", "ko": "{method} 계산 중…"},
    "manifold.pca": {"en": "PCA", "ko": "PCA"},
    "manifold.tsne": {"en": "t-SNE", "ko": "t-SNE"},
    "manifold.isomap": {"en": "Isomap", "ko": "Isomap"},
    "manifold.lle": {"en": "LLE", "ko": "LLE"},
    "manifold.reading": {
        "en": "**Reading the plots.** PCA can only rotate and project: it keeps the two directions the points "
              "spread most along, which here show the spiral nearly end-on, and drops most of the sheet's "
              "height, so the colours wind round instead of running from one end to the other. Isomap keeps "
              "distances *along* the sheet and unrolls it into a rectangle. LLE keeps each point's local "
              "neighbourhood. t-SNE keeps neighbours close but not global shape. An autoencoder's code only "
              "has to let the decoder rebuild the points; nothing asks it to unroll the sheet, and trained from "
              "random weights one usually folds it. The pretrained one was started differently: its encoder first "
              "learned to copy Isomap's layout, then its decoder learned to rebuild the points from that code "
              "while the encoder stayed fixed, and only then did both train together on reconstruction. Its code "
              "follows the sheet, and it rebuilds the roll about ten times more exactly than the same network "
              "trained from random weights (test MSE 0.06 against 0.76).",
        "ko": "**그래프 읽는 법.** PCA는 회전과 투영만 할 수 있습니다. 점이 가장 많이 퍼진 두 방향을 남기는데, "
              "여기서는 나선을 거의 정면(축 방향)에서 본 모습이 되고 종이의 높이는 대부분 사라집니다. 그래서 색이 "
              "한쪽 끝에서 다른 끝으로 이어지지 않고 빙 돌아 감깁니다. Isomap은 종이 *위를 따라* 잰 거리를 지켜서 "
              "롤을 직사각형으로 펼칩니다. LLE는 각 점의 국소 이웃 관계를 지킵니다. t-SNE는 이웃은 가깝게 두지만 "
              "전체 모양은 지키지 않습니다. 오토인코더의 코드는 디코더가 점을 다시 만들 수 있게만 하면 되고, 종이를 "
              "펼치라는 요구는 없어서, 무작위 가중치에서 학습하면 대개 종이를 접습니다. 사전 학습 오토인코더는 다르게 "
              "시작했습니다. 먼저 인코더가 Isomap의 배치를 따라 하도록 배우고, 다음에 인코더를 고정한 채 디코더가 그 "
              "코드에서 점을 복원하도록 배운 뒤, 마지막에야 둘이 함께 복원 오차로 학습했습니다. 그 코드는 종이를 "
              "따르고, 같은 신경망을 무작위 가중치에서 학습한 것보다 롤을 약 10배 정확하게 복원합니다 (테스트 MSE "
              "0.06 대 0.76).",
    },
    "manifold.orders": {
        "en": "How well each plot follows the sheet: the largest |Spearman ρ| between one of its axes and the "
              "position along the roll (1 = that axis orders the points exactly as the sheet does; near 0 = no "
              "axis follows it): {orders}.",
        "ko": "각 그래프가 종이를 얼마나 따르는지: 한 축과 롤 위의 위치 사이의 |스피어만 ρ| 중 가장 큰 값입니다 "
              "(1이면 그 축이 점을 종이와 똑같은 순서로 놓고, 0에 가까우면 어느 축도 종이를 따르지 않습니다): "
              "{orders}.",
    },
    "manifold.linear_header": {"en": "A linear autoencoder finds PCA's plane", "ko": "선형 오토인코더는 PCA의 평면을 찾는다"},
    "manifold.linear_intro": {
        "en": "Take away every non-linearity and train the autoencoder with MSE: its best 2-D code spans exactly "
              "the plane PCA keeps (Baldi & Hornik, 1989). Train one on the roll and measure the angles between "
              "the plane its decoder draws into and PCA's plane: 0° means the same plane.",
        "ko": "비선형성을 모두 없애고 MSE로 오토인코더를 학습하면, 가장 좋은 2차원 코드는 PCA가 남기는 평면과 "
              "정확히 같은 평면을 이룹니다 (Baldi & Hornik, 1989). 롤에서 학습한 뒤 디코더가 그리는 평면과 PCA "
              "평면 사이의 각도를 재 보세요. 0°면 같은 평면입니다.",
    },
    "manifold.train_linear": {"en": "Train a linear autoencoder ({epochs} epochs)",
                              "ko": "선형 오토인코더 학습 ({epochs} 에포크)"},
    "manifold.retrain_linear": {"en": "Train the linear AE again ({epochs} epochs)",
                                "ko": "선형 AE 다시 학습 ({epochs} 에포크)"},
    "manifold.linear_mse": {"en": "Linear AE reconstruction MSE", "ko": "선형 AE 복원 MSE"},
    "manifold.pca_mse": {"en": "PCA-2 reconstruction MSE", "ko": "PCA-2 복원 MSE"},
    "manifold.angles": {"en": "Principal angles to PCA's plane", "ko": "PCA 평면과의 주각"},
    "manifold.angles_help": {
        "en": "The angles between the two planes (scipy.linalg.subspace_angles of the decoder's directions and "
              "PCA's components). Two planes in 3-D always share a line, so one angle is always 0°.",
        "ko": "두 평면 사이의 각도입니다 (디코더 방향과 PCA 성분에 대한 scipy.linalg.subspace_angles). 3차원의 "
              "두 평면은 항상 직선 하나를 공유하므로 각 하나는 늘 0°입니다.",
    },
    "manifold.same_subspace": {
        "en": "Same plane: the largest angle is {angle:.2f}° and the errors match. The codes differ from PCA's "
              "(any rotation or stretch of the plane's axes is as good), the plane does not.",
        "ko": "같은 평면입니다. 가장 큰 각도는 {angle:.2f}°이고 오차도 같습니다. 코드 자체는 PCA와 다르지만 "
              "(평면의 축을 어떻게 돌리거나 늘여도 똑같이 좋으므로), 평면은 같습니다.",
    },
    "manifold.not_yet": {
        "en": "Not there yet: the largest angle is {angle:.2f}°. Train again; gradient descent approaches PCA's "
              "plane slowly when two directions of the roll spread almost equally.",
        "ko": "아직 도달하지 못했습니다. 가장 큰 각도는 {angle:.2f}°입니다. 다시 학습해 보세요. 롤의 두 방향이 "
              "거의 똑같이 퍼져 있으면 경사 하강법은 PCA 평면에 천천히 다가갑니다.",
    },
    "manifold.linear_codes": {"en": "Linear AE codes", "ko": "선형 AE 코드"},
    "manifold.linear_caption": {
        "en": "Left: the linear AE's 2-D codes; right: PCA's. The same picture up to rotation, reflection and "
              "stretching: both are flat projections of the roll onto the same plane.",
        "ko": "왼쪽: 선형 AE의 2차원 코드, 오른쪽: PCA. 회전, 반사, 늘이기를 빼면 같은 그림입니다. 둘 다 같은 "
              "평면으로 롤을 납작하게 투영한 것입니다.",
    },
}
