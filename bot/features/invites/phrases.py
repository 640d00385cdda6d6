"""What the bot says about joining with an invite, in English and Chinese."""

from __future__ import annotations

from bot.core.i18n import Phrases

PHRASES: Phrases = {
    "how_to_join": {
        "en": (
            "Hello! I'm Aftercare, the support assistant of your project team. This chat is not "
            "linked to a client yet, so I can't show tickets or project details here. Ask your "
            "project contact for an invite code, then send /start followed by the code."
        ),
        "zh": (
            "您好！我是 Aftercare，项目团队的售后支持助手。此聊天尚未关联到客户，因此无法在这里查看"
            "工单或项目信息。请向项目联系人索取邀请码，然后发送 /start 加邀请码。"
        ),
    },
    "welcome": {
        "en": "Welcome, {name}! This chat is now linked to {client}. Ask me anything, or type /help.",
        "zh": "欢迎，{name}！此聊天已关联到 {client}。请直接提问，或输入 /help 查看可用命令。",
    },
    "welcome_group": {
        "en": (
            "This group is now linked to {client}. Mention me or reply to one of my messages "
            "to ask something; /help lists the commands."
        ),
        "zh": "此群组已关联到 {client}。提到我或回复我的消息即可提问；输入 /help 查看可用命令。",
    },
    "unknown": {
        "en": "I don't recognise that invite code. Check it, or ask your project contact for a new one.",
        "zh": "无法识别该邀请码。请检查后重试，或向项目联系人索取新的邀请码。",
    },
    "used": {
        "en": "That invite code has already been used. Ask your project contact for a new one.",
        "zh": "该邀请码已被使用。请向项目联系人索取新的邀请码。",
    },
    "expired": {
        "en": "That invite code expired on {date}. Ask your project contact for a new one.",
        "zh": "该邀请码已于 {date} 过期。请向项目联系人索取新的邀请码。",
    },
}
