"""Latent Explorer: the Streamlit entry point (`streamlit run app.py`)."""

from ui.shell import run

run()
