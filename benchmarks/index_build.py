"""Index build speed: chunks/s for a 10,000-chunk KB, and re-index time after one file changes.

Prints JSON: chunks, build_seconds, chunks_per_second, reindex_one_file_seconds,
model_load_seconds, peak_rss_mb.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import synthetic_kb
from bot.knowledge.embedders import make_embedder
from indexer.build import build_index, parsed_units
from indexer.content import read_kb


def main() -> None:
    backend = sys.argv[1] if len(sys.argv) > 1 else "use"
    with tempfile.TemporaryDirectory() as tmp:
        kb_dir, out = Path(tmp) / "kb", Path(tmp) / "index"
        kb_dir.mkdir()
        paths = synthetic_kb.write(kb_dir)
        embedder = make_embedder(backend)
        started = time.perf_counter()
        embedder.encode_passages(["warm up"])
        model_load = time.perf_counter() - started

        started = time.perf_counter()
        report = build_index(read_kb(kb_dir), out, embedder)
        build_seconds = time.perf_counter() - started

        paths[0].write_text(paths[0].read_text() + "\nOne more line.\n", encoding="utf-8")
        started = time.perf_counter()
        again = build_index(read_kb(kb_dir, parsed_units(out)), out, embedder, progress=False)
        reindex = time.perf_counter() - started
    print(
        json.dumps(
            {
                "backend": backend,
                "chunks": report.chunks,
                "entries": report.entries,
                "build_seconds": round(build_seconds, 2),
                "chunks_per_second": round(report.chunks / build_seconds, 1),
                "reindex_one_file_seconds": round(reindex, 3),
                "reembedded_files": again.embedded_files,
                "model_load_seconds": round(model_load, 2),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
