"""Typed settings from the environment (`AFTERCARE_` prefix) and an optional `.env` file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import BeforeValidator, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core.errors import ConfigError

EmbeddingBackend = Literal["use", "e5", "minilm"]
PassageModel = Literal["e5", "none"]


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


LogLevel = Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR"], BeforeValidator(_upper)]


class Settings(BaseSettings):
    """Every knob Aftercare reads. The README's configuration table lists each field."""

    model_config = SettingsConfigDict(
        env_prefix="AFTERCARE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(Path("var"), description="Where the SQLite file and index live.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; PostgreSQL for scale-out. Default: SQLite in data_dir."
    )
    kb_dir: Path = Field(Path("knowledge"), description="Knowledge-base content (Markdown).")
    index_dir: Path | None = Field(None, description="Built index. Default: data_dir/index.")
    embedding_backend: EmbeddingBackend = Field("use", description="use, e5 or minilm.")
    passage_model: PassageModel = Field(
        "e5",
        description="Scores a section's passages to pick the one shown: e5, or none (the "
        "embedding model; faster to index). Used for knowledge bases up to "
        "AFTERCARE_PASSAGE_MODEL_MAX passages.",
    )
    passage_model_max: int = Field(
        1000,
        ge=0,
        description="Largest knowledge base, in passages, indexed with the passage model.",
    )
    embedding_model: Path | None = Field(
        None, description="A local sentence-transformers model directory (minilm backend)."
    )
    # Both defaults: `aftercare eval --dataset benchmarks/data/kb_eval --oos-weight 1
    # --wrong-weight 1` (the starter KB), on val; README, Knowledge base, says why.
    faq_answer_threshold: float = Field(
        0.5607, description="Score at or above which the bot answers (set by `aftercare eval`)."
    )
    faq_suggest_threshold: float = Field(
        0.3203, description="Score at or above which the bot offers 'did you mean' choices."
    )
    kb_recheck_seconds: float = Field(
        2.0,
        ge=0,
        description="How often a question may start a check for a newer knowledge-base index.",
    )
    log_level: LogLevel = Field("INFO", description="DEBUG, INFO, WARNING or ERROR.")
    log_json: bool = Field(False, description="Structured JSON logs (one object per line).")
    default_timezone: str = Field("UTC", description="Timezone for new projects and contacts.")

    sla_policies: Path | None = Field(
        None, description="YAML file of SLA tiers, targets and calendars (default: packaged)."
    )

    waking_hours: str = Field(
        "09:00-20:00",
        description="Contacts' local hours for non-urgent messages (quiet hours outside).",
    )
    job_max_attempts: int = Field(
        5, ge=1, description="Scheduler attempts before a job is dead-lettered."
    )
    job_lease_seconds: int = Field(
        300, ge=5, description="How long a worker holds a claimed job before others may retry it."
    )
    followup_checkin_days: str = Field(
        "7,30,90", description="Check-ins this many days after delivery (or acceptance)."
    )
    warranty_notice_days: str = Field(
        "30,7", description="Warranty-expiry notices this many days before the warranty ends."
    )
    waiting_reminder_days: float = Field(
        3, gt=0, description="Remind a client this many days after a ticket starts waiting on them."
    )
    waiting_autoclose_days: float = Field(
        7, gt=0, description="Close a ticket still waiting on the client after this many days."
    )
    sla_check_seconds: int = Field(
        60, ge=5, description="How often the scheduler checks SLA warnings and breaches."
    )

    survey_csat_delay_hours: float = Field(
        24.0, ge=0, description="Hours after a ticket is resolved before its CSAT survey goes out."
    )
    survey_csat_sample_rate: float = Field(
        1.0, ge=0, le=1, description="Share of resolved tickets that get a CSAT survey (0 = off)."
    )
    survey_cooldown_days: float = Field(
        14.0, ge=0, description="No CSAT survey to a contact surveyed within this many days."
    )
    survey_reminder_hours: float = Field(
        24.0, gt=0, description="One reminder this long after an unanswered survey."
    )
    survey_nps_enabled: bool = Field(True, description="Send NPS surveys per project.")
    survey_nps_first_days: int = Field(
        30, ge=0, description="Days after delivery of a project's first NPS survey."
    )
    survey_nps_every_days: int = Field(
        90, ge=1, description="Days between a project's NPS surveys."
    )

    handover_template: Path | None = Field(
        None, description="YAML handover checklist template (default: packaged)."
    )
    risk_alert_threshold: int = Field(
        60, ge=1, le=100, description="Tell staff when a project's risk score reaches this."
    )
    risk_check_minutes: int = Field(
        60, ge=1, description="How often the scheduler recomputes risk scores."
    )

    max_body_bytes: int = Field(
        1_048_576,
        ge=1024,
        description="Largest HTTP request body accepted (checked before parsing).",
    )
    max_message_chars: int = Field(
        8000, ge=100, description="Longest client message handled; longer ones are refused."
    )
    intake_concurrency: int = Field(
        8, ge=1, description="Inbound events a process handles at once (serve, worker, run)."
    )
    intake_lease_seconds: int = Field(
        30, ge=5, description="How long a process holds an inbound event (renewed while busy)."
    )
    intake_max_attempts: int = Field(
        10, ge=1, description="Attempts at an inbound event before it is dead-lettered."
    )
    intake_retention_hours: int = Field(
        48, ge=1, description="How long processed events are kept to recognise redeliveries."
    )
    outbox_concurrency: int = Field(
        4, ge=1, description="Outbox messages a process sends at once (one repeat each at most)."
    )
    outbox_lease_seconds: int = Field(
        60, ge=5, description="How long a deliverer holds a message it is sending."
    )
    drain_seconds: float = Field(
        20, ge=0, description="On SIGTERM, how long to finish work in hand before handing it back."
    )
    db_pool_size: int = Field(10, ge=1, description="Database connections kept per process.")
    db_max_overflow: int = Field(10, ge=0, description="Extra connections allowed at peaks.")
    db_pool_timeout: float = Field(
        5, gt=0, description="Seconds to wait for a connection before giving up (503 at intake)."
    )

    slack_bot_token: SecretStr | None = Field(None, description="Slack bot token (xoxb-...).")
    slack_app_token: SecretStr | None = Field(
        None, description="Slack app-level token (xapp-...); enables Socket Mode in `run`."
    )
    slack_signing_secret: SecretStr | None = Field(
        None, description="Slack signing secret; verifies every HTTP request."
    )
    slack_api_url: str = Field(
        "https://slack.com/api/", description="Slack Web API base URL (tests, proxies)."
    )
    slack_staff_channel: str | None = Field(
        None, description="Slack channel id where staff see tickets and escalations."
    )
    staff_terminal: bool = Field(
        False,
        description="Staff answer escalations from the terminal (`aftercare conversation "
        "waiting|take|reply|handback`), so handoff works without a Slack staff channel.",
    )
    staff_console: bool = Field(
        False,
        description="Staff answer escalations from the web console (`aftercare serve`, "
        "/console/inbox), so handoff works without a Slack staff channel.",
    )
    handoff_remind_minutes: int = Field(
        15,
        ge=1,
        description="Remind staff when nobody took an escalation within this many minutes.",
    )
    telegram_token: SecretStr | None = Field(None, description="Telegram bot token.")
    telegram_webhook_secret: SecretStr | None = Field(
        None, description="Secret token Telegram sends with each webhook request."
    )
    telegram_api_url: str = Field(
        "https://api.telegram.org/bot", description="Telegram Bot API base URL."
    )

    @property
    def resolved_database_url(self) -> str:
        return normalise_database_url(self.database_url, self.data_dir)

    @property
    def resolved_index_dir(self) -> Path:
        return self.index_dir if self.index_dir is not None else self.data_dir / "index"


