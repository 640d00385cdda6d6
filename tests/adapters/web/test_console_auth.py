"""Signing in to the console, and what guards every page: a session, the admin role, the CSRF
token on every POST, secure cookies and rate-limited failures."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from starlette.routing import BaseRoute, Mount, Route

from adapters.web.console import console_routes
from bot.app import App
from bot.core.clock import FakeClock
from tests.support.console import PASSWORD, add_staff, console_client, csrf_of, post_form, sign_in


def _pages(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, str]]:
    """Every (method, concrete path) of the console, path parameters filled in."""
    for route in routes:
        if isinstance(route, Mount) and route.routes:
            yield from _pages(list(route.routes), prefix + route.path)
        elif isinstance(route, Route):
            path = re.sub(r"\{[^}]+\}", "1", prefix + route.path)
            for method in sorted((route.methods or set()) - {"HEAD"}):
                yield method, path


OPEN = {
    ("GET", "/console/sign-in"),
    ("POST", "/console/sign-in"),
    ("GET", "/console/"),
    ("GET", "/console/lang/1"),  # sets a language cookie, nothing else
}


async def test_a_staff_member_signs_in_and_out(seeded: App) -> None:
    dana = await add_staff(seeded)
    async with console_client(seeded) as client:
        signed = await sign_in(client, dana)
        assert signed.status_code == 303 and signed.headers["location"] == "/console/"
        cookie = signed.headers["set-cookie"]
        assert "aftercare_session=" in cookie and "HttpOnly" in cookie
        assert "SameSite=lax" in cookie and "Path=/console" in cookie
        staff = await client.get("/console/admin/staff")
        assert staff.status_code == 200 and "dana@support.example" in staff.text
        out = await post_form(client, "/console/admin/staff", "/console/sign-out", {})
        assert out.status_code == 303
        again = await client.get("/console/admin/staff")
        assert again.status_code == 303 and again.headers["location"].startswith("/console/sign-in")


async def test_cookies_are_secure_beyond_this_machine(seeded: App) -> None:
    dana = await add_staff(seeded)
    async with console_client(seeded) as client:
        client.base_url = "https://console.example"  # type: ignore[assignment]
        signed = await sign_in(client, dana)
        assert "Secure" in signed.headers["set-cookie"]


async def test_a_wrong_password_is_refused_and_guessing_is_rate_limited(
    seeded: App, clock: FakeClock
) -> None:
    dana = await add_staff(seeded)
    async with console_client(seeded) as client:
        for _ in range(5):
            wrong = await sign_in(client, dana, "not the password")
            assert wrong.status_code == 401 and "Wrong email or password" in wrong.text
        blocked = await sign_in(client, dana)  # even the right one, for a while
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
        clock.advance(timedelta(minutes=16))
        assert (await sign_in(client, dana)).status_code == 303


async def test_an_unknown_email_reads_like_a_wrong_password(seeded: App) -> None:
    async with console_client(seeded) as client:
        form = await client.get("/console/sign-in")
        answer = await client.post(
            "/console/sign-in",
            data={"email": "nobody@x.example", "password": PASSWORD, "csrf": csrf_of(form.text)},
        )
        assert answer.status_code == 401 and "Wrong email or password" in answer.text


async def test_sign_in_needs_its_form_token(seeded: App) -> None:
    dana = await add_staff(seeded)
    async with console_client(seeded) as client:
        await client.get("/console/sign-in")
        forged = await client.post(
            "/console/sign-in", data={"email": dana.email, "password": PASSWORD, "csrf": "x"}
        )
        assert forged.status_code == 403


async def test_no_page_without_a_session(seeded: App) -> None:
    pages = [p for p in _pages(console_routes(seeded)) if p not in OPEN and "/static" not in p[1]]
    assert len(pages) >= 3
    async with console_client(seeded) as client:
        for method, path in pages:
            answer = await client.request(method, path)
            if method == "GET":
                assert answer.status_code == 303, path
                assert answer.headers["location"].startswith("/console/sign-in"), path
            else:
                assert answer.status_code == 401, (method, path)


async def test_every_post_needs_the_csrf_token(seeded: App) -> None:
    dana = await add_staff(seeded)
    posts = [p for m, p in _pages(console_routes(seeded)) if m == "POST" and (m, p) not in OPEN]
    async with console_client(seeded) as client:
        await sign_in(client, dana)
        for path in posts:
            for data in ({}, {"csrf": "forged"}):
                answer = await client.post(path, data=data)
                assert answer.status_code == 403, path
        before = len(await seeded.staff.all())
        await client.post(
            "/console/admin/staff",
            data={"name": "Eve", "email": "eve@x.example", "password": PASSWORD},
        )
        assert len(await seeded.staff.all()) == before


async def test_a_post_from_another_site_is_refused(seeded: App) -> None:
    dana = await add_staff(seeded)
    async with console_client(seeded) as client:
        await sign_in(client, dana)
        token = csrf_of((await client.get("/console/admin/staff")).text)
        answer = await client.post(
            "/console/admin/staff",
            data={"csrf": token, "name": "Eve", "email": "e@x.example", "password": PASSWORD},
            headers={"origin": "https://evil.example"},
        )
        assert answer.status_code == 403


async def test_an_agent_cannot_reach_admin_pages(seeded: App) -> None:
    agent = await add_staff(seeded, "Ari", role="agent", clients=("ACME",))
    admin_pages = [(m, p) for m, p in _pages(console_routes(seeded)) if "/admin" in p]
    assert admin_pages
    async with console_client(seeded) as client:
        await sign_in(client, agent)
        token = csrf_of((await client.get("/console/sign-in")).text)
        for method, path in admin_pages:
            answer = await client.request(
                method, path, data={"csrf": token} if method == "POST" else None
            )
            assert answer.status_code == 403, path


async def test_a_disabled_account_is_signed_out(seeded: App) -> None:
    dana = await add_staff(seeded)
    ari = await add_staff(seeded, "Ari", role="agent")
    async with console_client(seeded) as client:
        await sign_in(client, ari)
        assert (await client.get("/console/sign-in")).status_code == 200
        await seeded.staff.update(ari.id, active=False)
        await seeded.sessions.end_all(ari.id)
        assert (await client.get("/console/admin/staff")).status_code == 303
        refused = await sign_in(client, ari)
        assert refused.status_code == 401
    assert dana.is_admin


async def test_staff_text_stays_text(seeded: App) -> None:
    dana = await add_staff(seeded)
    await seeded.staff.add("<script>alert(1)</script>", "x@y.example", "agent", PASSWORD)
    async with console_client(seeded) as client:
        await sign_in(client, dana)
        page = (await client.get("/console/admin/staff")).text
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        headers = (await client.get("/console/admin/staff")).headers
        assert "script-src 'self'" in headers["content-security-policy"]


async def test_the_page_language_follows_the_browser_and_the_switch(seeded: App) -> None:
    dana = await add_staff(seeded)
    async with console_client(seeded) as client:
        await sign_in(client, dana)
        zh = await client.get("/console/admin/staff", headers={"accept-language": "zh-CN,zh;q=0.9"})
        assert "员工" in zh.text
        switched = await client.get("/console/lang/en?next=/console/admin/staff")
        assert switched.status_code == 303
        en = await client.get("/console/admin/staff", headers={"accept-language": "zh-CN"})
        assert "Staff" in en.text and "员工" not in en.text


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/elsewhere"])
async def test_sign_in_never_sends_you_to_another_site(seeded: App, target: str) -> None:
    dana = await add_staff(seeded)
    async with console_client(seeded) as client:
        form = await client.get("/console/sign-in", params={"next": target})
        signed = await client.post(
            "/console/sign-in",
            data={
                "email": dana.email,
                "password": PASSWORD,
                "csrf": csrf_of(form.text),
                "next": target,
            },
        )
        assert signed.headers["location"] == "/console/"


async def test_the_demo_seed_gives_a_console_sign_in(app: App) -> None:
    from bot import demo

    assert await demo.seed(app)
    staff = await app.staff.find(demo.STAFF_EMAIL)
    assert staff.is_admin and staff.name == demo.STAFF
    async with console_client(app) as client:
        assert (await sign_in(client, staff, demo.STAFF_PASSWORD)).status_code == 303
