"""What FAQ answers say around the knowledge base's words, in English and Chinese."""

from __future__ import annotations

from bot.core.i18n import Phrases

PHRASES: Phrases = {
    "did_you_mean": {
        "en": "I'm not sure I understood. Did you mean one of these?",
        "zh": "我不太确定您的意思，您是想问以下哪一个？",
    },
    "none_of_these": {"en": "None of these", "zh": "都不是"},
    "dont_know": {
        "en": (
            "I don't know the answer to that, and I'd rather not guess. "
            "I can open a ticket for you or put you in touch with a person."
        ),
        "zh": "这个问题我不知道答案，也不想乱猜。我可以帮您提交工单，或为您转接人工客服。",
    },
    "open_ticket": {"en": "Open a ticket", "zh": "提交工单"},
    "ask_person": {"en": "Talk to a person", "zh": "转人工"},
    "source": {"en": "Source", "zh": "来源"},
    "gone": {
        "en": "That article is no longer in the knowledge base. Please ask again.",
        "zh": "该文章已不在知识库中，请重新提问。",
    },
}