HIDDEN = "********"
_SECRET_NAME = re.compile(r"token|secret|password|key", re.IGNORECASE)


@dataclass(frozen=True)
class ShownSetting:
    """One setting as staff may see it: secrets only say whether they are set."""

    name: str  # the environment variable
    value: str
    description: str
    secret: bool


def shown_settings(settings: Settings) -> list[ShownSetting]:
    """Every setting's effective value with tokens, secrets, passwords and keys hidden, and
    credentials taken out of URLs (the console's settings page)."""
    shown = []
    for name, info in type(settings).model_fields.items():
        value = getattr(settings, name)
        secret = isinstance(value, SecretStr) or bool(_SECRET_NAME.search(name))
        if secret:
            text = "" if value is None or value == "" else HIDDEN
        elif value is None:
            text = ""
        else:
            text = hide_credentials(str(value))
        shown.append(
            ShownSetting(f"AFTERCARE_{name.upper()}", text, info.description or "", secret)
        )
    return shown


def hide_credentials(text: str) -> str:
    """A URL's password, and query values named like secrets, replaced; other text as it is."""
    parts = urlsplit(text)
    if not parts.scheme or not parts.netloc:
        return text
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.partition(':')[0]}:{HIDDEN}@{host}" if ":" in user else netloc
    query = urlencode(
        [(k, HIDDEN if _SECRET_NAME.search(k) else v) for k, v in parse_qsl(parts.query)],
        safe="*",
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def normalise_database_url(url: str | None, data_dir: Path) -> str:
    """Map the URLs people type onto the async drivers Aftercare ships with."""
    if url is None or url == "":
        return f"sqlite+aiosqlite:///{(data_dir / 'aftercare.db').as_posix()}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    if url.startswith(("postgresql+psycopg://", "sqlite+aiosqlite://")):
        return url
    raise ConfigError(
        f"AFTERCARE_DATABASE_URL must be a postgresql:// or sqlite:/// URL, got {url.split(':')[0]}:..."
    )
