"""Words several pages share, under one key each."""

TEXT = {
    "common.class": {"en": "Class", "ko": "클래스"},
    "common.compression": {"en": "Compression", "ko": "압축률"},
}
