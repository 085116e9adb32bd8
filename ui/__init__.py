"""Streamlit-side helpers shared by the pages: the app shell and the UI's text."""
