"""`aftercare webhook ...` through the real CLI: add (the secret shown once), list, remove,
the delivery log, and input it refuses with one line."""

from __future__ import annotations

from tests.support.cli import invoke


def test_add_list_deliveries_remove(cli_env: str) -> None:
    code, out, err = invoke(
        "webhook", "add", "https://hooks.example.com/x", "--events", "ticket.created,kb.gap"
    )
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "webhook 1: https://hooks.example.com/x (ticket.created, kb.gap)"
    secret = lines[1].removeprefix("secret: ")
    assert len(secret) == 64
    code, out, _ = invoke("webhook", "list")
    assert code == 0 and out.startswith("1\thttps://hooks.example.com/x\tticket.created,kb.gap")
    assert secret not in out
    assert invoke("webhook", "deliveries", "1")[1].strip() == "no deliveries"
    code, out, _ = invoke(
        "webhook", "add", "http://127.0.0.1:9/y", "--events", "ping", "--secret", "x" * 20
    )
    assert code == 1
    code, out, _ = invoke("webhook", "remove", "1")
    assert code == 0 and out.strip() == "webhook 1 removed (https://hooks.example.com/x)"
    assert invoke("webhook", "list")[1].strip() == "no webhooks"


def test_bad_input_is_one_line(cli_env: str) -> None:
    code, _, err = invoke("webhook", "add", "ftp://x", "--events", "kb.gap")
    assert code == 1 and err.strip().startswith("error: a webhook URL starts with http")
    code, _, err = invoke("webhook", "add", "https://x.example", "--events", "ticket.gone")
    assert code == 1 and err.count("\n") == 1
    assert "unknown event 'ticket.gone': use ticket.created, ticket.updated" in err
    code, _, err = invoke("webhook", "remove", "7")
    assert code == 1 and err.strip() == "error: no webhook 7"
    code, _, err = invoke("webhook", "deliveries", "0")
    assert code == 1 and err.startswith("error: WEBHOOK_ID must be from 1")
    assert invoke("webhook", "test", "3")[2].strip() == "error: no webhook 3"
