"""Knowledge-base commands: `aftercare index`, `aftercare ask`, `aftercare eval`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any

import typer
from threadpoolctl import threadpool_limits

from adapters.cli.params import check_writable_dir
from adapters.cli.runtime import run, settings
from bot.core.errors import KnowledgeBaseError
from bot.core.i18n import detect_lang
from bot.core.settings import Settings
from bot.features.faq.chat import render
from bot.knowledge.base import IndexedKnowledgeBase
from bot.knowledge.embedders import make_embedder
from bot.knowledge.index_files import load_index
from bot.knowledge.retrieval import Retriever
from bot.storage.db import Database
from indexer.build import BuildReport, build_index
from indexer.content import Unit, read_faq_jsonl, read_kb
from indexer.evaluate import (
    OOS_WEIGHT,
    Query,
    choose_threshold,
    read_queries,
    report,
    resolve,
    run_queries,
    suggest_threshold,
)
from indexer.importing import import_documents
from indexer.publishing import build_from_settings, passage_options, publish_index
from indexer.selection import candidates, objective

_CATEGORY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def index(
    kb: Annotated[Path | None, typer.Option(help="Knowledge-base directory.")] = None,
    out: Annotated[Path | None, typer.Option(help="Index directory.")] = None,
    tune: Annotated[
        bool | None,
        typer.Option(
            "--tune/--no-tune",
            help="Fit a linear head on the entries (default: when it takes a few seconds).",
        ),
    ] = None,
    publish_it: Annotated[
        bool,
        typer.Option(
            "--publish/--no-publish",
            help="Store the built index in the database, where every `aftercare serve` "
            "replica loads it from.",
        ),
    ] = True,
) -> None:
    """Build or update the knowledge-base index (only changed files are embedded again), then
    publish it to the database."""

    async def work() -> None:
        config = settings()
        target = out or config.resolved_index_dir
        check_writable_dir(target)
        done = _build(config, kb or config.kb_dir, target, tune)
        if publish_it:
            typer.echo(await publish_index(config, done.out))

    run(work)


def _build(config: Settings, kb_dir: Path, target: Path, tune: bool | None) -> BuildReport:
    """Index `kb_dir` into `target` and say so."""
    done, line = build_from_settings(config, kb_dir, target, tune)
    typer.echo(line)
    return done


def kb_import(
    paths: Annotated[
        list[Path], typer.Argument(help="Files or folders (searched recursively) to import.")
    ],
    category: Annotated[
        str | None,
        typer.Option(
            help="Folder of the knowledge base, and category, to import into (default: "
            "'imported' for files, a folder's own name for folders)."
        ),
    ] = None,
) -> None:
    """Import documents into the knowledge base: Markdown (with or without front matter),
    plain text, HTML, DOCX and PDF. Headings become sections (PDF: bookmarks, else larger
    fonts, else pages); answers cite the document, the heading path and the page. A file
    already imported with the same content is skipped; one that cannot be read is named with
    the reason and not imported. Then the index is rebuilt and published."""
    if category is not None and not _CATEGORY.match(category):
        raise typer.BadParameter(
            "use letters, digits, '-', '_' or '.' (a folder name)", param_hint="--category"
        )

    async def work() -> None:
        config = settings()
        target = config.resolved_index_dir
        check_writable_dir(target)
        report, done = import_documents(
            paths, config.kb_dir, category, lambda: _build(config, config.kb_dir, target, None)
        )
        for item in report.done:
            pages = f", {item.pages} pages" if item.pages else ""
            typer.echo(
                f"{item.status:<9} {item.name} ({item.sections} sections{pages}) <- {item.source}"
            )
        if report.skipped:
            shown = ", ".join(p.name for p in report.skipped[:3])
            more = f" and {len(report.skipped) - 3} more" if len(report.skipped) > 3 else ""
            typer.echo(f"skipped {len(report.skipped)} file(s) of other types: {shown}{more}")
        for line in report.failed:
            typer.echo(f"error: {line}", err=True)
        if done is not None:
            typer.echo(await publish_index(config, done.out))
        elif report.done:
            typer.echo("nothing changed; the index is as it was")
        if report.failed:
            raise typer.Exit(1)

    run(work)


def ask(
    text: Annotated[str, typer.Argument(help="The question.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Answer one question from the knowledge base, as the bot would."""

    async def work() -> None:
        config = settings()
        db = Database(config.resolved_database_url)
        try:
            kb = IndexedKnowledgeBase.from_settings(config, db)
            lang = detect_lang(text)
            try:
                result = await kb.lookup(text, lang)
            finally:
                await kb.close()  # a re-check under way reads the database
        finally:
            await db.dispose()
        reply = render(result, lang)
        if as_json:
            payload: dict[str, Any] = {
                "tier": result.tier.value,
                "lang": lang,
                "answer": reply.text,
                "citations": [
                    {"title": c.title, "section": c.section, "source": c.source}
                    for c in reply.citations
                ],
                "buttons": [{"label": b.label, "payload": b.payload} for b in reply.buttons],
                "scores": [
                    {"article": h.article_id, "title": h.title, "score": round(h.score, 4)}
                    for h in result.hits
                ],
            }
            typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        typer.echo(f"[{result.tier.value}] {reply.text}")
        for c in reply.citations:
            typer.echo(f"  source: {c.title} / {c.section} ({c.source})")
        for b in reply.buttons:
            typer.echo(f"  button: {b.label} [{b.payload}]")
        for h in result.hits:
            typer.echo(f"  score {h.score:.3f}  {h.article_id}")

    run(work)


