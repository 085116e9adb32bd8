"""Latent Explorer: the Streamlit entry point (`streamlit run app.py`)."""

from ui.runtime import freeze_library_objects
from ui.shell import run

freeze_library_objects()
run()
