"""What escalation says to clients, in English and Chinese, and how it spots a request."""

from __future__ import annotations

import re

from bot.core.i18n import Phrases

PHRASES: Phrases = {
    "escalated": {
        "en": (
            "I've asked a person from the team to join. They'll answer here, by {due} ({tz}) "
            "at the latest. Your messages now go to them; type /bot to come back to me."
        ),
        "zh": (
            "已为您转接人工客服，工作人员会在这里回复您，最迟 {due}（{tz}）。"
            "您接下来的消息会转给他们；输入 /bot 可回到机器人。"
        ),
    },
    "escalated_closed": {
        "en": (
            "I've asked a person from the team to join. The team is away now and back at "
            "{opens} ({tz}); they'll answer here by {due}. Your messages go to them; "
            "type /bot to come back to me."
        ),
        "zh": (
            "已为您转接人工客服。团队目前不在工作时间，将于 {opens}（{tz}）上班，"
            "最迟 {due} 在这里回复您。您的消息会转给他们；输入 /bot 可回到机器人。"
        ),
    },
    "escalated_unknown": {
        "en": (
            "I've asked a person from the team to join; they'll answer here as soon as they "
            "can. Your messages now go to them; type /bot to come back to me."
        ),
        "zh": "已为您转接人工客服，工作人员会尽快在这里回复。您的消息会转给他们；输入 /bot 可回到机器人。",
    },
    "still_waiting": {
        "en": "I've passed that on. A person will answer here soon (type /bot to come back to me).",
        "zh": "已转给工作人员，稍后会在这里回复您（输入 /bot 可回到机器人）。",
    },
    "already_waiting": {
        "en": "A person has already been asked and will answer here soon.",
        "zh": "已经为您转接人工，工作人员很快会在这里回复。",
    },
    "already_human": {
        "en": "{staff} from the team is with you; just write here.",
        "zh": "{staff} 正在为您服务，直接在这里留言即可。",
    },
    "taken": {
        "en": "{staff} from the team has joined and will answer you here.",
        "zh": "{staff} 已接入，会在这里回复您。",
    },
    "handed_back": {
        "en": (
            "{staff} has handed you back to me. Ask me anything, or type /human to reach a "
            "person again."
        ),
        "zh": "{staff} 已将对话交回机器人。有问题可以继续问我，或输入 /human 再次转人工。",
    },
    "back_to_bot": {
        "en": "You're back with the bot. Ask me anything, or type /human to reach a person.",
        "zh": "已回到机器人。有问题可以继续问我，或输入 /human 转人工。",
    },
    "already_bot": {
        "en": "You're talking to the bot already. Type /human to reach a person.",
        "zh": "您正在与机器人对话。输入 /human 可转人工。",
    },
    "closed": {
        "en": "{staff} has closed this conversation. Write again any time.",
        "zh": "{staff} 已结束本次对话，有需要随时再来。",
    },
    "ticket_opened": {
        "en": "{staff} opened ticket {ref} for this. /status {ref} shows it any time.",
        "zh": "{staff} 已为此创建工单 {ref}，可随时用 /status {ref} 查询。",
    },
    "signature": {"en": "— {staff} (support team)", "zh": "— {staff}（客服团队）"},
    "files": {"en": "Files:", "zh": "文件："},
}

# Asking for a person, in English or Chinese ("can I talk to a human", "转人工", "人工客服").
_PERSON = (
    re.compile(
        r"\b(talk|speak|chat|get\s+through)\s+(to|with)\s+(a|an|some|your|the)?\s*"
        r"(real\s+|live\s+)?(human|person|people|agent|someone|somebody|representative|"
        r"operator|staff|engineer|support\s+team)\b"
        r"|\b(real|live)\s+(human|person|agent)\b"
        r"|\b(connect|transfer|put)\s+me\s+(to|through\s+to|in\s+touch\s+with)\s+(a|an|some|your)?\s*"
        r"(human|person|agent|someone|representative|operator)\b"
        r"|^\s*(a\s+)?(human|agent|operator)(\s+please)?\s*[.!?]*\s*$",
        re.IGNORECASE,
    ),
    re.compile(
        r"转人工|人工客服|人工服务|找人工|接人工|真人客服|联系客服人员|^\s*人工\s*[。！!]?\s*$"
    ),
)


def asks_for_person(text: str) -> bool:
    return any(p.search(text) for p in _PERSON)
