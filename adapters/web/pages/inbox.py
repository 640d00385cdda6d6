"""The inbox: conversations waiting for a person or with one, and a conversation's transcript
with what staff do in the Slack staff thread (reply, take, hand back, close, open a ticket,
save a reply as an FAQ draft), through the same EscalationService calls."""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable

from starlette.responses import Response
from starlette.routing import Route

from adapters.web.auth import ROOT, Page, page
from adapters.web.i18n import word
from adapters.web.pages.tickets import status_namer
from adapters.web.paging import PER_PAGE, page_number, pager
from bot.app import App
from bot.core.errors import InvalidInputError, NotFoundError
from bot.features.escalation.relay import Relayed
from bot.features.escalation.transcript import Transcript, transcript
from bot.features.tickets.service import TicketQuery

_NONCE = re.compile(r"^[0-9a-f]{32}$")
Action = Callable[[Page, Transcript], Awaitable[Response]]


def routes(app: App) -> list[Route]:
    async def inbox(current: Page) -> Response:
        number = page_number(current.request)
        found = await app.escalation.waiting(
            current.clients, limit=PER_PAGE + 1, offset=(number - 1) * PER_PAGE
        )
        return current.render(
            "inbox.html",
            rows=found[:PER_PAGE],
            pager=pager(current.request, number, len(found)),
            now=app.clock.now(),
        )

    async def conversation(current: Page) -> Response:
        found = await _visible(current)
        tickets = await app.tickets.search(
            TicketQuery(
                clients=current.clients, conversation_id=found.conversation_id, statuses=None
            ),
            limit=PER_PAGE,
        )
        return current.render(
            "conversation.html",
            found=found,
            tickets=tickets,
            linked=lambda text: _linked(text, found.client_code),
            nonce=secrets.token_hex(16),
            status_name=status_namer(current.lang),
        )

    async def reply(current: Page, found: Transcript) -> Response:
        text = current.field("text")
        if not text:
            raise InvalidInputError("the reply is empty")
        nonce = current.field("nonce")
        # The form's own key: a second submit of the same form is not a second message.
        key = f"console:{nonce if _NONCE.match(nonce) else secrets.token_hex(16)}"
        relayed = await app.escalation.relay.staff_reply(
            found.conversation_id, text, current.staff.name, key=key
        )
        flash = {
            Relayed.SENT: "reply_sent",
            Relayed.DUPLICATE: "already_sent",
            Relayed.NOT_SENT: "not_sent",
        }[relayed]
        return _back(current, found, flash)

    async def take(current: Page, found: Transcript) -> Response:
        await app.escalation.take(found.conversation_id, current.staff.name)
        return _back(current, found, "done")

    async def hand_back(current: Page, found: Transcript) -> Response:
        await app.escalation.hand_back(found.conversation_id, current.staff.name)
        return _back(current, found, "done")

    async def close(current: Page, found: Transcript) -> Response:
        await app.escalation.close(found.conversation_id, current.staff.name)
        return _back(current, found, "done")

    async def ticket(current: Page, found: Transcript) -> Response:
        opened = await app.escalation.open_ticket(found.conversation_id, current.staff.name)
        return current.back(
            f"{ROOT}/tickets/{opened.ref}", f"{word('done', current.lang)} {opened.ref}"
        )

    async def save_faq(current: Page, found: Transcript) -> Response:
        relay = current.field("relay")
        ours = {str(line.relay_id) for line in found.lines if line.relay_id is not None}
        if relay not in ours:
            raise NotFoundError(f"no relayed reply {relay[:20]} in this conversation")
        draft = await app.escalation.relay.save_faq(int(relay), current.staff.name)
        return _back(current, found, "faq_saved", f" {draft.id}")

    def act(action: Action) -> Callable[[Page], Awaitable[Response]]:
        async def handler(current: Page) -> Response:
            return await action(current, await _visible(current))

        return handler

    async def _visible(current: Page) -> Transcript:
        """The conversation, if this staff member serves its client; else 'not found'."""
        conversation_id = int(current.request.path_params["conversation_id"])
        found = await transcript(app.db, conversation_id)
        if not current.staff.serves(found.client_id):
            raise NotFoundError(f"no conversation {conversation_id}")
        return found

    one = "/inbox/{conversation_id:int}"
    actions: dict[str, Action] = {
        "reply": reply,
        "take": take,
        "back": hand_back,
        "close": close,
        "ticket": ticket,
        "faq": save_faq,
    }
    return [
        Route("/inbox", page(app, inbox), methods=["GET"]),
        Route(one, page(app, conversation), methods=["GET"]),
        *(
            Route(f"{one}/{name}", page(app, act(action)), methods=["POST"])
            for name, action in actions.items()
        ),
    ]


def _back(current: Page, found: Transcript, key: str, extra: str = "") -> Response:
    return current.back(f"{ROOT}/inbox/{found.conversation_id}", word(key, current.lang) + extra)


def _linked(text: str, code: str | None) -> list[tuple[str, str | None]]:
    """Text in pieces, each ticket number of the conversation's client (ACME-7) with its
    ticket's ref, so the template links it; the template escapes every piece."""
    if code is None:
        return [(text, None)]
    code = re.escape(code)
    pieces: list[tuple[str, str | None]] = []
    last = 0
    for match in re.finditer(rf"\b{code}-\d{{1,9}}\b", text, flags=re.IGNORECASE):
        pieces += [(text[last : match.start()], None), (match.group(0), match.group(0).upper())]
        last = match.end()
    pieces.append((text[last:], None))
    return pieces
