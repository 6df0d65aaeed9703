"""A profile that survives: a visitor's ratings, hidden movies and watchlist in one URL parameter.

``?profile=<text>``: :func:`encode_profile` writes the text, :func:`decode_profile` reads it back.

Layout (version 1). The text is base64url (``A-Z a-z 0-9 - _``, no padding) of::

    version byte (1) | zlib stream of the payload

and the payload is::

    header  = varint n_ratings, varint n_hidden, varint n_watchlist, CRC-32 (4 bytes, big-endian)
    records = ratings (sorted by movieId), hidden (sorted), watchlist (in the visitor's order)
              one varint each, with a CRC-32 of the whole payload so far after every
              BLOCK records and after the last one

* a rating is ``(movieId - previous movieId) << 4 | (stars * 2 - 1)``: the id delta-coded, the
  stars in 4 bits (0.5 -> 0 … 5 -> 9);
* a hidden movie is its delta to the previous one;
* a watchlist movie is its zig-zag-coded signed delta to the previous one (the order is kept).

Decoding never raises and never trusts the text: it is read only as data (no pickle, no eval),
cut off at :data:`MAX_LINK_CHARS` characters and :data:`MAX_PAYLOAD_BYTES` decompressed bytes,
counts above :data:`MAX_RATINGS` / :data:`MAX_LISTED` are refused, and only records behind a
matching checksum are kept: a link cut short or damaged gives back the blocks before the damage,
with a warning saying how many ratings were recovered. Warnings are plain text and never quote the
link, so they are safe to show; still show them as text.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from recommender.data import RATING_MAX, RATING_MIN

__all__ = [
    "BLOCK",
    "MAX_LINK_CHARS",
    "MAX_LISTED",
    "MAX_MOVIE_ID",
    "MAX_PAYLOAD_BYTES",
    "MAX_RATINGS",
    "PROFILE_PARAM",
    "VERSION",
    "DecodedProfile",
    "Profile",
    "ProfileLinkError",
    "decode_profile",
    "encode_profile",
    "profile_from",
]

PROFILE_PARAM = "profile"
VERSION = 1
BLOCK = 128
MAX_RATINGS = 5_000
MAX_LISTED = 5_000
MAX_MOVIE_ID = 2**31 - 1
MAX_LINK_CHARS = 60_000
_MAX_VARINT_BYTES = 6
_MAX_RECORDS = MAX_RATINGS + 2 * MAX_LISTED
MAX_PAYLOAD_BYTES = (3 + _MAX_RECORDS) * _MAX_VARINT_BYTES + 4 * (_MAX_RECORDS // BLOCK + 2)
_ALPHABET = re.compile(r"^[A-Za-z0-9_-]*$")
_CHUNK = 256
_SECTIONS = ("ratings", "hidden movies", "watchlist movies")


class ProfileLinkError(ValueError):
    """The profile cannot be written as a link; the message names the movie or the limit."""


@dataclass(frozen=True)
class Profile:
    """A visitor's ratings {movieId: stars}, hidden movies and watchlist (in their order)."""

    ratings: Mapping[int, float] = field(default_factory=dict)
    hidden: frozenset[int] = frozenset()
    watchlist: tuple[int, ...] = ()


@dataclass(frozen=True)
class DecodedProfile:
    """What a link held that could be trusted, and plain-text warnings about the rest."""

    profile: Profile
    warnings: tuple[str, ...] = ()


# -- encoding ----------------------------------------------------------------------------------


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _zigzag(value: int) -> int:
    return value * 2 if value >= 0 else -value * 2 - 1


def _unzigzag(value: int) -> int:
    return value // 2 if value % 2 == 0 else -(value + 1) // 2


def _check_id(movie_id: object, where: str) -> int:
    if isinstance(movie_id, bool | str | bytes):
        raise ProfileLinkError(f"{where}: {movie_id!r} is not a movie id")
    if not isinstance(movie_id, int):
        try:
            as_int = int(movie_id)  # numpy integers
        except (TypeError, ValueError):
            raise ProfileLinkError(f"{where}: {movie_id!r} is not a movie id") from None
        if as_int != movie_id:
            raise ProfileLinkError(f"{where}: {movie_id!r} is not a whole number")
        movie_id = as_int
    if not 1 <= movie_id <= MAX_MOVIE_ID:
        raise ProfileLinkError(f"{where}: movie id {movie_id} is out of range")
    return movie_id


def _rating_code(movie_id: int, stars: object) -> int:
    try:
        value = float(stars)
    except (TypeError, ValueError):
        raise ProfileLinkError(f"movie {movie_id}: rating {stars!r} is not a number") from None
    if not RATING_MIN <= value <= RATING_MAX or (value * 2) % 1:
        raise ProfileLinkError(f"movie {movie_id}: rating {stars!r} is not a half star 0.5-5")
    return int(value * 2) - 1


