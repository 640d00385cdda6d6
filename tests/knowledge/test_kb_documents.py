"""Document readers: Markdown, text, HTML, DOCX and PDF files become a title and heading-path
sections; bad files of every kind raise a one-line DocumentError naming the file.
Every fixture is generated here (python-docx, reportlab), none is committed."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from indexer.documents import SUPPORTED, DocSection, Document, DocumentError, read_document

# ---------------------------------------------------------------- helpers


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _paths(document: Document) -> list[tuple[str, ...]]:
    return [s.path for s in document.sections]


def _section(document: Document, *path: str) -> DocSection:
    return next(s for s in document.sections if s.path == path)


def _error(path: Path) -> str:
    with pytest.raises(DocumentError) as info:
        read_document(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    return message


def _truncations(whole: Path) -> None:
    """Every truncation of a good file is read, or refused with a one-line DocumentError."""
    data = whole.read_bytes()
    for cut in (10, len(data) // 3, len(data) // 2, len(data) - 40):
        path = whole.with_name(f"cut{cut}{whole.suffix}")
        path.write_bytes(data[:cut])
        try:
            read_document(path)
        except DocumentError as exc:
            assert "\n" not in str(exc) and str(exc).startswith(str(path))


# ---------------------------------------------------------------- dispatch and errors


def test_supported_suffixes() -> None:
    assert {".md", ".markdown", ".txt", ".html", ".htm", ".docx", ".pdf"} == SUPPORTED


def test_unknown_suffix_names_the_file_and_the_supported_types(tmp_path: Path) -> None:
    message = _error(_write(tmp_path / "a.xyz", "hello"))
    assert message == (
        f"{tmp_path / 'a.xyz'}: unknown type '.xyz' "
        "(supported: .md, .markdown, .txt, .html, .htm, .docx, .pdf)"
    )


def test_suffix_is_case_insensitive(tmp_path: Path) -> None:
    document = read_document(_write(tmp_path / "NOTES.TXT", "Just one paragraph.\n"))
    assert document.sections == (DocSection((), "Just one paragraph."),)


def test_missing_file(tmp_path: Path) -> None:
    assert "cannot read: No such file or directory" in _error(tmp_path / "gone.md")


@pytest.mark.parametrize("suffix", sorted(SUPPORTED))
def test_empty_file_has_no_text(tmp_path: Path, suffix: str) -> None:
    assert "no text" in _error(_write(tmp_path / f"empty{suffix}", " \n\n"))


GARBAGE = [
    b"\x00\xff\xfe garbage \x89PNG\r\n\x1a\n" * 20,
    b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>",
    b"PK\x03\x04" + bytes(range(256)) * 4,
    b"<html><body><h1>\xff\xfe</h1>" + b"<div>" * 5000,
]


@pytest.mark.parametrize("suffix", sorted(SUPPORTED))
@pytest.mark.parametrize("data", GARBAGE, ids=["binary", "broken-pdf", "broken-zip", "html"])
def test_garbage_raises_document_error_only(tmp_path: Path, suffix: str, data: bytes) -> None:
    path = tmp_path / f"bad{suffix}"
    path.write_bytes(data)
    try:
        read_document(path)
    except DocumentError as exc:
        assert "\n" not in str(exc) and str(exc).startswith(str(path))


# ---------------------------------------------------------------- Markdown

GUIDE_MD = """\
# Agent guide

Intro text that is
wrapped over two lines.

## Install

Run the installer:

```bash
# not a heading
./install.sh
```

