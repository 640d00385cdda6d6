"""The staff console in a real browser (headless Debian Chromium through Playwright) against
`aftercare serve` as a process, with a fake Telegram API on loopback: sign in, answer a waiting
Telegram client from the inbox, resolve a ticket, tick a handover item, turn a knowledge gap
into an approved article the bot then answers from. Every page visited is saved under
test-output/screenshots/."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select

from bot.app import App
from bot.features.handover.models import HandoverItem
from bot.storage.models import Project
from tests.support.browser import chromium, screenshot
from tests.support.console import PASSWORD, add_staff
from tests.support.http import serve_on_free_port
from tests.support.kb import write_kb
from tests.support.serve_process import Child, cli, serve
from tests.support.telegram import ALICE, SECRET, TOKEN, FakeBotApi, private_text

pytestmark = pytest.mark.usefixtures("no_proxy")
GAP_QUESTION = "Can I export my invoices as PDF?"
GAP_ANSWER = "Yes: open Billing, then Export, and choose PDF."


@dataclass
class Served:
    url: str
    app: App
    telegram: FakeBotApi
    child: Child

    async def tell(self, text: str, update_id: int) -> None:
        """alice writes to the bot on Telegram (the webhook, with its secret)."""
        body = private_text(text, update_id=update_id, message_id=update_id)
        async with httpx.AsyncClient(base_url=self.url) as http:
            answer = await http.post(
                "/telegram/webhook",
                content=json.dumps(body),
                headers={
                    "Content-Type": "application/json",
                    "X-Telegram-Bot-Api-Secret-Token": SECRET,
                },
            )
        assert answer.status_code == 200, answer.text

    async def sent_to_alice(self, check: Callable[[str], bool], seconds: float = 60) -> str:
        for _ in range(int(seconds / 0.1)):
            for call in self.telegram.sent():
                if str(call.get("chat_id")) == str(ALICE["id"]) and check(str(call["text"])):
                    return str(call["text"])
            await asyncio.sleep(0.1)
        texts = [c.get("text") for c in self.telegram.sent()]
        raise AssertionError(f"Telegram never got it; sent: {texts}\n{self.child.output[-3000:]}")


@pytest.fixture
async def served(seeded: App, database_url: str, tmp_path: Path) -> AsyncIterator[Served]:
    kb_dir = write_kb(tmp_path / "knowledge")
    env = {
        "AFTERCARE_DATABASE_URL": database_url,
        "AFTERCARE_DATA_DIR": str(tmp_path / "var"),
        "AFTERCARE_KB_DIR": str(kb_dir),
        "AFTERCARE_INDEX_DIR": str(tmp_path / "index"),
        "AFTERCARE_PASSAGE_MODEL": "none",
        "AFTERCARE_KB_RECHECK_SECONDS": "0",
        "AFTERCARE_TELEGRAM_TOKEN": TOKEN,
        "AFTERCARE_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "AFTERCARE_STAFF_CONSOLE": "true",
        "AFTERCARE_LOG_LEVEL": "INFO",
    }
    await cli(env, "index")
    await seeded.directory.link("ACME", "alice", "telegram", str(ALICE["id"]))
    telegram = FakeBotApi()
    tg_server, tg_task, tg_url = await serve_on_free_port(telegram.asgi())
    child = serve({**env, "AFTERCARE_TELEGRAM_API_URL": f"{tg_url}/bot"})
    await child.start()
    try:
        yield Served(await child.url(), seeded, telegram, child)
    finally:
        await child.stop()
        tg_server.should_exit = True
        await tg_task


async def _open(page: Page, url: str, name: str) -> None:
    await page.goto(url)
    await expect(page.locator("main")).to_be_visible()
    await screenshot(page, name)


async def _submit(page: Page, form: str, fields: dict[str, str] | None = None) -> None:
    """Fill a form's fields, press its button, wait for the page it leads to."""
    for name, value in (fields or {}).items():
        await page.locator(f"{form} [name={name}]").fill(value)
    async with page.expect_navigation():
        await page.locator(f"{form} button[type=submit], {form} button").first.click()


