"""A deterministic synthetic knowledge base for the benchmarks: N files of 10 sections each."""

from __future__ import annotations

import random
from pathlib import Path

WORDS = [
    "account",
    "acceptance",
    "alert",
    "backup",
    "billing",
    "browser",
    "cache",
    "certificate",
    "change",
    "channel",
    "client",
    "cluster",
    "config",
    "contract",
    "customer",
    "dashboard",
    "data",
    "database",
    "deadline",
    "delivery",
    "deploy",
    "disk",
    "document",
    "domain",
    "email",
    "error",
    "escalation",
    "export",
    "feature",
    "feedback",
    "file",
    "firewall",
    "handover",
    "hours",
    "incident",
    "install",
    "invoice",
    "issue",
    "key",
    "licence",
    "load",
    "log",
    "login",
    "maintenance",
    "manual",
    "migration",
    "monitor",
    "network",
    "notice",
    "outage",
    "partner",
    "password",
    "patch",
    "payment",
    "performance",
    "permission",
    "plan",
    "portal",
    "priority",
    "project",
    "proxy",
    "queue",
    "release",
    "report",
    "request",
    "response",
    "restore",
    "review",
    "risk",
    "role",
    "schedule",
    "security",
    "server",
    "service",
    "session",
    "signoff",
    "sla",
    "storage",
    "support",
    "survey",
    "system",
    "team",
    "test",
    "ticket",
    "timeout",
    "token",
    "training",
    "update",
    "upgrade",
    "upload",
    "user",
    "version",
    "warranty",
    "window",
    "workflow",
]
VERBS = ["check", "reset", "renew", "configure", "restart", "schedule", "review"]
# Questions avoid the words that the ticket form treats as "I want to report a problem".
NOUNS = [w for w in WORDS if w not in {"issue", "ticket", "incident"}]


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return f"{rng.choice(VERBS).capitalize()} the {' '.join(words)}."


def question(rng: random.Random) -> str:
    return f"How do I {rng.choice(VERBS)} the {rng.choice(NOUNS)} {rng.choice(NOUNS)}?"


def article(i: int, rng: random.Random, sections: int = 10) -> str:
    questions = "\n".join(f"  - {question(rng)}" for _ in range(3))
    body = "\n\n".join(
        f"## Part {s + 1}: {rng.choice(WORDS)} {rng.choice(WORDS)}\n"
        + " ".join(_sentence(rng, rng.randint(6, 14)) for _ in range(3))
        for s in range(sections)
    )
    return (
        f"---\nid: topic-{i:05d}\ntitle: Topic {i} {rng.choice(WORDS)} {rng.choice(WORDS)}\n"
        f"lang: en\ncategory: synthetic\nquestions:\n{questions}\n---\n{body}\n"
    )


def write(root: Path, files: int = 1000, seed: int = 7) -> list[Path]:
    """`files` articles × 10 sections = 10 × `files` chunks."""
    rng = random.Random(seed)
    paths = []
    for i in range(files):
        path = root / f"topic-{i:05d}.en.md"
        path.write_text(article(i, rng), encoding="utf-8")
        paths.append(path)
    return paths
