"""What the bot says about the handover checklist, in English and Chinese."""

from __future__ import annotations

from bot.core.i18n import Phrases

PHRASES: Phrases = {
    "checklist": {
        "en": "Handover checklist for {project} ({done} of {total} confirmed):",
        "zh": "{project} 的交接清单（已确认 {done}/{total} 项）：",
    },
    "item_confirmed": {
        "en": "confirmed by {who} on {date}",
        "zh": "{who} 于 {date} 确认",
    },
    "item_due": {"en": "due {date}", "zh": "截止 {date}"},
    "item_overdue": {"en": "overdue since {date}", "zh": "已逾期（截止 {date}）"},
    "item_ticked": {"en": "done on our side", "zh": "我方已完成"},
    "item_problem": {"en": "problem reported: {ticket}", "zh": "已报告问题：{ticket}"},
    "accepted": {
        "en": "{project} was accepted on {date}. Thank you!",
        "zh": "{project} 已于 {date} 验收。谢谢！",
    },
    "next": {
        "en": "Please confirm item {number}: {title}",
        "zh": "请确认第 {number} 项：{title}",
    },
    "confirm": {"en": "Confirm", "zh": "确认"},
    "report_problem": {"en": "Report a problem", "zh": "报告问题"},
    "confirmed": {"en": "Thank you, confirmed: {title}.", "zh": "谢谢，已确认：{title}。"},
    "was_confirmed": {
        "en": "That item was confirmed already: {title}.",
        "zh": "该项已经确认过了：{title}。",
    },
    "all_confirmed": {
        "en": "Every handover item is confirmed: {project} is accepted as of {date}. "
        "Your warranty runs until {warranty}. Thank you!",
        "zh": "所有交接项均已确认：{project} 自 {date} 起正式验收，质保期至 {warranty}。谢谢！",
    },
    "no_item": {
        "en": "I can't find that checklist item. Type /handover to see the list.",
        "zh": "找不到该清单项。输入 /handover 查看清单。",
    },
    "ask_problem": {
        "en": 'What is wrong with "{title}"? Describe it in a few words (or type cancel).',
        "zh": "「{title}」有什么问题？请简单描述（输入“取消”可放弃）。",
    },
    "problem_opened": {
        "en": 'Thank you. I opened ticket {ref} for "{title}"; our team will look at it. '
        "You can confirm the item once it is fixed (/handover).",
        "zh": "谢谢。已为「{title}」创建工单 {ref}，我们的团队会尽快处理。问题解决后可再确认该项（/handover）。",
    },
}
