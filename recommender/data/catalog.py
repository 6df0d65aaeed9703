"""The GroupLens MovieLens datasets this project knows: what each zip holds and how to check it.

Every figure comes from a source named beside it:

* counts of ratings, tags, movies and users: the dataset's own README (``README.txt`` or
  ``ml-*-README.html`` at https://files.grouplens.org/datasets/movielens/), quoted on
  https://grouplens.org/datasets/movielens/;
* zip sizes and SHA-256: TensorFlow Datasets' record of the GroupLens files
  (``tensorflow_datasets/url_checksums/movielens.txt``) for ml-latest-small, ml-100k, ml-1m,
  ml-20m and ml-25m; for ml-32m and ml-10m, projects that pinned the zip they downloaded (size
  238,950,008 with its SHA-256; size 65,566,137) — each noted on its entry;
* MD5: the ``NAME.zip.md5`` files GroupLens publishes beside each zip, as quoted (``MD5 (ml-1m.zip)
  = …``) by projects that verify their downloads against them. None could be found for
  ml-latest-small here (no internet): its download is checked against the ``.md5`` fetched at
  download time, or else the pinned size and SHA-256;
* per-file SHA-256 of ml-latest-small: the byte-identical shared copy
  (``shared/movielens/ml-latest-small.sha256``), release generated 2018-09-26.

SHA-256 pins are used only where one is recorded (``zip_sha256`` is None otherwise); the size and
MD5 pins likewise. :mod:`~recommender.data.download` says which check each download passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from recommender.data.movielens import DataError

__all__ = ["CATALOG", "DatasetInfo", "LAYOUTS", "dataset_info", "find_dataset", "known_datasets"]

LAYOUTS = ("csv", "100k", "1m", "10m")
"""``csv``: ratings/movies/tags/links.csv (UTF-8, headed). ``100k``: u.data (tab), u.item and
u.genre ('|', latin-1). ``1m``: ratings/movies/users.dat ('::', latin-1). ``10m``:
ratings/movies/tags.dat ('::'; half stars; tags ``userId::movieId::tag::timestamp``)."""

_CSV_LICENCE = (
    "GroupLens usage licence (README): research use; no endorsement by the University of Minnesota "
    "implied; cite Harper & Konstan (2015); redistribution only under the same licence; no "
    "commercial use without permission."
)
_OLD_LICENCE = (
    "GroupLens usage licence (README): research use; no endorsement by the University of Minnesota "
    "implied; cite Harper & Konstan (2015); no redistribution without separate permission; no "
    "commercial use without permission."
)


@dataclass(frozen=True)
class DatasetInfo:
    """One GroupLens dataset as published: its zip, layout, size, contents and checksums."""

    name: str
    zip_name: str
    folder: str  # the one top-level folder inside the zip
    layout: str  # one of LAYOUTS
    zip_bytes: int
    n_ratings: int
    n_users: int
    n_movies: int
    n_tags: int
    rating_scale: tuple[float, float]
    rating_step: float
    has_tags: bool
    has_links: bool
    movie_ids_are_movielens: bool
    licence: str
    zip_md5: str | None = None
    zip_sha256: str | None = None
    file_sha256: dict[str, str] = field(default_factory=dict)
    released: str = ""  # when GroupLens generated or released it (README, datasets page)

    @property
    def label(self) -> str:
        """ "ml-25m — 25,000,095 ratings, 162,541 users, 62,423 movies (262 MB)"."""
        return (
            f"{self.name} — {self.n_ratings:,} ratings, {self.n_users:,} users, "
            f"{self.n_movies:,} movies ({self.zip_bytes / 1e6:,.0f} MB)"
        )


CATALOG: dict[str, DatasetInfo] = {
    info.name: info
    for info in (
        DatasetInfo(
            # README.txt of the shared, byte-identical copy: 100836 ratings, 3683 tags, 9742
            # movies, 610 users; generated September 26, 2018. Size and SHA-256: TFDS.
            name="ml-latest-small", zip_name="ml-latest-small.zip", folder="ml-latest-small",
            layout="csv", zip_bytes=978_202,
            n_ratings=100_836, n_users=610, n_movies=9_742, n_tags=3_683,
            rating_scale=(0.5, 5.0), rating_step=0.5, has_tags=True, has_links=True,
            movie_ids_are_movielens=True, licence=_CSV_LICENCE,
            zip_sha256="696d65a3dfceac7c45750ad32df2c259311949efec81f0f144fdfb91ebc9e436",
            file_sha256={
                "links.csv": "028a4a1d17751ca9276e0e0718cfc22356350f224a996e1ec348c23274b9209d",
                "movies.csv": "c47b783f23eb304413307e1bb05335e427737da20ec8d3c0e96335567dd5f3dc",
                "ratings.csv": "80da8b3393dae325bbba5a31f291a6ba55d8d4f4396de3c456f2c1635b1b70e8",
                "tags.csv": "68eec00a0820c2faa8863a6df7032f13d5899a4462bce9a97213905297ff3d34",
            },
            released="2018-09-26",
        ),
        DatasetInfo(
            # README: "100,000 ratings (1-5) from 943 users on 1682 movies". Size and SHA-256:
            # TFDS; MD5: ml-100k.zip.md5. Item ids are ml-100k's own, not MovieLens ids.
            name="ml-100k", zip_name="ml-100k.zip", folder="ml-100k", layout="100k",
            zip_bytes=4_924_029, n_ratings=100_000, n_users=943, n_movies=1_682, n_tags=0,
            rating_scale=(1.0, 5.0), rating_step=1.0, has_tags=False, has_links=False,
            movie_ids_are_movielens=False, licence=_OLD_LICENCE,
            zip_md5="0e33842e24a9c977be4e0107933c0723",
            zip_sha256="50d2a982c66986937beb9ffb3aa76efe955bf3d5c6b761f4e3a7cd717c6a3229",
            released="1998-04",
        ),
        DatasetInfo(
            # README: "1,000,209 anonymous ratings of approximately 3,900 movies made by 6,040
            # MovieLens users" (whole stars); movies.dat lists 3,883 movies. Size and SHA-256:
            # TFDS; MD5: ml-1m.zip.md5 ("MD5 (ml-1m.zip) = c4d9…").
            name="ml-1m", zip_name="ml-1m.zip", folder="ml-1m", layout="1m",
            zip_bytes=5_917_549, n_ratings=1_000_209, n_users=6_040, n_movies=3_883, n_tags=0,
            rating_scale=(1.0, 5.0), rating_step=1.0, has_tags=False, has_links=False,
            movie_ids_are_movielens=True, licence=_OLD_LICENCE,
            zip_md5="c4d9eecfca2ab87c1945afe126590906",
            zip_sha256="a6898adb50b9ca05aa231689da44c217cb524e7ebd39d264c56e2832f2c54e20",
            released="2003-02",
        ),
        DatasetInfo(
            # README: "10000054 ratings and 95580 tags applied to 10681 movies by 71567 users"
            # (half stars; some users only tagged). Size 65,566,137: as pinned by projects that
            # check their download; MD5: ml-10m.zip.md5. No SHA-256 recorded.
            name="ml-10m", zip_name="ml-10m.zip", folder="ml-10M100K", layout="10m",
            zip_bytes=65_566_137, n_ratings=10_000_054, n_users=71_567, n_movies=10_681,
            n_tags=95_580, rating_scale=(0.5, 5.0), rating_step=0.5, has_tags=True,
            has_links=False, movie_ids_are_movielens=True, licence=_OLD_LICENCE,
            zip_md5="ce571fd55effeba0271552578f2648bd",
            released="2009-01",
        ),
        DatasetInfo(
            # README: "20000263 ratings and 465564 tag applications across 27278 movies ...
            # 138493 users". Size and SHA-256: TFDS (same size on Academic Torrents); MD5:
            # ml-20m.zip.md5.
            name="ml-20m", zip_name="ml-20m.zip", folder="ml-20m", layout="csv",
            zip_bytes=198_702_078, n_ratings=20_000_263, n_users=138_493, n_movies=27_278,
            n_tags=465_564, rating_scale=(0.5, 5.0), rating_step=0.5, has_tags=True,
            has_links=True, movie_ids_are_movielens=True, licence=_CSV_LICENCE,
            zip_md5="cd245b17a1ae2cc31bb14903e1204af3",
            zip_sha256="96f243c338a8665f6bcc89c53edf6ee39162a846940de6b7c8c48aeada765ff3",
            released="2016-10-17",
        ),
        DatasetInfo(
            # README: "25000095 ratings and 1093360 tag applications across 62423 movies ...
            # 162541 users". Size and SHA-256: TFDS; MD5: ml-25m.zip.md5.
            name="ml-25m", zip_name="ml-25m.zip", folder="ml-25m", layout="csv",
            zip_bytes=261_978_986, n_ratings=25_000_095, n_users=162_541, n_movies=62_423,
            n_tags=1_093_360, rating_scale=(0.5, 5.0), rating_step=0.5, has_tags=True,
            has_links=True, movie_ids_are_movielens=True, licence=_CSV_LICENCE,
            zip_md5="6b51fb2759a8657d3bfcbfc42b592ada",
            zip_sha256="8b21cfb7eb1706b4ec0aac894368d90acf26ebdfb6aced3ebd4ad5bd1eb9c6aa",
            released="2019-11-21",
        ),
        DatasetInfo(
            # ml-32m-README.html: "32000204 ratings and 2000072 tag applications across 87585
            # movies ... 200948 users", generated October 13, 2023. MD5: ml-32m.zip.md5; size
            # and SHA-256 as pinned by projects that downloaded it.
            name="ml-32m", zip_name="ml-32m.zip", folder="ml-32m", layout="csv",
            zip_bytes=238_950_008, n_ratings=32_000_204, n_users=200_948, n_movies=87_585,
            n_tags=2_000_072, rating_scale=(0.5, 5.0), rating_step=0.5, has_tags=True,
            has_links=True, movie_ids_are_movielens=True, licence=_CSV_LICENCE,
            zip_md5="d472be332d4daa821edc399621853b57",
            zip_sha256="e4a68655d7386b8f95f2f2424b2ff975dfdd15ffd59e0d864a14dca43e99d6ee",
            released="2023-10-13",
        ),
    )
}  # fmt: skip


def known_datasets() -> list[str]:
    """Names of the catalogue's datasets, smallest first."""
    return sorted(CATALOG, key=lambda name: CATALOG[name].n_ratings)


def find_dataset(name_or_folder: str) -> DatasetInfo | None:
    """The catalogue entry called ``name_or_folder`` or unpacking to that folder (``ml-10M100K``
    is ml-10m), or None for a dataset the catalogue does not know."""
    if name_or_folder in CATALOG:
        return CATALOG[name_or_folder]
    return next((i for i in CATALOG.values() if i.folder == name_or_folder), None)


def dataset_info(name: str) -> DatasetInfo:
    """The catalogue entry for ``name``; a :class:`DataError` listing the known names otherwise."""
    info = find_dataset(name)
    if info is None:
        raise DataError(
            f"Unknown MovieLens dataset {name!r}: choose one of {', '.join(known_datasets())} "
            "(or point MOVIELENS_DIR at a folder or zip of your own)."
        )
    return info
