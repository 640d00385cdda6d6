"""Sends Replies to Telegram chats: HTML pieces of at most 4096 characters, keyboard on the last.

Used for answers (replying to the asker's message in groups) and, as the outbox Sender for
channel "telegram", for pushed messages such as ticket updates.
"""

from __future__ import annotations

from telegram import Bot, LinkPreviewOptions, ReplyParameters
from telegram.constants import ParseMode

from adapters.telegram.callbacks import CallbackStore
from adapters.telegram.markup import render
from bot.core.directory import CHAT_PREFIX
from bot.core.messages import Address, Reply


class TelegramSender:
    """The Sender for channel "telegram"; returns the last sent message's id."""

    def __init__(self, bot: Bot, callbacks: CallbackStore) -> None:
        self._bot = bot
        self._callbacks = callbacks

    async def send(self, address: Address, reply: Reply) -> str | None:
        thread = reply.thread_id or address.thread_id
        # A group is linked as the identity "chat:<id>"; addressed through it, it is that chat.
        chat = address.chat_id.removeprefix(CHAT_PREFIX)
        reply_to = reply.meta.get("reply_to", "")
        return await self.post(
            chat, reply, thread_id=thread, reply_to=int(reply_to) if reply_to.isdigit() else None
        )

    async def post(
        self, chat_id: str, reply: Reply, *, thread_id: str = "", reply_to: int | None = None
    ) -> str | None:
        pieces = render(reply)
        keyboard = await self._callbacks.keyboard(reply.buttons, chat_id)
        sent_id: str | None = None
        for number, text in enumerate(pieces, start=1):
            last = number == len(pieces)
            message = await self._bot.send_message(
                chat_id=int(chat_id),
                text=text,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard if last else None,
                message_thread_id=int(thread_id) if thread_id.isdigit() else None,
                reply_parameters=(
                    ReplyParameters(reply_to, allow_sending_without_reply=True)
                    if reply_to is not None and number == 1
                    else None
                ),
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
            sent_id = str(message.message_id)
        return sent_id
