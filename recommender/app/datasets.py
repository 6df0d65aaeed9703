"""Which dataset a page shows: the sidebar picker over the GroupLens catalogue, ``?dataset=`` in
the URL, on-demand verified downloads with a progress bar, and a visitor's own upload.

Where the data comes from, per script run:

1. ``$MOVIELENS_DIR`` set: that folder or zip (the picker only shows it), or this session's upload;
2. otherwise the catalogue dataset chosen in the picker or by ``?dataset=`` (default
   ``$MOVIELENS_DATASET``, else ml-latest-small), downloaded on first use into the data home and
   checked against the MD5 GroupLens publishes beside it (:func:`recommender.data.load_dataset`);
3. or this session's upload (:func:`recommender.data.read_upload`): kept in ``st.session_state``
   only, so no other visitor can reach it and it is gone with the session.

Memory (:mod:`recommender.app.memory`: peaks measured with every page visited): a dataset above
Streamlit Cloud's memory is labelled "needs ~N GB: run locally", and one that exceeds the memory
available now is refused.
"""

from __future__ import annotations

import contextlib
import dataclasses
import tempfile
import time
import weakref
from pathlib import Path

import streamlit as st

from recommender import settings
from recommender.app.cache import get_dataset, get_movielens, job_runner
from recommender.app.memory import (
    BASE_BYTES,
    CLOUD_BYTES,
    MEASURED_PEAKS,
    estimated_bytes,
    gb_label,
    memory_note,
)
from recommender.app.text import code_block, plain
from recommender.data import (
    DataError,
    DatasetInfo,
    MovieLens,
    find_dataset,
    known_datasets,
    local_copy,
    read_upload,
    resolve_source,
)
from recommender.data.transfer import human_bytes

__all__ = [
    "MEASURED_PEAKS",
    "CLOUD_BYTES",
    "ENV_CHOICE",
    "UPLOAD_CHOICE",
    "URL_KEY",
    "available_memory_bytes",
    "choose_and_load",
    "default_dataset_on_disk",
    "estimated_bytes",
    "memory_note",
    "private_results_dir",
]

URL_KEY = "dataset"
ENV_CHOICE = "(MOVIELENS_DIR)"  # the folder $MOVIELENS_DIR names (or an unknown $MOVIELENS_DATASET)
UPLOAD_CHOICE = "(upload)"  # this session's own dataset

_CHOICE = "dataset_choice"  # the chosen option (kept across pages)
_WIDGET = "dataset_picker"
_URL_SEEN = "dataset_url_seen"  # the ?dataset= value last adopted or written
_UPLOAD = "dataset_upload"  # this session's uploaded MovieLens
_UPLOAD_ERROR = "dataset_upload_error"
_UPLOAD_WIDGET = "dataset_upload_files"
_LAST_GOOD = "dataset_last_good"  # the option shown before: where a failed choice goes back


def _read_int(path: str) -> int | None:
    try:
        text = Path(path).read_text().split()[0]
    except (OSError, IndexError):
        return None
    return int(text) if text.isdigit() else None


def available_memory_bytes() -> int | None:
    """Memory this process could still take: the system's MemAvailable, capped by the cgroup's
    limit minus its usage (a container, Streamlit Cloud). None when it cannot be read."""
    try:
        meminfo = Path("/proc/meminfo").read_text()
    except OSError:
        meminfo = ""
    free = next(
        (int(line.split()[1]) * 1024 for line in meminfo.splitlines()
         if line.startswith("MemAvailable:")),
        None,
    )  # fmt: skip
    for limit_file, usage_file in (
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
        ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"),
    ):  # fmt: skip
        limit, usage = _read_int(limit_file), _read_int(usage_file)
        if limit is not None and usage is not None and limit < 1 << 60:
            room = max(0, limit - usage)
            free = room if free is None else min(free, room)
            break
    return free


_LOADED: set[tuple[str, str]] = set()  # (name, data home) loaded by this process: fits


