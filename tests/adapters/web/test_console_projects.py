"""The console's projects: the list with risk scores, one project's dates, checklist (tick and
untick through the handover service), risk signals, follow-ups, training and review charts;
agents see only the clients they serve, and client text stays text."""

from __future__ import annotations

import re

from bot.app import App
from bot.core.clock import FakeClock
from tests.support.console import add_staff, console_client, csrf_of, post_form, sign_in

PNG = b"\x89PNG\r\n\x1a\n"


async def _portal(app: App) -> int:
    return await app.handover.project_id("ACME/Portal")


async def test_the_list_and_a_project_show_what_the_services_know(
    seeded: App, clock: FakeClock
) -> None:
    project_id = await _portal(seeded)
    dana = await add_staff(seeded)
    await seeded.tickets.open(
        project_id=project_id,
        title="Login down",
        description="d",
        severity="P1",
        category="incident",
    )
    await seeded.training.add("Portal", "basic", "2026-03-05 10:00", address="Acme HQ")
    await seeded.handover.tick(project_id, "user_manual", "bob")
    async with console_client(seeded) as client:
        await sign_in(client, dana)
        listed = await client.get("/console/projects")
        assert listed.status_code == 200
        row = re.search(r"<tr>\s*<td>ACME · Acme Corp</td>.*?</tr>", listed.text, re.S)
        assert row and f'href="/console/projects/{project_id}"' in row.group(0)
        assert "2026-03-02" in row.group(0) and "2027-03-02" in row.group(0)
        assert '<span class="badge' in row.group(0) and ">25</span>" in row.group(0)

        shown = await client.get(f"/console/projects/{project_id}")
        assert shown.status_code == 200
        text = shown.text
        assert "ACME / Portal" in text
        assert "1 open P1 and 0 open P2 tickets" in text  # the risk signal and its reason
        assert "bob · " in text  # who ticked user_manual
        assert "checkin:7" in text and "warranty:30" in text  # the follow-up schedule
        assert "Acme HQ" not in text and "#1 " in text  # the training session line
        charts = re.findall(r'src="(/console/projects/\d+/charts/[a-z_]+\.png)"', text)
        assert [c.rsplit("/", 1)[1] for c in charts] == [
            "tickets_by_category.png",
            "sla_attainment.png",
            "training.png",
        ]
        png = await client.get(charts[0])
        assert png.status_code == 200 and png.content.startswith(PNG)
        assert png.headers["content-type"] == "image/png"
        missing = await client.get(f"/console/projects/{project_id}/charts/surveys_by_month.png")
        assert missing.status_code == 404
        zh = await client.get(f"/console/projects/{project_id}", headers={"accept-language": "zh"})
        assert (
            "交接清单" in zh.text and "回访计划" in zh.text and "Handover checklist" not in zh.text
        )


async def test_ticking_and_unticking_an_item_goes_through_the_handover_service(
    seeded: App,
) -> None:
    project_id = await _portal(seeded)
    dana = await add_staff(seeded)
    page = f"/console/projects/{project_id}"
    action = f"{page}/handover"
    async with console_client(seeded) as client:
        await sign_in(client, dana)
        ticked = await post_form(client, page, action, {"item": "user_manual", "action": "tick"})
        assert ticked.status_code == 303 and ticked.headers["location"] == page
        item = next(
            i for i in (await seeded.handover.checklist(project_id)).items if i.key == "user_manual"
        )
        assert item.ticked_by == "Dana" and item.ticked_at is not None
        assert 'value="untick"' in (await client.get(page)).text
        await post_form(client, page, action, {"item": "user_manual", "action": "untick"})
        view = await seeded.handover.checklist(project_id, with_events=True)
        assert next(i for i in view.items if i.key == "user_manual").ticked_at is None
        assert [(e.kind, e.actor) for e in view.events] == [
            ("ticked", "Dana"),
            ("unticked", "Dana"),
        ]
        wrong = await post_form(client, page, action, {"item": "nope", "action": "tick"})
        assert wrong.status_code == 404 and "no checklist item" in wrong.text


async def test_an_agent_sees_only_the_projects_of_the_clients_they_serve(seeded: App) -> None:
    project_id = await _portal(seeded)
    await seeded.directory.add_client("Beta Ltd", "BETA")
    await seeded.directory.add_project(
        "BETA", "Shop", seeded.clock.now().date(), 12, "silver", "UTC"
    )
    ari = await add_staff(seeded, "Ari", role="agent", clients=("BETA",))
    async with console_client(seeded) as client:
        await sign_in(client, ari)
        listed = (await client.get("/console/projects")).text
        assert "Shop" in listed and "Portal" not in listed
        assert (await client.get(f"/console/projects/{project_id}")).status_code == 404
        chart = await client.get(f"/console/projects/{project_id}/charts/training.png")
        assert chart.status_code == 404
        token = csrf_of(listed)
        tick = await client.post(
            f"/console/projects/{project_id}/handover",
            data={"csrf": token, "item": "user_manual", "action": "tick"},
        )
        assert tick.status_code == 404
    assert all(i.ticked_at is None for i in (await seeded.handover.checklist(project_id)).items)


async def test_a_project_name_stays_text(seeded: App) -> None:
    evil = "<script>alert(1)</script>"
    project = await seeded.directory.add_project(
        "ACME", evil, seeded.clock.now().date(), 12, "gold", "UTC"
    )
    dana = await add_staff(seeded)
    async with console_client(seeded) as client:
        await sign_in(client, dana)
        for path in ("/console/projects", f"/console/projects/{project.id}"):
            page = await client.get(path)
            assert page.status_code == 200
            assert evil not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
