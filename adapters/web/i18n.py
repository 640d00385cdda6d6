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