def _refusal(info: DatasetInfo) -> str | None:
    """Why ``info`` may not be loaded here (more than the memory available), or None. The app
    already runs, so only the dataset's own share of the estimate must still fit."""
    if (info.name, str(settings.data_home())) in _LOADED:
        return None
    need = estimated_bytes(info.n_ratings) - BASE_BYTES
    have = available_memory_bytes()
    if have is None or need <= have:
        return None
    return (
        f"{info.name} needs about {human_bytes(need)} more memory and only {human_bytes(have)} "
        f"is available here, so it was not loaded (in all, the app needs about "
        f"{gb_label(estimated_bytes(info.n_ratings))} with it). Run the app on a machine with more "
        f"memory (MOVIELENS_DATASET={info.name} streamlit run streamlit_app.py) or choose a "
        "smaller dataset."
    )


# ------------------------------------------------------------------------------ choosing


def _default_choice() -> str:
    if settings.movielens_dir() is not None:
        return ENV_CHOICE
    name = settings.dataset_name()
    info = find_dataset(name)
    return info.name if info else ENV_CHOICE


def _options() -> list[str]:
    if settings.movielens_dir() is not None:
        options = [ENV_CHOICE]
    else:
        options = sorted(known_datasets(), key=lambda n: n != settings.DEFAULT_DATASET)
        if _default_choice() == ENV_CHOICE:
            options.insert(0, ENV_CHOICE)
    if _UPLOAD in st.session_state:
        options.append(UPLOAD_CHOICE)
    return options


def _label(option: str) -> str:
    if option == UPLOAD_CHOICE:
        return "Your own dataset (this session only)"
    if option == ENV_CHOICE:
        env = settings.movielens_dir()
        return f"{env.name} ({settings.ENV_DIR})" if env else settings.dataset_name()
    info = find_dataset(option)
    assert info is not None
    note = memory_note(info)  # first: the sidebar's narrow menu cuts long labels
    if note:
        return f"{info.name} — {note}"
    n = info.n_ratings
    count = f"{n:,}" if n < 1e6 else f"{n / 1e6:.0f}M"
    return f"{info.name} — {count} ratings ({human_bytes(info.zip_bytes)})"


def _adopt_url(options: list[str]) -> str | None:
    """On a new ``?dataset=`` value, make it the choice; a warning (plain text) for a value that
    cannot be used."""
    state = st.session_state
    value = st.query_params.get(URL_KEY)
    if value is None or value == state.get(_URL_SEEN):
        return None
    state[_URL_SEEN] = value
    if value in options and value not in (ENV_CHOICE, UPLOAD_CHOICE):
        state[_CHOICE] = value
        return None
    state[_CHOICE] = _default_choice()
    shown = _label(state[_CHOICE])
    if settings.movielens_dir() is not None and find_dataset(value) is not None:
        return (
            f"The link asks for the dataset {value!r}, but this server reads the folder "
            f"{settings.ENV_DIR} names: showing {shown}."
        )
    return (
        f"Unknown dataset {value!r} in the link: showing {shown}. Known datasets: "
        f"{', '.join(known_datasets())}."
    )


def _write_url(choice: str) -> None:
    """The URL names the chosen catalogue dataset (nothing for the default, the folder
    ``$MOVIELENS_DIR`` names, or an upload, which only exists in this session)."""
    value = choice if find_dataset(choice) and choice != _default_choice() else None
    if value is None:
        st.query_params.pop(URL_KEY, None)
    elif st.query_params.get(URL_KEY) != value:
        st.query_params[URL_KEY] = value
    st.session_state[_URL_SEEN] = value


def _on_pick() -> None:
    st.session_state[_CHOICE] = st.session_state[_WIDGET]


def _dataset_facts(choice: str) -> None:
    info = find_dataset(choice)
    if info is None:
        return
    facts = (
        f"{human_bytes(info.zip_bytes)} download · {info.n_ratings:,} ratings · "
        f"{info.n_users:,} users · {info.n_movies:,} movies"
    )
    note = memory_note(info)
    st.caption(plain(facts) + (f" · **{plain(note)}**" if note else ""))
    st.caption(plain(info.licence))


