"""The app layer: the only part of the package that imports Streamlit.

:mod:`~.frame` (page config, sidebar navigation, data loading, plain-text escaping),
:mod:`~.cache` (every ``st.cache_*``) and :mod:`~.url_state` (everything kept in the URL). Pages
(``streamlit_app.py`` and ``pages/``) are layouts of small render functions over these and the
rest of the package.
"""

__all__ = []
