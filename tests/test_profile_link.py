"""The profile link: round trips, sizes, and damaged, truncated, tampered or hostile links."""

from __future__ import annotations

import base64
import random
import re
import zlib

import pytest

from recommender.recommend.profile_link import (
    BLOCK,
    MAX_LINK_CHARS,
    MAX_RATINGS,
    VERSION,
    DecodedProfile,
    Profile,
    ProfileLinkError,
    decode_profile,
    encode_profile,
    profile_from,
)

URL_SAFE = re.compile(r"^[A-Za-z0-9_-]*$")
PLAIN_TEXT = re.compile(r"^[A-Za-z0-9 ,.;:()'-]+$")  # no markup, nothing quoted from the link
HALF_STARS = [x / 2 for x in range(1, 11)]


def _random_profile(rng: random.Random, n_ratings: int, n_hidden: int, n_watch: int) -> Profile:
    ids = rng.sample(range(1, 200_000), n_ratings + n_hidden + n_watch)
    ratings = {m: rng.choice(HALF_STARS) for m in ids[:n_ratings]}
    return Profile(
        ratings,
        frozenset(ids[n_ratings : n_ratings + n_hidden]),
        tuple(ids[n_ratings + n_hidden :]),
    )


def _is_subset(decoded: Profile, original: Profile) -> bool:
    return (
        all(original.ratings.get(m) == s for m, s in decoded.ratings.items())
        and decoded.hidden <= original.hidden
        and set(decoded.watchlist) <= set(original.watchlist)
    )


def _check_warnings(result: DecodedProfile) -> None:
    assert isinstance(result, DecodedProfile) and isinstance(result.profile, Profile)
    for warning in result.warnings:
        assert PLAIN_TEXT.match(warning), warning


def _raw_link(payload: bytes, version: int = VERSION) -> str:
    data = bytes([version]) + zlib.compress(payload)
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _crc(data: bytes) -> bytes:
    return zlib.crc32(data).to_bytes(4, "big")


# -- round trips ------------------------------------------------------------------------------


def test_empty_profile_round_trips_and_empty_text_is_an_empty_profile():
    link = encode_profile(Profile())
    assert URL_SAFE.match(link) and len(link) < 40
    assert decode_profile(link) == DecodedProfile(Profile())
    assert decode_profile("") == DecodedProfile(Profile())
    assert decode_profile("   ") == DecodedProfile(Profile())


def test_every_half_star_and_the_watchlist_order_survive():
    profile = Profile(
        {i + 1: stars for i, stars in enumerate(HALF_STARS)},
        frozenset({5, 99_999, 2**31 - 1}),
        (193_609, 1, 50, 2),
    )
    result = decode_profile(encode_profile(profile))
    assert result == DecodedProfile(profile)
    assert result.profile.watchlist == (193_609, 1, 50, 2)


@pytest.mark.parametrize("n", [1, BLOCK - 1, BLOCK, BLOCK + 1, 2_000, MAX_RATINGS])
def test_large_profiles_round_trip_in_a_compact_url_safe_link(n):
    profile = _random_profile(random.Random(n), n, n // 10, n // 20)
    link = encode_profile(profile)
    assert URL_SAFE.match(link)
    assert decode_profile(link) == DecodedProfile(profile)
    if n == 2_000:
        assert len(link) < 6_000, len(link)  # about 2.5 characters per rating


def test_profile_from_session_values():
    profile = profile_from({"260": 5, 1: 4.5}, hidden=[3, 3], watchlist=(7, 6, 7))
    assert profile == Profile({260: 5.0, 1: 4.5}, frozenset({3}), (7, 6))


# -- what cannot be encoded --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        (Profile({1: 4.3}), "movie 1: rating 4.3 is not a half star"),
        (Profile({1: 0.0}), "not a half star"),
        (Profile({1: "x"}), "not a number"),
        (Profile({-1: 4.0}), "out of range"),
        (Profile({}, frozenset({2**31})), "out of range"),
        (Profile({}, (), ("260",)), "not a movie id"),
        (Profile({}, (), (2.5,)), "not a whole number"),
        (Profile({i: 3.0 for i in range(1, MAX_RATINGS + 2)}), "at most 5,000 ratings"),
    ],
)
def test_bad_profiles_raise_a_named_error(profile, message):
    with pytest.raises(ProfileLinkError, match=message):
        encode_profile(profile)


# -- damaged, truncated, tampered, hostile -------------------------------------------------------


