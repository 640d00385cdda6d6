"""`aftercare announce` through the real CLI: send, acknowledge in a scripted chat, status."""

from __future__ import annotations

from tests.support.cli import invoke


def test_announce_acknowledge_and_status(cli_env: str) -> None:
    invoke("demo", "seed")
    code, out, err = invoke(
        "announce", "--project", "Acme Portal", "--kind", "security", "--text", "Patch on Friday."
    )
    assert code == 0, err
    assert "#1" in out and "queued for 2 contact(s)" in out
    # Quiet hours may hold the notice back (it depends on the hour in Berlin now); the click
    # itself is covered with a fake clock in test_announcements.py.
    code, out, _ = invoke("chat", "--as", "alice", "--script", stdin="/help\n")
    shown = "Security patch · Acme Portal\nPatch on Friday.\n  [1] Understood" in out
    code, out, _ = invoke("announce", "status", "1")
    assert code == 0
    assert f"ACME/alice            {'sent' if shown else 'queued'}" in out
    assert "ACME/wang             queued" in out
    code, out, err = invoke(
        "announce", "--all", "--kind", "feature", "--text", "CSV export", "--at", "2099-01-01 09:00"
    )
    assert code == 0 and "#2    scheduled 2099-01-01 09:00 (UTC)" in out, err
    code, out, _ = invoke("announce", "list")
    assert out.splitlines()[0].startswith("#2")
    code, out, _ = invoke("announce", "cancel", "2")
    assert code == 0 and "cancelled" in out
    for args, message in (
        (("--all", "--kind", "nope", "--text", "x"), "unknown kind"),
        (("--all", "--client", "ACME", "--kind", "feature", "--text", "x"), "exactly one"),
        (("--all", "--kind", "feature"), "--kind and --text are needed"),
        (("status", "99"), "no announcement 99"),
    ):
        code, _, err = invoke("announce", *args)
        assert code == 1 and message in err and "Traceback" not in err, (args, err)