def evaluate(
    dataset: Annotated[
        Path,
        typer.Option(
            help="Directory with queries_val.jsonl and queries_test.jsonl, and faq.jsonl (an FAQ "
            "set) or docs/ (documents); with neither, the knowledge base is indexed."
        ),
    ],
    kb: Annotated[
        Path | None, typer.Option(help="Knowledge base to index when DATASET has no faq.jsonl.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the metrics as JSON only.")
    ] = False,
    tune: Annotated[
        bool | None, typer.Option("--tune/--no-tune", help="As for `aftercare index`.")
    ] = None,
    oos_weight: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=10.0,
            help="Weight of out-of-scope recall against in-scope accuracy when the threshold "
            "is chosen on val (1 for the bot's own settings; see README, Knowledge base).",
        ),
    ] = OOS_WEIGHT,
    wrong_weight: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=10.0,
            help="Weight of confident answers from the wrong article, subtracted when the "
            "threshold is chosen (1 for the bot's own settings; see README, Knowledge base).",
        ),
    ] = 0.0,
    choose: Annotated[
        bool,
        typer.Option(
            "--choose/--no-choose",
            help="Also measure the set-up without the tuned head and, for English sets, with "
            "MiniLM; report the one best on val (see README, Knowledge base).",
        ),
    ] = True,
) -> None:
    """Measure retrieval: set-up and threshold chosen on queries_val.jsonl, metrics on
    queries_test.jsonl."""

    async def work() -> None:
        config = settings()
        units = _dataset_units(dataset, kb or config.kb_dir)
        documents = {Path(a.source).name: a.id for unit in units for a in unit.articles}

        def queries(split: str) -> list[Query]:
            path = dataset / f"queries_{split}.jsonl"
            return resolve(read_queries(path), documents, path)

        val_queries, test_queries = queries("val"), queries("test")
        options = passage_options(config)
        # Asked as the bot asks: the query-side models and one BLAS thread, as in bot.app.
        threadpool_limits(limits=1, user_api="blas")
        measured = []
        texts = [q.text for q in val_queries]
        for candidate in candidates(units, texts, config.embedding_backend, tune, choose):
            out = config.data_dir / "eval" / f"{dataset.resolve().name}-{candidate.slug}"
            check_writable_dir(out)
            embedder = make_embedder(candidate.backend, config.embedding_model)
            build_index(units, out, embedder, tune=candidate.tune, **options)
            asking = IndexedKnowledgeBase.from_settings(
                config.model_copy(update={"embedding_backend": candidate.backend})
            )
            retriever = Retriever(
                load_index(out, embedder.name),
                asking.embedder,
                passage_embedder=asking.passage_embedder,
            )
            val = run_queries(retriever, val_queries, f"val ({candidate.label})")
            threshold = choose_threshold(val, oos_weight, wrong_weight)
            score = objective(report(val, threshold), oos_weight, wrong_weight)
            measured.append((score, candidate, retriever, threshold, val))
        _, chosen, retriever, threshold, val = max(measured, key=lambda m: m[0])
        test = run_queries(retriever, test_queries, "test")
        metrics = {**report(test, threshold), "setup": chosen.label}
        if as_json:
            typer.echo(json.dumps(metrics))
            return
        if len(measured) > 1:
            for score, candidate, *_ in measured:
                typer.echo(f"{'val ' + candidate.label:>30}: objective {score[0]}, P@1 {score[1]}")
        for key, value in metrics.items():
            if key != "by_lang":
                typer.echo(f"{key:>18}: {value}")
        for lang, part in metrics["by_lang"].items():
            typer.echo(
                f"{lang:>18}: P@1 {part['p_at_1']}, in-scope {part['in_scope_accuracy']}, "
                f"OOS recall {part['oos_recall']}, section {part['section_acc']}, "
                f"wrong confident {part['wrong_confident']}, {part['n_test']} queries"
            )
        backend = f"AFTERCARE_EMBEDDING_BACKEND={chosen.backend} "
        index = {None: "", True: " (aftercare index --tune)", False: " (aftercare index --no-tune)"}
        typer.echo(
            f"suggested settings: {backend}AFTERCARE_FAQ_ANSWER_THRESHOLD={threshold:.4f} "
            f"AFTERCARE_FAQ_SUGGEST_THRESHOLD={suggest_threshold(val, threshold):.4f}"
            f"{index[chosen.tune]}"
        )

    run(work)


def _dataset_units(dataset: Path, kb_dir: Path) -> list[Unit]:
    """An FAQ set's entries, a document set's `docs/`, or else the knowledge base."""
    faq = dataset / "faq.jsonl"
    if faq.is_file():
        return read_faq_jsonl(faq)
    if not dataset.is_dir():
        raise KnowledgeBaseError(f"dataset directory {dataset} does not exist")
    docs = dataset / "docs"
    return read_kb(docs if docs.is_dir() else kb_dir)
