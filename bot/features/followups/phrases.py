"""What follow-ups and warranty notices say, in English and Chinese."""

from __future__ import annotations

from bot.core.i18n import Phrases

PHRASES: Phrases = {
    "checkin": {
        "en": "Hi {name}, it has been {days} days since {project} was {event}. How is it going? "
        "If anything is not working as it should, tell us here.",
        "zh": "{name}您好，{project}{event}已经{days}天了。使用情况如何？如果有任何问题，"
        "可以直接在这里告诉我们。",
    },
    "delivered": {"en": "delivered", "zh": "交付"},
    "accepted": {"en": "accepted", "zh": "验收"},
    "all_good": {"en": "All good", "zh": "一切正常"},
    "problem": {"en": "Report a problem", "zh": "报告问题"},
    "person": {"en": "Talk to a person", "zh": "联系人工"},
    "warranty": {
        "en": "Heads-up, {name}: the warranty for {project} ends on {end} ({days} days from "
        "now). Please report any defect you know of before then; after that date, fixes are "
        "covered by your maintenance agreement.",
        "zh": "{name}您好，提醒一下：{project}的质保期将于{end}结束（还有{days}天）。"
        "如有已知缺陷，请在此之前报告；之后的修复将按维护协议处理。",
    },
    "thanks": {
        "en": "Glad to hear it, thank you! We will check in again later.",
        "zh": "很高兴听到一切顺利，谢谢！我们之后会再来问候。",
    },
}
