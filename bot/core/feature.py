"""What a feature adds to Aftercare, declared in one place; `assemble` builds the engine's routes
from the declarations, and /help and the platform command menus are read from the same list."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Generic, TypeVar

from bot.core.engine import Fallback, Gate, Handler, Routes, TextHandler, Watcher
from bot.core.errors import ConfigError
from bot.core.events import Events
from bot.core.i18n import Lang
from bot.core.scheduler import JobHandler, Scheduler

E = TypeVar("E")

# A staff member's click on a staff-channel button: (the payload after its prefix, the staff
# member's name) -> a line to post back in the staff channel, or None when the feature already
# said what happened there.
StaffAction = Callable[[str, str], Awaitable[str | None]]


@dataclass(frozen=True)
class Help:
    """A command's line in /help and its entry in the Telegram and Slack menus."""

    en: str
    zh: str
    args_en: str = ""  # what follows the name, e.g. "NUMBER"
    args_zh: str = ""

    def line(self, name: str, lang: Lang) -> str:
        args = self.args_zh if lang == "zh" else self.args_en
        text = self.zh if lang == "zh" else self.en
        return f"/{name}{' ' + args if args else ''} - {text}"


@dataclass(frozen=True)
class Command:
    """`/name args`. Listed in /help and the menus only with `help`; `secret` arguments (an
    invite code) never reach the conversation log."""

    name: str
    run: Handler
    help: Help | None = None
    secret: bool = False


@dataclass(frozen=True)
class TextRule:
    """A handler for plain text. Rules run in ascending `priority` (each feature's feature.py
    says why its number is where it is); the first that answers wins and the FAQ fallback
    answers the rest. Two rules may not share a priority."""

    priority: int
    run: TextHandler


@dataclass(frozen=True)
class JobSpec:
    """A job kind the feature runs: scheduled by the feature itself, or with `every` a
    recurring one the scheduler seeds (e.g. the SLA check)."""

    kind: str
    run: JobHandler
    every: timedelta | None = None


@dataclass(frozen=True)
class Listen(Generic[E]):
    """Run `run` when another part of Aftercare emits an event of type `kind` (see events.py)."""

    kind: type[E]
    run: Callable[[E], Awaitable[object]]


@dataclass(frozen=True)
class Feature:
    """One feature's additions. Every field is optional; `name` is its folder under
    bot/features/."""

    name: str
    commands: Sequence[Command] = ()
    buttons: Mapping[str, Handler] = field(default_factory=dict)  # payload prefix -> handler
    gates: Sequence[Gate] = ()
    text: Sequence[TextRule] = ()
    fallback: Fallback | None = None
    watchers: Sequence[Watcher] = ()  # see every routed turn's replies (the FAQ's, say)
    jobs: Sequence[JobSpec] = ()
    listeners: Sequence[Listen[Any]] = ()
    staff_actions: Mapping[str, StaffAction] = field(default_factory=dict)


def assemble(features: Sequence[Feature]) -> Routes:
    """The engine's routes from the features, refusing two claims on one command, button
    prefix or text priority, or two fallbacks (the order would otherwise decide silently)."""
    routes = Routes()
    text: list[tuple[int, TextHandler]] = []
    owners: dict[str, str] = {}
    for feature in features:
        for command in feature.commands:
            _claim(owners, f"/{command.name}", feature.name)
            routes.commands[command.name] = command.run
            if command.secret:
                routes.secret_commands.add(command.name)
        for prefix, handler in feature.buttons.items():
            _claim(owners, f"button {prefix}:", feature.name)
            routes.buttons[prefix] = handler
        for rule in feature.text:
            _claim(owners, f"text priority {rule.priority}", feature.name)
            text.append((rule.priority, rule.run))
        if feature.fallback is not None:
            _claim(owners, "the fallback", feature.name)
            routes.fallback = feature.fallback
        routes.gates.extend(feature.gates)
        routes.watchers.extend(feature.watchers)
    routes.text = [run for _, run in sorted(text, key=lambda pair: pair[0])]
    return routes


def staff_actions(features: Sequence[Feature]) -> dict[str, StaffAction]:
    """Staff-channel button prefixes -> the feature action that handles them."""
    owners: dict[str, str] = {}
    actions: dict[str, StaffAction] = {}
    for feature in features:
        for prefix, action in feature.staff_actions.items():
            _claim(owners, f"staff action {prefix}:", feature.name)
            actions[prefix] = action
    return actions


def listed(features: Sequence[Feature]) -> list[tuple[str, Help]]:
    """The commands /help and the platform menus show, in the order the features are listed."""
    return [(c.name, c.help) for f in features for c in f.commands if c.help is not None]


def help_text(features: Sequence[Feature], intro: str, lang: Lang) -> str:
    return "\n".join([intro, *(h.line(name, lang) for name, h in listed(features))])


def menu(features: Sequence[Feature], lang: Lang) -> list[tuple[str, str]]:
    """(command, description) pairs for a platform's command menu (Telegram's)."""
    return [(name, _capital(h.zh if lang == "zh" else h.en)) for name, h in listed(features)]


def slack_usage(features: Sequence[Feature]) -> str:
    """The /aftercare slash command's description in slack-app-manifest.yml."""
    return " | ".join(f"{name} {h.args_en}".strip() for name, h in listed(features))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _claim(owners: dict[str, str], what: str, feature: str) -> None:
    if what in owners:
        raise ConfigError(f"{what} is claimed by both {owners[what]} and {feature}")
    owners[what] = feature


def register_jobs(scheduler: Scheduler, features: Sequence[Feature]) -> None:
    """Every feature's job kinds on the scheduler (which refuses a kind registered twice)."""
    for feature in features:
        for job in feature.jobs:
            if job.every is None:
                scheduler.register(job.kind, job.run)
            else:
                scheduler.every(job.kind, job.every, job.run)


def subscribe(events: Events, features: Sequence[Feature]) -> None:
    for feature in features:
        for listener in feature.listeners:
            events.on(listener.kind, listener.run)
