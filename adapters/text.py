"""Plain-text helpers the channel adapters share: cutting long text into pieces a platform
accepts, and writing a hyperlink as neutral text."""

from __future__ import annotations

from collections.abc import Callable

Cost = Callable[[str], int]


def utf16(char: str) -> int:
    """A character's length in UTF-16 code units (what Telegram and Slack's clients count)."""
    return 2 if ord(char) > 0xFFFF else 1


def measure(text: str, cost: Cost = utf16) -> int:
    """The length of `text` as `cost` counts it."""
    if cost is utf16:  # the common case, at C speed; lone surrogates count one each
        return len(text.encode("utf-16-le", "surrogatepass")) // 2
    return sum(cost(char) for char in text)


def fit(text: str, limit: int, cost: Cost = utf16) -> int:
    """How many leading characters of `text` fit in `limit`."""
    used = 0
    for index, char in enumerate(text):
        used += cost(char)
        if used > limit:
            return index
    return len(text)


def split(text: str, limit: int, cost: Cost = utf16) -> list[str]:
    """`text` cut into pieces of at most `limit` (as `cost` counts), at a line break in the
    second half of a piece, else at a space there, else anywhere.

    Whitespace around a cut and at both ends is dropped; nothing else is. Empty text gives
    one empty piece.
    """
    pieces: list[str] = []
    rest = text.strip()
    while True:
        cut = fit(rest, limit, cost)
        if cut >= len(rest):
            break
        cut = max(cut, 1)  # a limit below one character's cost still makes progress
        window = rest[:cut]
        at = window.rfind("\n")
        if at <= cut // 2:
            at = window.rfind(" ")
        if at > cut // 2:
            cut = at
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def clip(text: str, limit: int, cost: Cost = utf16, ellipsis: str = "…") -> str:
    """`text` on one line, shortened with an ellipsis when it is longer than `limit`."""
    text = " ".join(text.split())
    if measure(text, cost) <= limit:
        return text
    room = max(limit - measure(ellipsis, cost), 0)
    return text[: fit(text, room, cost)].rstrip() + ellipsis


_SCHEMES = ("https://", "http://", "mailto:", "tel:")


def link_text(label: str, url: str) -> str:
    """A hyperlink as plain text: `label (url)`, or just one of them when they say the same.

    `<mailto:a@b|a@b>` is `a@b`; a label that is the URL without its scheme (what Slack makes
    of a typed `example.com`) is the label as typed. Spaces around the label stay outside.
    """
    core, url = label.strip(), url.strip()
    lead = label[: len(label) - len(label.lstrip())]
    trail = label[len(label.rstrip()) :] if core else ""
    bare = url
    for scheme in _SCHEMES:
        if url.lower().startswith(scheme):
            bare = url[len(scheme) :]
            break
    if url.lower().startswith(("mailto:", "tel:")):
        url = bare
    if not core or core == url:
        text = url
    elif core in (bare, bare.rstrip("/")) or not url:
        text = core
    else:
        text = f"{core} ({url})"
    return lead + text + trail
