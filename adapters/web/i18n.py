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
