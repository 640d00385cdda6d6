"""Tickets: the list with its filters (client, project, status, severity, assignee, SLA state),
and a ticket with its event log and the staff actions, through TicketService as the CLI and
the Slack buttons use it (the staff member's name is the actor; the client is told)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.responses import Response
from starlette.routing import Route

from adapters.web.auth import ROOT, Page, page
from adapters.web.i18n import word
from adapters.web.paging import PER_PAGE, page_number, pager
from bot.app import App
from bot.core.i18n import Lang, say
from bot.features.tickets.phrases import STATUS_NAMES
from bot.features.tickets.policies import SEVERITIES
from bot.features.tickets.service import (
    OPEN_STATUSES,
    SlaState,
    Status,
    TicketQuery,
    TicketView,
    sla_state,
)

OPEN, ALL = "open", "all"
# What staff may set from the status form (acknowledge and resolve have their own buttons).
SETTABLE = (Status.IN_PROGRESS, Status.WAITING_ON_CLIENT, Status.CLOSED)


def status_namer(lang: Lang) -> Callable[[str], str]:
    return lambda status: say(STATUS_NAMES, status, lang) if status in STATUS_NAMES else status


def routes(app: App) -> list[Route]:
    async def tickets(current: Page) -> Response:
        params = current.request.query_params
        clients = [c for c in await app.directory.list_clients() if current.staff.serves(c.id)]
        projects = [
            (p, c) for p, c in await app.directory.list_projects() if current.staff.serves(c.id)
        ]
        chosen = {key: params.get(key, "").strip()[:100] for key in _FILTERS}
        status = chosen["status"] or OPEN
        query = TicketQuery(
            clients=current.clients,
            client_id=_number(chosen["client"]),
            project_id=_number(chosen["project"]),
            statuses=_statuses(status),
            severity=chosen["severity"] if chosen["severity"] in SEVERITIES else None,
            assignee=chosen["assignee"] or None,
            sla=SlaState(chosen["sla"]) if chosen["sla"] in set(SlaState) else None,
        )
        number = page_number(current.request)
        found = await app.tickets.search(query, limit=PER_PAGE + 1, offset=(number - 1) * PER_PAGE)
        now = app.clock.now()
        return current.render(
            "tickets.html",
            rows=[(v, sla_state(v, now)) for v in found[:PER_PAGE]],
            pager=pager(current.request, number, len(found)),
            chosen={**chosen, "status": status},
            clients=clients,
            projects=projects,
            statuses=[OPEN, ALL, *(s.value for s in Status)],
            severities=SEVERITIES,
            sla_states=[s.value for s in SlaState],
            status_name=status_namer(current.lang),
        )

    async def ticket(current: Page) -> Response:
        view = await _visible(current)
        return current.render(
            "ticket.html",
            v=view,
            sla=sla_state(view, app.clock.now()),
            settable=[s.value for s in SETTABLE],
            staff_names=[s.name for s in await app.staff.all() if s.active],
            status_name=status_namer(current.lang),
        )

    async def acknowledge(current: Page) -> Response:
        view = await _visible(current)
        return _done(current, await app.tickets.acknowledge(view.ref, current.staff.name))

    async def assign(current: Page) -> Response:
        view = await _visible(current)
        person = current.field("assignee") or current.staff.name
        return _done(current, await app.tickets.assign(view.ref, person, current.staff.name))

    async def comment(current: Page) -> Response:
        view = await _visible(current)
        done = await app.tickets.comment(view.ref, current.field("text"), current.staff.name)
        return _done(current, done)

    async def status(current: Page) -> Response:
        view = await _visible(current)
        done = await app.tickets.set_status(
            view.ref, current.field("status"), current.staff.name, current.field("note")
        )
        return _done(current, done)

    async def resolve(current: Page) -> Response:
        view = await _visible(current)
        done = await app.tickets.resolve(view.ref, current.staff.name, current.field("note"))
        return _done(current, done)

    async def _visible(current: Page) -> TicketView:
        """The ticket, if this staff member serves its client; else 'not found'."""
        return await app.tickets.get(current.request.path_params["ref"], clients=current.clients)

    one = "/tickets/{ref}"
    return [
        Route("/tickets", page(app, tickets), methods=["GET"]),
        Route(one, page(app, ticket), methods=["GET"]),
        Route(f"{one}/ack", page(app, acknowledge), methods=["POST"]),
        Route(f"{one}/assign", page(app, assign), methods=["POST"]),
        Route(f"{one}/comment", page(app, comment), methods=["POST"]),
        Route(f"{one}/status", page(app, status), methods=["POST"]),
        Route(f"{one}/resolve", page(app, resolve), methods=["POST"]),
    ]


_FILTERS = ("client", "project", "status", "severity", "assignee", "sla")


def _done(current: Page, view: TicketView) -> Response:
    shown = status_namer(current.lang)(view.status)
    return current.back(f"{ROOT}/tickets/{view.ref}", f"{word('done', current.lang)} {shown}")


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 18 else None


def _statuses(choice: str) -> tuple[str, ...] | None:
    if choice == ALL:
        return None
    if choice in {s.value for s in Status}:
        return (choice,)
    return OPEN_STATUSES
