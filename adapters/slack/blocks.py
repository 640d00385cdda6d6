"""Reply → Block Kit: escaped mrkdwn section, a context block of citations, a row of buttons."""

from __future__ import annotations

from typing import Any

from bot.messages import Reply

_SECTION_LIMIT = 3000


def escape(text: str) -> str:
    """Slack's three mrkdwn control characters; everything else is sent as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _source(title: str, section: str, source: str) -> str:
    label = escape(f"{title} › {section}" if section else title)
    if source.startswith(("http://", "https://")):
        return f"<{source}|{label}>"
    return label


def render(reply: Reply) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": escape(reply.text)[:_SECTION_LIMIT]}}
    ]
    if reply.citations:
        sources = " · ".join(_source(c.title, c.section, c.source) for c in reply.citations)
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"Source: {sources}"}]}
        )
    if reply.buttons:
        blocks.append(
            {
                "type": "actions",
                "block_id": "aftercare_buttons",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": b.label[:75]},
                        "value": b.payload,
                        "action_id": f"aftercare_{i}",
                    }
                    for i, b in enumerate(reply.buttons)
                ],
            }
        )
    return blocks


def chosen(blocks: list[dict[str, Any]], label: str, user_id: str) -> list[dict[str, Any]]:
    """The clicked message without its buttons, saying who chose what (so nobody votes twice)."""
    kept = [b for b in blocks if b.get("type") != "actions"]
    note = f"<@{user_id}> chose *{escape(label)}*"
    return [*kept, {"type": "context", "elements": [{"type": "mrkdwn", "text": note}]}]
