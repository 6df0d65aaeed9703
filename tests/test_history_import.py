"""Bring your history: importing MovieLens.org, IMDb, Letterboxd and this app's exports, matched
to the real ml-latest-small; CSV exports safe for spreadsheets; ``recommend --import``."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from recommender.__main__ import main
from recommender.data.export import spreadsheet_safe
from recommender.recommend.blend import BLEND_SCHEDULE
from recommender.recommend.facade import Recommender
from recommender.recommend.history_formats import MAX_ROWS, detect_format
from recommender.recommend.history_import import (
    UNMATCHED_COLUMNS,
    HistoryImportError,
    ImportPreview,
    UnknownFormatError,
    build_match_index,
    import_history,
)
from recommender.recommend.ratings_io import export_movie_list_csv, export_ratings_csv

FIXTURES = Path(__file__).parent / "fixtures" / "history"
MATRIX, STAR_WARS, AMELIE, PULP_FICTION, LEON, GOOD_NIGHT = 2571, 260, 4973, 296, 293, 39292
WAR_OF_THE_WORLDS = (34048, 64997)  # two movies titled "War of the Worlds (2005)"


@pytest.fixture(scope="module")
def index(ml):
    return build_match_index(ml)


def _load(name: str, index) -> ImportPreview:
    return import_history((FIXTURES / name).read_bytes(), index)


def _by_row(preview: ImportPreview) -> dict[int, object]:
    rows = [*preview.matched, *preview.ambiguous, *preview.unmatched]
    return {r.row: r for r in rows}


# -- the four formats ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("imdb_ratings.csv", "imdb"),
        ("letterboxd_ratings.csv", "letterboxd"),
        ("movielens_ratings.csv", "movielens"),
        ("app_ratings.csv", "app"),
    ],
)
def test_each_export_is_recognised_from_its_header(index, name, fmt):
    preview = _load(name, index)
    assert preview.format.key == fmt
    accounted = (
        len(preview.matched) + len(preview.ambiguous) + len(preview.unmatched)
        + len(preview.duplicates) + len(preview.skipped)
    )  # fmt: skip
    assert accounted == preview.n_rows


def test_imdb_export_with_bom_crlf_quotes_accents_duplicates(index):
    raw = (FIXTURES / "imdb_ratings.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    preview = _load("imdb_ratings.csv", index)
    rows = _by_row(preview)
    assert rows[3].movie_id == STAR_WARS and rows[3].stars == 4.5 and rows[3].how == "IMDb id"
    assert rows[4].movie_id == AMELIE  # "Amélie"
    assert rows[5].movie_id == GOOD_NIGHT  # "Good Night, and Good Luck." quoted, with commas
    assert rows[12].movie_id == LEON
    # An IMDb id the dataset does not know: found by title and year.
    assert rows[9].movie_id == PULP_FICTION and rows[9].how == "title and year"
    # Rated twice: the later row (6/10 -> 3 stars) wins, the earlier is reported.
    assert rows[8].movie_id == MATRIX and rows[8].stars == 3.0
    assert [(d.row, d.kept_row) for d in preview.duplicates] == [(2, 8)]
    assert preview.ratings()[MATRIX] == 3.0
    # Missing from the dataset: Parasite (2019); a TV episode is never matched by its title.
    assert "another year (1982)" in rows[6].reason and rows[6].imdb_id == "tt6751668"
    assert "TV Episode" in rows[7].reason
    # Two movies share the title and year: the visitor picks.
    assert [c.movie_id for c in rows[10].candidates] == list(WAR_OF_THE_WORLDS)
    assert rows[10].candidates[0].n_ratings > rows[10].candidates[1].n_ratings


def test_letterboxd_skips_unrated_rows_and_matches_titles(index):
    preview = _load("letterboxd_ratings.csv", index)
    rows = _by_row(preview)
    assert [(s.row, s.title) for s in preview.skipped] == [(8, "Heat")]
    assert rows[3].movie_id == 2542  # "Lock, Stock and…" vs "Lock, Stock & Two Smoking Barrels"
    assert rows[4].movie_id == AMELIE
    assert rows[6].movie_id == 6016  # City of God (Cidade de Deus)
    assert rows[13].movie_id == 99149  # "Les Misérables" 2012 vs "Misérables, Les (2012)"
    assert rows[14].movie_id == 47  # "Se7en" vs "Seven (a.k.a. Se7en)"
    assert all(m.how == "title and year" for m in preview.matched)
    assert "not in ml-latest-small" in rows[10].reason  # Everything Everywhere All at Once
    assert preview.ratings()[MATRIX] == 4.0  # the later of two rows


def test_movielens_export_uses_movie_id_then_imdb_then_tmdb(index):
    rows = _by_row(_load("movielens_ratings.csv", index))
    assert rows[2].movie_id == MATRIX and rows[2].how == "MovieLens id"
    assert rows[5].movie_id == GOOD_NIGHT and rows[5].how == "IMDb id"
    assert rows[6].movie_id == PULP_FICTION and rows[6].how == "TMDB id"
    assert rows[8].movie_id == 858  # imdb_id written "tt0068646"
    assert rows[7].title == "Parasite (2019)" and rows[7].year == 2019


def test_the_apps_own_export_round_trips(ml, index):
    ratings = {MATRIX: 5.0, STAR_WARS: 4.5, 1: 0.5, AMELIE: 3.0}
    preview = import_history(export_ratings_csv(ratings, ml.movies), index)
    assert preview.format.key == "app" and preview.ratings() == ratings
    fixture = _load("app_ratings.csv", index)
    assert [(r.row, r.raw, r.stars) for r in fixture.rounded] == [(5, "3.3", 3.5)]
    unmatched = fixture.unmatched[0]
    assert unmatched.title.startswith("=HYPERLINK")  # read back as written, not as exported
    download = list(csv.reader(io.StringIO(fixture.unmatched_csv())))
    assert download[1][1].startswith("'=HYPERLINK")  # and neutralised again on download


# -- rejected files: all or nothing ----------------------------------------------------------


def test_every_bad_row_is_named_and_nothing_is_imported(index):
    current = {MATRIX: 1.0}
    with pytest.raises(HistoryImportError) as info:
        preview = _load("imdb_bad_rows.csv", index)
        current = preview.apply_to(current)
    assert current == {MATRIX: 1.0}
    assert [p.split(",")[0].split(" has")[0] for p in info.value.problems] == [
        "row 2", "row 3", "row 4", "row 5", "row 6",
    ]  # fmt: skip
    problems = "\n".join(info.value.problems)
    assert "'Your Rating'" in problems and "not between 1 and 10" in problems
    assert "'Const'" in problems and "IMDb id" in problems
    assert "'Year'" in problems and "has 5 fields, expected 4" in problems
    assert "row 2" in str(info.value)


def test_unknown_columns_name_what_was_found_and_what_each_format_expects(index):
    with pytest.raises(UnknownFormatError) as info:
        _load("unknown_columns.csv", index)
    message = str(info.value)
    assert "'film', 'stars', 'when'" in message
    for expected in ("movie_id, imdb_id, tmdb_id, rating, average_rating, title",
                     "Const, Your Rating", "Date, Name, Year, Letterboxd URI, Rating",
                     "movieId, title, rating"):  # fmt: skip
        assert expected in message


def test_lists_without_ratings_get_a_hint(index):
    with pytest.raises(UnknownFormatError, match="watched.csv or watchlist.csv"):
        _load("letterboxd_watched.csv", index)
    with pytest.raises(UnknownFormatError, match="IMDb list or watchlist"):
        import_history("Position,Const,Created,Title\n1,tt0133093,2024-01-01,The Matrix\n", index)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\n\n  \n", "empty"),
        (b"PK\x03\x04rest-of-a-zip", "zip or spreadsheet"),
        (b"Const,Your Rating\x00\n", "NUL"),
        (b"Const,Your Rating\ntt1,\x81\x8d\n", "not text"),
        (b"userId,movieId,rating,timestamp\n1,1,4,0\n2,1,5,0\n", "2 users"),
    ],
)
def test_unreadable_files_are_rejected_with_a_reason(index, content, message):
    with pytest.raises(HistoryImportError, match=message):
        import_history(content, index)


def test_too_many_rows_are_refused(index):
    text = "movieId,rating\n" + "1,4\n" * (MAX_ROWS + 1)
    with pytest.raises(HistoryImportError, match="more than 20,000 rows"):
        import_history(text, index)


# -- encodings and CSV dialects --------------------------------------------------------------


def test_windows_1252_utf16_semicolons_and_quoted_newlines(index):
    text = "Date,Name,Year,Letterboxd URI,Rating\r\n2023-01-01,Amélie,2001,u,4\r\n"
    cp1252 = import_history(text.encode("cp1252"), index)
    assert cp1252.ratings() == {AMELIE: 4.0} and "Windows-1252" in cp1252.notes[0]
    assert import_history(text.encode("utf-16"), index).ratings() == {AMELIE: 4.0}
    semicolons = "Const;Your Rating;Title;Year\ntt0133093;8;The Matrix;1999\n"
    assert import_history(semicolons, index).ratings() == {MATRIX: 4.0}
    newline = 'Date,Name,Year,Letterboxd URI,Rating\n2023,"The\nMatrix",1999,u,2\n'
    assert import_history(newline, index).ratings() == {MATRIX: 2.0}


def test_half_star_rounding_and_a_header_only_file(index):
    text = "movieId,rating\n1,3.74\n2,3.76\n3,0.3\n"
    preview = import_history(text, index)
    assert preview.ratings() == {1: 3.5, 2: 4.0, 3: 0.5} and len(preview.rounded) == 3
    empty = import_history("Const,Your Rating,Title,Year\n", index)
    assert empty.n_rows == 0 and empty.ratings() == {}


def test_detect_format_is_case_and_space_insensitive():
    assert detect_format([" CONST ", "your rating"]).key == "imdb"
    assert detect_format(["MovieID", "Rating"]).key == "app"


# -- the preview: picks, acceptance, downloads -----------------------------------------------


def test_nothing_changes_until_accepted_and_picks_are_checked(index):
    preview = _load("letterboxd_ratings.csv", index)
    ambiguous = preview.ambiguous[0]
    current = {MATRIX: 1.0, 1: 5.0}
    accepted = preview.apply_to(current, {ambiguous.row: WAR_OF_THE_WORLDS[1]})
    assert current == {MATRIX: 1.0, 1: 5.0}
    assert accepted[1] == 5.0 and accepted[MATRIX] == 4.0
    assert accepted[WAR_OF_THE_WORLDS[1]] == 2.5
    assert WAR_OF_THE_WORLDS[0] not in preview.ratings()  # no pick: left out
    assert preview.ratings(most_popular=True)[WAR_OF_THE_WORLDS[0]] == 2.5
    assert WAR_OF_THE_WORLDS[0] not in preview.ratings({ambiguous.row: None}, most_popular=True)
    with pytest.raises(HistoryImportError) as info:
        preview.ratings({ambiguous.row: MATRIX, 2: MATRIX})
    assert info.value.problems == [
        "row 2 has no choice to make",
        f"row {ambiguous.row}: movie {MATRIX} is not one of its candidates",
    ]


def test_two_rows_matching_one_movie_keep_the_later(index):
    text = (
        "Const,Your Rating,Title,Year\n"
        "tt0133093,10,The Matrix,1999\n"
        "tt9999999,2,The Matrix,1999\n"  # an id the dataset lacks, same film by title
    )
    preview = import_history(text, index)
    assert preview.ratings() == {MATRIX: 1.0}
    assert [(d.row, d.kept_row) for d in preview.duplicates] == [(2, 3)]


def test_unmatched_rows_download_as_spreadsheet_safe_csv(index):
    text = "Date,Name,Year,Letterboxd URI,Rating\n2023,=cmd|' /C calc'!A0,2031,u,3\n"
    preview = import_history(text, index)
    rows = list(csv.reader(io.StringIO(preview.unmatched_csv())))
    assert tuple(rows[0]) == UNMATCHED_COLUMNS
    assert rows[1][:4] == ["2", "'=cmd|' /C calc'!A0", "2031", "3"]


def test_summary_names_every_count(index):
    summary = _load("letterboxd_ratings.csv", index).summary()
    assert summary.startswith("Letterboxd ratings.csv, 13 rows: 8 matched (8 by title and year)")
    assert "1 ambiguous" in summary and "2 not in ml-latest-small" in summary
    assert "1 duplicate" in summary and "1 row without a rating skipped" in summary


def test_close_titles_are_matched_only_when_safe(index):
    text = (
        "Date,Name,Year,Letterboxd URI,Rating\n"
        "2023,Star Wars,1977,u,5\n"  # the dataset's title plus a subtitle: matched
        '2023,"Lock, Stock",1998,u,4\n'  # a longer title sharing its first words: confirm
        "2023,Heat,2013,u,3\n"  # "Heat, The (2013)": the article differs, the year agrees
        "2023,Night,,u,2\n"  # "Night, The (Notte, La)": article differs, no year: confirm
        "2023,Star Wars,,u,1\n"  # several films, no year: pick
    )
    rows = _by_row(import_history(text, index))
    assert rows[2].movie_id == STAR_WARS and rows[2].how == "close title"
    assert [c.movie_id for c in rows[3].candidates] == [2542]
    assert rows[4].movie_title == "Heat, The (2013)" and rows[4].how == "title and year"
    assert "without its article" in rows[5].reason
    assert rows[6].candidates[0].movie_id == STAR_WARS and len(rows[6].candidates) == 5


def test_thousands_of_letterboxd_rows_find_their_own_movies(ml, index):
    """Every film with a unique title and year, written as Letterboxd would, finds itself."""
    movies = ml.movies[ml.movies["year"].notna()]
    key_year = movies["title_key"] + "|" + movies["year"].astype(str)
    movies = movies[~key_year.duplicated(keep=False)].head(4_000)
    names = movies["title"].str.replace(r"\s*\(.*$", "", regex=True)
    names = names.str.replace(r"^(.*), (The|A|An)$", r"\2 \1", regex=True)
    frame = pd.DataFrame(
        {
            "Date": "2024-01-01",
            "Name": names,
            "Year": movies["year"].astype(int),
            "Letterboxd URI": "u",
            "Rating": 3.5,
        }  # fmt: skip
    )
    preview = import_history(frame.to_csv(index=False), index)
    found = {m.row: m.movie_id for m in preview.matched}
    expected = dict(zip(range(2, len(movies) + 2), movies["movieId"].astype(int), strict=True))
    wrong = [r for r, m in found.items() if expected[r] != m]
    assert not wrong
    assert len(found) >= 0.97 * len(movies), preview.summary()


# -- CSV export safe for spreadsheets --------------------------------------------------------


@pytest.mark.parametrize("first", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_like_cells_are_neutralised(first):
    assert spreadsheet_safe(f"{first}1+1") == f"'{first}1+1"


def test_plain_titles_are_unchanged_and_lists_export(ml):
    assert spreadsheet_safe("Star Wars: Episode IV - A New Hope (1977)").startswith("Star")
    movies = pd.DataFrame(
        {"movieId": [1, 2, 3], "title": ['=HYPERLINK("x")', "@SUM(A1)", "Heat (1995)"]}
    )
    text = export_ratings_csv({1: 4.0, 3: 5.0}, movies)
    assert text == 'movieId,title,rating\n1,"\'=HYPERLINK(""x"")",4\n3,Heat (1995),5\n'
    listed = export_movie_list_csv([2, 3, 2, 999], movies)
    assert listed == "movieId,title\n2,'@SUM(A1)\n3,Heat (1995)\n999,\n"
    assert (
        export_movie_list_csv([MATRIX], ml.movies) == 'movieId,title\n2571,"Matrix, The (1999)"\n'
    )


# -- python -m recommender recommend --import ------------------------------------------------


class _FakeRecommender:
    """Records the ratings the command line passes; avoids fitting in these tests."""

    seen: dict[int, float] = {}

    def __init__(self, ml):
        self.index_ = pd.Index(ml.movies["movieId"])
        self.model_ = type("Model", (), {"label": "fake"})()
        self.schedule_ = BLEND_SCHEDULE

    def for_new_user(self, ratings, n, filters):
        _FakeRecommender.seen = dict(ratings)
        return pd.DataFrame()


@pytest.fixture()
def cli(movielens_dir, monkeypatch, capsys):
    monkeypatch.setattr(
        Recommender, "from_movielens", classmethod(lambda cls, ml, model: _FakeRecommender(ml))
    )

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--data", str(movielens_dir), "recommend", *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_cli_imports_a_history_and_takes_the_most_popular_candidate(cli):
    code, out, _ = cli("--import", str(FIXTURES / "letterboxd_ratings.csv"), "--rate", "1=5")
    assert code == 0
    assert "Letterboxd ratings.csv, 13 rows: 8 matched" in out
    assert "most popular candidate" in out and "War of the Worlds (2005) (50 ratings)" in out
    assert _FakeRecommender.seen[WAR_OF_THE_WORLDS[0]] == 2.5
    assert _FakeRecommender.seen[1] == 5.0 and len(_FakeRecommender.seen) == 10
    assert "Top 5 from 10 rating(s)" in out and "No movie matches." in out


def test_cli_rejects_a_bad_file_before_fitting(cli):
    code, _, err = cli("--import", str(FIXTURES / "imdb_bad_rows.csv"))
    assert code == 2 and "row 2, column 'Your Rating'" in err
    code, _, err = cli("--import", str(FIXTURES / "no_such_file.csv"))
    assert code == 2 and "cannot read" in err
