"""Plain-text helpers the channel adapters share: cutting long text into pieces a platform
accepts."""

from __future__ import annotations

from collections.abc import Callable

Cost = Callable[[str], int]


def utf16(char: str) -> int:
    """A character's length in UTF-16 code units (what Telegram and Slack's clients count)."""
    return 2 if ord(char) > 0xFFFF else 1


def measure(text: str, cost: Cost = utf16) -> int:
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
