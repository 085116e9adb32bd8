"""Texts of the shared drawing canvas (ui/canvas.py)."""

TEXT = {
    "canvas.clear": {"en": "Clear the canvas", "ko": "캔버스 지우기"},
}
