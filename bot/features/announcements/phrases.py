"""What the bot says about announcements, in English and Chinese."""

from __future__ import annotations

from bot.core.i18n import Phrases

PHRASES: Phrases = {
    "upgrade": {"en": "Upgrade window", "zh": "升级窗口"},
    "security": {"en": "Security patch", "zh": "安全补丁"},
    "feature": {"en": "New feature", "zh": "新功能"},
    "understood": {"en": "Understood", "zh": "知道了"},
    "noted": {"en": "Thank you, noted.", "zh": "谢谢，已记录。"},
    "noted_already": {"en": "Already noted. Thank you!", "zh": "已经记录过了，谢谢！"},
    "unknown": {
        "en": "This notice is not available any more.",
        "zh": "该通知已失效。",
    },
}
