"""`aftercare kb import`: documents of every supported type into the knowledge base, answered
with the document, heading path and page cited; bad files named, nothing half-written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas
from typer.testing import CliRunner

from adapters.cli.main import app as cli
from bot.core.errors import KnowledgeBaseError
from indexer.document_articles import document_id, language_of
from indexer.importing import import_documents
from tests.support.kb import write_kb

GUIDE = [
    ("Installing the agent", "Run the installer as administrator, then restart the Relay service."),
    ("Nightly backups", "Backups of the portal run every night at 02:00 and are kept for 35 days."),
    ("Restoring a backup", "A restore is requested with a ticket; it takes about four hours."),
]


def write_pdf(path: Path, sections: list[tuple[str, str]], **options: str) -> None:
    """One page per section, each with a bookmark (the outline the reader uses)."""
    pdf = canvas.Canvas(str(path), **options)  # type: ignore[arg-type]
    pdf.setTitle("Portal Admin Guide")
    for number, (heading, text) in enumerate(sections):
        pdf.bookmarkPage(f"s{number}")
        pdf.addOutlineEntry(heading, f"s{number}", level=0)
        pdf.setFont("Helvetica-Bold", 16)
        pdf.drawString(72, 750, heading)
        pdf.setFont("Helvetica", 11)
        pdf.drawString(72, 720, text)
        pdf.showPage()
    pdf.save()


@pytest.fixture
def kb_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AFTERCARE_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("AFTERCARE_KB_DIR", str(tmp_path / "kb"))
    # Documents have no example questions, so their passages score lower than the starter
    # KB's articles: a KB of documents takes its threshold from `aftercare eval` (README).
    monkeypatch.setenv("AFTERCARE_FAQ_ANSWER_THRESHOLD", "0.45")
    monkeypatch.chdir(tmp_path)
    write_kb(tmp_path / "kb")
    assert invoke("db", "upgrade")[0] == 0
    docs = tmp_path / "docs"
    (docs / "wiki").mkdir(parents=True)
    write_pdf(docs / "admin-guide.pdf", GUIDE)
    (docs / "wiki" / "vpn.html").write_text(
        "<html><head><title>VPN</title></head><body><nav>Home | Spaces</nav><h1>VPN access</h1>"
        "<h2>Requesting access</h2><p>Your line manager approves the VPN request form.</p>"
        "<script>track()</script></body></html>",
        encoding="utf-8",
    )
    (docs / "wiki" / "printers.md").write_text(
        "# Printers\n\n## Adding a printer\n\n### On Windows\n\nOpen Settings, then Printers, "
        "and choose Add.\n",
        encoding="utf-8",
    )
    (docs / "notes.xyz").write_text("not a document", encoding="utf-8")
    write_pdf(docs / "locked.pdf", GUIDE[:1], encrypt="secret")
    return tmp_path


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def ask(question: str) -> dict[str, object]:
    code, out, err = invoke("ask", question, "--json")
    assert code == 0, err
    answer: dict[str, object] = json.loads(out)
    return answer


def test_import_a_folder_then_answer_with_page_and_heading_path(kb_env: Path) -> None:
    code, out, err = invoke("kb", "import", str(kb_env / "docs"), "--category", "manuals")
    assert code == 1  # one file could not be imported: said, and the rest went in
    assert "new       manuals/admin-guide.pdf (3 sections, 3 pages)" in out
    assert "new       manuals/wiki/vpn.html (1 sections)" in out
    assert "skipped 1 file(s) of other types: notes.xyz" in out
    assert "published to the database as index #1" in out
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {kb_env / 'docs' / 'locked.pdf'}: encrypted PDF (needs a password)"]
    assert not (kb_env / "kb" / "manuals" / "locked.pdf").exists()
    assert (kb_env / "kb" / "manuals" / "admin-guide.pdf").is_file()

    answer = ask("How long does a restore of the portal take?")
    assert answer["tier"] == "confident"
    assert answer["answer"] == "A restore is requested with a ticket; it takes about four hours."
    citation = answer["citations"][0]  # type: ignore[index]
    assert citation["title"] == "Portal Admin Guide"
    assert citation["section"] == "Restoring a backup"
    assert citation["source"].endswith("manuals/admin-guide.pdf, p. 3")

    answer = ask("How do I add a printer on Windows?")
    citation = answer["citations"][0]  # type: ignore[index]
    assert citation["section"] == "Adding a printer › On Windows"
    assert "#" not in str(answer["answer"])


def test_importing_the_same_files_again_changes_nothing(kb_env: Path) -> None:
    pdf = str(kb_env / "docs" / "admin-guide.pdf")
    assert invoke("kb", "import", pdf)[0] == 0
    code, out, _ = invoke("kb", "import", pdf)
    assert code == 0
    assert "unchanged imported/admin-guide.pdf" in out
    assert "nothing changed; the index is as it was" in out


def test_bad_arguments_are_one_line(kb_env: Path) -> None:
    code, _, err = invoke("kb", "import", str(kb_env / "missing.pdf"))
    assert code == 1
    assert err.strip() == f"error: {kb_env / 'missing.pdf'}: no such file or folder"
    code, _, err = invoke("kb", "import", str(kb_env / "docs"), "--category", "../up")
    assert code == 2
    assert "--category" in err


def test_a_failed_index_build_puts_every_file_back(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    (kb / "manuals").mkdir(parents=True)
    (kb / "manuals" / "a.txt").write_text("Old text of a.\n", encoding="utf-8")
    new = tmp_path / "new"
    new.mkdir()
    (new / "a.txt").write_text("New text of a.\n", encoding="utf-8")
    (new / "b.txt").write_text("Text of b.\n", encoding="utf-8")

    def failing_build() -> None:
        raise KnowledgeBaseError("duplicate id")

    with pytest.raises(KnowledgeBaseError):
        import_documents([new], kb, "manuals", failing_build)
    assert (kb / "manuals" / "a.txt").read_text(encoding="utf-8") == "Old text of a.\n"
    assert not (kb / "manuals" / "b.txt").exists()
    assert sorted(p.name for p in (kb / "manuals").iterdir()) == ["a.txt"]  # no partial file


def test_document_ids_and_languages() -> None:
    assert document_id("manuals/TV Guide (2024)") == "manuals.tv-guide-2024"
    long = document_id("a/" + "x" * 80)
    assert len(long) <= 48 and long != document_id("a/" + "x" * 81)
    assert re.match(r"^[a-z0-9][a-z0-9._-]{0,47}$", document_id("../__"))
    assert language_of("连接电视的步骤：打开设置，选择网络。") == "zh"
    assert language_of("Connect the Samsung TV (三星) to the network first.") == "en"