async def test_a_support_day_in_the_console(served: Served) -> None:
    app = served.app
    dana = await add_staff(app, "Dana Admin")
    async with app.db.session() as session:
        portal = await session.scalar(select(Project).where(Project.name == "Portal"))
    assert portal is not None
    ticket = await app.tickets.open(
        project_id=portal.id,
        title="Export page <script>alert('x')</script> fails",
        description="The export button spins forever.",
        severity="P3",
    )
    # A client question the knowledge base cannot answer, then a request for a person.
    await served.tell(GAP_QUESTION, 1)
    await served.sent_to_alice(lambda text: "don't know" in text or "not sure" in text.lower())
    await served.tell("Can I talk to a human?", 2)
    await served.sent_to_alice(lambda text: "person" in text)

    async with chromium() as browser:
        page = await browser.new_page(locale="en-GB", viewport={"width": 1280, "height": 900})
        page.set_default_timeout(60_000)
        page.on("dialog", lambda dialog: pytest.fail(f"a script ran: {dialog.message}"))

        # Sign in.
        await _open(page, f"{served.url}/console/", "01-sign-in")
        await _submit(page, "form", {"email": dana.email, "password": PASSWORD})
        await expect(page.locator("h1")).to_contain_text("Inbox")
        await screenshot(page, "02-inbox")

        # The waiting Telegram client, answered from the inbox.
        await page.locator("table a[href^='/console/inbox/']").first.click()
        await expect(page.locator("#transcript")).to_contain_text("Can I talk to a human?")
        await screenshot(page, "03-conversation")
        reply = "Hello Alice, Dana here: PDF export is on its way."
        await _submit(page, "form.reply", {"text": reply})
        await served.sent_to_alice(lambda text: reply in text)
        await expect(page.locator("#transcript")).to_contain_text("Dana Admin")
        await _submit(page, "form[action$='/back']")

        # A ticket, resolved; the client text in its title stays text.
        await _open(page, f"{served.url}/console/tickets", "04-tickets")
        await expect(page.locator("main")).to_contain_text("<script>alert('x')</script>")
        await page.locator(f"a[href='/console/tickets/{ticket.ref}']").first.click()
        await screenshot(page, "05-ticket")
        await _submit(page, "form[action$='/resolve']", {"note": "Fixed in 2.3.1"})
        assert (await app.tickets.get(ticket.ref)).status == "resolved"

        # A handover item, ticked.
        await _open(page, f"{served.url}/console/projects/{portal.id}", "06-project")
        await _submit(page, "#handover form:has(button[value=tick])")
        async with app.db.session() as session:
            ticked = await session.scalar(
                select(HandoverItem.ticked_by).where(
                    HandoverItem.project_id == portal.id, HandoverItem.ticked_by.is_not(None)
                )
            )
        assert ticked == "Dana Admin"
        await _open(page, f"{served.url}/console/projects", "07-projects")

        # The knowledge gap: write an answer, approve it; the bot answers from it.
        await _open(page, f"{served.url}/console/knowledge/gaps", "08-gaps")
        await expect(page.locator("#gaps")).to_contain_text(GAP_QUESTION)
        await page.locator("a.write-answer").first.click()
        await screenshot(page, "09-gap")
        await _submit(page, "#gap-draft", {"answer": GAP_ANSWER})
        await expect(page.locator("#drafts")).to_contain_text(GAP_ANSWER)
        await screenshot(page, "10-knowledge")
        await _submit(page, "#drafts form")
        await expect(page.locator(".flash")).to_contain_text("Approved and indexed")
        await _open(page, f"{served.url}/console/knowledge/gaps", "11-gaps-closed")
        await expect(page.locator("main")).not_to_contain_text(GAP_QUESTION)
        for attempt in range(3, 40):
            await served.tell(GAP_QUESTION, attempt)
            try:
                await served.sent_to_alice(lambda text: "Billing, then Export" in text, 3)
                break
            except AssertionError:
                continue
        else:
            raise AssertionError("the bot never answered from the approved article")

        # The other pages, for the record.
        await _open(page, f"{served.url}/console/knowledge/deflection", "12-deflection")
        await _open(page, f"{served.url}/console/surveys", "13-surveys")
        await _open(page, f"{served.url}/console/admin/staff", "14-admin-staff")
        await _open(page, f"{served.url}/console/admin/settings", "15-admin-settings")
        await page.goto(f"{served.url}/console/lang/zh?next=/console/inbox")
        await expect(page.locator("h1")).to_contain_text("收件箱")
        await screenshot(page, "16-inbox-zh")
    assert "Traceback" not in served.child.output
