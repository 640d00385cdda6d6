"""Training through the real CLI: the demo's session in `aftercare chat --script`, and the staff
commands with their errors as one line."""

from __future__ import annotations

from tests.support.cli import invoke


def test_demo_session_is_listed_and_registered_in_a_scripted_chat(cli_env: str) -> None:
    assert invoke("demo", "seed")[0] == 0
    code, out, err = invoke("chat", "--as", "alice", "--script", stdin="/training\n1\n/training\n")
    assert code == 0, err
    assert "Acme Portal basics (basic, Acme Portal)" in out
    assert "[1] Register: Acme Portal basics" in out
    assert "You are registered for Acme Portal basics on " in out
    assert "✓ You are registered." in out
    code, out, _ = invoke("chat", "--as", "wang", "--script", stdin="/training\n")
    assert "即将举行的培训" in out and "(Asia/Shanghai)" in out
    code, out, _ = invoke("training", "list", "acme portal")
    assert code == 0 and "registered 1, attended 0" in out


def test_staff_commands_and_their_errors(cli_env: str) -> None:
    invoke("demo", "seed")
    code, out, err = invoke(
        "training",
        "add",
        "Acme Portal",
        "--kind",
        "advanced",
        "--at",
        "2099-12-03 10:00",
        "--address",
        "Acme HQ, Room 4",
        "--title",
        "Admin deep dive",
    )
    assert code == 0, err
    assert "added #2" in out and "2099-12-03 10:00 (Europe/Berlin)" in out
    assert "on site: Acme HQ, Room 4" in out
    code, out, _ = invoke("training", "materials", "2", "https://files.example/deck.pdf")
    assert (code, out.strip()) == (0, "#2: 1 material link(s)")
    code, out, _ = invoke("training", "list", "Acme Portal")
    assert "Admin deep dive" in out and "material: https://files.example/deck.pdf" in out
    code, _, err = invoke("training", "attendance", "2", "alice", "--attended")
    assert code == 1 and err.strip() == "error: session 2 has not started yet"
    code, out, _ = invoke("training", "show", "2")
    assert code == 0 and "Admin deep dive" in out
    code, out, _ = invoke("training", "move", "2", "--at", "2099-12-04 09:30")
    assert code == 0 and "2099-12-04 09:30 (Europe/Berlin)" in out
    code, out, _ = invoke("training", "cancel", "2")
    assert code == 0 and "cancelled" in out

    for args, message in (
        (("add", "Acme Portal", "--kind", "basic", "--at", "2099-01-01 10:00"), "exactly one"),
        (
            ("add", "Nope", "--kind", "basic", "--at", "2099-01-01 10:00", "--address", "x"),
            "no project named",
        ),
        (("add", "Acme Portal", "--kind", "basic", "--at", "soon", "--address", "x"), "bad time"),
        (("materials", "1", "not a link"), "bad link"),
        (("materials", "42", "https://x.example"), "no training session 42"),
        (("attendance", "1", "nobody"), "no contact 'nobody'"),
    ):
        code, _, err = invoke("training", *args)
        assert code == 1 and err.startswith("error: ") and message in err, (args, err)
        assert "Traceback" not in err
