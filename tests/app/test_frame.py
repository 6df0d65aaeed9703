"""The app frame's text helpers: data and URL values are shown literally, never as markup."""

from __future__ import annotations

import re

import pytest

from recommender.app.frame import code_block, plain

WORD_JOINER = "\u2060"


@pytest.mark.parametrize(
    "text",
    [
        "[Session expired](https://evil.example/login)",
        "![](http://host/pixel.png)",
        "$E = mc^2$ and **bold** and _it_ and `code`",
        "<b>bold</b> <script>alert(1)</script>",
        ":red[alarm] :material/home:",
        "# heading",
        "1. numbered",
        "- bullet",
        "Tom &amp; Jerry & friends",
        "mail a@b.example or www.evil.example",
    ],
)
def test_plain_escapes_every_markdown_construct(text: str) -> None:
    escaped = plain(text)
    # every character that can start markup is escaped, and unescaping gives the text back
    pairs = re.findall(r"\\.|.", escaped)
    assert all(p.startswith("\\") for p in pairs if p in set("[]()!$*_`<>:&#|~{}\\"))
    assert "".join(p[-1] for p in pairs).replace(WORD_JOINER, "") == text
    assert not escaped.startswith(("#", "1.", "-"))


def test_plain_keeps_ordinary_titles_readable() -> None:
    assert plain("Star Wars: Episode IV - A New Hope (1977)") == (
        "Star Wars\\: Episode IV - A New Hope \\(1977\\)"
    )
    assert plain("ml-latest-small") == "ml-latest-small"


def test_plain_breaks_every_bare_autolink() -> None:
    # GitHub-flavoured markdown links bare URLs and e-mail addresses whatever backslashes say
    escaped = plain("see https://evil.example, www.evil.example or help@evil.example").replace(
        "\\", ""
    )
    assert not re.search(r"https?://|www\.|@\w", escaped)
    assert (
        escaped.replace(WORD_JOINER, "")
        == "see https://evil.example, www.evil.example or help@evil.example"
    )


def test_code_block_survives_backticks() -> None:
    block = code_block("a ``` b")
    assert block.startswith("````text\n") and block.endswith("\n````")
