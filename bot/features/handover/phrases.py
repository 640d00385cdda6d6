"""What the bot says about handover, suggestions and /project, in English and Chinese."""

from __future__ import annotations

import re

from bot.core.i18n import Phrases

PHRASES: Phrases = {
    "no_project": {
        "en": "Your organisation has no project with us yet.",
        "zh": "贵单位目前还没有项目。",
    },
    "pick_project": {"en": "Which project?", "zh": "请选择项目："},
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
    "too_short": {
        "en": "Please describe it in a few more words (or type cancel).",
        "zh": "请再多描述几个字（输入“取消”可放弃）。",
    },
    "cancelled": {"en": "OK, cancelled.", "zh": "好的，已取消。"},
    "ask_suggestion": {
        "en": "Great, what is your suggestion? (or type cancel)",
        "zh": "好的，请说说您的建议。（输入“取消”可放弃）",
    },
    "suggestion_thanks": {
        "en": "Thank you for the suggestion! I've passed it on to the {project} team.",
        "zh": "感谢您的建议！我已转交给 {project} 团队。",
    },
    "suggestion_thanks_plain": {
        "en": "Thank you for the suggestion! I've passed it on to our team.",
        "zh": "感谢您的建议！我已转交给我们的团队。",
    },
    "project_head": {"en": "{project} ({tier} SLA)", "zh": "{project}（{tier} 级服务）"},
    "project_accepted": {
        "en": "Delivered {delivered}, accepted {accepted}.",
        "zh": "交付日期 {delivered}，验收日期 {accepted}。",
    },
    "project_not_accepted": {
        "en": "Delivered {delivered}; not accepted yet ({done} of {total} handover items "
        "confirmed, see /handover).",
        "zh": "交付日期 {delivered}；尚未验收（交接清单已确认 {done}/{total} 项，见 /handover）。",
    },
    "warranty_left": {
        "en": "Warranty until {date}: {days} days left.",
        "zh": "质保期至 {date}，还剩 {days} 天。",
    },
    "warranty_ended": {"en": "Warranty ended on {date}.", "zh": "质保期已于 {date} 结束。"},
    "warranty_none": {"en": "No warranty on record.", "zh": "暂无质保记录。"},
    "sla_targets": {
        "en": "Response / resolution targets (working hours; P1 around the clock):",
        "zh": "响应 / 解决时限（工作小时；P1 全天候）：",
    },
    "open_tickets": {"en": "Open tickets: {count}{refs}", "zh": "未关闭工单：{count}{refs}"},
    "next_checkin": {"en": "Next check-in: {date}", "zh": "下次回访：{date}"},
    "no_checkin": {"en": "Next check-in: none scheduled", "zh": "下次回访：暂无安排"},
    "next_training": {"en": "Next training: {what}", "zh": "下次培训：{what}"},
    "your_sla": {
        "en": "Your project {project} is on the {tier} tier: {targets} (first response / "
        "resolution, in working hours; P1 around the clock).",
        "zh": "您的项目 {project} 为 {tier} 级服务：{targets}（首次响应 / 解决，按工作小时；P1 全天候）。",
    },
    "your_project": {"en": "Your project {project}: {fact}", "zh": "您的项目 {project}：{fact}"},
}

CANCEL_WORDS = frozenset({"cancel", "stop", "取消", "算了"})

_SUGGESTION = re.compile(
    r"^\s*(?:(?:i\s+have|i've\s+got|here(?:'s|\s+is))\s+(?:a|an|one)\s+(?:suggestion|idea)"
    r"|suggestion\s*[:：]"
    r"|我(?:有|想提)(?:一个|个|一条|条)?(?:建议|想法|改进意见))"
    r"[\s:：,，.。!！…-]*",
    re.IGNORECASE,
)


def suggestion_text(text: str) -> str | None:
    """For "I have a suggestion: ..." / "我有一个建议：..." the idea itself ("" when only
    announced); None for any other text."""
    match = _SUGGESTION.match(text)
    if match is None:
        return None
    return text[match.end() :].strip()
