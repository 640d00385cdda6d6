"""`aftercare project set|followups` through the real command."""

from __future__ import annotations

from tests.support.cli import invoke


def _project() -> None:
    assert invoke("client", "add", "Acme Corp", "--code", "ACME")[0] == 0
    code, _, err = invoke(
        "project",
        "add",
        "--client",
        "ACME",
        "--name",
        "Portal",
        "--delivered",
        "2099-03-02",
        "--timezone",
        "Europe/Berlin",
    )
    assert code == 0, err


def test_follow_ups_are_listed_moved_and_overridden(cli_env: str) -> None:
    _project()
    code, out, _ = invoke("project", "followups", "--client", "ACME", "--name", "Portal")
    assert code == 0
    assert "check-ins after 7, 30, 90 days; warranty notices 7, 30 days" in out
    assert "2099-03-09 09:00Z\tcheckin:7\tpending" in out
    code, out, _ = invoke(
        "project", "set", "--client", "ACME", "--name", "Portal", "--delivered", "2099-03-05"
    )
    assert code == 0 and "delivered 2099-03-05" in out
    out = invoke("project", "followups", "--client", "ACME", "--name", "Portal")[1]
    assert "2099-03-12 09:00Z\tcheckin:7\tpending" in out and "2099-03-09" not in out
    code, out, _ = invoke(
        "project",
        "followups",
        "--client",
        "ACME",
        "--name",
        "Portal",
        "--checkins",
        "14",
        "--warranty-notices",
        "",
    )
    assert code == 0 and "check-ins after 14 days; warranty notices none" in out
    assert out.count("pending") == 1


def test_bad_input_is_one_clear_line(cli_env: str) -> None:
    _project()
    for args, message in [
        (("project", "set", "--client", "ACME", "--name", "Portal"), "nothing to change"),
        (
            ("project", "set", "--client", "ACME", "--name", "Nope", "--sla-tier", "gold"),
            "has no project named 'Nope'",
        ),
        (
            ("project", "set", "--client", "ACME", "--name", "Portal", "--accepted", "2099-01-01"),
            "cannot be accepted before it is delivered",
        ),
        (
            ("project", "set", "--client", "ACME", "--name", "Portal", "--sla-tier", "tin"),
            "unknown SLA tier",
        ),
        (
            ("project", "followups", "--client", "ACME", "--name", "Portal", "--checkins", "7,x"),
            "whole days separated by commas",
        ),
        (
            ("project", "followups", "--client", "ACME", "--name", "Portal", "--checkins", "0"),
            "between 1 and 3650",
        ),
    ]:
        code, _, err = invoke(*args)
        assert code == 1 and message in err, (args, err)
