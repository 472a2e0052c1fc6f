"""The ``helsegraf`` command line.

Exit status: 0 success, 1 the graph did not pass the gate (SHACL shapes, at least one
source, no repeated entry) or would remove published sources without ``--allow-removals``
(nothing was published), 2 a usage error or an input that cannot be read (a clear message on
stderr). Findings about the listing are printed one per line, ``path:line: message``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from rdflib import Graph

from helsegraf import __version__, results
from helsegraf.build import (
    CURATION_GRAPH,
    Build,
    Finding,
    UnreadableListingError,
    additions,
    build,
    changes,
    check,
    publish,
    published_graph,
    published_sources,
    removals,
)
from helsegraf.catalog import Profile, Site
from helsegraf.queries import QueryError
from helsegraf.settings import Settings
from helsegraf.sparql import BindingError
from helsegraf.store import (
    ExportFormat,
    SelectResult,
    Store,
    StoreError,
    open_store,
    query_form,
)

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """A problem to report to the user in one line, with exit status 2."""


def _progress(message: str) -> None:
    print(f"helsegraf: {message}", file=sys.stderr)


def _source(path: Path | None, settings: Settings) -> Path | None:
    """The listing to read: the one given, else the configured one if present, else none."""
    if path is not None:
        if not path.is_file():
            raise CliError(f"no listing at {path}")
        return path
    return settings.listing if settings.listing.is_file() else None


def _build_and_check(path: Path | None, settings: Settings) -> tuple[Build, bool]:
    source = _source(path, settings)
    if source is None:
        _progress("no listing found; using the committed facts snapshot (no descriptions)")
    try:
        built = build(source, curation_dir=settings.curation, progress=_progress)
    except UnreadableListingError as err:
        for finding in err.findings:
            print(f"error: {err.path}:{finding.line}: {finding.message}", file=sys.stderr)
        raise CliError(f"cannot read the listing {err.path}: {err.summary}") from err
    for warning in built.warnings:
        print(f"warning: {built.origin}:{warning.line}: {warning.message}", file=sys.stderr)
    _progress("validating with the SHACL shapes ...")
    report = check(built)
    print(report.text(), file=sys.stderr if report.conforms else sys.stdout)
    if not report.conforms:
        located = [(built.line_of(v.focus), v.line()) for v in report.violations]
        for line, text in sorted((n, t) for n, t in located if n is not None):
            print(f"error: {built.origin}:{line}: {text}", file=sys.stderr)
    return built, report.conforms


#: How many findings of one kind the comparison with the published graph prints.
_MAX_PRINTED = 200


def _report(kind: str, origin: str, findings: Sequence[Finding]) -> None:
    for finding in findings[:_MAX_PRINTED]:
        where = f"{origin}:{finding.line}:" if finding.line is not None else f"{origin}:"
        print(f"{kind}: {where} {finding.message}", file=sys.stderr)
    if len(findings) > _MAX_PRINTED:
        print(f"{kind}: {origin}: and {len(findings) - _MAX_PRINTED} more", file=sys.stderr)


def _guard(store: Store, built: Build, *, allow_removals: bool) -> tuple[bool, int]:
    """Compare the build with the graph ``store`` publishes: whether it may be published,
    and how many published sources it removes. New sources and changed facts are noted;
    missing sources refuse the build unless ``allow_removals``."""
    graph = published_graph(store)
    published = published_sources(graph, built.graphs.get(CURATION_GRAPH))
    if not published:
        _progress("nothing is published yet: no sources to compare with")
        return True, 0
    known = {p.iri for p in published}
    new = [
        Finding(
            iri,
            built.line_of(str(iri)),
            f"<{iri}> is new: the published graph does not list it"
            + (" (it only mentions it)" if iri in known else ""),
        )
        for iri in additions(built, published)
    ]
    _report("note", built.origin, new)
    _report("note", built.origin, changes(built, graph))
    gone = removals(built, published)
    _report("warning" if allow_removals else "error", built.origin, gone)
    if gone and not allow_removals:
        _progress(
            f"{len(gone)} source(s) of the published graph are missing from {built.origin}; "
            "if the listing really dropped them, pass --allow-removals"
        )
        return False, len(gone)
    if gone:
        _progress(f"--allow-removals: {len(gone)} published source(s) will be removed")
    return True, len(gone)


def cmd_load(args: argparse.Namespace, settings: Settings) -> int:
    built, conforms = _build_and_check(args.path, settings)
    if not conforms:
        _progress("nothing published: the store keeps its last good graph")
        return EXIT_INVALID
    store = open_store(settings)
    try:
        allowed, removed = _guard(store, built, allow_removals=args.allow_removals)
        if not allowed:
            _progress("nothing published: the store keeps its last good graph")
            return EXIT_INVALID
        publish(store, built)
    finally:
        store.close()
    total = sum(len(g) for g in built.graphs.values())
    dropped = f"; removed {removed} source(s) (--allow-removals)" if removed else ""
    _progress(
        f"published {built.listed} sources ({total} triples in {len(built.graphs)} graphs) "
        f"to {settings.store}{dropped}"
    )
    return EXIT_OK


def cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    built, conforms = _build_and_check(args.path, settings)
    if not conforms:
        return EXIT_INVALID
    local = not (settings.store_is_memory or settings.store_is_remote)
    if settings.store_is_memory or (local and not Path(settings.store).is_dir()):
        _progress("nothing is published yet: no sources to compare with")
        return EXIT_OK
    try:
        store = open_store(settings, read_only=True)
        try:
            allowed, _removed = _guard(store, built, allow_removals=args.allow_removals)
        finally:
            store.close()
    except StoreError as err:
        _progress(f"warning: not compared with the published graph: {err}")
        return EXIT_OK
    return EXIT_OK if allowed else EXIT_INVALID


def _read_store(settings: Settings) -> Store:
    local = not (settings.store_is_memory or settings.store_is_remote)
    if local and not Path(settings.store).is_dir():
        raise CliError(f"no graph loaded at {settings.store}: run 'helsegraf load' first")
    store = open_store(settings, read_only=True)
    if settings.store_is_remote:
        # a server holding no graph would answer every export and query with nothing
        try:
            loaded = store.ask("ASK { GRAPH ?g { ?s ?p ?o } }")
        except BaseException:
            store.close()
            raise
        if not loaded:
            store.close()
            raise CliError(f"no graph loaded at {settings.store}: run 'helsegraf load' first")
    return store


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    fmt = ExportFormat(args.format)
    store = _read_store(settings)
    try:
        data = store.export(fmt, union=args.union or not fmt.has_graphs)
    finally:
        store.close()
    sys.stdout.buffer.write(data)
    sys.stdout.flush()
    return EXIT_OK


def _print_answer(answer: object, fmt: str) -> None:
    if isinstance(answer, bool):
        print(results.boolean_json(answer) if fmt == "json" else str(answer).lower())
    elif isinstance(answer, Graph):
        print(answer.serialize(format="turtle"))
    elif isinstance(answer, SelectResult):
        if fmt == "json":
            print(results.to_json(answer))
        elif fmt == "csv":
            sys.stdout.write(results.to_csv(answer))
        else:
            print(results.to_table(answer))


def _parse_params(pairs: Sequence[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise CliError(f"--param takes key=value, not {pair!r}")
        params[key] = value
    return params


def cmd_query(args: argparse.Namespace, settings: Settings) -> int:
    from helsegraf.queries import load_registry

    registry = load_registry()
    if args.list:
        for name in registry.names():
            print(f"{name}: {registry.get(name).title}")
        return EXIT_OK
    if (args.name is None) == (args.sparql is None):
        raise CliError("give a query NAME or --sparql TEXT (one of them)")
    store = _read_store(settings)
    try:
        answer: object
        if args.sparql is not None:
            form = query_form(args.sparql)
            if form == "ASK":
                answer = store.ask(args.sparql)
            elif form in ("CONSTRUCT", "DESCRIBE"):
                answer = store.construct(args.sparql)
            else:
                answer = store.select(args.sparql)
        else:
            answer = registry.run(store, args.name, _parse_params(args.param))
    finally:
        store.close()
    _print_answer(answer, args.format)
    return EXIT_OK


def cmd_snapshot(args: argparse.Namespace, settings: Settings) -> int:
    from helsegraf import paths, snapshot
    from helsegraf.build import HELSEDATA_GRAPH

    source = _source(args.path, settings)
    if source is None:
        raise CliError(f"no listing at {settings.listing}; give its path")
    built, conforms = _build_and_check(source, settings)
    if not conforms:
        _progress("snapshot not written: the graph does not pass the gate")
        return EXIT_INVALID
    count = snapshot.write(built.graphs[HELSEDATA_GRAPH])
    _progress(f"wrote {count} fact triples to {paths.SNAPSHOT_FILE}")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the store over HTTP until interrupted (uvicorn, one process plus query workers)."""
    import uvicorn

    from helsegraf.api.app import create_app
    from helsegraf.api.protocol import BoundedHttpTools

    settings = settings.model_copy(update={"host": args.host, "port": args.port})
    if settings.store_is_memory:
        raise CliError("serve needs a store directory (HELSEGRAF_STORE), not 'memory'")
    _progress(f"serving {settings.store} on http://{settings.host}:{settings.port}")
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="info",
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=5,
        http=BoundedHttpTools,
    )
    return EXIT_OK


