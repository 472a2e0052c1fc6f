"""Faults: a load killed at any point, a load while the server answers, a SPARQL server that
dies or hangs in the middle of a load or a query.

Everything runs as real processes: ``helsegraf load`` and ``helsegraf serve`` as
subprocesses, ``oxigraph serve`` for the remote backend, killed with real signals. The two
graphs the tests tell apart are built at run time from the real listing: the whole listing
("full") and a copy with its first entry blanked out ("reduced"); no listing text is kept
in the repository.

A graph is compared by its fingerprint: for each named graph, the number of quads and a hash
of its canonical N-Quads (blank nodes renamed by pyoxigraph's canonicalisation), so a store
equals the old graph or the new one exactly, or it is reported as a mix.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from bench.generate import graph_files
from helsegraf.build import HELSEDATA_GRAPH, read_listing
from helsegraf.bulk import publish_generation
from helsegraf.cli import EXIT_OK, main, parser
from helsegraf.loaders.listing_text import parse_listing
from helsegraf.settings import Settings
from helsegraf.store import GENERATION_PREFIX, ExportFormat, OxigraphStore
from tests import live
from tests.oxigraph_server import OxigraphServer, ServerError, unavailable

ROOT = Path(__file__).resolve().parent.parent

#: The seed of every random choice here: a failure can be replayed exactly.
SEED = 6

#: Per named graph: (quads, hash of the canonical N-Quads).
Fingerprint = dict[str, tuple[int, str]]

#: Lines ``helsegraf load`` prints on stderr as it reaches each stage.
GATE, PUBLISH, DONE = (
    "validating with the SHACL shapes",
    "conforms to the shapes",
    "helsegraf: published ",
)

#: One query whose answer fingerprints the whole published graph, so that it is read in one
#: snapshot: the triples of each named graph, and (with ``?g`` unbound) the datasets.
FINGERPRINT_QUERY = """
SELECT ?g ?n WHERE {
  { SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g }
  UNION
  { SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a dcat:Dataset } }
}
"""


# -- the two graphs --------------------------------------------------------------------------


@dataclass(frozen=True)
class Listings:
    """The real listing and a copy that lacks one entry: two graphs a test can tell apart."""

    full: Path
    reduced: Path

    def other(self, path: Path) -> Path:
        return self.reduced if path == self.full else self.full


@pytest.fixture(scope="module")
def listings(listing_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Listings:
    """The listing, and a copy with the lines of its first entry blanked (line numbers kept)."""
    text = read_listing(listing_path)
    entry = parse_listing(text).entries[0]
    last = entry.paragraphs[-1].line if entry.paragraphs else entry.line
    lines = text.splitlines(keepends=True)
    for index in range(entry.line - 1, last):
        lines[index] = "\n"
    reduced = tmp_path_factory.mktemp("listings") / "reduced.txt"
    reduced.write_text("".join(lines), encoding="utf-8")
    return Listings(full=listing_path, reduced=reduced)


def _allow_removals() -> list[str]:
    """``--allow-removals`` when ``load`` has it: the reduced listing lacks a published source,
    which ``load`` otherwise refuses to remove (exit 1), and these tests go back and forth."""
    text = io.StringIO()
    with contextlib.redirect_stdout(text), contextlib.suppress(SystemExit):
        parser().parse_args(["load", "--help"])
    return ["--allow-removals"] if "--allow-removals" in text.getvalue() else []


_ALLOW_REMOVALS = _allow_removals()


def fingerprint(nquads: bytes) -> Fingerprint:
    """Each named graph's size and the hash of its canonical form."""
    by_graph: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad in ox.parse(nquads, format=ox.RdfFormat.N_QUADS):
        by_graph[str(quad.graph_name)].append(quad)
    prints: Fingerprint = {}
    for name, quads in by_graph.items():
        dataset = ox.Dataset(quads)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        text = "\n".join(sorted(str(quad) for quad in dataset))
        prints[name] = (len(quads), hashlib.sha256(text.encode("utf-8")).hexdigest())
    return prints


