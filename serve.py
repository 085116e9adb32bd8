"""Latent Explorer's server, warm before its first visitor: ``streamlit run serve.py``.

The same app as ``streamlit run app.py`` (``app.py`` is the script every visitor's page runs), served
as Streamlit's ASGI app so that the server's lifespan starts the warm-up (``ui/warmup.py``) as soon as
Streamlit's runtime has started: TensorFlow imported and the default dataset and model loaded into the
pages' caches in a background thread while the health check answers, holding its import of TensorFlow
while a first visitor's page, once that browser has asked for it, is being drawn. ``GET /api/warmup``
says how far it got. ``LATENT_EXPLORER_WARMUP=0`` turns the warm-up off.
"""

from streamlit.starlette import App

from ui import warmup

app = App("app.py", lifespan=warmup.lifespan, routes=warmup.routes(), middleware=warmup.middleware())
