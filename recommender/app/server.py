"""What the server does once, when it starts: be ready before the first visitor arrives.

``streamlit run streamlit_app.py`` finds the ``st.App`` that ``streamlit_app.py`` defines when it
is imported (Streamlit's public ASGI entry point) and serves it; importing that file imports the
whole package once, before the server answers, so no visitor's first script run pays for the
imports (~1.4 s here). :func:`lifespan` then starts :func:`warm_start` in a background thread:
the default dataset is read (if it is on disk: a download waits for a visitor, who sees its
progress), the default recommender starts fitting and the KNN kernels start compiling, all as
:func:`recommender.app.cache.warm_up` does on a first page view. The server answers at once; a
visitor who comes earlier joins the same cached work instead of repeating it.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import logging
import threading
from collections.abc import AsyncIterator

from recommender.app.cache import warm_up
from recommender.app.datasets import default_dataset_on_disk

__all__ = ["lifespan", "warm_start"]

_LOG = logging.getLogger(__name__)

PAGE_MODULES = ("recommender.explore", "recommender.evaluation.charts", "recommender.recommend")
"""What the pages import beyond the frame (plotly among them): imported with this module, once,
while the server starts."""
for _name in PAGE_MODULES:
    importlib.import_module(_name)
# The ~200,000 objects of the imported modules live as long as the server: out of the collector's
# way, so Python's automatic full collections do not walk them again and again.
gc.freeze()


def warm_start() -> None:
    """Read the default dataset if it is on disk and start fitting its recommender. Never raises:
    whatever fails here is met, and reported, by the first page that needs it."""
    try:
        ml = default_dataset_on_disk()
        if ml is not None:
            warm_up(ml)
    except Exception as error:  # a head start only: the page reports the problem
        _LOG.warning("warm start skipped: %s", error)


@contextlib.asynccontextmanager
async def lifespan(app: object) -> AsyncIterator[None]:
    """The ``st.App`` lifespan: start :func:`warm_start` beside the server, which answers at once."""
    threading.Thread(target=warm_start, name="warm-start", daemon=True).start()
    yield
