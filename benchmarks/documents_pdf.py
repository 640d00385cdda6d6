"""PDF reading speed: a generated 300-page text PDF (about 4,600 characters a page, a running
header and page-number footer) read by indexer.documents, with an outline and without one
(headings found by font size), and as one section per page.

Prints JSON: pages, and per mode seconds, pages_per_second, sections, characters; peak_rss_mb.

    .venv/bin/python benchmarks/documents_pdf.py [--pages 300]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from indexer.documents import read_document

WORDS = [
    *("the", "agent", "installs", "a", "service", "on", "each", "server", "and", "restarts"),
    *("it", "when", "the", "proxy", "config", "value", "changes", "backup", "restore", "log"),
    *("network", "client", "certificate", "port", "schedule"),
]


def write_pdf(path: Path, pages: int, *, outline: bool, headings: bool) -> None:
    rng = random.Random(7)
    pdf = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    for number in range(1, pages + 1):
        pdf.setFont("Helvetica", 8)
        pdf.drawString(72, height - 40, "ACME Agent - Administrator Manual")
        pdf.drawString(width / 2, 30, f"Page {number} of {pages}")
        y = height - 90
        if headings and number % 5 == 1:
            title = f"Chapter {number // 5 + 1}"
            pdf.setFont("Helvetica-Bold", 16)
            pdf.drawString(72, y, title)
            y -= 26
            if outline:
                pdf.bookmarkPage(f"c{number}")
                pdf.addOutlineEntry(title, f"c{number}", level=0)
        pdf.setFont("Helvetica", 10)
        while y > 60:
            line = " ".join(rng.choice(WORDS) for _ in range(15))
            pdf.drawString(72, y, line + ("." if rng.random() < 0.2 else ""))
            y -= 13 if rng.random() < 0.9 else 22
        pdf.showPage()
    pdf.save()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=300)
    pages = parser.parse_args().pages
    result: dict[str, object] = {"pages": pages}
    modes = {"outline": (True, True), "font_headings": (False, True), "per_page": (False, False)}
    with tempfile.TemporaryDirectory() as tmp:
        for mode, (outline, headings) in modes.items():
            path = Path(tmp) / f"{mode}.pdf"
            write_pdf(path, pages, outline=outline, headings=headings)
            started = time.perf_counter()
            document = read_document(path)
            seconds = time.perf_counter() - started
            result[mode] = {
                "seconds": round(seconds, 2),
                "pages_per_second": round(pages / seconds, 1),
                "sections": len(document.sections),
                "characters": sum(len(s.text) for s in document.sections),
            }
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
