"""The console's knowledge page (FAQ drafts, approved and re-indexed by the KnowledgeDesk)
and the admin settings page (effective values, secrets hidden, admins only)."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from bot.app import App
from bot.features.faq.drafts import write_draft
from tests.support.console import add_staff, console_client, post_form, sign_in


async def test_a_draft_is_shown_as_text_and_approving_moves_it(seeded: App, tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    seeded.settings.kb_dir = kb
    draft = write_draft(
        kb, "handoff-7", "How do I export?", "Use <script>alert(1)</script> Export."
    )
    dana = await add_staff(seeded, "Dana", role="agent")
    async with console_client(seeded) as client:
        await sign_in(client, dana)
        page = await client.get("/console/knowledge")
        assert page.status_code == 200 and "handoff-7.en.md" in page.text
        assert "<script>alert(1)</script>" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Export." in page.text
        approved = await post_form(
            client,
            "/console/knowledge",
            "/console/knowledge/drafts/approve",
            {"draft": "handoff-7"},
        )
        assert approved.status_code == 303 and approved.headers["location"] == "/console/knowledge"
        assert not draft.path.exists()
        assert (kb / "support" / "handoff-7.en.md").read_text(encoding="utf-8").startswith("---")
        after = await client.get("/console/knowledge")
        assert (
            "Approved and indexed: support/handoff-7.en.md" in after.text
            and "No drafts waiting" in after.text
        )
        again = await post_form(
            client,
            "/console/knowledge",
            "/console/knowledge/drafts/approve",
            {"draft": "handoff-7"},
        )
        assert again.status_code == 404


async def test_the_settings_page_hides_secrets_and_is_for_admins(seeded: App) -> None:
    seeded.settings.slack_bot_token = SecretStr("xoxb-111-222-topsecret")
    seeded.settings.telegram_webhook_secret = SecretStr("hook-secret-value")
    dana = await add_staff(seeded)
    ari = await add_staff(seeded, "Ari", role="agent")
    async with console_client(seeded) as client:
        await sign_in(client, dana)
        page = await client.get("/console/admin/settings")
        assert page.status_code == 200
        assert "AFTERCARE_RISK_ALERT_THRESHOLD" in page.text
        assert "AFTERCARE_SLACK_BOT_TOKEN" in page.text and "set (hidden)" in page.text
        assert "topsecret" not in page.text and "hook-secret-value" not in page.text
    async with console_client(seeded) as client:
        await sign_in(client, ari)
        assert (await client.get("/console/admin/settings")).status_code == 403