- first *step*
- second with [a link](https://example.com) and ![logo](logo.png)
  - nested item
- `code` item

### On Linux

| Distro | Package |
| --- | --- |
| Debian | agent.deb |

## Configure
Set `PORT`.

Second paragraph.
"""


def test_markdown_paths_titles_and_text(tmp_path: Path) -> None:
    document = read_document(_write(tmp_path / "guide.md", GUIDE_MD))
    assert document.title == "Agent guide"
    assert _paths(document) == [(), ("Install",), ("Install", "On Linux"), ("Configure",)]
    assert _section(document, "Install").text == (
        "Run the installer:\n\n"
        "    # not a heading\n"
        "    ./install.sh\n\n"
        "- first step\n"
        "- second with a link and\n"
        "  - nested item\n"
        "- code item"
    )
    assert _section(document).text == "Intro text that is wrapped over two lines."
    assert _section(document, "Install", "On Linux").text == (
        "Distro | Package\nDebian | agent.deb"
    )
    assert _section(document, "Configure").text == "Set PORT.\n\nSecond paragraph."
    assert [s.line for s in document.sections] == [0, 6, 20, 26]
    for section in document.sections:
        assert all(not line.startswith("#") for line in section.text.splitlines())


def test_markdown_front_matter_is_skipped_and_its_title_used(tmp_path: Path) -> None:
    text = (
        "---\ntitle: Install notes\ntags: [a]\n---\n# Install notes\n\nBody.\n\n## Next\n\nMore.\n"
    )
    document = read_document(_write(tmp_path / "n.markdown", text))
    assert document.title == "Install notes"
    assert document.sections == (DocSection((), "Body."), DocSection(("Next",), "More.", line=9))


def test_markdown_front_matter_title_differs_from_h1(tmp_path: Path) -> None:
    text = "---\ntitle: Handbook\n---\n# Chapter one\n\nBody.\n"
    document = read_document(_write(tmp_path / "h.md", text))
    assert document.title == "Handbook"
    assert _paths(document) == [("Chapter one",)]


def test_markdown_rules_around_prose_are_not_front_matter(tmp_path: Path) -> None:
    text = "---\nA thought worth keeping\n---\n\nText.\n"
    document = read_document(_write(tmp_path / "thought.md", text))
    assert document.sections == (DocSection(("A thought worth keeping",), "Text.", line=2),)


def test_markdown_without_h1_is_titled_by_its_file_name(tmp_path: Path) -> None:
    text = "Lead.\n\n## Part\n\nText.\n\nSetext\n------\n\nUnder setext.\n"
    document = read_document(_write(tmp_path / "release-notes_v2.1.md", text))
    assert document.title == "Release notes v2.1"
    assert _paths(document) == [(), ("Part",), ("Setext",)]
    assert _section(document, "Setext").line == 7


def test_markdown_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"# Title\n\nok\n" + "café\n".encode("latin-1"))
    assert _error(path) == f"{path}:4: not UTF-8 text (invalid continuation byte)"


def test_markdown_title_only_has_no_text(tmp_path: Path) -> None:
    assert _error(_write(tmp_path / "t.md", "# Only a title\n")).endswith(": no text")


# ---------------------------------------------------------------- plain text

MANUAL_TXT = """\
Agent manual
============

The agent   collects logs
from every server.

Installing
----------

Download the package.

2.1 Install the agent

Run the installer as root
on each host.

2.1.1 Check the service

- status shows running
- logs are quiet

This line ends with a period.
=============================
"""


def test_text_headings_and_paragraphs(tmp_path: Path) -> None:
    document = read_document(_write(tmp_path / "manual.txt", MANUAL_TXT))
    assert document.title == "Agent manual"
    assert _paths(document) == [
        (),
        ("Installing",),
        ("Installing", "2.1 Install the agent"),
        ("Installing", "2.1 Install the agent", "2.1.1 Check the service"),
    ]
    assert _section(document).text == "The agent collects logs from every server."
    assert _section(document, "Installing", "2.1 Install the agent").line == 12
    last = document.sections[-1]
    assert last.text == (
        "- status shows running\n- logs are quiet\n\nThis line ends with a period."
    )


def test_text_without_headings_is_one_section(tmp_path: Path) -> None:
    text = "First paragraph\nwraps here.\n\nSecond one.\n"
    document = read_document(_write(tmp_path / "plain_notes.txt", text))
    assert document.title == "Plain notes"
    assert document.sections == (DocSection((), "First paragraph wraps here.\n\nSecond one."),)


def test_text_joins_chinese_lines_without_spaces(tmp_path: Path) -> None:
    text = "安装说明\n========\n\n首先下载安装包，\n然后运行安装程序。\n\n使用 Python 3.11\n或更高版本。\n"
    document = read_document(_write(tmp_path / "zh.txt", text))
    assert document.title == "安装说明"
    assert (
        document.sections[0].text
        == "首先下载安装包，然后运行安装程序。\n\n使用 Python 3.11 或更高版本。"
    )


# ---------------------------------------------------------------- HTML

PAGE_HTML = """\
<!DOCTYPE html>
<html><head><title>Agent FAQ - Confluence</title>
<style>body { color: red }</style><script>var x = "<h2>no</h2>";</script></head>
<body>
<header><a href="/">Home</a> Site header</header>
<nav><ul><li>Menu item</li></ul></nav>
<div role="navigation">Breadcrumbs</div>
<main>
  <h1>Agent FAQ</h1>
  <p>Answers to   common
     questions.</p>
  <h2>Install</h2>
  <p>Use the <b>installer</b>.<img src="x.png" alt="diagram"></p>
  <ul><li>Linux<ul><li>Debian</li></ul></li><li><p>Windows</p></li></ul>
  <h3>Ports</h3>
  <table><tr><th>Port</th><th>Use</th></tr><tr><td>443</td><td>API</td></tr></table>
  <pre>agent --check
  # all good</pre>
  <aside>Related pages</aside>
  <h2>Uninstall</h2>
  <div>Run <code>agent remove</code>.<!-- a comment --></div>
</main>
<footer>Copyright ACME</footer>
<noscript>Enable JS</noscript>
</body></html>
"""


def test_html_drops_chrome_and_reads_nested_headings(tmp_path: Path) -> None:
    document = read_document(_write(tmp_path / "faq.html", PAGE_HTML))
    assert document.title == "Agent FAQ"
    assert _paths(document) == [(), ("Install",), ("Install", "Ports"), ("Uninstall",)]
    assert _section(document).text == "Answers to common questions."
    assert _section(document, "Install").text == (
        "Use the installer.\n\n- Linux\n  - Debian\n- Windows"
    )
    assert _section(document, "Install", "Ports").text == (
        "Port | Use\n443 | API\n\n    agent --check\n      # all good"
    )
    assert _section(document, "Uninstall").text == "Run agent remove."
    everything = " ".join(s.text for s in document.sections)
    for noise in ("Home", "Menu", "Breadcrumbs", "Related", "Copyright", "Enable JS", "var x"):
        assert noise not in everything


def test_html_title_from_title_tag_and_declared_charset(tmp_path: Path) -> None:
    html = (
        '<html><head><meta charset="gbk"><title>常见问题</title></head>'
        "<body><h2>安装</h2><p>下载安装包。</p></body></html>"
    )
    path = tmp_path / "faq.htm"
    path.write_bytes(html.encode("gbk"))
    document = read_document(path)
    assert document.title == "常见问题"
    assert document.sections == (DocSection(("安装",), "下载安装包。"),)


def test_html_without_charset_is_utf8_with_replacement(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(b"<p>caf\xc3\xa9 and \xff broken</p>")
    document = read_document(path)
    assert document.title == "Page"
    assert document.sections[0].text == "café and \ufffd broken"


def test_html_reads_a_lone_article_with_its_header(tmp_path: Path) -> None:
    html = (
        "<body><header>Site name</header><div>Sidebar links</div>"
        "<article><header><h1>Release 2.0</h1><p>By the ops team</p></header>"
        "<h2>New</h2><p>Faster sync.</p><footer>Share this</footer></article></body>"
    )
    document = read_document(_write(tmp_path / "release.html", html))
    assert document.title == "Release 2.0"
    assert document.sections == (
        DocSection((), "By the ops team"),
        DocSection(("New",), "Faster sync."),
    )


# ---------------------------------------------------------------- DOCX


def _docx(path: Path) -> Path:
    document = docx.Document()
    document.add_heading("Operations handbook", level=0)
    document.add_paragraph("Who this   is for.")
    document.add_heading("Backups", level=1)
    document.add_paragraph("Backups run nightly.")
    document.add_paragraph("Check the log", style="List Bullet")
    document.add_paragraph("Check the size", style="List Bullet 2")
    document.add_heading("Restore", level=2)
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, [("Step", "Command"), ("1", "restore --all")], strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    document.add_paragraph("After the table.")
    document.add_heading("Monitoring", level=1)
    document.add_paragraph("Dashboards.")
    document.save(str(path))
    return path


def test_docx_headings_tables_and_lists(tmp_path: Path) -> None:
    document = read_document(_docx(tmp_path / "ops.docx"))
    assert document.title == "Operations handbook"
    assert _paths(document) == [(), ("Backups",), ("Backups", "Restore"), ("Monitoring",)]
    assert _section(document).text == "Who this is for."
    assert _section(document, "Backups").text == (
        "Backups run nightly.\n\n- Check the log\n  - Check the size"
    )
    assert _section(document, "Backups", "Restore").text == (
        "Step | Command\n1 | restore --all\n\nAfter the table."
    )
    assert all(s.page is None and s.line == 0 for s in document.sections)


def test_docx_without_title_style_uses_core_title_or_file_name(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Overview", level=1)
    document.add_paragraph("Text.")
    document.save(str(tmp_path / "site_survey.docx"))
    assert read_document(tmp_path / "site_survey.docx").title == "Site survey"
    document.core_properties.title = "Survey of site 4"
    document.save(str(tmp_path / "site_survey.docx"))
    read = read_document(tmp_path / "site_survey.docx")
    assert read.title == "Survey of site 4"
    assert _paths(read) == [("Overview",)]


def test_truncated_docx_raises_document_error(tmp_path: Path) -> None:
    _truncations(_docx(tmp_path / "whole.docx"))


def test_not_a_docx(tmp_path: Path) -> None:
    path = tmp_path / "a.docx"
    path.write_bytes(b"this is plain text, not a Word file")
    assert _error(path) == f"{path}: not a valid DOCX file (not a Word package)"


# ---------------------------------------------------------------- PDF


# A PDF page: lines of (font size, text); a size of 0 leaves a paragraph gap.
Page = Sequence[tuple[float, str]]


def _pdf(
    path: Path,
    pages: Sequence[Page],
    *,
    outline: Sequence[tuple[int, int, str]] = (),
    running: bool = True,
    font: str = "Helvetica",
    title: str | None = None,
    encrypt: object = None,
) -> Path:
    """Draw pages top-down; `outline` is (page index, level, title) bookmarks; `running` adds
    the same header and a page-number footer to every page."""
    pdf = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    if title is not None:
        pdf.setTitle(title)
    width, height = A4
    for number, lines in enumerate(pages):
        if running:
            pdf.setFont(font, 8)
            pdf.drawString(72, height - 40, "ACME Agent - Administrator Manual")
            pdf.drawString(width / 2, 30, f"Page {number + 1} of {len(pages)}")
        y = height - 90
        for size, text in lines:
            if not size:
                y -= 12
                continue
            pdf.setFont(font, size)
            pdf.drawString(72, y, text)
            y -= size * 1.3
        for n, (page, level, text) in enumerate(outline):
            if page == number:
                pdf.bookmarkPage(f"b{n}")
                pdf.addOutlineEntry(text, f"b{n}", level=level)
        pdf.showPage()
    pdf.save()
    return path


BODY = 11.0


OUTLINED = [
    [(20, "Agent Manual"), (BODY, "Cover text before any chapter.")],
    [
        (16, "1 Installation"),
        (BODY, "Install the agent on every server in"),
        (BODY, "the cluster. The installer is com-"),
        (BODY, "pletely self-contained."),
        (0, ""),
        (BODY, "A second paragraph."),
        (14, "1.1 Linux"),
        (BODY, "Use the deb package."),
    ],
    [(BODY, "More about Linux that spills onto the next page.")],
    [(16, "2 Configuration"), (BODY, "Edit agent.yaml."), (14, "2.1 Proxy"), (BODY, "Set proxy.")],
]
OUTLINE = [
    (1, 0, "Installation"),
    (1, 1, "Linux"),
    (3, 0, "Configuration"),
    (3, 1, "Proxy"),
    (3, 1, "Logging"),
]


def test_pdf_outline_gives_paths_pages_and_text(tmp_path: Path) -> None:
    document = read_document(_pdf(tmp_path / "manual.pdf", OUTLINED, outline=OUTLINE))
    assert document.title == "Agent Manual"
    assert [(s.path, s.page) for s in document.sections] == [
        ((), 1),
        (("Installation",), 2),
        (("Installation", "Linux"), 2),
        (("Configuration",), 4),
        (("Configuration", "Proxy"), 4),
    ]
    assert _section(document).text == "Cover text before any chapter."
    assert _section(document, "Installation").text == (
        "Install the agent on every server in the cluster. The installer is completely "
        "self-contained."
        "\n\nA second paragraph."
    )
    assert _section(document, "Installation", "Linux").text == (
        "Use the deb package.\n\nMore about Linux that spills onto the next page."
    )
    # "Logging" is not on page 4, so its page's text stays with the bookmark before it.
    assert _section(document, "Configuration", "Proxy").text == "Set proxy."
    everything = "\n".join(s.text for s in document.sections)
    assert "ACME Agent" not in everything and "Page " not in everything


def test_pdf_outline_without_titles_in_the_text_splits_at_pages(tmp_path: Path) -> None:
    pages = [[(BODY, f"Text of the {n} page.")] for n in ("first", "second", "third")]
    outline = [(0, 0, "Start"), (1, 0, "Middle"), (1, 1, "Detail"), (2, 0, "End")]
    document = read_document(_pdf(tmp_path / "p.pdf", pages, outline=outline, running=False))
    assert [(s.path, s.page, s.text) for s in document.sections] == [
        (("Start",), 1, "Text of the first page."),
        (("Middle",), 2, "Text of the second page."),
        (("End",), 3, "Text of the third page."),
    ]


def test_pdf_outline_root_named_like_the_document_is_not_in_paths(tmp_path: Path) -> None:
    outline = [(0, 0, "Agent Manual"), (1, 1, "Installation"), (1, 2, "Linux"), (3, 1, "Proxy")]
    document = read_document(_pdf(tmp_path / "root.pdf", OUTLINED, outline=outline))
    assert document.title == "Agent Manual"
    assert _paths(document) == [
        (),
        ("Installation",),
        ("Installation", "Linux"),
        ("Proxy",),
    ]


def test_pdf_headings_from_font_sizes(tmp_path: Path) -> None:
    pages = [page for page in OUTLINED]
    document = read_document(_pdf(tmp_path / "fonts.pdf", pages, title="Agent Manual"))
    assert document.title == "Agent Manual"
    assert [(s.path, s.page) for s in document.sections] == [
        ((), 1),
        (("1 Installation",), 2),
        (("1 Installation", "1.1 Linux"), 2),
        (("2 Configuration",), 4),
        (("2 Configuration", "2.1 Proxy"), 4),
    ]
    assert _section(document, "2 Configuration").text == "Edit agent.yaml."


def test_pdf_without_headings_is_one_section_per_page(tmp_path: Path) -> None:
    words = ("one", "two", "three", "four")
    pages = [[(BODY, f"Plain text, part {word}.")] for word in words]
    document = read_document(_pdf(tmp_path / "plain-report.pdf", pages))
    assert document.title == "Plain report"
    assert [(s.path, s.page, s.text) for s in document.sections] == [
        ((f"Page {n}",), n, f"Plain text, part {word}.") for n, word in enumerate(words, 1)
    ]


def test_pdf_encrypted_with_a_user_password(tmp_path: Path) -> None:
    path = _pdf(tmp_path / "x.pdf", [[(BODY, "Secret.")]], encrypt="s3cret")
    assert _error(path) == f"{path}: encrypted PDF (needs a password)"


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-256"])
def test_pdf_encrypted_without_a_user_password_is_read(tmp_path: Path, algorithm: str) -> None:
    plain = _pdf(tmp_path / "plain.pdf", [[(BODY, "Readable by anyone.")]], running=False)
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password="", owner_password="owner", algorithm=algorithm)
    path = tmp_path / "locked.pdf"
    with path.open("wb") as out:
        writer.write(out)
    assert PdfReader(path).is_encrypted
    assert read_document(path).sections[0].text == "Readable by anyone."


def test_pdf_without_text_needs_ocr(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.rect(100, 100, 300, 400, fill=1)
    pdf.showPage()
    pdf.save()
    assert _error(path) == f"{path}: no text, needs OCR"


def test_pdf_in_chinese(tmp_path: Path) -> None:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pages = [
        [(20, "安装指南"), (BODY, "这是第一段的第一行文字，它在这里"), (BODY, "继续到第二行。")],
        [(15, "系统要求"), (BODY, "需要 Python 3.11"), (BODY, "或更高版本。")],
    ]
    document = read_document(_pdf(tmp_path / "zh.pdf", pages, font="STSong-Light", running=False))
    assert document.title == "安装指南"
    assert [(s.path, s.page, s.text) for s in document.sections] == [
        ((), 1, "这是第一段的第一行文字，它在这里继续到第二行。"),
        (("系统要求",), 2, "需要 Python 3.11 或更高版本。"),
    ]


def test_truncated_pdf_raises_document_error(tmp_path: Path) -> None:
    _truncations(_pdf(tmp_path / "whole.pdf", [[(BODY, "Some text on a page.")]] * 3))


def test_not_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "a.pdf"
    path.write_bytes(b"this is plain text, not a PDF")
    assert _error(path).startswith(f"{path}: not a valid PDF file (")
