"""`aftercare token create|list|revoke` through the real CLI."""

from __future__ import annotations

from tests.support.cli import invoke


def test_create_list_revoke(cli_env: str) -> None:
    code, out, err = invoke(
        "token", "create", "jira", "--scope", "tickets:read", "--scope", "tickets:write"
    )
    assert code == 0, err
    lines = out.strip().splitlines()
    assert "jira" in lines[0] and lines[-1].startswith("act_") and " " not in lines[-1]
    code, out, _ = invoke("token", "list")
    assert code == 0 and "jira" in out and "tickets:read" in out
    assert lines[-1] not in out  # the secret is shown once
    assert invoke("token", "revoke", "jira")[0] == 0
    code, _, err = invoke("token", "revoke", "nobody")
    assert code == 1 and err.strip() == "error: no token named 'nobody'"


def test_an_unknown_scope_is_one_error_line(cli_env: str) -> None:
    code, out, err = invoke("token", "create", "jira", "--scope", "tickets:delete")
    assert code == 1 and err.startswith("error: unknown scope 'tickets:delete'")
    assert "act_" not in out