def test_every_truncation_returns_a_verified_prefix_with_a_warning():
    profile = _random_profile(random.Random(1), 600, 40, 30)
    link = encode_profile(profile)
    recovered = []
    for cut in range(len(link)):
        result = decode_profile(link[:cut])
        _check_warnings(result)
        assert _is_subset(result.profile, profile)
        if cut:  # cut inside zlib's own trailer, every block is still verified
            assert result.warnings or result.profile == profile, cut
        recovered.append(len(result.profile.ratings))
    assert recovered == sorted(recovered)  # a longer prefix never recovers less
    assert max(recovered) >= 600 - BLOCK  # all but the last block, cut just before the end
    warning = decode_profile(link[: len(link) * 2 // 3]).warnings[0]
    assert warning.startswith("The profile link was damaged or cut short; recovered ")
    assert "of 600 ratings" in warning


def test_tampered_links_never_yield_a_rating_that_was_not_there():
    rng = random.Random(2)
    profile = _random_profile(rng, 300, 20, 20)
    link = encode_profile(profile)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for _ in range(1_500):
        chars = list(link)
        for _ in range(rng.randint(1, 3)):
            chars[rng.randrange(len(chars))] = rng.choice(alphabet)
        tampered = "".join(chars)
        result = decode_profile(tampered)
        _check_warnings(result)
        assert _is_subset(result.profile, profile)
        if tampered != link:
            assert result.warnings or result.profile == profile


def test_wrong_version_is_refused_with_a_plain_warning():
    link = encode_profile(Profile({260: 5.0}))
    data = bytearray(base64.urlsafe_b64decode(link + "=" * (-len(link) % 4)))
    data[0] = 2
    result = decode_profile(base64.urlsafe_b64encode(bytes(data)).decode())
    assert result.profile == Profile()
    assert result.warnings == (
        "The profile link has format version 2; this app reads version 1. It was ignored.",
    )


def test_random_garbage_never_raises():
    rng = random.Random(3)
    alphabets = [
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
        "AQIDBAUGBwgJ",
        "<script>alert(1)</script>%00\u202e\x00'\"[](){}*_",
        "".join(map(chr, range(32, 127))),
    ]
    for i in range(3_000):
        alphabet = alphabets[i % len(alphabets)]
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))
        result = decode_profile(text)
        _check_warnings(result)
        if "<" in text:
            assert result.profile == Profile()
    for weird in (None, 42, b"AQID", ["AQID"], "\x00" * 10, "=" * 100, "A"):
        _check_warnings(decode_profile(weird))


def test_hostile_sizes_are_capped():
    too_long = decode_profile("A" * (MAX_LINK_CHARS + 1))
    assert too_long.profile == Profile() and "too long" in too_long.warnings[0]
    # A valid header claiming a million ratings.
    header = b"\xc0\x84\x3d\x00\x00"
    result = decode_profile(_raw_link(header + _crc(header)))
    assert result.profile == Profile() and "more movies than a link may hold" in result.warnings[0]
    # A decompression bomb: megabytes of zeros behind a short link.
    header = b"\x01\x00\x00"
    bomb = _raw_link(header + _crc(header) + b"\x00" * 5_000_000)
    assert len(bomb) < MAX_LINK_CHARS
    result = decode_profile(bomb)
    assert result.profile == Profile() and result.warnings


def test_checksummed_but_impossible_records_are_refused():
    header = b"\x02\x00\x00"  # two ratings
    payload = header + _crc(header)
    records = bytes([0x19, 0x1A])  # movie 1 at 5 stars (1 << 4 | 9), then a code 10: off scale
    payload += records + _crc(payload + records)
    result = decode_profile(_raw_link(payload))
    assert result.profile == Profile() and "recovered 0 of 2 ratings" in result.warnings[0]


def test_extra_data_after_the_stream_is_reported():
    link = encode_profile(Profile({260: 5.0}))
    data = base64.urlsafe_b64decode(link + "=" * (-len(link) % 4)) + b"junk"
    result = decode_profile(base64.urlsafe_b64encode(data).decode())
    assert result.profile == Profile({260: 5.0})
    assert result.warnings == ("The profile link has unexpected data at its end; it was ignored.",)


def test_pasted_links_with_padding_standard_base64_or_line_breaks_still_read():
    profile = _random_profile(random.Random(4), 50, 5, 5)
    link = encode_profile(profile)
    standard = link.replace("-", "+").replace("_", "/") + "=" * (-len(link) % 4)
    wrapped = "\n".join(link[i : i + 60] for i in range(0, len(link), 60))
    for text in (standard, wrapped, f"  {link}  "):
        assert decode_profile(text) == DecodedProfile(profile)


def test_movies_unknown_to_the_dataset_are_left_out_with_a_warning():
    link = encode_profile(Profile({1: 4.0, 999_999: 3.0}, frozenset({2, 888_888}), (3, 777)))
    result = decode_profile(link, known={1, 2, 3})
    assert result.profile == Profile({1: 4.0}, frozenset({2}), (3,))
    assert result.warnings == (
        "3 movie(s) in the profile link are not in this dataset and were left out.",
    )
