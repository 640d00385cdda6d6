"""The console's words in English and Chinese; the language comes from the `lang` cookie (the
switch in the header), else the staff account's, else the browser's Accept-Language."""

from __future__ import annotations

from starlette.requests import Request

from bot.core.i18n import Lang

LANG_COOKIE = "aftercare_lang"

WORDS: dict[str, tuple[str, str]] = {
    "app": ("Aftercare console", "Aftercare 控制台"),
    "sign_in": ("Sign in", "登录"),
    "sign_out": ("Sign out", "退出"),
    "email": ("Email", "邮箱"),
    "password": ("Password", "密码"),
    "wrong_sign_in": ("Wrong email or password.", "邮箱或密码错误。"),
    "too_many": ("Too many failed sign-ins. Try again later.", "登录失败次数过多，请稍后再试。"),
    "inbox": ("Inbox", "收件箱"),
    "tickets": ("Tickets", "工单"),
    "projects": ("Projects", "项目"),
    "knowledge": ("Knowledge", "知识库"),
    "surveys": ("Surveys", "满意度"),
    "admin": ("Admin", "管理"),
    "staff": ("Staff", "员工"),
    "tokens": ("API tokens", "API 令牌"),
    "webhooks": ("Webhooks", "Webhook"),
    "settings": ("Settings", "设置"),
    "forbidden": ("Only admins may open this page.", "只有管理员可以打开此页面。"),
    "not_found": ("Not found.", "未找到。"),
    "bad_csrf": (
        "The form expired. Reload the page and try again.",
        "表单已过期，请刷新页面后重试。",
    ),
    "save": ("Save", "保存"),
    "add": ("Add", "添加"),
    "name": ("Name", "名称"),
    "role": ("Role", "角色"),
    "clients": ("Clients", "客户"),
    "all_clients": ("all clients", "全部客户"),
    "slack_user": ("Slack user", "Slack 用户"),
    "active": ("Active", "启用"),
    "disabled": ("Disabled", "已停用"),
    "disable": ("Disable", "停用"),
    "enable": ("Enable", "启用"),
    "none_yet": ("Nothing here yet.", "暂无内容。"),
    "done": ("Done.", "已完成。"),
    "language": ("中文", "English"),
    "previous": ("Previous", "上一页"),
    "next": ("Next", "下一页"),
    "page": ("Page", "第"),
    "times_utc": ("Times are in UTC.", "时间均为 UTC。"),
    "any": ("any", "全部"),
    "filter": ("Filter", "筛选"),
    # the inbox and a conversation
    "conversation": ("Conversation", "会话"),
    "state": ("State", "状态"),
    "since": ("Since", "起始时间"),
    "answer_by": ("Answer by", "承诺答复时间"),
    "client": ("Client", "客户"),
    "who": ("Who", "联系人"),
    "channel": ("Channel", "渠道"),
    "taken_by": ("Taken by", "接手人"),
    "reason": ("Reason", "原因"),
    "nobody_waiting": ("Nobody is waiting for a person.", "目前没有等待人工的会话。"),
    "state_bot": ("with the bot", "机器人处理中"),
    "state_waiting_for_human": ("waiting for a person", "等待人工"),
    "state_human": ("with a person", "人工处理中"),
    "state_closed": ("closed", "已关闭"),
    "transcript": ("Transcript", "对话记录"),
    "line_in": ("client", "客户"),
    "line_out": ("bot", "机器人"),
    "line_staff": ("staff reply", "员工回复"),
    "line_state": ("handoff", "转接"),
    "take": ("Take it", "接手"),
    "hand_back": ("Hand back to the bot", "交还机器人"),
    "close": ("Close", "关闭"),
    "open_ticket": ("Open a ticket", "创建工单"),
    "save_faq": ("Save as FAQ draft", "保存为 FAQ 草稿"),
    "faq_saved": ("FAQ draft saved:", "FAQ 草稿已保存："),
    "reply": ("Reply", "回复"),
    "reply_hint": (
        "Sent to the client on their channel, signed with your name.",
        "将通过客户所在渠道发送，并署上您的名字。",
    ),
    "send": ("Send", "发送"),
    "sent": ("Sent to the client.", "已发送给客户。"),
    "already_sent": ("This reply was already sent.", "此回复已发送过。"),
    "not_sent": (
        "Not sent: the conversation is with the bot. Take it first.",
        "未发送：会话在机器人处理中，请先接手。",
    ),
    # tickets
    "ticket": ("Ticket", "工单"),
    "title": ("Title", "标题"),
    "project": ("Project", "项目"),
    "status": ("Status", "状态"),
    "status_open": ("open", "未解决"),
    "status_all": ("all", "全部"),
    "severity": ("Severity", "严重程度"),
    "assignee": ("Assignee", "负责人"),
    "reporter": ("Reporter", "报告人"),
    "sla": ("SLA", "SLA"),
    "sla_breached": ("breached", "已超时"),
    "sla_due_soon": ("due within an hour", "一小时内到期"),
    "created": ("Opened", "创建时间"),
    "no_tickets": ("No tickets match.", "没有符合条件的工单。"),
    "first_response_due": ("First response due", "首次响应期限"),
    "resolution_due": ("Resolution due", "解决期限"),
    "done_at": ("done:", "完成于："),
    "acknowledge": ("Acknowledge", "受理"),
    "assign": ("Assign", "指派"),
    "change_status": ("Change status", "更改状态"),
    "resolve": ("Resolve", "解决"),
    "note": ("Note to the client", "给客户的说明"),
    "comment": ("Comment", "评论"),
    "comment_hint": (
        "Pushed to the client's conversation, with your name.",
        "将推送到客户的会话中，并署上您的名字。",
    ),
    "events": ("Events", "事件记录"),
    "event": ("Event", "事件"),
    "when": ("When", "时间"),
    "actor": ("By", "操作人"),
}


def word(key: str, lang: Lang) -> str:
    en, zh = WORDS.get(key, (key, key))
    return zh if lang == "zh" else en


def choose_lang(request: Request, preferred: str | None = None) -> Lang:
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in ("en", "zh"):
        return "zh" if cookie == "zh" else "en"
    if preferred in ("en", "zh"):
        return "zh" if preferred == "zh" else "en"
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "en"
