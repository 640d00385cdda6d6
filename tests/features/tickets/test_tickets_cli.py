"""The ticket CLI and the SLA report through the real `aftercare` command, good and bad input."""

from __future__ import annotations

import pytest

from bot.features.tickets.models import Ticket, TicketEvent
from tests.support.cli import count, invoke


def _open_ticket() -> None:
    assert invoke("demo", "seed")[0] == 0
    script = "/ticket\nCSV export fails\nClicking Export gives a 500 error\n2\n"
    code, out, err = invoke("chat", "--as", "alice", "--script", stdin=script)
    assert code == 0, err
    assert "Ticket ACME-1 is open" in out


def test_staff_workflow_and_report(cli_env: str) -> None:
    _open_ticket()
    code, out, _ = invoke("ticket", "list")
    assert code == 0 and "ACME-1" in out and "CSV export fails" in out
    assert invoke("ticket", "ack", "acme-1", "--by", "bob")[1].strip() == (
        "ACME-1: acknowledged (status acknowledged)"
    )
    assert invoke("ticket", "assign", "ACME-1", "carol", "--by", "bob")[0] == 0
    assert invoke("ticket", "comment", "ACME-1", "Looking at it", "--by", "bob")[0] == 0
    assert (
        invoke("ticket", "status", "ACME-1", "waiting_on_client", "--note", "Which browser?")[0]
        == 0
    )
    code, out, _ = invoke("ticket", "resolve", "ACME-1", "--note", "Fixed in 2.3.1")
    assert code == 0 and "resolved" in out
    code, out, _ = invoke("ticket", "show", "ACME-1")
    assert code == 0
    for text in ("assignee carol", "new → acknowledged", "Looking at it", "Fixed in 2.3.1"):
        assert text in out
    assert "ACME-1" not in invoke("ticket", "list")[1]  # resolved tickets are hidden by default
    assert "ACME-1" in invoke("ticket", "list", "--all")[1]
    code, out, _ = invoke("report", "sla")
    assert code == 0 and "P2" in out and "ACME" in out and "100%" in out
    # The client sees every change on the next turn, pushed through the outbox.
    code, out, _ = invoke("chat", "--as", "alice", "--script", stdin="/mytickets\n")
    assert "now acknowledged" in out and "bob commented on ACME-1" in out
    assert "now waiting for your reply" in out and "Which browser?" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ticket", "show", "ACME-99"), "error: no ticket ACME-99"),
        (("ticket", "show", "nonsense"), "error: bad ticket number 'nonsense'"),
        (("ticket", "status", "ACME-1", "done"), "error: unknown status 'done'"),
        (("ticket", "status", "ACME-1", "reopened"), "error: status reopened is set by its own"),
        (("ticket", "assign", "ACME-1", " "), "error: say who the ticket is assigned to"),
        (("ticket", "comment", "ACME-1", ""), "error: a comment needs some text"),
        (("ticket", "list", "--client", "NOPE"), "error: no client 'NOPE'"),
        (("ticket", "list", "--status", "done"), "error: unknown status 'done'"),
        (("report", "sla", "--days", "0"), "error: --days must be between 1 and 3660"),
        (("report", "sla", "--client", "NOPE"), "error: no client 'NOPE'"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    cli_env: str,
    args: tuple[str, ...],
    message: str,
) -> None:
    _open_ticket()
    events, tickets = count(cli_env, TicketEvent), count(cli_env, Ticket)
    code, _, err = invoke(*args)
    assert code == 1
    assert err.startswith(message) and err.count("\n") == 1, err
    assert count(cli_env, TicketEvent) == events and count(cli_env, Ticket) == tickets


def test_resolving_twice_is_a_conflict(cli_env: str) -> None:
    _open_ticket()
    assert invoke("ticket", "resolve", "ACME-1")[0] == 0
    code, _, err = invoke("ticket", "resolve", "ACME-1")
    assert code == 1 and "ACME-1 is resolved; it cannot become resolved" in err