def _render_picker() -> str:
    """The sidebar picker; returns the chosen option."""
    state = st.session_state
    options = _options()
    warning = _adopt_url(options)
    if state.get(_CHOICE) not in options:
        state[_CHOICE] = _default_choice()
    state[_WIDGET] = state[_CHOICE]
    with st.sidebar:
        if len(options) == 1:  # $MOVIELENS_DIR and no upload: nothing to choose
            st.caption(
                plain(
                    f"Set by {settings.ENV_DIR} on this server: {_label(options[0])}. "
                    "Choosing a GroupLens dataset is off; you can upload your own."
                )
            )
        else:
            st.selectbox(
                "Dataset",
                options,
                key=_WIDGET,
                format_func=_label,
                on_change=_on_pick,
                help="GroupLens MovieLens datasets: one not on this server yet is downloaded when "
                "you choose it, and checked against GroupLens's published size and checksums.",
            )
        _dataset_facts(state[_CHOICE])
        _render_upload()
    if warning:
        st.warning(plain(warning), icon="⚠️")
    return state[_CHOICE]


# ------------------------------------------------------------------------------ your own dataset


def _on_upload() -> None:
    state = st.session_state
    files = state.get(_UPLOAD_WIDGET) or []
    state.pop(_UPLOAD_ERROR, None)
    if not files:
        return
    try:
        ml = read_upload({f.name: f.getvalue() for f in files})
    except DataError as error:
        state[_UPLOAD_ERROR] = str(error)
        return
    # the name carries the content's fingerprint: results saved per dataset name never mix two
    # visitors' different files
    tag = ml.fingerprint[:8] or f"{time.time_ns():x}"[-8:]
    state[_UPLOAD] = dataclasses.replace(ml, name=f"{ml.name} #{tag}")
    state[_CHOICE] = UPLOAD_CHOICE


def _forget_upload() -> None:
    state = st.session_state
    state.pop(_UPLOAD, None)
    state.pop(_UPLOAD_ERROR, None)
    if state.get(_CHOICE) == UPLOAD_CHOICE:
        state[_CHOICE] = _default_choice()


def _render_upload() -> None:
    limit = settings.upload_limit_bytes()
    in_use = _UPLOAD_ERROR in st.session_state or _UPLOAD in st.session_state
    box = st.expander("Your own dataset", expanded=in_use, key="dataset_upload_box",
                      on_change="rerun")  # fmt: skip
    if not box.open:  # drawn only while open: every page's first paint skips the uploader
        return
    with box:
        st.file_uploader(
            "ratings.csv (userId, movieId, rating, optional timestamp), optionally movies.csv, "
            "tags.csv, links.csv — or one zip of them",
            type=["csv", "zip"], accept_multiple_files=True, key=_UPLOAD_WIDGET,
            on_change=_on_upload,
        )  # fmt: skip
        st.caption(
            f"Up to {human_bytes(limit)} ({settings.ENV_UPLOAD_MB}). Only you see it: it is "
            "kept in this browser session, never in the server's data folder, and is gone when "
            "the session ends."
        )
        error = st.session_state.get(_UPLOAD_ERROR)
        if error:
            st.error(f"**Your dataset could not be used.** {plain(error)}", icon="🚫")
        if _UPLOAD in st.session_state:
            st.button("Forget my dataset", key="dataset_forget", on_click=_forget_upload)


# ------------------------------------------------------------------------------ loading


