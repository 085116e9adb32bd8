"""Text of the Latent map page."""

TEXT = {
    "latent_map.intro": {
        "en": "Every dot is one image's latent code, laid out in 2-D: t-SNE keeps codes that are close in the model's "
              "latent space close on the map, PCA shows the flattest view of them, and a 2-D latent can be shown on its "
              "own axes. Colours are classes, which the model never saw: an autoencoder learns without labels, so "
              "classes that look alike (a shirt, a T-shirt and a pullover; a 4 and a 9) overlap, and a separate region "
              "for every class is not to be expected. Hovering names a point; click a point, or draw a lasso or box "
              "around a group, to see the images beside the map and the image decoded from their mean code.",
        "ko": "점 하나하나가 이미지 한 장의 잠재 코드이며 2차원으로 펼쳤습니다. t-SNE는 모델의 잠재 공간에서 가까운 "
              "코드를 지도에서도 가깝게 두고, PCA는 코드를 가장 평평하게 본 모습을 보여 주며, 2차원 잠재 공간은 그 "
              "축 그대로 볼 수 있습니다. 색은 클래스이지만 모델은 클래스를 본 적이 없습니다. 오토인코더는 레이블 없이 "
              "배우므로 비슷해 보이는 클래스(셔츠, 티셔츠, 풀오버나 숫자 4와 9)는 겹치며, 클래스마다 따로 영역이 "
              "생긴다고 기대할 수는 없습니다. 점 위에 마우스를 올리면 이름이 보이고, 점을 클릭하거나 올가미·사각형으로 "
              "여러 점을 고르면 지도 옆에 그 이미지들과 평균 코드를 복원한 이미지가 나타납니다.",
    },
    "latent_map.no_encoder": {
        "en": "A {kind} has no encoder: it turns noise into images but cannot turn an image back into a "
              "code, so there are no codes of the data to map. Its samples and sliders over its noise "
              "input are on the Generate page; pick an autoencoder or a VAE to see a latent map.",
        "ko": "{kind}에는 인코더가 없습니다. 잡음을 이미지로 바꿀 수는 있지만 이미지를 코드로 되돌리지는 못하므로 "
              "지도에 그릴 데이터의 코드가 없습니다. 샘플과 잡음 입력 슬라이더는 생성 페이지에 있습니다. "
              "잠재 공간 지도를 보려면 오토인코더나 VAE를 고르세요.",
    },
    "latent_map.encoding": {"en": "Encoding the sample…", "ko": "샘플을 인코딩하는 중…"},
    "latent_map.method": {"en": "Layout", "ko": "배치 방법"},
    "latent_map.method.identity": {"en": "Latent axes", "ko": "잠재 축 그대로"},
    "latent_map.method_help": {
        "en": "t-SNE keeps neighbours together (distances between far-apart clusters mean little); PCA is "
              "the best flat view of the codes; a 2-D latent can be shown on its own axes.",
        "ko": "t-SNE는 이웃한 코드를 함께 모아 줍니다(멀리 떨어진 군집 사이의 거리는 큰 의미가 없습니다). "
              "PCA는 코드를 가장 잘 보여 주는 평면입니다. 2차원 잠재 공간은 그 축 그대로 볼 수 있습니다.",
    },
    "latent_map.points": {"en": "Points to map", "ko": "지도에 넣을 점 수"},
    "latent_map.points_help": {
        "en": "A random subsample of the encoded images; t-SNE of 2,000 points takes a few seconds and "
              "is computed once per model and setting.",
        "ko": "인코딩한 이미지 중 무작위로 고른 일부입니다. 점 2,000개의 t-SNE는 몇 초 걸리며, 모델과 설정마다 "
              "한 번만 계산합니다.",
    },
    "latent_map.computing": {
        "en": "Computing the {method} map of {points} codes: {percent}%",
        "ko": "코드 {points}개의 {method} 지도를 계산하는 중: {percent}%",
    },
    "latent_map.map_failed": {
        "en": "The map could not be computed: {error}",
        "ko": "지도를 계산하지 못했습니다: {error}",
    },
    "latent_map.precomputed": {
        "en": "{count} codes of {source}, precomputed with the model.",
        "ko": "{source}의 코드 {count}개. 모델과 함께 미리 계산해 두었습니다.",
    },
    "latent_map.computed": {
        "en": "{count} codes of {source}, computed for this model and kept for the next visit.",
        "ko": "{source}의 코드 {count}개. 이 모델에 맞춰 계산했고 다음 방문을 위해 보관합니다.",
    },
    "latent_map.source.bundled": {
        "en": "the bundled sample of test images", "ko": "함께 제공되는 테스트 이미지 샘플",
    },
    "latent_map.source.test": {"en": "the test split", "ko": "테스트 데이터"},
    "latent_map.points_name": {"en": "codes", "ko": "코드"},
    "latent_map.position": {"en": "position on the roll", "ko": "롤 위의 위치"},
    "latent_map.placed_marker": {"en": "your image", "ko": "내 이미지"},
    "latent_map.place_header": {"en": "Place an image onto the map", "ko": "이미지를 지도 위에 놓기"},
    "latent_map.place_how_fitted": {
        "en": "The image is encoded and its code is placed without moving the map. A finished t-SNE map "
              "cannot simply take a new point, so openTSNE optimises the new point alone against the fixed "
              "map (its transform); PCA and the latent axes project it exactly.",
        "ko": "이미지를 인코딩한 코드를 지도를 움직이지 않고 올려놓습니다. 완성된 t-SNE 지도에는 새 점을 그냥 "
              "넣을 수 없으므로 openTSNE가 고정된 지도에 맞춰 새 점만 최적화합니다(transform). PCA와 잠재 축 "
              "그대로 보기는 정확히 투영합니다.",
    },
    "latent_map.place_how_neighbours": {
        "en": "The image is encoded and its code is placed without moving the map. This map was precomputed, "
              "so the new code goes to the distance-weighted average position of its 10 nearest codes in "
              "latent space: it lands among the images the model finds most similar.",
        "ko": "이미지를 인코딩한 코드를 지도를 움직이지 않고 올려놓습니다. 이 지도는 미리 계산된 것이므로, 새 코드는 "
              "잠재 공간에서 가장 가까운 코드 10개의 위치를 거리로 가중 평균한 곳에 놓입니다. 모델이 가장 비슷하다고 "
              "보는 이미지들 사이에 자리 잡습니다.",
    },
    "latent_map.place": {"en": "Image", "ko": "이미지"},
    "latent_map.place.test": {"en": "A test image", "ko": "테스트 이미지"},
    "latent_map.place.upload": {"en": "Upload a picture", "ko": "그림 올리기"},
    "latent_map.place.draw": {"en": "Draw one", "ko": "직접 그리기"},
    "latent_map.draw_help": {
        "en": "Draw with the mouse in white on black, like the training images; it is placed when you lift the pen.",
        "ko": "학습 이미지처럼 검은 바탕에 흰색으로 마우스로 그리세요. 펜을 떼면 지도 위에 놓입니다.",
    },
    "latent_map.empty_drawing": {
        "en": "Draw something on the canvas to see where its code lands.",
        "ko": "캔버스에 무언가를 그리면 그 코드가 지도 어디에 놓이는지 보여 줍니다.",
    },
    "latent_map.place_index": {"en": "Test image number (of {count})", "ko": "테스트 이미지 번호 ({count}장 중)"},
    "latent_map.placed_test": {"en": "Test image {index}: {name}", "ko": "테스트 이미지 {index}: {name}"},
    "latent_map.upload": {
        "en": "A PNG or JPEG; it is turned grey, resized to the model's input and inverted if its background "
              "is the opposite of the data's.",
        "ko": "PNG 또는 JPEG. 흑백으로 바꾸고 모델 입력 크기로 줄이며, 배경이 데이터와 반대이면 색을 뒤집습니다.",
    },
    "latent_map.upload_failed": {
        "en": "This file cannot be placed: {error}",
        "ko": "이 파일은 지도에 놓을 수 없습니다: {error}",
    },
    "latent_map.upload_grey": {
        "en": "This is a colour picture and the model sees greyscale, so it was turned grey before encoding.",
        "ko": "컬러 사진인데 모델은 흑백만 보므로, 인코딩하기 전에 흑백으로 바꿨습니다.",
    },
    "latent_map.neighbours": {
        "en": "Its 10 nearest codes in the model's latent space (not on the 2-D map, which can bend distances). "
              "{verdict}",
        "ko": "모델의 잠재 공간에서 가장 가까운 코드 10개 (거리를 휘게 할 수 있는 2차원 지도 위가 아닙니다). "
              "{verdict}",
    },
    "latent_map.neighbours_class": {
        "en": "{count} of {k} are {name}.",
        "ko": "{k}개 중 {count}개가 {name}입니다.",
    },
    "latent_map.select_hint": {
        "en": "Click a point to see its image, or drag a lasso or a box around a group (the tools are at the "
              "top right of the map) to see all their images and the image of their mean code. Dragging "
              "otherwise zooms in; with the lasso or box tool chosen, double-click the map to clear the selection.",
        "ko": "점을 클릭하면 그 이미지가 보이고, 올가미나 사각형(지도 오른쪽 위의 도구)으로 여러 점을 고르면 그 "
              "이미지들과 평균 코드의 이미지가 보입니다. 그 밖에는 끌면 확대됩니다. 올가미나 사각형 도구를 고른 "
              "상태에서 지도를 두 번 클릭하면 선택이 풀립니다.",
    },
    "latent_map.selected": {"en": "{count} selected", "ko": "{count}개 선택"},
    "latent_map.shown": {
        "en": "{shown} of the {count} selected images",
        "ko": "선택한 이미지 {count}장 중 {shown}장",
    },
    "latent_map.mean_image": {
        "en": "The mean of the {count} codes, decoded",
        "ko": "코드 {count}개의 평균을 복원한 이미지",
    },
    "latent_map.mean_verdict": {
        "en": "{caption} · the classifier sees {name} ({percent}%)",
        "ko": "{caption} · 분류기 판단: {name} ({percent}%)",
    },
    "latent_map.mean_point": {
        "en": "The mean of the selected codes decodes to the point ({point}).",
        "ko": "선택한 코드의 평균을 복원하면 점 ({point})이 됩니다.",
    },
    "latent_map.download_mean": {"en": "Download the mean image (PNG)", "ko": "평균 이미지 내려받기 (PNG)"},
    "latent_map.download_codes": {"en": "Export the selected codes (CSV)", "ko": "선택한 코드 내보내기 (CSV)"},
    "latent_map.manifold_header": {"en": "The decoded latent plane", "ko": "복원한 잠재 평면"},
    "latent_map.manifold_intro": {
        "en": "With a 2-D latent space every point of the plane is a code: here a regular grid of codes is "
              "decoded, each image drawn where its code is, with the data's codes on top. Walking across the "
              "plane morphs one class into the next.",
        "ko": "잠재 공간이 2차원이면 평면의 모든 점이 코드입니다. 여기서는 격자 모양으로 놓인 코드들을 복원해 각 "
              "이미지를 그 코드의 자리에 그리고, 그 위에 데이터의 코드를 겹쳐 보여 줍니다. 평면을 가로지르면 한 "
              "클래스가 다른 클래스로 서서히 바뀝니다.",
    },
    "latent_map.grid_steps": {"en": "Grid size", "ko": "격자 크기"},
    "latent_map.grid_codes": {"en": "Show the data's codes", "ko": "데이터 코드 보이기"},
    "latent_map.download_grid": {"en": "Download the grid (PNG)", "ko": "격자 내려받기 (PNG)"},
    "latent_map.colour": {"en": "Colour by", "ko": "색 기준"},
    "latent_map.colour.position": {"en": "Position on the roll", "ko": "롤 위의 위치"},
    "latent_map.colour.trust": {"en": "Neighbours kept", "ko": "지켜진 이웃"},
    "latent_map.colour_help": {
        "en": "Neighbours kept: how far to trust the map around each point, compared with the latent space itself.",
        "ko": "지켜진 이웃: 잠재 공간 자체와 비교해 각 점 주변에서 지도를 얼마나 믿을 수 있는지 보여 줍니다.",
    },
    "latent_map.trust_computing": {
        "en": "Comparing the neighbours of {points} points on the map and in latent space…",
        "ko": "점 {points}개의 이웃을 지도와 잠재 공간에서 비교하는 중…",
    },
    "latent_map.trustworthiness": {"en": "Trustworthiness of the map", "ko": "지도의 신뢰도(trustworthiness)"},
    "latent_map.trustworthiness_help": {
        "en": "scikit-learn's trustworthiness for {k} neighbours: 1 means every point's neighbours on the map are "
              "also near it in latent space; the lower it is, the more map neighbours are strangers there.",
        "ko": "scikit-learn의 trustworthiness(이웃 {k}개 기준)입니다. 1이면 지도에서 이웃한 점이 잠재 공간에서도 "
              "모두 가깝다는 뜻이고, 낮을수록 지도의 이웃 중 잠재 공간에서는 먼 점이 많습니다.",
    },
    "latent_map.mean_recall": {"en": "Neighbours kept, on average of {k}", "ko": "지켜진 이웃 평균 ({k}개 중)"},
    "latent_map.trust_axis": {"en": "neighbours kept (of {k})", "ko": "지켜진 이웃 ({k}개 중)"},
    "latent_map.trust_hover": {
        "en": "{name} · #{row} · {kept} of {k} neighbours kept",
        "ko": "{name} · #{row} · 이웃 {k}개 중 {kept}개 지켜짐",
    },
    "latent_map.trust_explain": {
        "en": "Each point's colour is the share of its {k} nearest codes in latent space that are also among its "
              "{k} nearest points on the map. Look for red: there the map has put a point among codes that are "
              "not its neighbours, so what looks close there may not be. Blue regions can be read locally. "
              "Do not over-read t-SNE distances: it keeps near neighbours together, but the size of a cluster "
              "and the gaps between clusters mean little.",
        "ko": "각 점의 색은 잠재 공간에서 가장 가까운 코드 {k}개 중 지도에서도 가장 가까운 점 {k}개 안에 드는 비율입니다. "
              "빨간 점을 찾아보세요. 그곳에서는 지도가 점을 실제 이웃이 아닌 코드들 사이에 놓았으므로, 가까워 "
              "보여도 가깝지 않을 수 있습니다. 파란 영역은 가까운 범위 안에서 믿고 읽어도 됩니다. t-SNE의 거리를 "
              "지나치게 해석하지 마세요. t-SNE는 가까운 이웃은 함께 모아 주지만, 군집의 크기와 군집 사이의 간격은 "
              "큰 의미가 없습니다.",
    },
    "latent_map.images": {"en": "Draw points as", "ko": "점 그리는 방식"},
    "latent_map.images.dots": {"en": "Dots", "ko": "점"},
    "latent_map.images.thumbnails": {"en": "Their images", "ko": "그 이미지"},
    "latent_map.images.regions": {"en": "What lives here", "ko": "이 자리의 모습"},
    "latent_map.images_help": {
        "en": "Their images: up to {count} points, picked to cover the whole map, drawn as the images they encode. "
              "What lives here: the map cut into a grid; each cell shows the mean code of the points in it, decoded.",
        "ko": "그 이미지: 지도 전체에 고루 퍼지도록 고른 점 최대 {count}개를 그 점이 나타내는 이미지로 그립니다. "
              "이 자리의 모습: 지도를 격자로 나누고, 칸마다 그 안에 있는 점들의 평균 코드를 복원해 보여 줍니다.",
    },
    "latent_map.thumbnails_explain": {
        "en": "{count} points, each picked farthest from those before it so the images cover the map, drawn as "
              "their images and as large as the closest two are apart; zoom in to see them larger. Look at where "
              "images of one kind give way to another, and at odd images sitting among their neighbours.",
        "ko": "앞서 고른 점들에서 가장 먼 점을 차례로 골라 지도를 고루 덮은 점 {count}개를 그 이미지로 그렸고, "
              "가장 가까운 두 점 사이의 거리만큼 크게 그렸습니다. 확대하면 더 크게 보입니다. 한 종류의 이미지가 다른 "
              "종류로 바뀌는 곳과, 이웃들 사이에 끼어 있는 낯선 이미지를 살펴보세요.",
    },
    "latent_map.region_steps": {"en": "Cells per side", "ko": "한 변의 칸 수"},
    "latent_map.regions_explain": {
        "en": "Each cell shows the mean of the codes of the points inside it (the points nearest its centre), "
              "decoded; cells with no point stay empty. This works for any map, not only a 2-D latent: the "
              "picture says what the model keeps in each region. A blurry cell mixes points that differ.",
        "ko": "칸마다 그 안에 있는 점들(칸의 중심에 가장 가까운 점들)의 코드 평균을 복원해 보여 주며, 점이 없는 칸은 "
              "비워 둡니다. 2차원 잠재 공간뿐 아니라 어떤 지도에서도 됩니다. 그림은 모델이 각 영역에 무엇을 담고 "
              "있는지 보여 줍니다. 흐릿한 칸은 서로 다른 점들이 섞인 곳입니다.",
    },
    "latent_map.point": {"en": "{name} · #{row}", "ko": "{name} · #{row}"},
    "latent_map.point_image": {"en": "Its image", "ko": "이 점의 이미지"},
    "latent_map.point_decoded": {"en": "Its code, decoded", "ko": "이 점의 코드를 복원한 이미지"},
}