def _records(profile: Profile) -> tuple[list[bytes], tuple[int, int, int]]:
    ratings = sorted(
        (_check_id(m, "ratings"), _rating_code(int(m), s)) for m, s in profile.ratings.items()
    )
    hidden = sorted({_check_id(m, "hidden movies") for m in profile.hidden})
    watchlist = list(dict.fromkeys(_check_id(m, "watchlist") for m in profile.watchlist))
    counts = (len(ratings), len(hidden), len(watchlist))
    for count, limit, what in zip(
        counts, (MAX_RATINGS, MAX_LISTED, MAX_LISTED), _SECTIONS, strict=True
    ):
        if count > limit:
            raise ProfileLinkError(f"a profile link holds at most {limit:,} {what} ({count:,})")
    records, previous = [], 0
    for movie_id, code in ratings:
        records.append(_varint((movie_id - previous) << 4 | code))
        previous = movie_id
    previous = 0
    for movie_id in hidden:
        records.append(_varint(movie_id - previous))
        previous = movie_id
    previous = 0
    for movie_id in watchlist:
        records.append(_varint(_zigzag(movie_id - previous)))
        previous = movie_id
    return records, counts


def _crc(data: bytes | bytearray) -> bytes:
    return zlib.crc32(data).to_bytes(4, "big")


def encode_profile(profile: Profile) -> str:
    """The URL-safe text for ``?profile=``; :class:`ProfileLinkError` names a bad id or rating,
    or the limit a too-large profile passes (then offer the CSV export instead)."""
    records, counts = _records(profile)
    payload = bytearray(b"".join(_varint(n) for n in counts))
    payload += _crc(payload)
    for start in range(0, len(records), BLOCK):
        payload += b"".join(records[start : start + BLOCK])
        payload += _crc(payload)
    data = bytes([VERSION]) + zlib.compress(bytes(payload), 9)
    text = base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
    if len(text) > MAX_LINK_CHARS:
        raise ProfileLinkError(f"the profile is too large for a link ({len(text):,} characters)")
    return text


# -- decoding ----------------------------------------------------------------------------------


class _Damaged(Exception):
    """The payload stops making sense here; what was verified before stays."""


class _Reader:
    """Reads varints from the payload; raises :class:`_Damaged` past its end."""

    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def varint(self) -> int:
        value = 0
        for shift in range(0, 7 * _MAX_VARINT_BYTES, 7):
            if self.pos >= len(self.data):
                raise _Damaged("cut short")
            byte = self.data[self.pos]
            self.pos += 1
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
        raise _Damaged("a number is too long")

    def checkpoint(self) -> None:
        """The CRC-32 of everything before it must follow."""
        end = self.pos + 4
        if end > len(self.data):
            raise _Damaged("cut short")
        if self.data[self.pos : end] != _crc(self.data[: self.pos]):
            raise _Damaged("checksum")
        self.pos = end


def _bytes_of(text: str) -> tuple[bytes | None, str | None]:
    """The link's bytes, or ``None`` and why not."""
    cleaned = re.sub(r"\s+", "", text).rstrip("=").replace("+", "-").replace("/", "_")
    if not _ALPHABET.match(cleaned):
        return (
            None,
            "The profile link contains characters a profile link never has; it was ignored.",
        )
    if len(cleaned) % 4 == 1:
        cleaned = cleaned[:-1]  # a cut-off character carries no whole byte
    try:
        return base64.urlsafe_b64decode(cleaned + "=" * (-len(cleaned) % 4)), None
    except (binascii.Error, ValueError):
        return None, "The profile link is not readable; it was ignored."


def _inflate(data: bytes) -> tuple[bytes, str]:
    """As much of the zlib stream as decompresses (at most MAX_PAYLOAD_BYTES + 1) and how it
    ended: "ok", "cut" (no end), "corrupt", "extra" (data after the end) or "large"."""
    inflater = zlib.decompressobj()
    out = bytearray()
    try:
        for start in range(0, len(data), _CHUNK):
            room = MAX_PAYLOAD_BYTES + 1 - len(out)
            out += inflater.decompress(data[start : start + _CHUNK], room)
            if len(out) > MAX_PAYLOAD_BYTES or inflater.unconsumed_tail:
                return bytes(out[: MAX_PAYLOAD_BYTES + 1]), "large"
    except zlib.error:
        return bytes(out), "corrupt"
    if not inflater.eof:
        return bytes(out), "cut"
    return bytes(out), "extra" if inflater.unused_data else "ok"


def _header(reader: _Reader) -> tuple[int, int, int]:
    counts = (reader.varint(), reader.varint(), reader.varint())
    reader.checkpoint()
    return counts


def _record(value: int, section: int, previous: int) -> tuple[int, float | None]:
    """A record's movie id (and stars for a rating); :class:`_Damaged` if it cannot be one."""
    if section == 0:
        delta, code = value >> 4, value & 0x0F
        if code > 9:
            raise _Damaged("a rating is off the scale")
        movie_id, stars = previous + delta, (code + 1) / 2
    elif section == 1:
        delta, stars = value, None
        movie_id = previous + delta
    else:
        delta, stars = 1, None
        movie_id = previous + _unzigzag(value)
    if delta < 1 or not 1 <= movie_id <= MAX_MOVIE_ID:
        raise _Damaged("a movie id is out of order or range")
    return movie_id, stars