class _Progress:
    """``progress(done, total)`` for the data layer: a bar with the bytes and an ETA."""

    def __init__(self, name: str):
        self.name = name
        self.bar = st.progress(0.0, text=f"Downloading {name} from GroupLens…")
        self.start = time.monotonic()
        self.shown = -1.0

    def __call__(self, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - self.shown < 0.25 and (not total or done < total):
            return  # one websocket message per quarter second, not per chunk
        self.shown = now
        elapsed = now - self.start
        if not total:
            self.bar.progress(0.0, text=f"Downloading {self.name}: {human_bytes(done)}")
            return
        eta = ""
        if done and elapsed > 0.5:
            left = (total - done) * elapsed / done
            eta = f" · about {left:,.0f} s left" if left >= 1 else " · almost done"
        self.bar.progress(
            min(done / total, 1.0),
            text=f"Downloading {self.name}: {human_bytes(done)} of {human_bytes(total)}{eta}",
        )


def _load(choice: str) -> MovieLens:
    """The chosen dataset; raises :class:`DataError`."""
    if choice == UPLOAD_CHOICE:
        return st.session_state[_UPLOAD]
    info = find_dataset(choice)
    if info is None:
        return get_movielens()
    refusal = _refusal(info)
    if refusal:
        raise DataError(refusal)
    progress = _Progress(info.name)
    try:
        ml = get_dataset(info.name, progress=progress)
    finally:
        progress.bar.empty()
    _LOADED.add((info.name, str(settings.data_home())))
    return ml


def _stop_with(error: DataError) -> None:
    st.error(f"**The MovieLens data could not be loaded.**\n\n{code_block(error)}", icon="🚫")
    if settings.movielens_dir() is not None:
        st.info(
            f"To use a copy you already have, set {settings.ENV_DIR} to its folder or zip and "
            f"restart, e.g. {settings.ENV_DIR}=~/Downloads/ml-latest-small streamlit run "
            "streamlit_app.py",
            icon="💡",
        )
    else:
        st.info("Choose another dataset in the sidebar, or try again later.", icon="💡")
    st.stop()


def choose_and_load() -> MovieLens:
    """Draw the sidebar picker and the upload, and return the chosen dataset. A dataset that
    cannot be loaded (refused, download failed, bad data) shows why and stops the page; the picker
    then goes back to the dataset shown before."""
    state = st.session_state
    choice = _render_picker()
    try:
        ml = _load(choice)
    except DataError as error:
        fallback = state.get(_LAST_GOOD, _default_choice())
        state[_CHOICE] = fallback if fallback != choice else _default_choice()
        _write_url(state[_CHOICE])
        _stop_with(error)
        raise  # unreachable: st.stop() ends the run
    state[_LAST_GOOD] = choice
    _write_url(choice)
    return ml


def default_dataset_on_disk() -> MovieLens | None:
    """The dataset a new visitor's first page shows, read through the shared cache, if it is on
    disk already; None when it would have to be downloaded first (that waits for a visitor, who
    sees the progress). Raises :class:`DataError` for bad data."""
    choice = _default_choice()
    info = find_dataset(choice)
    if info is None:
        return get_movielens() if resolve_source() is not None else None
    if local_copy(info, settings.data_home()) is None:
        return None
    return get_dataset(info.name)


_RESULTS_FOLDER = "dataset_results_folder"  # session state: this session's own results folder


def _cancel_jobs_in(path: str) -> None:
    with contextlib.suppress(Exception):  # at interpreter exit the runner may be gone already
        job_runner().cancel_in(path)


class _SessionFolder:
    """A temporary folder that lives as long as the visitor's session: kept in its session
    state, so when Streamlit drops the session the folder's grid jobs are cancelled and the
    folder is deleted (``TemporaryDirectory`` removes itself when collected)."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="movielens-session-")
        self.path = self._folder.name
        weakref.finalize(self, _cancel_jobs_in, self.path)


def private_results_dir(ml: MovieLens) -> str | None:
    """Where Compare models keeps results of ``ml``: this session's own folder for a visitor's
    upload (never the shared results, gone with the session), None (the shared folder) otherwise."""
    if not ml.is_upload:
        return None
    folder = st.session_state.get(_RESULTS_FOLDER)
    if folder is None or not Path(folder.path).is_dir():
        folder = st.session_state[_RESULTS_FOLDER] = _SessionFolder()
    return folder.path
