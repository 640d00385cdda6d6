"""What /project and project-aware answers say, in English and Chinese."""

from __future__ import annotations

from bot.core.i18n import Phrases

PHRASES: Phrases = {
    "no_such_project": {
        "en": "I can't find that project. Type /project to see yours.",
        "zh": "找不到该项目。输入 /project 查看贵单位的项目。",
    },
    "pick_project": {"en": "Which project?", "zh": "请选择项目："},
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