def exported(store: Path | str, capsysbinary: pytest.CaptureFixture[bytes]) -> Fingerprint:
    """The fingerprint of what ``helsegraf export`` writes (which must succeed)."""
    capsysbinary.readouterr()
    status = main(["--store", str(store), "export", "--format", "nquads"], Settings())
    captured = capsysbinary.readouterr()
    assert status == EXIT_OK, captured.err.decode(errors="replace")
    return fingerprint(captured.out)


# -- helsegraf load as a process -------------------------------------------------------------


def _environment(**settings: str) -> dict[str, str]:
    """This environment without HELSEGRAF_* settings, plus ``settings``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HELSEGRAF_")}
    return {**clean, **{f"HELSEGRAF_{k.upper()}": v for k, v in settings.items()}}


@dataclass
class Run:
    """One ``helsegraf load``: what it printed on stderr, when, and how it ended."""

    started: float
    lines: list[tuple[float, str]] = field(default_factory=list)
    reached: dict[str, threading.Event] = field(
        default_factory=lambda: {mark: threading.Event() for mark in (GATE, PUBLISH, DONE)}
    )
    returncode: int | None = None
    ended: float = 0.0
    killed: bool = False
    #: When the fault (a server stopped) came, in seconds from the start.
    fault: float | None = None

    def at(self, mark: str) -> float | None:
        """Seconds from the start to the line holding ``mark``, if it was printed."""
        return next((t for t, line in self.lines if mark in line), None)

    @property
    def stage(self) -> str:
        """How far the load got: start (imports, build), gate, publish or done."""
        for mark, name in ((DONE, "done"), (PUBLISH, "publish"), (GATE, "gate")):
            if self.at(mark) is not None:
                return name
        return "start"

    @property
    def stderr(self) -> str:
        return "\n".join(line for _t, line in self.lines)


def load(
    store: Path | str,
    listing: Path,
    *,
    kill: Callable[[Run], None] | None = None,
    fault: Callable[[], None] | None = None,
    timeout: float = 120.0,
    settings: Mapping[str, str] | None = None,
) -> Run:
    """Run ``helsegraf --store STORE load LISTING``; ``kill`` decides when to SIGKILL it.

    ``kill`` runs in this thread while the load runs, and returns when the load should be
    killed (it may return after the load ended: then nothing is killed). With ``fault``, the
    load is not killed: ``fault`` is called instead (it stops the server the load talks to),
    and the load is left to end by itself.
    """
    command = [sys.executable, "-m", "helsegraf.cli", "--store", str(store), "load"]
    command += [*_ALLOW_REMOVALS, str(listing)]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=_environment(**(settings or {})),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    run = Run(started=time.monotonic())

    def read() -> None:
        assert process.stderr is not None
        for raw in process.stderr:
            line = raw.decode("utf-8", errors="replace").rstrip()
            run.lines.append((time.monotonic() - run.started, line))
            for mark, event in run.reached.items():
                if mark in line:
                    event.set()
        for event in run.reached.values():  # it ended: nobody waits for a line any more
            event.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        if kill is not None:
            kill(run)
            if fault is not None:
                run.fault = time.monotonic() - run.started
                fault()
            elif process.poll() is None:
                process.send_signal(signal.SIGKILL)
                run.killed = True
        run.returncode = process.wait(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    run.ended = time.monotonic() - run.started
    reader.join(timeout=10)
    return run


def _after(mark: str | None, delay: float) -> Callable[[Run], None]:
    """Wait for the line holding ``mark`` (None: the start), then ``delay`` seconds more."""

    def wait(run: Run) -> None:
        since = 0.0
        if mark is not None:
            run.reached[mark].wait(timeout=60)
            since = run.at(mark) or 0.0
        time.sleep(max(0.0, run.started + since + delay - time.monotonic()))

    return wait


# -- the two graphs, published ----------------------------------------------------------------


@dataclass(frozen=True)
class Graphs:
    """Each graph published by a whole ``helsegraf load`` into a store of its own: the
    stores, their fingerprints, and the loads (how long each stage took)."""

    listings: Listings
    stores: dict[Path, Path]
    prints: dict[Path, Fingerprint]
    runs: dict[Path, Run]

    def copy(self, listing: Path, to: Path) -> Path:
        """A copy of the store that holds the graph of ``listing``."""
        shutil.copytree(self.stores[listing], to, symlinks=True)
        return to


@pytest.fixture(scope="module")
def graphs(listings: Listings, tmp_path_factory: pytest.TempPathFactory) -> Graphs:
    directory = tmp_path_factory.mktemp("graphs")
    stores: dict[Path, Path] = {}
    prints: dict[Path, Fingerprint] = {}
    runs: dict[Path, Run] = {}
    for name, listing in (("full", listings.full), ("reduced", listings.reduced)):
        stores[listing] = directory / name
        runs[listing] = load(stores[listing], listing)
        assert runs[listing].returncode == EXIT_OK, runs[listing].stderr
        store = OxigraphStore(stores[listing], read_only=True)
        try:
            prints[listing] = fingerprint(store.export(ExportFormat.NQUADS))
        finally:
            store.close()
    assert prints[listings.full] != prints[listings.reduced]
    return Graphs(listings, stores, prints, runs)


# -- a load killed at any point --------------------------------------------------------------


@pytest.mark.slow
def test_a_load_killed_at_any_point_leaves_the_old_graph_or_the_new_one(
    graphs: Graphs, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    """SIGKILL ``helsegraf load`` at 16 points spread over its whole run, in every stage.

    Each load goes to the graph the store does not hold, so every kill is a real change; the
    store must then hold exactly the graph it held or exactly the new one, and open for
    export and for the next load. Kills before the gate passed must leave the old graph, a
    kill after ``published`` the new one.
    """
    listings, prints = graphs.listings, graphs.prints
    store = graphs.copy(listings.reduced, tmp_path / "store")
    assert exported(store, capsysbinary) == prints[listings.reduced]
    # Where each stage starts in a whole load, and how long it lasts (the two measured).
    measured = list(graphs.runs.values())
    starts = [
        (mark, sum(r.at(mark) or 0.0 for r in measured) / len(measured))
        for mark in (GATE, PUBLISH, DONE)
    ]
    duration = sum(r.ended for r in measured) / len(measured)
    assert [t for _m, t in starts] == sorted(t for _m, t in starts)
    assert starts[-1][1] < duration

    def anchored(moment: float) -> tuple[str | None, float]:
        """A moment of the measured load as (the stage line before it, the delay after it).

        Counted from the stage's own line, a kill lands in the stage it was meant for even
        when this machine is slower or faster than while measuring.
        """
        anchor, since = None, 0.0
        for mark, start in starts:
            if moment >= start:
                anchor, since = mark, start
        return anchor, moment - since

    # The kill points: 8 spread over the whole run (one at a random moment in each eighth),
    # then 2 more in the gate and 6 more in the publish, the stages that must not leave a mix.
    rng = random.Random(SEED)
    plan = [anchored(duration * (i + rng.random()) / 8) for i in range(8)]
    (_g, gate_start), (_p, publish_start), (_d, done) = starts
    for start, end, count in ((gate_start, publish_start, 2), (publish_start, done, 6)):
        plan += [anchored(start + (end - start) * (i + rng.random()) / count) for i in range(count)]
    rng.shuffle(plan)

    holds = listings.reduced
    stages: Counter[str] = Counter()
    outcomes: list[str] = []
    for anchor, delay in plan:
        target = listings.other(holds)
        run = load(store, target, kill=_after(anchor, delay))
        stage = run.stage if run.killed else "finished"
        stages[stage] += 1
        now = exported(store, capsysbinary)
        assert now in (prints[holds], prints[target]), (
            f"killed in {stage} ({anchor or 'start'} + {delay:.3f} s): the store holds neither "
            f"the old graph nor the new one:\n{run.stderr}"
        )
        if stage in ("start", "gate"):
            assert now == prints[holds], f"killed in {stage}, yet the store changed"
        if stage in ("done", "finished"):
            assert now == prints[target], f"{stage}, yet the store kept the old graph"
        if not run.killed:
            assert run.returncode == EXIT_OK, run.stderr
        outcomes.append(f"{stage}:{'new' if now == prints[target] else 'old'}")
        holds = target if now == prints[target] else holds

    assert stages["gate"] >= 1, stages
    assert stages["publish"] >= 1, stages
    # After all that, a load runs to the end and a named query answers.
    final = load(store, listings.other(holds))
    assert final.returncode == EXIT_OK, final.stderr
    assert exported(store, capsysbinary) == prints[listings.other(holds)]
    status = main(["--store", str(store), "query", "count-by-kind"], Settings())
    assert status == EXIT_OK
    # what the killed loads left behind is gone: the published generation and the one before
    generations = [p.name for p in store.iterdir() if p.name.startswith(GENERATION_PREFIX)]
    assert len(generations) <= 2, generations
    with capsysbinary.disabled():
        print(f"\nkills by stage reached: {dict(stages)}; stage:graph left: {Counter(outcomes)}")


# -- helsegraf serve as a process ------------------------------------------------------------


@contextmanager
def serve(store: Path | str, **settings: str) -> Iterator[str]:
    """``helsegraf serve`` over ``store`` (a directory or a server URL); its base URL."""
    env = {f"HELSEGRAF_{key.upper()}": value for key, value in settings.items()}
    with live.serve(store, **env) as url:
        yield url


# -- readers while a load runs ---------------------------------------------------------------


def _summary(bindings: list[dict[str, dict[str, str]]]) -> frozenset[tuple[str, int]]:
    """The fingerprint query's answer: (graph, triples) per graph and ("datasets", count)."""
    return frozenset(
        (row["g"]["value"] if "g" in row else "datasets", int(row["n"]["value"]))
        for row in bindings
    )


