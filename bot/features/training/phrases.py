"""What the training feature says to clients, in English and Chinese."""

from __future__ import annotations

from bot.core.i18n import Phrases

PHRASES: Phrases = {
    "none": {
        "en": "There are no upcoming training sessions for your projects.",
        "zh": "您的项目目前没有即将举行的培训。",
    },
    "list_head": {"en": "Upcoming training sessions:", "zh": "即将举行的培训："},
    "item": {
        "en": "{title} ({kind}, {project})\n  {when}\n  {place}",
        "zh": "{title}（{kind}，{project}）\n  {when}\n  {place}",
    },
    "registered_mark": {"en": "  ✓ You are registered.", "zh": "  ✓ 您已报名。"},
    "register": {"en": "Register: {title}", "zh": "报名：{title}"},
    "online": {"en": "Online: {link}", "zh": "线上：{link}"},
    "onsite": {"en": "On site: {address}", "zh": "现场：{address}"},
    "registered": {
        "en": "You are registered for {title} on {when}.\n{place}\n"
        "We will remind you a day and an hour before.",
        "zh": "您已报名参加「{title}」，时间：{when}。\n{place}\n我们会在开始前一天和一小时提醒您。",
    },
    "gone": {
        "en": "That training session is no longer open for registration. Type /training to see "
        "the current ones.",
        "zh": "该培训已无法报名。输入 /training 查看当前的培训。",
    },
    "need_private": {
        "en": "Please register from your own chat with me, so the reminders reach you.",
        "zh": "请在与我的私聊中报名，以便提醒能发送给您本人。",
    },
    "remind_day": {
        "en": "Reminder: {title} is tomorrow, {when}.\n{place}",
        "zh": "提醒：「{title}」将于明天 {when} 举行。\n{place}",
    },
    "remind_hour": {
        "en": "Reminder: {title} starts in an hour, {when}.\n{place}",
        "zh": "提醒：「{title}」将在一小时后开始，{when}。\n{place}",
    },
    "moved": {
        "en": "{title} has moved to {when}.\n{place}\nYou are still registered; the reminders "
        "follow the new time.",
        "zh": "「{title}」已改期至 {when}。\n{place}\n您的报名仍然有效，提醒会按新时间发送。",
    },
    "cancelled": {
        "en": "{title} on {when} has been cancelled. We are sorry for the change.",
        "zh": "原定于 {when} 的「{title}」已取消，抱歉给您带来不便。",
    },
    "after": {
        "en": "Thank you for joining {title}.{materials}\n"
        "How would you rate the session?\n1 = poor, 5 = excellent.",
        "zh": "感谢您参加「{title}」。{materials}\n您对本次培训的评价如何？\n1 = 很差，5 = 非常好。",
    },
    "materials": {"en": "\nMaterials:\n{links}", "zh": "\n培训资料：\n{links}"},
    "new_material": {
        "en": "New material for {title}:\n{links}",
        "zh": "「{title}」的新培训资料：\n{links}",
    },
    "rated": {"en": "Thank you for your rating ({score}).", "zh": "感谢您的评分（{score}）。"},
    "already_rated": {
        "en": "You have already rated this session ({score}). Thank you!",
        "zh": "您已经为本次培训评过分（{score}），谢谢！",
    },
    "rate_unknown": {
        "en": "This rating is no longer available. Thank you anyway!",
        "zh": "该评分已失效，仍然感谢您！",
    },
    "basic": {"en": "basic", "zh": "基础"},
    "advanced": {"en": "advanced", "zh": "进阶"},
    "custom": {"en": "custom", "zh": "定制"},
}
