"""What /hours says, in English and Chinese."""

from __future__ import annotations

from bot.core.i18n import Phrases

PHRASES: Phrases = {
    "hours": {
        "en": "{project} ({tier} SLA): {days}, {start}-{end} ({tz}), except public holidays. "
        "P1 incidents are handled around the clock.",
        "zh": "{project}（{tier} 级服务）：{days} {start}-{end}（{tz}），法定节假日除外。"
        "P1 紧急故障全天候处理。",
    },
    "in_now": {"en": "The team is in now.", "zh": "团队现在在线。"},
    "out_now": {
        "en": "The team is out now and back at {opens} ({tz}). A P1 incident can be reported at "
        "any time with /ticket.",
        "zh": "团队现在不在线，将于 {opens}（{tz}）回来。P1 紧急故障可随时通过 /ticket 报告。",
    },
}

DAY_NAMES = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
}
