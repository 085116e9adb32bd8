"""UI text, one module per page (each defines ``TEXT``), merged by ``ui.text``."""