def _published(store: Path) -> frozenset[tuple[str, int]]:
    """The fingerprint query's answer read from the store directory itself."""
    opened = OxigraphStore(store, read_only=True)
    try:
        rows = opened.select(FINGERPRINT_QUERY).rows
    finally:
        opened.close()
    return frozenset((str(row["g"]) if "g" in row else "datasets", int(row["n"])) for row in rows)


@dataclass
class Readers:
    """What the reader threads got: each distinct answer with its count, and every failure."""

    answers: Counter[frozenset[tuple[str, int]]] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextmanager
def reading(url: str, threads: int = 3) -> Iterator[Readers]:
    """Threads that send the fingerprint query to ``url`` one after the other (10 ms apart),
    until exit."""
    readers = Readers()
    stop = threading.Event()

    def read() -> None:
        with httpx.Client(timeout=30) as client:
            while not stop.is_set():
                try:
                    response = client.get(
                        f"{url}/sparql", params={"query": FINGERPRINT_QUERY, "format": "json"}
                    )
                except httpx.HTTPError as err:
                    with readers.lock:
                        readers.failures.append(f"{type(err).__name__}: {err}")
                    continue
                with readers.lock:
                    if response.status_code == 200:
                        readers.answers[_summary(response.json()["results"]["bindings"])] += 1
                    else:
                        readers.failures.append(f"{response.status_code}: {response.text[:300]}")
                stop.wait(0.01)  # a breath, so that the loads are not starved of the CPU

    pool = [threading.Thread(target=read, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    try:
        yield readers
    finally:
        stop.set()
        for thread in pool:
            thread.join(timeout=60)


def _check_readers(readers: Readers, published: list[frozenset[tuple[str, int]]]) -> None:
    assert not readers.failures, f"{len(readers.failures)} failed requests: {readers.failures[:5]}"
    unexpected = {answer: n for answer, n in readers.answers.items() if answer not in published}
    assert not unexpected, f"answers that are neither graph (a mix?): {unexpected}"
    # the readers saw every graph that was published, and many answers in all
    assert set(readers.answers) == set(published), readers.answers
    assert sum(readers.answers.values()) >= 20, readers.answers


@pytest.mark.slow
def test_readers_see_the_old_graph_or_the_new_one_while_loads_publish(
    graphs: Graphs, tmp_path: Path
) -> None:
    """Three clients query ``/sparql`` all the time while ``helsegraf load`` publishes three
    times into the directory the server reads: every answer is one published graph's, and
    no request fails."""
    listings = graphs.listings
    store = graphs.copy(listings.reduced, tmp_path / "store")
    published = [_published(store)]
    with serve(store) as url, reading(url) as readers:
        holds = listings.reduced
        for _ in range(3):
            holds = listings.other(holds)
            run = load(store, holds)
            assert run.returncode == EXIT_OK, run.stderr
            published.append(_published(store))
            time.sleep(0.3)  # the readers see this graph before the next load replaces it
    assert len(set(published)) == 2
    _check_readers(readers, published)


@pytest.mark.slow
def test_readers_see_one_generation_or_the_next_while_bulk_publishes_run(tmp_path: Path) -> None:
    """The same for bulk publishing (``helsegraf.bulk.publish_generation``, which the command
    line does not expose): four generations switched to while clients query."""
    root = tmp_path / "store"
    sizes = (40, 60)
    files = {size: graph_files(size, tmp_path / f"files-{size}") for size in sizes}
    assert publish_generation(root, files[sizes[0]]).report.conforms
    published = [_published(root)]
    with serve(root) as url, reading(url) as readers:
        for turn in range(4):
            outcome = publish_generation(root, files[sizes[(turn + 1) % 2]])
            assert outcome.report.conforms, outcome.report.text()
            published.append(_published(root))
            time.sleep(0.3)
    assert len(set(published)) == 2
    _check_readers(readers, published)


# -- a SPARQL server that dies or hangs ------------------------------------------------------

#: The remote timeout the tests set (seconds), and how much later than it an error may come.
TIMEOUT, SLACK = 2.0, 2.5


@contextmanager
def oxigraph(location: Path, log_dir: Path) -> Iterator[OxigraphServer]:
    """``oxigraph serve`` on ``location`` (failed in CI, skipped elsewhere, if it cannot start);
    stopped afterwards, also when a test left it stopped with SIGSTOP."""
    server = OxigraphServer(location, log=log_dir / "oxigraph.log")
    try:
        server.start()
    except (ServerError, OSError) as err:
        unavailable(str(err))
    try:
        yield server
    finally:
        _signal(server, signal.SIGCONT)
        server.stop()


def _signal(server: OxigraphServer, number: signal.Signals) -> None:
    if server.process is not None and server.process.poll() is None:
        server.process.send_signal(number)


def _crash(server: OxigraphServer) -> None:
    """SIGKILL the server: no chance to finish a request or to flush."""
    process, server.process = server.process, None
    if process is not None:
        process.kill()
        process.wait()


def _contents(server: OxigraphServer) -> Fingerprint:
    """The server's whole dataset (its Graph Store Protocol, not helsegraf), fingerprinted."""
    request = urllib.request.Request(server.store_url, headers={"Accept": "application/n-quads"})
    with urllib.request.urlopen(request, timeout=30) as reply:
        return fingerprint(reply.read())


def _remote(server: OxigraphServer, *, gsp: bool = False) -> dict[str, str]:
    """The settings of a remote store on ``server`` (its query URL goes in ``--store``)."""
    settings = {"update_endpoint": server.update_url, "remote_timeout": f"{TIMEOUT:g}"}
    if gsp:
        settings["gsp_endpoint"] = server.store_url
    return settings


def _failed_clearly(run: Run, server: OxigraphServer) -> str:
    """The load failed with one line naming the server, in time; that line."""
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    last = run.lines[-1][1]
    assert last.startswith("helsegraf: error: "), run.stderr
    assert server.url in last, last
    assert run.fault is not None
    assert run.ended - run.fault < TIMEOUT + SLACK, f"{run.ended - run.fault:.1f} s:\n{last}"
    return last


def _same_graphs(now: Fingerprint, old: Fingerprint, new: Fingerprint, *, whole: bool) -> str:
    """Which graph the server holds: "old" or "new"; each named graph is one or the other
    whole, and with ``whole`` (one update request) all of them are the same one."""
    for name in {*now, *old, *new}:
        assert now.get(name) in (old.get(name), new.get(name)), f"{name} is half published"
    if whole:
        assert now in (old, new), "some graphs are old, others new"
    return "new" if now == new else "old"


def _first_load(
    server: OxigraphServer, listing: Path, expected: Fingerprint, settings: Mapping[str, str]
) -> float:
    """Load ``listing`` to the server whole; how long its talk with the server took (from
    the end of the gate to ``published``). The server then holds the graph the embedded
    store holds, quad for quad."""
    run = load(server.query_url, listing, settings=settings)
    assert run.returncode == EXIT_OK, run.stderr
    assert _contents(server) == expected
    return (run.at(DONE) or run.ended) - (run.at(PUBLISH) or 0.0)


@pytest.mark.slow
@pytest.mark.parametrize("protocol", ["update", "gsp"])
def test_a_server_killed_during_a_load(graphs: Graphs, tmp_path: Path, protocol: str) -> None:
    """SIGKILL ``oxigraph serve`` at points of a ``helsegraf load`` to it spread over the
    load's talk with the server (the comparison with the published graph, the publish, the
    check that queries see it): 4 with one update request, 2 with a PUT per graph. The load
    fails at once with one line naming the server, which says truly whether the store is
    unchanged; after a restart on the same data every named graph is the old one or the new
    one whole (all of them the same one, for the update request); a last load then works."""
    gsp = protocol == "gsp"
    listings, prints = graphs.listings, graphs.prints
    with oxigraph(tmp_path / "data", tmp_path) as server:
        settings = _remote(server, gsp=gsp)
        # measured on a load that replaces a graph: it compares with it first, which takes
        # longer than on an empty server
        _first_load(server, listings.full, prints[listings.full], settings)
        window = _first_load(server, listings.reduced, prints[listings.reduced], settings)
        rng = random.Random(SEED)
        holds = listings.reduced
        outcomes = []
        kills = 4 if not gsp else 2
        for i in range(kills):
            target = listings.other(holds)
            delay = window * (i + rng.random()) / kills
            run = load(
                server.query_url,
                target,
                kill=_after(PUBLISH, delay),
                fault=lambda: _crash(server),
                settings=settings,
            )
            said = "finished" if run.returncode == EXIT_OK else _failed_clearly(run, server)
            server.start()  # same port, same data
            state = _same_graphs(_contents(server), prints[holds], prints[target], whole=not gsp)
            # the message tells the truth: what it says was left unchanged, was
            unchanged = "the store is unchanged" in said
            not_this = f"at graph {HELSEDATA_GRAPH} (" in said and "the others not" in said
            if unchanged or not_this:
                assert state == "old", said
            outcomes.append((round(delay, 2), state, said[:120]))
            holds = target if state == "new" else holds
        final = load(server.query_url, listings.other(holds), settings=settings)
        assert final.returncode == EXIT_OK, final.stderr
        assert _contents(server) == prints[listings.other(holds)]
    print(f"\n{protocol}: {outcomes}")


@pytest.mark.slow
def test_a_server_that_hangs_during_a_load_is_a_timeout_not_a_hang(
    graphs: Graphs, tmp_path: Path
) -> None:
    """SIGSTOP ``oxigraph serve`` during a load (as the load starts talking to it, and later,
    during the publish): the load gives up after the remote timeout with one line naming the
    server. When the server resumes it may still apply an update it had received (the error
    says so), but every graph is the old or the new one whole, before and after a restart."""
    listings, prints = graphs.listings, graphs.prints
    with oxigraph(tmp_path / "data", tmp_path) as server:
        settings = _remote(server)
        window = _first_load(server, listings.reduced, prints[listings.reduced], settings)
        holds = listings.reduced
        outcomes = []
        for delay in (0.0, window * 0.6):
            target = listings.other(holds)
            said = "finished"
            run = load(
                server.query_url,
                target,
                kill=_after(PUBLISH, delay),
                fault=lambda: _signal(server, signal.SIGSTOP),
                settings=settings,
            )
            if run.returncode != EXIT_OK:
                said = _failed_clearly(run, server)
                assert f"did not answer within {TIMEOUT:g} s" in said, said
            _signal(server, signal.SIGCONT)
            seen = _same_graphs(_contents(server), prints[holds], prints[target], whole=True)
            _crash(server)
            server.start()
            kept = _same_graphs(_contents(server), prints[holds], prints[target], whole=True)
            # What it answered, it kept; it may have applied the abandoned update in between.
            assert (seen, kept) != ("new", "old")
            outcomes.append((round(delay, 2), seen, kept, said[:120]))
            holds = target if kept == "new" else holds
        final = load(server.query_url, listings.other(holds), settings=settings)
        assert final.returncode == EXIT_OK, final.stderr
    print(f"\nSIGSTOP: {outcomes}")


#: A query no server finishes: a cross product of every triple with every triple, twice.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.mark.slow
def test_a_server_that_dies_or_hangs_during_a_query_is_503_and_then_recovers(
    graphs: Graphs, tmp_path: Path
) -> None:
    """``helsegraf serve --store URL`` in front of ``oxigraph serve``: killed in the middle of
    a query, down, or hung (SIGSTOP), the server makes the client's query a quick 503 that
    names it, never a 500 or a wait for the query time limit; once it is back, the next
    query is answered, without restarting helsegraf."""
    with oxigraph(tmp_path / "data", tmp_path) as server:
        full = graphs.listings.full
        _first_load(server, full, graphs.prints[full], _remote(server))
        settings = {**_remote(server), "query_timeout": "30"}  # the server's fault, not ours
        with serve(server.query_url, **settings) as url:

            def ask(query: str = FINGERPRINT_QUERY) -> tuple[httpx.Response, float]:
                response = httpx.get(
                    f"{url}/sparql", params={"query": query, "format": "json"}, timeout=60
                )
                return response, time.monotonic()

            def answer() -> frozenset[tuple[str, int]]:
                response, _ = ask()
                assert response.status_code == 200, response.text
                return _summary(response.json()["results"]["bindings"])

            expected = answer()

            # killed while it evaluates a query
            replies: list[tuple[httpx.Response, float]] = []
            query = threading.Thread(target=lambda: replies.append(ask(ENDLESS)))
            query.start()
            time.sleep(0.5)
            killed = time.monotonic()
            _crash(server)
            query.join(timeout=60)
            response, answered = replies[0]
            assert response.status_code == 503, response.text
            assert server.url in response.text, response.text
            assert answered - killed < SLACK

            # down: refused at once
            started = time.monotonic()
            response, answered = ask()
            assert response.status_code == 503, response.text
            assert f"cannot reach the SPARQL server at {server.query_url}" in response.text
            assert answered - started < SLACK
            assert httpx.get(f"{url}/ready", timeout=30).status_code == 503

            server.start()  # same port, same data
            assert answer() == expected
            assert httpx.get(f"{url}/ready", timeout=30).status_code == 200

            # hung: given up after the remote timeout
            _signal(server, signal.SIGSTOP)
            try:
                started = time.monotonic()
                response, answered = ask()
            finally:
                _signal(server, signal.SIGCONT)
            assert response.status_code == 503, response.text
            assert f"did not answer within {TIMEOUT:g} s" in response.text, response.text
            assert server.query_url in response.text
            assert TIMEOUT * 0.9 <= answered - started < TIMEOUT + SLACK
            assert answer() == expected
