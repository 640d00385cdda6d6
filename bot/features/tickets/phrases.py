"""What the ticket feature says to clients, in English and Chinese."""

from __future__ import annotations

from bot.core.i18n import Phrases

SEVERITY_HELP: Phrases = {
    "P1": {
        "en": "P1 Critical: production is down or data is being lost, no workaround",
        "zh": "P1 紧急：生产环境不可用或数据丢失，没有替代办法",
    },
    "P2": {
        "en": "P2 High: a major feature is broken and the workaround is painful",
        "zh": "P2 高：主要功能故障，替代办法很麻烦",
    },
    "P3": {
        "en": "P3 Normal: something is wrong but there is a workaround",
        "zh": "P3 普通：有问题，但有替代办法",
    },
    "P4": {
        "en": "P4 Low: a question, a cosmetic issue or a small change request",
        "zh": "P4 低：咨询、界面细节或小的变更请求",
    },
}

STATUS_NAMES: Phrases = {
    "new": {"en": "new", "zh": "新建"},
    "acknowledged": {"en": "acknowledged", "zh": "已受理"},
    "in_progress": {"en": "in progress", "zh": "处理中"},
    "waiting_on_client": {"en": "waiting for your reply", "zh": "等待您的回复"},
    "resolved": {"en": "resolved", "zh": "已解决"},
    "closed": {"en": "closed", "zh": "已关闭"},
    "reopened": {"en": "reopened", "zh": "已重新打开"},
}

PHRASES: Phrases = {
    "ask_title": {
        "en": "Let's open a ticket. In one line, what is the problem or request? (/cancel to stop)",
        "zh": "我们来提交工单。请用一句话概括问题或需求。（输入 /cancel 取消）",
    },
    "ask_description": {
        "en": "Thanks. Now describe it: what did you do, what happened, what did you expect?",
        "zh": "谢谢。请详细描述：您做了什么、发生了什么、您期望的结果是什么？",
    },
    "ask_severity": {
        "en": "How severe is it?\n{explanations}",
        "zh": "严重程度如何？\n{explanations}",
    },
    "ask_project": {"en": "Which project is it about?", "zh": "是哪个项目的问题？"},
    "ask_duplicate": {
        "en": 'Is this the same problem as {ref} "{title}" that you reported earlier?',
        "zh": "这和您之前报告的 {ref}「{title}」是同一个问题吗？",
    },
    "dup_yes": {"en": "Yes, same problem", "zh": "是，同一个问题"},
    "dup_no": {"en": "No, a new problem", "zh": "不是，新问题"},
    "dup_added": {
        "en": "I added your description to {ref} instead of opening a new ticket.",
        "zh": "已将您的描述补充到 {ref}，没有新建工单。",
    },
    "cancel": {"en": "Cancel", "zh": "取消"},
    "cancelled": {"en": "Cancelled. Nothing was submitted.", "zh": "已取消，没有提交任何内容。"},
    "nothing_to_cancel": {"en": "There is nothing to cancel.", "zh": "当前没有可以取消的操作。"},
    "too_short": {
        "en": "Please write a little more (at least 3 characters).",
        "zh": "请再多写一点（至少 3 个字符）。",
    },
    "created": {
        "en": (
            "Ticket {ref} is open: {title}\nSeverity {severity}, project {project}.\n"
            "First response due by {first_due}, resolution target {resolution_due} ({tz}).\n"
            "You'll get updates here. /status {ref} shows it any time."
        ),
        "zh": (
            "工单 {ref} 已创建：{title}\n严重程度 {severity}，项目 {project}。\n"
            "首次响应截止 {first_due}，解决目标 {resolution_due}（{tz}）。\n"
            "进展会在这里通知您，随时可用 /status {ref} 查询。"
        ),
    },
    "no_project": {
        "en": "Your organisation has no project on file, so I can't open a ticket. Type /human.",
        "zh": "您的单位尚无项目记录，无法提交工单。请输入 /human 联系人工。",
    },
    "not_found": {
        "en": "I can't find a ticket {ref} among your organisation's tickets.",
        "zh": "在您单位的工单中找不到 {ref}。",
    },
    "no_tickets": {
        "en": "Your organisation has no open tickets.",
        "zh": "您的单位没有未关闭的工单。",
    },
    "my_tickets": {"en": "Your organisation's open tickets:", "zh": "您单位未关闭的工单："},
    "status": {
        "en": (
            "{ref} {title}\nStatus: {status}. Severity {severity}, project {project}.\n"
            "Opened {opened}. {sla}"
        ),
        "zh": "{ref} {title}\n状态：{status}。严重程度 {severity}，项目 {project}。\n创建于 {opened}。{sla}",
    },
    "sla_open": {
        "en": "Resolution target: {due} ({tz}).",
        "zh": "解决目标：{due}（{tz}）。",
    },
    "sla_done": {"en": "Resolved {at}.", "zh": "解决于 {at}。"},
    "add_comment": {"en": "Add a comment", "zh": "补充说明"},
    "reopen": {"en": "Reopen", "zh": "重新打开"},
    "ask_comment": {
        "en": "Type your comment for {ref} (/cancel to stop).",
        "zh": "请输入对 {ref} 的补充说明（输入 /cancel 取消）。",
    },
    "comment_added": {
        "en": "Added your comment to {ref}. The team will see it.",
        "zh": "已将您的说明添加到 {ref}，团队会看到。",
    },
    "comment_usage": {
        "en": "Usage: /comment {example} your text",
        "zh": "用法：/comment {example} 您的说明",
    },
    "reopened": {
        "en": "{ref} is reopened. The team has been told.",
        "zh": "{ref} 已重新打开，已通知团队。",
    },
    "reopen_usage": {
        "en": "Usage: /reopen {example} [why]",
        "zh": "用法：/reopen {example} [原因]",
    },
    "cannot_reopen": {"en": "{reason}", "zh": "无法重新打开：{reason}"},
    "push_status": {
        "en": 'Update on {ref} "{title}": the status is now {status}.{note}',
        "zh": "{ref}「{title}」有更新：当前状态为「{status}」。{note}",
    },
    "waiting_reminder": {
        "en": 'Reminder: {ref} "{title}" is waiting for your reply. Reply here with the '
        "details we asked for; without a reply it will be closed on {date}.",
        "zh": "提醒：{ref}「{title}」正在等待您的回复。请在这里补充我们需要的信息；"
        "如果一直没有回复，工单将于 {date} 自动关闭。",
    },
    "auto_closed": {
        "en": "We closed it because there was no reply for {days} days. If the problem is "
        "still there, open a new ticket with /ticket and mention this one.",
        "zh": "由于 {days} 天没有收到回复，工单已关闭。如果问题仍然存在，请用 /ticket "
        "新建工单并注明本工单编号。",
    },
    "push_comment": {
        "en": '{who} commented on {ref} "{title}":\n{text}',
        "zh": "{who} 在 {ref}「{title}」中回复：\n{text}",
    },
    "offer_ticket": {
        "en": "It sounds like something isn't working. Let's open a ticket.",
        "zh": "听起来遇到了问题，我们来提交工单。",
    },
}