def _sections(reader: _Reader, counts: tuple[int, int, int]) -> list[list]:
    """The records of every block whose checksum matches, up to the first that does not."""
    found: list[list] = [[], [], []]
    pending: list[tuple[int, int, float | None]] = []
    order = [s for s, n in enumerate(counts) for _ in range(n)]
    previous = [0, 0, 0]
    try:
        for i, section in enumerate(order):
            movie_id, stars = _record(reader.varint(), section, previous[section])
            previous[section] = movie_id
            pending.append((section, movie_id, stars))
            if (i + 1) % BLOCK == 0 or i + 1 == len(order):
                reader.checkpoint()
                for sec, mid, st in pending:
                    found[sec].append((mid, st))
                pending.clear()
    except _Damaged:
        pass
    return found


def _recovery_warning(counts: tuple[int, int, int], found: list[list]) -> str | None:
    got = [len(f) for f in found]
    if got == list(counts):
        return None
    parts = [
        f"{g:,} of {n:,} {what}" for g, n, what in zip(got, counts, _SECTIONS, strict=True) if n
    ]
    return "The profile link was damaged or cut short; recovered " + ", ".join(parts) + "."


def _profile(found: list[list], known: Collection[int] | None) -> tuple[Profile, list[str]]:
    ratings = {m: s for m, s in found[0]}
    hidden = [m for m, _ in found[1]]
    watchlist = list(dict.fromkeys(m for m, _ in found[2]))
    warnings = []
    if known is not None:
        unknown = {m for m in [*ratings, *hidden, *watchlist] if m not in known}
        if unknown:
            ratings = {m: s for m, s in ratings.items() if m not in unknown}
            hidden = [m for m in hidden if m not in unknown]
            watchlist = [m for m in watchlist if m not in unknown]
            warnings.append(
                f"{len(unknown):,} movie(s) in the profile link are not in this dataset "
                "and were left out."
            )
    return Profile(ratings, frozenset(hidden), tuple(watchlist)), warnings


def _decode(text: object, known: Collection[int] | None) -> DecodedProfile:
    if not isinstance(text, str):
        return DecodedProfile(Profile(), ("The profile link is not text; it was ignored.",))
    if not text.strip():
        return DecodedProfile(Profile())
    if len(text) > MAX_LINK_CHARS:
        return DecodedProfile(
            Profile(),
            (f"The profile link is too long (more than {MAX_LINK_CHARS:,} characters); "
             "it was ignored.",),
        )  # fmt: skip
    data, problem = _bytes_of(text)
    if data is None or not data:
        return DecodedProfile(Profile(), (problem or "The profile link is empty.",))
    if data[0] != VERSION:
        return DecodedProfile(
            Profile(),
            (f"The profile link has format version {data[0]}; this app reads version {VERSION}. "
             "It was ignored.",),
        )  # fmt: skip
    payload, ending = _inflate(data[1:])
    reader = _Reader(payload[:MAX_PAYLOAD_BYTES])
    try:
        counts = _header(reader)
    except _Damaged:
        return DecodedProfile(Profile(), ("The profile link is damaged; nothing could be read.",))
    limits = (MAX_RATINGS, MAX_LISTED, MAX_LISTED)
    if any(n > limit for n, limit in zip(counts, limits, strict=True)):
        return DecodedProfile(
            Profile(),
            ("The profile link claims more movies than a link may hold; it was ignored.",),
        )
    found = _sections(reader, counts)
    warnings = [w for w in [_recovery_warning(counts, found)] if w]
    if not warnings and (ending in ("extra", "large") or reader.pos != len(payload)):
        warnings.append("The profile link has unexpected data at its end; it was ignored.")
    profile, more = _profile(found, known)
    return DecodedProfile(profile, tuple(warnings + more))


def decode_profile(text: object, known: Collection[int] | None = None) -> DecodedProfile:
    """The profile in a ``?profile=`` text and plain-text warnings; never raises.

    ``known``: movie ids of the current dataset; others are left out, with a warning. An empty
    text gives an empty profile and no warning.
    """
    try:
        return _decode(text, known)
    except Exception:  # the contract: a hostile link must never reach the visitor as a traceback
        return DecodedProfile(Profile(), ("The profile link could not be read; it was ignored.",))


def profile_from(
    ratings: Mapping[int, float], hidden: Iterable[int] = (), watchlist: Iterable[int] = ()
) -> Profile:
    """A :class:`Profile` from the page's session values (any mapping and iterables)."""
    return Profile(
        {int(m): float(s) for m, s in ratings.items()},
        frozenset(int(m) for m in hidden),
        tuple(dict.fromkeys(int(m) for m in watchlist)),
    )
