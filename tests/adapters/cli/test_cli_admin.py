"""Every admin command through the real CLI: success, and each bad input as one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.storage.models import ChannelIdentity, Client, Contact, Project
from tests.support.cli import count, invoke


def _setup(url: str) -> None:
    assert invoke("client", "add", "Acme Corp", "--code", "ACME")[0] == 0
    code, out, _ = invoke(
        "project",
        "add",
        "--client",
        "acme",
        "--name",
        "Portal",
        "--delivered",
        "2026-01-31",
        "--warranty-months",
        "1",
        "--sla-tier",
        "gold",
        "--timezone",
        "Asia/Shanghai",
    )
    assert code == 0 and "warranty until 2026-02-28" in out
    assert invoke("contact", "add", "--client", "ACME", "--handle", "alice", "--lang", "en")[0] == 0
    assert (
        invoke(
            "contact",
            "link",
            "--client",
            "ACME",
            "--handle",
            "alice",
            "--channel",
            "slack",
            "--user-id",
            "U1",
            "--workspace",
            "T1",
        )[0]
        == 0
    )


def test_admin_happy_path_lists_what_was_added(cli_env: str) -> None:
    _setup(cli_env)
    assert "ACME" in invoke("client", "list")[1]
    assert "Portal" in invoke("project", "list", "--client", "ACME")[1]
    assert "slack:T1/U1" in invoke("contact", "list")[1]


@pytest.mark.parametrize(
    ("args", "message", "model"),
    [
        (("client", "add", "Acme Corp"), "already exists", Client),
        (("client", "add", "Other", "--code", "ACME"), "is taken", Client),
        (("client", "add", "Other", "--code", "1X"), "bad client code", Client),
        (("client", "add", "北京科技"), "pass one with --code", Client),
        (("client", "add", "  "), "needs a name", Client),
        (
            ("project", "add", "--client", "NOPE", "--name", "X", "--delivered", "2026-01-01"),
            "no client 'NOPE'",
            Project,
        ),
        (
            ("project", "add", "--client", "ACME", "--name", "X", "--delivered", "31/01/2026"),
            "bad date",
            Project,
        ),
        (
            (
                "project",
                "add",
                "--client",
                "ACME",
                "--name",
                "X",
                "--delivered",
                "2026-01-01",
                "--sla-tier",
                "platinum",
            ),
            "unknown SLA tier",
            Project,
        ),
        (
            (
                "project",
                "add",
                "--client",
                "ACME",
                "--name",
                "X",
                "--delivered",
                "2026-01-01",
                "--timezone",
                "Mars/Olympus",
            ),
            "unknown timezone",
            Project,
        ),
        (
            ("project", "add", "--client", "ACME", "--name", "Portal", "--delivered", "2026-01-01"),
            "already has a project",
            Project,
        ),
        (
            (
                "project",
                "add",
                "--client",
                "ACME",
                "--name",
                "X",
                "--delivered",
                "2026-01-01",
                "--warranty-months",
                "-3",
            ),
            "warranty months",
            Project,
        ),
        (("project", "list", "--client", "NOPE"), "no client", Project),
        (("contact", "add", "--client", "NOPE", "--handle", "bob"), "no client", Contact),
        (
            ("contact", "add", "--client", "ACME", "--handle", "alice"),
            "already has a contact",
            Contact,
        ),
        (("contact", "add", "--client", "ACME", "--handle", "Bad Handle!"), "bad handle", Contact),
        (
            ("contact", "add", "--client", "ACME", "--handle", "bob", "--lang", "fr"),
            "unknown language",
            Contact,
        ),
        (
            (
                "contact",
                "link",
                "--client",
                "ACME",
                "--handle",
                "alice",
                "--channel",
                "slack",
                "--user-id",
                "U1",
                "--workspace",
                "T1",
            ),
            "already linked",
            ChannelIdentity,
        ),
        (
            (
                "contact",
                "link",
                "--client",
                "ACME",
                "--handle",
                "nobody",
                "--channel",
                "slack",
                "--user-id",
                "U2",
            ),
            "has no contact",
            ChannelIdentity,
        ),
        (
            (
                "contact",
                "link",
                "--client",
                "ACME",
                "--handle",
                "alice",
                "--channel",
                "fax",
                "--user-id",
                "U2",
            ),
            "unknown channel",
            ChannelIdentity,
        ),
        (("contact", "list", "--client", "NOPE"), "no client", Contact),
    ],
)
def test_bad_input_prints_one_line_and_writes_nothing(
    cli_env: str, args: tuple[str, ...], message: str, model: type
) -> None:
    _setup(cli_env)
    before = count(cli_env, model)
    code, out, err = invoke(*args)
    assert code == 1
    assert message in err
    assert err.strip().count("\n") == 0 and err.startswith("error: ")
    assert "Traceback" not in out + err
    assert count(cli_env, model) == before


def test_commands_refuse_an_unmigrated_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AFTERCARE_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke("client", "list")
    assert code == 1 and "aftercare db upgrade" in err


def test_bad_database_url_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AFTERCARE_DATABASE_URL", "mysql://root@localhost/x")
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke("client", "list")
    assert code == 1 and "AFTERCARE_DATABASE_URL" in err
