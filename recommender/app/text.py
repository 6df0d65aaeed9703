"""Text from the data or the URL shown as text, never as markup: :func:`plain` (escaped
markdown) and :func:`code_block` (verbatim)."""

from __future__ import annotations

import re

__all__ = ["code_block", "plain"]

_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>&#|~$:{}()!"})
# GitHub-flavoured markdown turns bare "https://…", "www.…" and "a@b.c" into links after escapes
# are resolved, so a backslash cannot stop it; an invisible word joiner after the trigger does.
_AUTOLINK_START = re.compile(r"(?i)(:(?=//)|\bwww(?=\.)|@)")
_BLOCK_START = re.compile(r"^(\s*)(?:([-+=])|(\d+)([.)]))")


def plain(text: object) -> str:
    """``text`` escaped so that Streamlit markdown shows it literally: titles contain '*', ':',
    '[', '$'…, and data or URL values are never markup (links, images, KaTeX, HTML, autolinks)."""
    flat = str(text).replace("\r", " ").replace("\n", " ")
    escaped = _AUTOLINK_START.sub("\\1\u2060", flat).translate(_MARKDOWN_SPECIAL)
    # a leading "-", "+", "=" or "1." would start a list or a heading
    return _BLOCK_START.sub(
        lambda m: m.group(1) + (f"\\{m.group(2)}" if m.group(2) else f"{m.group(3)}\\{m.group(4)}"),
        escaped,
        count=1,
    )


def code_block(text: object) -> str:
    """``text`` as a fenced markdown code block: shown verbatim (paths, file contents), never
    interpreted, whatever backticks it holds."""
    body = str(text)
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", body)), default=0))
    return f"{fence}text\n{body}\n{fence}"
