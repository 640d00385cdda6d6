"""Composition root: builds the engine and its services from settings, in one place."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from threadpoolctl import threadpool_limits

from bot.core.clock import SystemClock
from bot.core.commands import HelpCommand, core_feature
from bot.core.conversations import SqlStore
from bot.core.directory import Directory
from bot.core.engine import Engine
from bot.core.events import Events
from bot.core.feature import Feature, StaffAction, assemble, register_jobs, staff_actions, subscribe
from bot.core.intake import Intake
from bot.core.metrics import Metrics, TimedKnowledgeBase
from bot.core.outbox import SqlOutbox
from bot.core.protocols import Clock, KnowledgeBase
from bot.core.quiet import WakingHours
from bot.core.scheduler import Scheduler, default_worker_id
from bot.core.settings import Settings
from bot.features.accounts.feature import accounts_feature
from bot.features.accounts.service import StaffAccounts
from bot.features.accounts.sessions import StaffSessions
from bot.features.accounts.tokens import ApiTokens
from bot.features.announcements.feature import announcements_feature
from bot.features.announcements.service import Announcements
from bot.features.escalation.chat import EscalationChat
from bot.features.escalation.feature import escalation_feature
from bot.features.escalation.service import EscalationService
from bot.features.faq.chat import Faq
from bot.features.faq.feature import faq_feature
from bot.features.followups.feature import followups_feature
from bot.features.followups.service import FollowUps, Policy, parse_days
from bot.features.handover.chat import HandoverChat
from bot.features.handover.feature import handover_feature
from bot.features.handover.service import HandoverService, load_template
from bot.features.hours.chat import HoursChat
from bot.features.hours.feature import hours_feature
from bot.features.hours.service import SupportHours
from bot.features.invites.chat import InviteChat
from bot.features.invites.feature import invites_feature
from bot.features.invites.service import InviteService
from bot.features.project_info.chat import ProjectInfoChat
from bot.features.project_info.feature import project_info_feature
from bot.features.project_info.service import ProjectInfo
from bot.features.risk.feature import risk_feature
from bot.features.risk.service import RiskService
from bot.features.suggestions.chat import SuggestionChat
from bot.features.suggestions.feature import suggestions_feature
from bot.features.suggestions.service import SuggestionService
from bot.features.surveys.chat import SurveyChat
from bot.features.surveys.feature import surveys_feature
from bot.features.surveys.service import SurveyPolicy, SurveyService
from bot.features.tickets.chat import TicketChat
from bot.features.tickets.feature import tickets_feature
from bot.features.tickets.policies import load_policies
from bot.features.tickets.service import TicketService
from bot.features.training.chat import TrainingChat
from bot.features.training.feature import training_feature
from bot.features.training.service import TrainingService
from bot.features.webhooks.feature import webhooks_feature
from bot.features.webhooks.service import WebhookService
from bot.knowledge.base import IndexedKnowledgeBase
from bot.storage.db import Database
from bot.storage.migrate import ensure_current


@dataclass
class App:
    """Everything a running Aftercare needs; adapters receive this, never globals."""

    settings: Settings
    db: Database
    clock: Clock
    store: SqlStore
    outbox: SqlOutbox
    directory: Directory
    kb: KnowledgeBase | None
    engine: Engine
    tickets: TicketService
    scheduler: Scheduler
    waking: WakingHours
    invites: InviteService
    followups: FollowUps
    surveys: SurveyService
    escalation: EscalationService
    training: TrainingService
    announcements: Announcements
    handover: HandoverService
    suggestions: SuggestionService
    project_info: ProjectInfo
    risk: RiskService
    webhooks: WebhookService
    intake: Intake
    metrics: Metrics
    events: Events
    staff: StaffAccounts  # console sign-in, roles, the clients an agent serves
    sessions: StaffSessions
    api_tokens: ApiTokens
    features: list[Feature]  # what each feature adds; /help and the command menus read it
    # Staff-channel button prefix -> the feature's action (adapters dispatch clicks here).
    staff_actions: dict[str, StaffAction]

    async def close(self) -> None:
        if isinstance(self.kb, IndexedKnowledgeBase):
            await self.kb.close()  # a re-check under way reads the database
        await self.db.dispose()


async def build_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    kb: KnowledgeBase | None = None,
    check_schema: bool = True,
    with_kb: bool = False,
) -> App:
    """Wire the core. `with_kb` opens the built knowledge base (every process that answers
    clients: chat, serve, run, worker), reading published indexes through this app's
    database; `kb` overrides it (tests pass a fake)."""
    clock = clock or SystemClock()
    policies = load_policies(settings.sla_policies)
    template = load_template(settings.handover_template)
    db = Database(
        settings.resolved_database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
    )
    if check_schema:
        try:
            await ensure_current(db)
        except BaseException:
            await db.dispose()
            raise
    if kb is None and with_kb:
        # A question is one vector: one BLAS thread does it as fast, and the spinning BLAS
        # threads of several processes on a few cores would otherwise starve each other.
        threadpool_limits(limits=1, user_api="blas")
        kb = IndexedKnowledgeBase.from_settings(settings, db)
    metrics = Metrics()
    worker_id = f"{default_worker_id()}:{secrets.token_hex(2)}"[:64]
    outbox = SqlOutbox(
        db,
        clock,
        worker_id=worker_id,
        lease=timedelta(seconds=settings.outbox_lease_seconds),
        metrics=metrics,
    )
    store = SqlStore(db, clock, outbox)
    intake = Intake(
        db,
        clock,
        worker_id=worker_id,
        lease=timedelta(seconds=settings.intake_lease_seconds),
        max_attempts=settings.intake_max_attempts,
        metrics=metrics,
    )
    events = Events()
    tickets = TicketService(db, clock, outbox, policies, settings.slack_staff_channel, events)
    invites = InviteService(db, clock)
    scheduler = Scheduler(
        db,
        clock,
        max_attempts=settings.job_max_attempts,
        lease=timedelta(seconds=settings.job_lease_seconds),
    )
    escalation = EscalationService(
        db,
        clock,
        outbox,
        tickets,
        policies,
        settings.slack_staff_channel,
        kb_dir=settings.kb_dir,
        remind_after=timedelta(minutes=settings.handoff_remind_minutes),
        scheduler=scheduler,
        terminal_desk=settings.staff_terminal or settings.staff_console,
        events=events,
    )
    directory = Directory(db, clock, events)
    handover = HandoverService(
        db, clock, outbox, directory, tickets, template, settings.slack_staff_channel
    )
    suggestions = SuggestionService(db, clock, outbox, settings.slack_staff_channel)
    waking = WakingHours.parse(settings.waking_hours)
    training = TrainingService(db, clock, scheduler, outbox, waking)
    project_info = ProjectInfo(clock, handover, tickets, policies, scheduler, training)
    followups = FollowUps(
        db,
        clock,
        scheduler,
        outbox,
        waking,
        Policy(
            parse_days(settings.followup_checkin_days, "AFTERCARE_FOLLOWUP_CHECKIN_DAYS"),
            parse_days(settings.warranty_notice_days, "AFTERCARE_WARRANTY_NOTICE_DAYS"),
        ),
    )
    surveys = SurveyService(
        db,
        clock,
        outbox,
        scheduler,
        SurveyPolicy.from_settings(settings),
        waking.next,
        settings.slack_staff_channel,
        escalate=escalation.escalate,
        events=events,
    )
    announcements = Announcements(db, clock, scheduler, outbox, waking, settings.default_timezone)
    risk = RiskService(
        db,
        clock,
        outbox,
        surveys,
        handover,
        settings.risk_alert_threshold,
        settings.slack_staff_channel,
    )
    staff = StaffAccounts(db, clock)
    sessions = StaffSessions(db, clock, staff)
    webhooks = WebhookService(db, clock, outbox)
    help_command = HelpCommand()
    project_chat = ProjectInfoChat(project_info, handover)
    # The order is that of /help and the command menus; text rules carry their own priority.
    features = [
        core_feature(help_command, intake, timedelta(hours=settings.intake_retention_hours)),
        tickets_feature(tickets, TicketChat(tickets, db), settings),
        training_feature(training, TrainingChat(training)),
        escalation_feature(escalation, EscalationChat(escalation)),
        project_info_feature(project_chat),
        hours_feature(HoursChat(SupportHours(db, clock, policies))),
        handover_feature(handover, HandoverChat(handover, project_chat.on_button)),
        suggestions_feature(SuggestionChat(suggestions)),
        followups_feature(followups),
        surveys_feature(surveys, SurveyChat(surveys)),
        announcements_feature(announcements),
        invites_feature(InviteChat(invites, help_command)),
        faq_feature(Faq(project_info, events)),
        risk_feature(risk, timedelta(minutes=settings.risk_check_minutes)),
        accounts_feature(sessions),
        webhooks_feature(webhooks),
    ]
    help_command.features = features
    register_jobs(scheduler, features)
    subscribe(events, features)
    engine = Engine(
        store,
        clock,
        assemble(features),
        kb=TimedKnowledgeBase(kb, metrics) if kb is not None else None,
        outbox=outbox,
        max_chars=settings.max_message_chars,
    )
    return App(
        settings=settings,
        db=db,
        clock=clock,
        store=store,
        outbox=outbox,
        directory=directory,
        kb=kb,
        engine=engine,
        tickets=tickets,
        scheduler=scheduler,
        waking=waking,
        invites=invites,
        followups=followups,
        surveys=surveys,
        escalation=escalation,
        training=training,
        announcements=announcements,
        handover=handover,
        suggestions=suggestions,
        project_info=project_info,
        risk=risk,
        webhooks=webhooks,
        intake=intake,
        metrics=metrics,
        events=events,
        staff=staff,
        sessions=sessions,
        api_tokens=ApiTokens(db, clock),
        features=features,
        staff_actions=staff_actions(features),
    )
