"""Page layouts that hold from a phone to a desktop: blocks that wrap instead of being squeezed."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator


def input_beside_results(key: str, *, input_width: int, results_min_width: int) -> tuple[DeltaGenerator, DeltaGenerator]:
    """An input block ``input_width`` px wide and a results block filling the rest of the row.

    Where the results would be narrower than ``results_min_width`` px (a tablet with its
    sidebar open, a phone) they move below the input and take the whole width instead.
    """
    st.html(f'<style>[data-testid="stLayoutWrapper"]:has(> .st-key-{key}-results) '
            f"{{ min-width: min({results_min_width}px, 100%); }}</style>")
    row = st.container(horizontal=True, gap="medium", key=key)
    return row.container(width=input_width, key=f"{key}-input"), row.container(key=f"{key}-results")
