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
    "prefix": ("Prefix", "前缀"),
    "scopes": ("Scopes", "权限范围"),
    "made": ("Created", "创建时间"),
    "last_used": ("Last used", "最近使用"),
    "revoked": ("Revoked", "已吊销"),
    "revoke": ("Revoke", "吊销"),
    "new_token": ("New token", "新建令牌"),
    "create": ("Create", "创建"),
    "token_once": (
        "copy this token now; it is shown this once and stored only as a hash.",
        "请立即复制此令牌；它只显示这一次，仅以哈希形式保存。",
    ),
    "secret_once": (
        "copy this signing secret now; it is shown this once.",
        "请立即复制此签名密钥；它只显示这一次。",
    ),
    "hook_events": ("Events", "事件"),
    "remove": ("Remove", "删除"),
    "deliveries": ("Deliveries", "投递记录"),
    "delivery": ("Delivery", "投递"),
    "attempt": ("Attempt", "尝试"),
    "error": ("Error", "错误"),
    "webhook_help": (
        "Each delivery is a POST signed with HMAC-SHA256 over v1:timestamp:body "
        "(X-Aftercare-Signature), retried with backoff until the receiver answers 2xx.",
        "每次投递都是一个 POST，以 HMAC-SHA256 对 v1:时间戳:正文 签名（X-Aftercare-Signature），"
        "在接收方返回 2xx 之前按退避策略重试。",
    ),
    "drafts": ("Drafts", "草稿"),
    "gaps": ("Knowledge gaps", "知识缺口"),
    "gaps_intro": (
        "Questions the bot could not answer, or answered with low confidence, grouped by "
        "meaning; most clients first.",
        "机器人无法回答或把握不大的问题，按含义归类；提问客户最多的排在前面。",
    ),
    "no_gaps": ("No open knowledge gaps.", "暂无未解决的知识缺口。"),
    "question": ("Question", "问题"),
    "questions": ("Questions", "问题数"),
    "asked": ("Asked", "提问次数"),
    "last_asked": ("Last asked", "最近提问"),
    "language_col": ("Language", "语言"),
    "similar": ("similar", "个相似问题"),
    "write_answer": ("Write an answer", "撰写答案"),
    "what_clients_asked": ("What clients asked", "客户的提问"),
    "bot_said": ("The bot said", "机器人回复"),
    "draft_article": ("Draft article", "草稿文章"),
    "title": ("Title", "标题"),
    "answer": ("Answer", "答案"),
    "examples_note": (
        "The questions above become the article's example questions.",
        "以上问题将作为文章的示例问题。",
    ),
    "save_draft": ("Save as draft", "保存为草稿"),
    "dismiss": ("Dismiss", "忽略"),
    "answer_too_short": ("Write an answer of at least 10 characters.", "答案至少需要 10 个字符。"),
    "draft_written": ("Draft written; approve it to publish:", "草稿已保存，批准后发布："),
    "deflection": ("Deflection", "自助解决率"),
    "deflection_intro": (
        "Share of client questions answered without a person (no escalation within 24 h), "
        "by week and language.",
        "无需人工即可解决的客户问题比例（24 小时内未转人工），按周和语言统计。",
    ),
    "all_questions": ("all questions", "全部问题"),
    "week": ("Week", "周"),
    "answered": ("Answered", "已回答"),
    "without_person": ("Without a person", "无需人工"),
    # projects
    "client": ("Client", "客户"),
    "project": ("Project", "项目"),
    "delivered": ("Delivered", "交付"),
    "accepted": ("Accepted", "验收"),
    "warranty": ("Warranty until", "质保至"),
    "sla_tier": ("SLA tier", "SLA 等级"),
    "not_yet": ("not yet", "尚未"),
    "risk": ("Risk", "风险"),
    "risk_alert_at": ("alert at", "告警阈值"),
    "signal": ("Signal", "信号"),
    "points": ("Points", "分数"),
    "reason": ("Reason", "原因"),
    "no_signals": ("No risk signals.", "没有风险信号。"),
    "handover": ("Handover checklist", "交接清单"),
    "item": ("Item", "事项"),
    "due": ("Due", "到期"),
    "ticked": ("Ticked by us", "我方已完成"),
    "confirmed": ("Confirmed by the client", "客户已确认"),
    "problem": ("Problem ticket", "问题工单"),
    "overdue": ("overdue", "已逾期"),
    "tick": ("Tick", "标记完成"),
    "untick": ("Untick", "取消标记"),
    "followups": ("Follow-up schedule", "回访计划"),
    "followup": ("Follow-up", "回访"),
    "state": ("State", "状态"),
    "state_pending": ("to send", "待发送"),
    "state_done": ("sent", "已发送"),
    "training": ("Training sessions", "培训课程"),
    "session": ("Session", "课程"),
    "starts": ("Starts", "开始时间"),
    "registered": ("Registered", "已报名"),
    "attended": ("Attended", "已出席"),
    "rating": ("Rating", "评分"),
    "review": ("Review report", "项目回顾"),
    "chart_tickets_by_category": ("Tickets by category", "按类别的工单"),
    "chart_sla_attainment": ("SLA attainment by severity", "按级别的 SLA 达成率"),
    "chart_surveys_by_month": ("CSAT and NPS per month", "每月 CSAT 与 NPS"),
    "chart_training": ("Training attendance and ratings", "培训出席与评分"),
    "no_charts": (
        "No tickets, surveys or training yet, so no charts.",
        "暂无工单、调查或培训，因此没有图表。",
    ),
    # surveys
    "sent": ("Sent", "已发送"),
    "response_rate": ("Response rate", "回复率"),
    "score": ("Score", "分数"),
    "trend": ("Trend", "趋势"),
    "month": ("Month", "月份"),
    "low_scores": ("Low scores to follow up", "需要跟进的低分"),
    "show_all": ("Show finished ones too", "同时显示已完成的"),
    "open_only": ("Open ones only", "只显示未完成的"),
    "comment": ("Comment", "评论"),
    "opened": ("Opened", "创建时间"),
    "done_by": ("Done by", "完成人"),
    "what_was_done": ("What was done", "处理情况"),
    "mark_done": ("Mark done", "标记为完成"),
    # knowledge
    "faq_drafts": ("FAQ drafts", "FAQ 草稿"),
    "drafts_help": (
        "Saved from staff answers and knowledge gaps. Approving moves the file into the "
        "knowledge base and rebuilds the index: the bot answers from it at once, and the gap "
        "questions it answers are closed.",
        "由员工的回答和知识缺口保存而来。批准后文件移入知识库并重建索引：机器人立即可用，"
        "相应的知识缺口随之关闭。",
    ),
    "no_drafts": ("No drafts waiting.", "没有待审核的草稿。"),
    "approve": ("Approve", "批准"),
    "approved": ("Approved and indexed:", "已批准并建立索引："),
    "gaps_closed": ("gap questions closed", "个缺口问题已关闭"),
    # settings
    "settings_help": (
        "The effective settings of this process. Secrets only say whether they are set.",
        "当前进程生效的设置。密钥类设置只显示是否已设置。",
    ),
    "value": ("Value", "值"),
    "description": ("Description", "说明"),
    "secret_set": ("set (hidden)", "已设置（隐藏）"),
    "not_set": ("not set", "未设置"),
    "previous": ("Previous", "上一页"),
    "next": ("Next", "下一页"),
    "page": ("Page", "第"),
    "times_utc": ("Times are in UTC.", "时间均为 UTC。"),
    "any": ("any", "全部"),
    "filter": ("Filter", "筛选"),
    # the inbox and a conversation
    "conversation": ("Conversation", "会话"),
    "since": ("Since", "起始时间"),
    "answer_by": ("Answer by", "承诺答复时间"),
    "who": ("Who", "联系人"),
    "channel": ("Channel", "渠道"),
    "taken_by": ("Taken by", "接手人"),
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
    "reply_sent": ("Sent to the client.", "已发送给客户。"),
    "already_sent": ("This reply was already sent.", "此回复已发送过。"),
    "not_sent": (
        "Not sent: the conversation is with the bot. Take it first.",
        "未发送：会话在机器人处理中，请先接手。",
    ),
    # tickets
    "ticket": ("Ticket", "工单"),
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
