"""The server's start-up (recommender/app/server.py): `streamlit_app.py` imported as the server,
the warm start that readies the default dataset and recommender, and that it never downloads."""

from __future__ import annotations

import importlib
import sys

import streamlit as st

from recommender.app import cache, server
from recommender.settings import ENV_DATA_HOME, ENV_DATASET, ENV_DIR
from tests.conftest import PROJECT_ROOT


def test_imported_streamlit_app_defines_the_server_with_the_start_up_hook(monkeypatch):
    monkeypatch.syspath_prepend(str(PROJECT_ROOT))
    sys.modules.pop("streamlit_app", None)
    module = importlib.import_module("streamlit_app")  # as `streamlit run` imports it
    try:
        assert isinstance(module.app, st.App)
        assert callable(module.main)  # the Overview, run only as a script
    finally:
        sys.modules.pop("streamlit_app", None)


def test_warm_start_reads_the_default_dataset_and_starts_the_default_fit(monkeypatch, ml):
    monkeypatch.setenv(ENV_DIR, str(ml.source))
    cache._WARMED.clear()
    server.warm_start()
    assert list(cache._WARMED) == [ml.key]  # the same key the pages' frame uses
    rec = cache._WARMED[ml.key].result(timeout=300)
    assert rec.model_ is not None
    top = rec.for_new_user({})  # the crowd list a first visitor sees
    assert len(top) == 5


def test_warm_start_never_downloads_and_never_raises(monkeypatch, tmp_path):
    monkeypatch.delenv(ENV_DIR, raising=False)
    monkeypatch.setenv(ENV_DATA_HOME, str(tmp_path))
    monkeypatch.setenv(ENV_DATASET, "ml-latest-small")
    cache._WARMED.clear()
    server.warm_start()  # nothing on disk: left to the first visitor, who sees the progress
    assert cache._WARMED == {}
    assert list(tmp_path.iterdir()) == []


def test_warm_start_with_a_bad_folder_logs_and_leaves_the_page_to_report_it(monkeypatch, caplog):
    monkeypatch.setenv(ENV_DIR, "/no/such/folder")
    cache._WARMED.clear()
    server.warm_start()
    assert cache._WARMED == {}
    assert "warm start skipped" in caplog.text
