"""What the survey feature says to clients, in English and Chinese."""

from __future__ import annotations

from bot.core.i18n import Phrases

PHRASES: Phrases = {
    "csat_ask": {
        "en": (
            'Your ticket {ref} "{title}" was resolved. How satisfied are you with how we '
            "handled it?\n1 = very dissatisfied, 5 = very satisfied."
        ),
        "zh": "您的工单 {ref}「{title}」已解决。您对本次处理满意吗？\n1 = 非常不满意，5 = 非常满意。",
    },
    "csat_remind": {
        "en": (
            'A quick reminder: how satisfied are you with how we handled {ref} "{title}"? '
            "One click is enough.\n1 = very dissatisfied, 5 = very satisfied."
        ),
        "zh": "温馨提醒：您对工单 {ref}「{title}」的处理满意吗？点一下即可。\n1 = 非常不满意，5 = 非常满意。",
    },
    "nps_ask": {
        "en": (
            "How likely are you to recommend our work on {project} to a friend or colleague?\n"
            "0 = not at all likely, 10 = extremely likely."
        ),
        "zh": "您有多大可能向朋友或同事推荐我们在「{project}」项目上的服务？\n0 = 完全不可能，10 = 非常可能。",
    },
    "nps_remind": {
        "en": (
            "A quick reminder: how likely are you to recommend our work on {project}? "
            "One click is enough.\n0 = not at all likely, 10 = extremely likely."
        ),
        "zh": "温馨提醒：您有多大可能推荐我们在「{project}」项目上的服务？点一下即可。\n0 = 完全不可能，10 = 非常可能。",
    },
    "thanks": {"en": "Thank you for your rating ({score}).", "zh": "感谢您的评分（{score}）。"},
    "will_reach_out": {
        "en": "We're sorry we fell short. Someone from the team will reach out to you shortly.",
        "zh": "很抱歉没有让您满意，团队成员会尽快与您联系。",
    },
    "ask_comment_csat": {
        "en": "Anything you'd like to add? Type a comment, or press Skip.",
        "zh": "还有什么想补充的吗？请直接输入，或点击「跳过」。",
    },
    "ask_comment_nps": {
        "en": "What is the main reason for your score? Type a few words, or press Skip.",
        "zh": "您给出这个分数的主要原因是什么？请简单写几句，或点击「跳过」。",
    },
    "skip": {"en": "Skip", "zh": "跳过"},
    "skipped": {"en": "No problem. Thanks again!", "zh": "好的，再次感谢！"},
    "comment_thanks": {
        "en": "Thank you, your comment has been passed to the team.",
        "zh": "谢谢，您的意见已转达给团队。",
    },
    "already_answered": {
        "en": "You've already answered this survey ({score}). Thank you!",
        "zh": "您已经回答过这份问卷（{score}），谢谢！",
    },
    "unknown_survey": {
        "en": "This survey is no longer available. Thank you anyway!",
        "zh": "这份问卷已失效，仍然感谢您！",
    },
}
