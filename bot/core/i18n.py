"""Language detection and the bot's own phrases in English and Chinese."""

from __future__ import annotations

import re
from typing import Literal

Lang = Literal["en", "zh"]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


_NOT_WORDS = re.compile(r"^/\S+|[A-Z][A-Z0-9]{1,9}-\d+|\d+")
_WORD = re.compile(r"[A-Za-z]{2,}")


def detect_lang(text: str, fallback: Lang = "en") -> Lang:
    """Chinese when the text carries CJK ideographs, English when it carries English words;
    `fallback` (the contact's language) for bare commands, ticket numbers and clicks."""
    if _CJK.search(text):
        return "zh"
    return "en" if _WORD.search(_NOT_WORDS.sub(" ", text.strip())) else fallback


_PHRASES: dict[str, dict[Lang, str]] = {
    "help": {
        "en": "I'm Aftercare, your project's support assistant. Ask me a question in plain words, "
        "or use a command:",
        "zh": "我是 Aftercare，项目售后支持助手。可以直接用中文提问，或使用命令：",
    },
    "not_configured": {
        "en": "Sorry, {feature} is not set up on this Aftercare installation yet.",
        "zh": "抱歉，本系统尚未启用「{feature}」功能。",
    },
    "unknown_command": {
        "en": "I don't know the command /{command}. Type /help to see what I can do.",
        "zh": "我不认识命令 /{command}。输入 /help 查看可用命令。",
    },
    "not_linked": {
        "en": (
            "I don't know which client you belong to yet, so I can't open tickets or show "
            "project details. Ask your project contact for an invite, then try again."
        ),
        "zh": "我还不知道您属于哪个客户，所以暂时无法提交工单或查看项目信息。请向项目联系人索取邀请后再试。",
    },
    "kb_unavailable": {
        "en": "I can't search the knowledge base right now ({reason}). Type /human to reach a person.",
        "zh": "知识库暂时无法使用（{reason}）。输入 /human 联系人工客服。",
    },
    "internal_error": {
        "en": "Something went wrong on my side. Please try again, or type /human to reach a person.",
        "zh": "系统出了点问题，请稍后再试，或输入 /human 联系人工客服。",
    },
    "too_long": {
        "en": (
            "Your message is too long for me to take in one piece (at most {limit} "
            "characters). Please send it in shorter parts, or attach a file."
        ),
        "zh": "您的消息太长，无法一次处理（最多 {limit} 个字符）。请分成几条较短的消息发送，或以文件形式发送。",
    },
    "no_project": {
        "en": "Your organisation has no project with us yet.",
        "zh": "贵单位目前还没有项目。",
    },
    "form_too_short": {
        "en": "Please describe it in a few more words (or type cancel).",
        "zh": "请再多描述几个字（输入“取消”可放弃）。",
    },
    "form_cancelled": {"en": "OK, cancelled.", "zh": "好的，已取消。"},
    "empty": {
        "en": "Type a question, or /help to see what I can do.",
        "zh": "请输入您的问题，或输入 /help 查看可用命令。",
    },
}


Phrases = dict[str, dict[Lang, str]]

# What a client types to leave a form under way (a suggestion, a handover problem).
CANCEL_WORDS = frozenset({"cancel", "stop", "取消", "算了"})


def lang_of(value: str | None) -> Lang:
    """A stored language (a contact's, say) as one the bot speaks: Chinese or else English."""
    return "zh" if value == "zh" else "en"


def say(table: Phrases, key: str, lang: Lang, **values: str) -> str:
    """The phrase `key` of a feature's own table in `lang`, with `{placeholders}` filled in."""
    return table[key][lang].format(**values)


def t(key: str, lang: Lang, **values: str) -> str:
    """One of the core's own phrases."""
    return say(_PHRASES, key, lang, **values)
