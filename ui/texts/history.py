"""Text of the latent space over training (ui/history_views.py), shown on the Train and Latent map pages."""

TEXT = {
    "history.header": {"en": "The latent space over training", "ko": "학습하는 동안의 잠재 공간"},
    "history.explain": {
        "en": "The same {count} test images (an even share of each class) encoded before training (epoch 0) and "
              "after every finished epoch, laid out by {method}. Each epoch's picture is turned (or mirrored) to "
              "match the epoch before and scaled to the same size, so a point moves only as far as the model moved "
              "its code. Drag the epoch slider or press Play; the dashed line on the loss curves marks the epoch "
              "shown.",
        "ko": "같은 테스트 이미지 {count}장(클래스마다 같은 수)을 학습 전(에포크 0)과 에포크가 끝날 때마다 인코딩해 "
              "{method}(으)로 펼쳤습니다. 에포크마다 그림을 바로 앞 에포크에 맞게 돌리거나 뒤집고 같은 크기로 맞추므로, "
              "점은 모델이 그 코드를 옮긴 만큼만 움직입니다. 에포크 슬라이더를 끌거나 재생을 누르세요. 손실 곡선의 "
              "점선이 보이는 에포크를 가리킵니다.",
    },
    "history.look_for": {
        "en": "What to look for: at epoch 0 the encoder is untrained, its weights random, so whatever groups show "
              "come from the pixels alone. As the loss falls, images of the same class usually draw together and "
              "apart from the others, most in the first epochs, and the picture settles as the loss curve "
              "flattens. Classes that look alike stay neighbours. The model never sees the labels: the colours "
              "only show what it found on its own.",
        "ko": "볼 점: 에포크 0의 인코더는 학습 전이라 가중치가 무작위이므로, 보이는 무리는 픽셀만으로 생긴 것입니다. "
              "손실이 줄어들면 같은 클래스의 이미지가 대개 서로 모이고 다른 클래스와 멀어지며, 대부분 처음 몇 "
              "에포크에서 일어나고 손실 곡선이 평평해질수록 그림이 자리를 잡습니다. 비슷해 보이는 클래스는 이웃으로 "
              "남습니다. 모델은 레이블을 본 적이 없습니다. 색은 모델이 스스로 찾아낸 것을 보여 줄 뿐입니다.",
    },
    "history.method": {"en": "Layout over training", "ko": "학습 과정의 배치 방법"},
    "history.method.pca": {"en": "PCA per epoch", "ko": "에포크별 PCA"},
    "history.method.tsne": {"en": "t-SNE from the previous epoch", "ko": "앞 에포크에서 시작하는 t-SNE"},
    "history.method_help": {
        "en": "PCA shows each epoch's flattest view of the codes, computed in a moment. t-SNE keeps neighbours "
              "together and starts every epoch from the previous epoch's picture; it is computed once per model "
              "(about a fifth of a second an epoch), in the server's queue.",
        "ko": "PCA는 에포크마다 코드를 가장 평평하게 본 모습을 보여 주며 바로 계산됩니다. t-SNE는 이웃을 가깝게 두고 "
              "에포크마다 앞 에포크의 그림에서 시작합니다. 모델마다 한 번(에포크당 약 0.2초) 서버의 대기열에서 "
              "계산합니다.",
    },
    "history.map_title": {"en": "Test images at the chosen epoch", "ko": "고른 에포크의 테스트 이미지"},
    "history.opens_at": {"en": "Picture opens at epoch", "ko": "그림이 열리는 에포크"},
    "history.opens_at_help": {
        "en": "The epoch the picture below shows first. It is kept in the page's address, so a shared link "
              "(Share this view) opens at this epoch. The epoch slider and Play inside the picture move through "
              "the epochs in your browser only: they do not change this choice or the link.",
        "ko": "아래 그림이 처음 보여 주는 에포크입니다. 페이지 주소에 담기므로 공유 링크(이 화면 공유하기)도 이 에포크에서 "
              "열립니다. 그림 안의 에포크 슬라이더와 재생은 내 브라우저에서만 에포크를 넘겨 보며, 이 선택이나 링크를 "
              "바꾸지 않습니다.",
    },
    "history.play": {"en": "Play", "ko": "재생"},
    "history.pause": {"en": "Pause", "ko": "일시 정지"},
    "history.computing": {
        "en": "Laying out {epochs} epochs by t-SNE… {percent}%",
        "ko": "t-SNE로 에포크 {epochs}개를 배치하는 중… {percent}%",
    },
    "history.failed": {
        "en": "The layouts over training could not be computed ({error_type}); the server log has the details.",
        "ko": "학습 과정의 배치를 계산하지 못했습니다({error_type}). 자세한 내용은 서버 로그에 있습니다.",
    },
    "history.retry": {"en": "Compute the t-SNE layouts again", "ko": "t-SNE 배치 다시 계산"},
    "history.none_pretrained": {
        "en": "This model was shipped without a training history: its codes were not recorded while it trained, "
              "so there is nothing to replay. To watch a latent space organise itself, train a model on the Train "
              "page (a few epochs on digits take seconds): its history is shown there while it trains, and here "
              "once you pick it.",
        "ko": "이 모델은 학습 기록 없이 제공되었습니다. 학습하는 동안 코드를 기록하지 않았으므로 다시 보여 줄 것이 "
              "없습니다. 잠재 공간이 스스로 정리되는 모습을 보려면 학습 페이지에서 모델을 학습하세요(digits로 몇 "
              "에포크는 몇 초면 됩니다). 학습하는 동안 그곳에서, 그 모델을 고르면 여기에서 기록을 볼 수 있습니다.",
    },
    "history.none_saved": {
        "en": "This model has no training history: it was uploaded, or trained before the app recorded one. Train "
              "a model on the Train page to see its latent space over training.",
        "ko": "이 모델에는 학습 기록이 없습니다. 업로드했거나 앱이 기록을 남기기 전에 학습한 모델입니다. 학습 "
              "페이지에서 모델을 학습하면 학습하는 동안의 잠재 공간을 볼 수 있습니다.",
    },
}