def _site(settings: Settings, root: str | None) -> Site:
    public = root or f"http://{settings.host}:{settings.port}/"
    return Site(root=public if public.endswith("/") else public + "/", base_iri=settings.base_iri)


def cmd_catalog(args: argparse.Namespace, settings: Settings) -> int:
    from helsegraf import catalog

    store = _read_store(settings)
    try:
        graph = catalog.from_store(
            store, Profile(args.profile), _site(settings, args.root), args.page, args.page_size
        )
    finally:
        store.close()
    fmt = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}[args.format]
    sys.stdout.buffer.write(graph.serialize(format=fmt, encoding="utf-8"))
    sys.stdout.flush()
    return EXIT_OK


def cmd_quality(args: argparse.Namespace, settings: Settings) -> int:
    from helsegraf import catalog, quality, standards

    profile = Profile(args.profile)
    store = _read_store(settings)
    try:
        graph = catalog.from_store(
            store, profile, _site(settings, args.root), 1, catalog.MAX_PAGE_SIZE
        )
    finally:
        store.close()
    verdicts = standards.compliance(
        graph, profile.value, settings.standards, catalog.vocabularies()
    )
    report = quality.assess(graph, compliant=verdicts, check_urls=args.check_urls)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(report.to_text(details=args.details))
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    """The argument parser (also used to document the commands)."""
    top = argparse.ArgumentParser(
        prog="helsegraf",
        description="A linked-data knowledge graph of Norway's health data sources.",
    )
    top.add_argument("--version", action="version", version=f"helsegraf {__version__}")
    top.add_argument(
        "--store",
        help="store directory, 'memory', or a SPARQL endpoint URL (default: HELSEGRAF_STORE)",
    )
    sub = top.add_subparsers(dest="command", required=True)

    removal_help = (
        "publish even when sources of the published graph are missing from the listing "
        "(they are removed; each is reported)"
    )
    load = sub.add_parser("load", help="build, validate and publish the graph")
    load.add_argument("path", nargs="?", type=Path, help="the helsedata.no listing (text copy)")
    load.add_argument("--allow-removals", action="store_true", help=removal_help)
    load.set_defaults(func=cmd_load)

    validate = sub.add_parser(
        "validate", help="build and validate the graph, compare it with the published one"
    )
    validate.add_argument("path", nargs="?", type=Path, help="the helsedata.no listing")
    validate.add_argument(
        "--allow-removals", action="store_true", help="do not fail on missing sources"
    )
    validate.set_defaults(func=cmd_validate)

    export = sub.add_parser("export", help="write the published graph to stdout")
    export.add_argument(
        "--format", choices=[f.value for f in ExportFormat], default=ExportFormat.NQUADS.value
    )
    export.add_argument(
        "--union", action="store_true", help="merge the named graphs (implied for turtle/ntriples)"
    )
    export.set_defaults(func=cmd_export)

    query = sub.add_parser("query", help="run a named query or a SPARQL query")
    query.add_argument("name", nargs="?", help="a named query from queries/")
    query.add_argument("--sparql", help="a SPARQL query text instead of a named query")
    query.add_argument("--param", action="append", default=[], metavar="KEY=VALUE")
    query.add_argument("--format", choices=["table", "json", "csv"], default="table")
    query.add_argument("--list", action="store_true", help="list the named queries")
    query.set_defaults(func=cmd_query)

    snap = sub.add_parser("snapshot", help="regenerate data/snapshot/ from the listing")
    snap.add_argument("path", nargs="?", type=Path, help="the helsedata.no listing")
    snap.set_defaults(func=cmd_snapshot)

    profiles = [p.value for p in Profile]
    cat = sub.add_parser("catalog", help="write the DCAT catalog (one page of it) to stdout")
    cat.add_argument("--profile", choices=profiles, default=Profile.DCAT_AP_NO.value)
    cat.add_argument(
        "--format", choices=["turtle", "ntriples", "jsonld", "rdfxml"], default="turtle"
    )
    cat.add_argument("--page", type=int, default=1)
    cat.add_argument("--page-size", type=int, default=1000)
    cat.add_argument(
        "--root", help="public URL of the server the catalog names (default: host and port)"
    )
    cat.set_defaults(func=cmd_catalog)

    qual = sub.add_parser(
        "quality", help="score the catalog by data.europa.eu's metadata quality indicators"
    )
    qual.add_argument("--profile", choices=profiles, default=Profile.DCAT_AP_NO.value)
    qual.add_argument("--json", action="store_true", help="the report as JSON")
    qual.add_argument("--details", action="store_true", help="every dataset's shortfalls")
    qual.add_argument(
        "--check-urls", action="store_true", help="request every access and download URL"
    )
    qual.add_argument("--root", help="public URL of the server the catalog names")
    qual.set_defaults(func=cmd_quality)

    serve = sub.add_parser("serve", help="serve the graph over HTTP")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.set_defaults(func=cmd_serve)
    return top


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = parser().parse_args(argv)
    settings = settings or Settings()
    if args.store:
        settings = settings.model_copy(update={"store": args.store})
    if args.command == "serve":
        args.host = args.host or settings.host
        args.port = args.port or settings.port
    try:
        status: int = args.func(args, settings)
    except (CliError, StoreError, QueryError, BindingError, OSError) as err:
        print(f"helsegraf: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
