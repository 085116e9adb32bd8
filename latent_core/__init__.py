"""Latent Explorer's core: datasets, models, training, latents and projections.

Nothing in this package imports Streamlit; the pages in ``pages/`` are thin UI over it.
"""
