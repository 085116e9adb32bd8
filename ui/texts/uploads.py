"""Why an uploaded file was refused: one sentence per ``UploadRefused.code`` (latent_core.uploads).

Pages put these inside their own frame ("Could not use this file: …"). Names of files,
archive members, shapes and dtypes are filled in as they are.
"""

TEXT = {
    # Any upload
    "upload.invalid": {"en": "{error}", "ko": "{error}"},
    "upload.empty": {"en": "{name} is empty (0 bytes).", "ko": "{name} 파일이 비어 있습니다 (0바이트)."},
    "upload.too_large": {
        "en": "{name} is {size}; uploads may be at most {limit}.",
        "ko": "{name} 파일은 {size}입니다. 업로드는 최대 {limit}까지 가능합니다.",
    },
    "upload.parse_too_slow": {
        "en": "{name} took longer than {seconds} s to read, so reading it was stopped. Upload a smaller file.",
        "ko": "{name}을(를) 읽는 데 {seconds}초가 넘게 걸려 중단했습니다. 더 작은 파일을 올려 주세요.",
    },
    "upload.parse_too_big": {
        "en": "{name} needs more than {memory} of memory to read, more than this server gives one upload, so "
              "reading it was stopped. Upload a smaller file.",
        "ko": "{name}을(를) 읽으려면 메모리가 {memory}보다 많이 필요합니다. 이 서버가 업로드 하나에 주는 양을 넘어 "
              "중단했습니다. 더 작은 파일을 올려 주세요.",
    },
    "upload.unreadable": {
        "en": "{name} could not be read: it does not hold what a file of this kind holds. Check that it is the "
              "right file and upload it again.",
        "ko": "{name}을(를) 읽을 수 없습니다. 이런 종류의 파일에 있어야 할 내용이 들어 있지 않습니다. 올바른 파일인지 "
              "확인하고 다시 올려 주세요.",
    },
    # Pictures (Latent map uploads, images inside a zipped dataset)
    "upload.not_picture": {
        "en": "{name} is not a readable image: it is not a PNG or JPEG file, whatever its name says.",
        "ko": "{name}은(는) 읽을 수 있는 이미지가 아닙니다. 이름과 달리 PNG나 JPEG 파일이 아닙니다.",
    },
    "upload.damaged_picture": {
        "en": "{name} is a damaged or cut-short image: its pixels cannot be read. Save it again and re-upload.",
        "ko": "{name}은(는) 손상되었거나 중간에 잘린 이미지라 픽셀을 읽을 수 없습니다. 다시 저장해서 올려 주세요.",
    },
    "upload.too_many_pixels": {
        "en": "{name} has more than {limit} pixels (about {side}×{side}); it is refused before decoding. "
              "Shrink it first.",
        "ko": "{name}은(는) 픽셀이 {limit}개(약 {side}×{side})를 넘어 디코딩하기 전에 거부했습니다. 먼저 크기를 줄여 주세요.",
    },
    # Datasets: .npz
    "upload.wrong_type": {
        "en": "{name}: expected an .npz file or a .zip of images, not '{suffix}'.",
        "ko": "{name}: .npz 파일이나 이미지 .zip 파일이어야 하는데 '{suffix}' 파일입니다.",
    },
    "upload.npz_single_array": {
        "en": "{name} holds a single array (.npy); save an .npz with np.savez(path, x=images, y=labels).",
        "ko": "{name}에는 배열이 하나뿐입니다(.npy). np.savez(path, x=images, y=labels)로 .npz를 저장하세요.",
    },
    "upload.pickled": {
        "en": "{name} stores Python objects (pickled data), which are refused for safety: they can run code. "
              "Save plain numeric arrays.",
        "ko": "{name}에는 파이썬 객체(pickle 데이터)가 들어 있습니다. 코드를 실행할 수 있어 안전을 위해 거부합니다. "
              "숫자 배열만 저장하세요.",
    },
    "upload.npz_unreadable": {
        "en": "{name} is not a readable .npz archive; save one with np.savez(path, x=images, y=labels).",
        "ko": "{name}은(는) 읽을 수 있는 .npz 파일이 아닙니다. np.savez(path, x=images, y=labels)로 저장하세요.",
    },
    "upload.npz_no_x": {
        "en": "{name} has the arrays {found} but no 'x': save images as x= (and labels as y=).",
        "ko": "{name}에는 배열 {found}만 있고 'x'가 없습니다. 이미지는 x=, 라벨은 y=로 저장하세요.",
    },
    "upload.npz_extra_members": {
        "en": "{name} holds the members {found}; an .npz for this app holds exactly x.npy and, optionally, y.npy. "
              "Save one with np.savez(path, x=images, y=labels).",
        "ko": "{name}에는 {found}이(가) 들어 있습니다. 이 앱의 .npz에는 x.npy와 (있다면) y.npy만 있어야 합니다. "
              "np.savez(path, x=images, y=labels)로 저장하세요.",
    },
    "upload.bad_dtype": {
        "en": "{name}: {array} holds {dtype} values; images must be numbers (uint8 0–255 or floats 0–1).",
        "ko": "{name}: {array}의 자료형이 {dtype}입니다. 이미지는 숫자(uint8 0–255 또는 실수 0–1)여야 합니다.",
    },
    "upload.bad_shape": {
        "en": "{name}: x has shape {shape}; expected (n, height, width) or (n, height, width, channels).",
        "ko": "{name}: x의 모양이 {shape}입니다. (n, 높이, 너비) 또는 (n, 높이, 너비, 채널)이어야 합니다.",
    },
    "upload.no_images": {
        "en": "{name}: x has shape {shape}, so it holds no images.",
        "ko": "{name}: x의 모양이 {shape}이라 이미지가 한 장도 없습니다.",
    },
    "upload.bad_channels": {
        "en": "{name}: images have {channels} channels; expected 1 (grey), 3 (RGB) or 4 (RGBA).",
        "ko": "{name}: 이미지의 채널이 {channels}개입니다. 1(흑백), 3(RGB), 4(RGBA) 중 하나여야 합니다.",
    },
    "upload.too_many_images": {
        "en": "{name} holds {count} images; the limit is {limit}.",
        "ko": "{name}에는 이미지가 {count}장 있습니다. 최대 {limit}장까지 가능합니다.",
    },
    "upload.npz_images_too_big": {
        "en": "{name}: each image is {width}×{height} pixels; images may have at most {limit} pixels.",
        "ko": "{name}: 이미지 한 장이 {width}×{height} 픽셀입니다. 이미지는 최대 {limit} 픽셀까지 가능합니다.",
    },
    "upload.npz_too_big": {
        "en": "{name}: x unpacks to {size}; the limit is {limit}.",
        "ko": "{name}: x의 압축을 풀면 {size}입니다. 최대 {limit}까지 가능합니다.",
    },
    "upload.not_finite": {
        "en": "{name}: x contains NaN or infinite values.",
        "ko": "{name}: x에 NaN이나 무한대 값이 있습니다.",
    },
    "upload.out_of_range": {
        "en": "{name}: x ranges over [{low}, {high}]; expected 0–255 or 0–1.",
        "ko": "{name}: x의 값이 [{low}, {high}] 범위에 있습니다. 0–255나 0–1이어야 합니다.",
    },
    "upload.labels_not_integers": {
        "en": "{name}: y holds {dtype} values that are not whole numbers; labels must be integer class indices.",
        "ko": "{name}: y에 정수가 아닌 {dtype} 값이 있습니다. 라벨은 정수 클래스 번호여야 합니다.",
    },
    "upload.labels_mismatch": {
        "en": "{name}: y has shape {shape}; expected {count} integer labels, one per image.",
        "ko": "{name}: y의 모양이 {shape}입니다. 이미지마다 하나씩, 정수 라벨 {count}개여야 합니다.",
    },
    "upload.labels_negative": {
        "en": "{name}: y has negative labels; expected class indices 0, 1, 2, …",
        "ko": "{name}: y에 음수 라벨이 있습니다. 클래스 번호는 0, 1, 2, …여야 합니다.",
    },
    "upload.too_many_classes": {
        "en": "{name}: y has the label {label}; class indices must be below {limit}.",
        "ko": "{name}: y에 라벨 {label}이(가) 있습니다. 클래스 번호는 {limit}보다 작아야 합니다.",
    },
    # Datasets: .zip of images
    "upload.zip_unreadable": {
        "en": "{name} is not a valid zip archive.",
        "ko": "{name}은(는) 올바른 zip 파일이 아닙니다.",
    },
    "upload.zip_unsafe_path": {
        "en": "{name} contains the unsafe path '{member}' (absolute, or climbing out with ..); the archive is refused.",
        "ko": "{name}에 위험한 경로 '{member}'(절대 경로 또는 ..로 밖을 가리키는 경로)가 있어 파일 전체를 거부했습니다.",
    },
    "upload.zip_no_images": {
        "en": "{name} holds no PNG or JPEG images; put them in one folder per class.",
        "ko": "{name}에 PNG나 JPEG 이미지가 없습니다. 클래스마다 폴더 하나에 이미지를 넣어 주세요.",
    },
    "upload.zip_no_class_folder": {
        "en": "{name}: '{member}' is not inside a class folder; put images in one sub-folder per class "
              "(e.g. cats/1.png, dogs/2.png).",
        "ko": "{name}: '{member}'이(가) 클래스 폴더 안에 있지 않습니다. 클래스마다 하위 폴더 하나에 이미지를 넣어 "
              "주세요 (예: cats/1.png, dogs/2.png).",
    },
    "upload.zip_nested_folders": {
        "en": "{name} has images at different folder depths ('{shallow}' and '{deep}'); put each class's images "
              "directly in its own folder, with no folders inside class folders.",
        "ko": "{name}의 이미지들이 서로 다른 폴더 깊이에 있습니다('{shallow}', '{deep}'). 클래스 폴더 안에 다른 폴더를 "
              "두지 말고 이미지를 바로 넣어 주세요.",
    },
    "upload.zip_too_many_pixels": {
        "en": "{name} holds {count} pictures of {pixels} pixels in all; the limit is {limit} pixels. It was refused "
              "from the pictures' headers, before decoding: upload fewer or smaller pictures.",
        "ko": "{name}에 있는 그림 {count}장의 픽셀이 모두 {pixels}개로, 최대 {limit}개를 넘습니다. 디코딩하기 전에 그림의 "
              "헤더만 보고 거부했습니다. 그림 수나 크기를 줄여 주세요.",
    },
    "upload.zip_member_damaged": {
        "en": "{name}: '{member}' cannot be unpacked; the archive is damaged.",
        "ko": "{name}: '{member}'의 압축을 풀 수 없습니다. 파일이 손상되었습니다.",
    },
    "upload.zip_member_too_large": {
        "en": "{name}: '{member}' unpacks to more than {limit}; images must be smaller.",
        "ko": "{name}: '{member}'의 압축을 풀면 {limit}를 넘습니다. 이미지는 그보다 작아야 합니다.",
    },
    "upload.zip_too_much_data": {
        "en": "{name} unpacks to more than {limit} of images; upload fewer or smaller images.",
        "ko": "{name}의 압축을 풀면 이미지가 {limit}를 넘습니다. 이미지 수나 크기를 줄여 주세요.",
    },
    # Models (.keras)
    "upload.not_keras": {
        "en": "the uploaded file is not a Keras .keras file (those are zip archives). Save a model with "
              "keras.saving.save_model(model, 'name.keras').",
        "ko": "올린 파일은 Keras .keras 파일(zip 형식)이 아닙니다. keras.saving.save_model(model, 'name.keras')로 "
              "저장한 파일을 올려 주세요.",
    },
    "upload.no_config": {
        "en": "the uploaded file is a zip archive but not a Keras model: it has no config.json.",
        "ko": "올린 파일은 zip 파일이지만 Keras 모델이 아닙니다. config.json이 없습니다.",
    },
    "upload.bad_config": {
        "en": "the uploaded file has a damaged config.json ({error}).",
        "ko": "올린 파일의 config.json이 손상되었습니다 ({error}).",
    },
    "upload.lambda": {
        "en": "the uploaded file contains a Lambda layer, which stores Python code. It is refused and never executed; "
              "rebuild the model without Lambda layers.",
        "ko": "올린 파일에 파이썬 코드를 담는 Lambda 층이 있습니다. 실행하지 않고 거부했습니다. Lambda 층 없이 모델을 "
              "다시 만들어 주세요.",
    },
    "upload.custom_code": {
        "en": "the uploaded file needs custom code ({what}) that this app does not have. It is refused and never "
              "executed.",
        "ko": "올린 파일은 이 앱에 없는 사용자 정의 코드({what})가 필요합니다. 실행하지 않고 거부했습니다.",
    },
    "upload.not_ours": {
        "en": "the uploaded file holds a {found} model, not a Latent Explorer model ({kinds}). Train one in the app "
              "or with `python -m latent_core.train` and upload its model.keras.",
        "ko": "올린 파일은 {found} 모델이며 Latent Explorer 모델({kinds})이 아닙니다. 앱이나 "
              "`python -m latent_core.train`으로 학습한 model.keras를 올려 주세요.",
    },
    "upload.too_big_model": {
        "en": "the uploaded file asks for {what}, beyond what this app builds; it was refused before building it.",
        "ko": "올린 파일은 {what}을(를) 요구합니다. 이 앱이 만드는 범위를 넘어 만들기 전에 거부했습니다.",
    },
    "upload.model_unexpected_member": {
        "en": "the uploaded file holds '{member}'; a model file holds only config.json, metadata.json and "
              "model.weights.h5, so it is refused.",
        "ko": "올린 파일에 '{member}'이(가) 들어 있습니다. 모델 파일에는 config.json, metadata.json, "
              "model.weights.h5만 있어야 하므로 거부했습니다.",
    },
    "upload.model_member_too_large": {
        "en": "the uploaded file's {member} unpacks to over {limit}; it was refused before unpacking it.",
        "ko": "올린 파일의 {member}을(를) 풀면 {limit}를 넘습니다. 풀기 전에 거부했습니다.",
    },
    "upload.no_weights": {
        "en": "the uploaded file has no model.weights.h5: it holds no weights.",
        "ko": "올린 파일에 model.weights.h5가 없어 가중치가 하나도 없습니다.",
    },
    "upload.plain_layer": {
        "en": "the uploaded Keras model cannot be rebuilt by this app: {layer} {reason}.",
        "ko": "올린 Keras 모델은 이 앱이 다시 만들 수 없습니다: {layer} — {reason}.",
    },
    "upload.plain_not_autoencoder": {
        "en": "the uploaded Keras model is none this app can explore (an autoencoder, an encoder with its decoder, "
              "or a generator of images from noise): {error}.",
        "ko": "올린 Keras 모델은 이 앱이 탐색할 수 있는 모델(오토인코더, 인코더와 디코더, 잡음에서 이미지를 만드는 "
              "생성자)이 아닙니다: {error}.",
    },
    "upload.plain_unsupported_layer": {
        "en": "the uploaded Keras model's layer {layer} is a {found} layer, which this app does not rebuild; it "
              "rebuilds models of {supported} layers.",
        "ko": "올린 Keras 모델의 층 {layer}은(는) {found} 층인데, 이 앱은 이 층을 다시 만들지 않습니다. 다시 만들 수 있는 "
              "층: {supported}.",
    },
    "upload.plain_no_code": {
        "en": "the uploaded Keras autoencoder has no code to explore: its narrowest layer, {layer}, has {values} "
              "values, not fewer than its input's {input_values}.",
        "ko": "올린 Keras 오토인코더에는 탐색할 코드가 없습니다. 가장 좁은 층 {layer}의 값이 {values}개로, 입력의 "
              "{input_values}개보다 적지 않습니다.",
    },
    "upload.plain_encoder_shape": {
        "en": "the encoder gives codes of shape {gives}, but the decoder takes {takes}.",
        "ko": "인코더가 내는 코드의 크기는 {gives}인데, 디코더는 {takes} 크기를 받습니다.",
    },
    "upload.plain_decoder_shape": {
        "en": "the decoder gives outputs of shape {gives}, but the encoder takes {takes}.",
        "ko": "디코더가 내는 출력의 크기는 {gives}인데, 인코더는 {takes} 크기를 받습니다.",
    },
    "upload.plain_no_dataset": {
        "en": "the uploaded Keras model works on values of shape {shape}, which no dataset here has (they have "
              "{known}); upload data of that shape on the Data page first.",
        "ko": "올린 Keras 모델은 {shape} 크기의 값을 다루는데, 여기에는 그런 데이터셋이 없습니다 (있는 크기: {known}). "
              "먼저 데이터 페이지에서 그 크기의 데이터를 올리세요.",
    },
    "upload.plain_pair_part": {
        "en": "{part} is not a plain Keras model; an encoder and its decoder are two Sequential or functional "
              "Keras models.",
        "ko": "{part}은(는) 일반 Keras 모델이 아닙니다. 인코더와 디코더는 각각 Sequential 또는 함수형 Keras 모델이어야 "
              "합니다.",
    },
    "upload.bad_option": {
        "en": "the uploaded file sets the option {option} to {value}, which this app does not accept: it {reason}.",
        "ko": "올린 파일은 옵션 {option}을(를) {value}(으)로 정했는데, 이 앱은 받지 않습니다. 이유: {reason}.",
    },
    # Why an option or a layer's field is refused (latent_core.models.options.REFUSAL_REASONS), put
    # into upload.bad_option and upload.plain_layer.
    "upload.reason_in_field": {"en": "{field} {reason}", "ko": "{field}: {reason}"},
    "upload.reason.not_integer": {"en": "must be an integer", "ko": "정수여야 합니다"},
    "upload.reason.not_number": {"en": "must be a number", "ko": "숫자여야 합니다"},
    "upload.reason.not_finite": {"en": "must be finite", "ko": "유한한 값이어야 합니다"},
    "upload.reason.below_minimum": {"en": "must be at least {minimum}", "ko": "{minimum} 이상이어야 합니다"},
    "upload.reason.above_maximum": {"en": "must be at most {maximum}", "ko": "{maximum} 이하여야 합니다"},
    "upload.reason.not_bool": {"en": "must be true or false", "ko": "true 또는 false여야 합니다"},
    "upload.reason.not_name": {
        "en": "must be a name of letters, digits and _.- (at most {length})",
        "ko": "영문자, 숫자, _.- 로 된 이름이어야 합니다 (최대 {length}자)",
    },
    "upload.reason.not_choice": {"en": "must be one of {choices}", "ko": "{choices} 중 하나여야 합니다"},
    "upload.reason.not_list": {"en": "must be a list", "ko": "목록이어야 합니다"},
    "upload.reason.too_many_entries": {"en": "may have at most {count} entries",
                                       "ko": "항목이 최대 {count}개까지 허용됩니다"},
    "upload.reason.too_few_entries": {"en": "needs at least {count} entries", "ko": "항목이 {count}개 이상 필요합니다"},
    "upload.reason.repeated_entry": {"en": "lists an entry twice", "ko": "같은 항목이 두 번 있습니다"},
    "upload.reason.not_pair": {"en": "must be a [low, high] pair", "ko": "[최소, 최대] 두 값이어야 합니다"},
    "upload.reason.not_shape": {"en": "must be [features] or [height, width, channels]",
                                "ko": "[특성 수] 또는 [높이, 너비, 채널]이어야 합니다"},
    "upload.reason.too_many_values": {"en": "has over {count} values", "ko": "값이 {count}개를 넘습니다"},
    "upload.reason.not_options": {"en": "must be an object of options", "ko": "옵션 객체여야 합니다"},
    "upload.reason.unknown_option": {"en": "is not an option of {kind}", "ko": "{kind}의 옵션이 아닙니다"},
    "upload.reason.missing": {"en": "is missing", "ko": "빠져 있습니다"},
    "upload.reason.not_layer_list": {"en": "must be a list of layers", "ko": "층의 목록이어야 합니다"},
    "upload.reason.no_layer_list": {"en": "holds no list of layers", "ko": "층 목록이 없습니다"},
    "upload.reason.too_many_layers": {"en": "more than {count} layers", "ko": "층이 {count}개보다 많습니다"},
    "upload.reason.no_input": {"en": "the model must start with keras.Input(shape=...)",
                               "ko": "모델은 keras.Input(shape=...)으로 시작해야 합니다"},
    "upload.reason.no_layers": {"en": "the model has no layers after its input", "ko": "모델에 입력 뒤의 층이 없습니다"},
    "upload.reason.not_layer": {"en": "is not a layer description", "ko": "층 설명이 아닙니다"},
    "upload.reason.unsupported_layer": {
        "en": "is a {found} layer; models of {supported} layers are supported",
        "ko": "{found} 층입니다. 지원하는 층: {supported}",
    },
    "upload.reason.fixed_value": {"en": "must be {expected} here", "ko": "여기서는 {expected}이어야 합니다"},
    "upload.reason.not_float32": {"en": "must be float32", "ko": "float32여야 합니다"},
    "upload.reason.unknown_field": {"en": "has a field {entry} this app does not rebuild",
                                    "ko": "이 앱이 다시 만들지 않는 필드 {entry}이(가) 있습니다"},
    "upload.reason.output_count": {
        "en": "the model must have one output (or a mean and a log-variance), its last layers",
        "ko": "모델의 출력은 하나(또는 평균과 로그 분산)이며 마지막 층이어야 합니다",
    },
    "upload.reason.two_outputs": {
        "en": "a model with two outputs must end in two layers taking the same input (a mean and a log-variance)",
        "ko": "출력이 둘인 모델은 같은 입력을 받는 두 층(평균과 로그 분산)으로 끝나야 합니다",
    },
    "upload.reason.not_a_chain": {
        "en": "does not take the previous layer's output alone; only models whose layers form one chain are "
              "supported",
        "ko": "앞 층의 출력만 받지 않습니다. 층들이 한 줄로 이어진 모델만 지원합니다",
    },
    "upload.reason.output_not_last": {"en": "the model's output must be its last layer",
                                      "ko": "모델의 출력은 마지막 층이어야 합니다"},
    "upload.reason.input_with_batch": {"en": "the input needs a shape without its batch size",
                                       "ko": "입력 모양에 배치 크기가 없어야 합니다"},
    "upload.weights_odd_storage": {
        "en": "the uploaded file's weights are stored in a way this app does not read ({what}).",
        "ko": "올린 파일의 가중치가 이 앱이 읽지 않는 방식으로 저장되어 있습니다 ({what}).",
    },
    "upload.weights_not_stored": {
        "en": "the uploaded file's weights file declares '{what}' but does not store its values.",
        "ko": "올린 파일의 가중치 파일은 '{what}'을(를) 선언만 하고 값을 저장하지 않았습니다.",
    },
    "upload.weights_compressed": {
        "en": "the uploaded file's weights '{what}' are packed far tighter than trained weights can be; "
              "the file is refused.",
        "ko": "올린 파일의 가중치 '{what}'이(가) 학습된 가중치로는 불가능할 만큼 압축되어 있어 거부했습니다.",
    },
    "upload.weights_mismatch": {
        "en": "the uploaded file's weights do not match the model its options describe ({what}).",
        "ko": "올린 파일의 가중치가 옵션이 말하는 모델과 맞지 않습니다 ({what}).",
    },
    "upload.damaged": {
        "en": "the uploaded file is damaged: its archive or its weights cannot be read.",
        "ko": "올린 파일이 손상되어 압축 파일이나 가중치를 읽을 수 없습니다.",
    },
    "upload.weights_not_finite": {
        "en": "the uploaded file holds weights that are NaN or infinite, so it cannot compute anything.",
        "ko": "올린 파일의 가중치에 NaN이나 무한대 값이 있어 아무것도 계산할 수 없습니다.",
    },
    "upload.wrong_shape": {
        "en": "this model takes inputs of shape {model_shape}, but {data_name} has shape {data_shape}. Pick a dataset "
              "of that shape or train a model on {data_name}.",
        "ko": "이 모델의 입력 모양은 {model_shape}인데 {data_name}의 모양은 {data_shape}입니다. 그 모양의 데이터셋을 "
              "고르거나 {data_name}으로 모델을 학습하세요.",
    },
}
