"""Text of the sidebar's account section (sign-in, the share link) and of refused saves."""

TEXT = {
    "account.signed_in": {"en": "Signed in as **{name}**", "ko": "**{name}** 님으로 로그인됨"},
    "account.sign_out": {"en": "Sign out", "ko": "로그아웃"},
    "account.sign_in": {"en": "Sign in", "ko": "로그인"},
    "account.sign_in_with": {"en": "Sign in with {provider}", "ko": "{provider}(으)로 로그인"},
    "account.sign_in_title": {"en": "Sign in to use Latent Explorer", "ko": "잠재 공간 탐험기를 쓰려면 로그인하세요"},
    "account.sign_in_required": {
        "en": "This server keeps each user's models under their own account, where only they see them.",
        "ko": "이 서버는 사용자마다 자기 계정에 모델을 보관하며, 그 모델은 본인만 볼 수 있습니다.",
    },
    "account.signed_out": {
        "en": "Signed out: explore the pretrained models, or sign in to train, upload and keep your own.",
        "ko": "로그아웃 상태: 사전 학습 모델을 둘러볼 수 있습니다. 직접 학습·업로드한 모델을 보관하려면 로그인하세요.",
    },
    "account.share": {"en": "Share this view", "ko": "이 화면 공유하기"},
    "account.share_help": {
        "en": "This link opens the same view (page, language, dataset, a library model and the page's settings), "
              "without your own models. Your own address "
              "(with ?user=…) is the key to your models: whoever has it has them, so bookmark it and keep it "
              "to yourself.",
        "ko": "이 링크는 같은 화면(페이지, 언어, 데이터셋, 라이브러리 모델, 페이지 설정)을 열지만 내 모델은 담지 "
              "않습니다. 내 주소(?user=… 포함)는 "
              "내 모델의 열쇠입니다. 그 주소를 가진 사람은 누구나 모델을 갖게 되므로 즐겨찾기에 저장하고 "
              "남과 나누지 마세요.",
    },
    "save.sign_in": {"en": "Sign in to save models.", "ko": "모델을 저장하려면 로그인하세요."},
    "save.models": {
        "en": "Not saved: you already keep {limit} models, the most this server allows each user. "
              "Delete one on the Model library page first.",
        "ko": "저장하지 않았습니다. 이 서버에서 한 사용자가 보관할 수 있는 최대 {limit}개의 모델을 이미 "
              "보관하고 있습니다. 먼저 모델 라이브러리 페이지에서 하나를 삭제하세요.",
    },
    "save.user_space": {
        "en": "Not saved: your models would take more than the {limit} this server allows each user. "
              "Delete one on the Model library page first.",
        "ko": "저장하지 않았습니다. 내 모델이 이 서버가 사용자마다 허용하는 {limit}를 넘게 됩니다. "
              "먼저 모델 라이브러리 페이지에서 하나를 삭제하세요.",
    },
    "save.total_space": {
        "en": "Not saved: this server's space for everyone's models ({limit}) is full. "
              "Ask whoever runs it to make room.",
        "ko": "저장하지 않았습니다. 이 서버에서 모든 사용자의 모델을 위한 공간({limit})이 가득 찼습니다. "
              "서버 관리자에게 공간을 늘려 달라고 요청하세요.",
    },
}
