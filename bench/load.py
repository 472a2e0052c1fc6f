"""A bounded load test of ``helsegraf serve``: ``python -m bench.load --seconds 120``.

A fixed number of clients (closed loop, no think time) send a mix of what the server meets in
use, chosen at random with fixed weights (:data:`MIX`) from pools of real requests gathered from
the server before the run:

* **named query**: ``/queries/{name}`` with parameters (the examples, real sources and
  organisations, every choice of an enumeration), as SPARQL JSON or CSV;
* **sparql select**: ``/sparql`` SELECTs (facet count, title search, a controller's sources,
  sources per graph), by form POST and by GET, and a DESCRIBE as Turtle;
* **resource page**: ``/id/dataset/...`` and ``/id/organisation/...`` as HTML;
* **browse page**: ``/`` as HTML, unfiltered, with one or two facets, with a search, page 2;
* **catalog harvest**: ``/catalog`` in both profiles as Turtle, the way harvesters poll: the
  first fetch of each profile in full, then mostly conditional GETs with the ``ETag`` they
  hold (``If-None-Match``, answered 304) and now and then a full fetch again;
* **catalog quality**: ``/catalog/quality`` in both profiles, occasionally.

Every request of the pools is checked once before the run (so every answer in the run should
be 200 or 304) and the run starts after a warm-up of the same mix, which is not counted. The
generator samples the resident memory (``VmRSS`` in ``/proc``) of the server process and of its
query workers every :data:`SAMPLE_INTERVAL` seconds; *memory growth* is the mean of the last
third of the samples after the warm-up minus the mean of the first third.

The generator is an asyncio loop over httpx, like :mod:`bench.run`'s, in one process on the
same 2 cores as the server; its own CPU time is reported, so the share of the machine it took
is visible. Options: ``--seconds 120 --warmup 15 --clients 4 [--sources N] [--seed 6]``;
``--sources N`` serves a synthetic catalog of N sources (:mod:`bench.generate`) instead of the
real graph.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx

ROOT = Path(__file__).resolve().parent.parent

#: Kind of request -> weight (percent of the requests).
MIX: dict[str, int] = {
    "named query": 25,
    "sparql select": 15,
    "resource page": 25,
    "browse page": 20,
    "catalog harvest": 13,
    "catalog quality": 2,
}
#: Of the catalog harvests after the first of each profile, the share sent with If-None-Match.
CONDITIONAL_SHARE = 0.8
PROFILES = ("dcat-ap-no", "healthdcat-ap")
SAMPLE_INTERVAL = 1.0
ID_BASE = "https://w3id.org/helsegraf/id/"

SPARQL_JSON = "application/sparql-results+json"


# -- the server -----------------------------------------------------------------------------------


@dataclass
class Server:
    """A running ``helsegraf serve``: its URL, process and log file."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


@contextmanager
def serve(store: Path, log: Path, **env: str) -> Iterator[Server]:
    """``helsegraf serve`` over ``store`` on a free loopback port, until the block ends.

    Like :func:`tests.live.serve`, but it hands back the process too (its memory is sampled)
    and keeps the server's output in ``log``. ``env`` sets ``HELSEGRAF_*`` variables.
    """
    from tests.live import free_port

    port = free_port()
    environment = {
        **os.environ,
        "HELSEGRAF_STORE": str(store),
        "PYTHONPATH": str(ROOT),
        **env,
    }
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "helsegraf.cli", "serve", "--port", str(port)],
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"helsegraf serve exited with {process.returncode}:\n{server.log_tail()}"
                )
            try:
                if httpx.get(f"{server.url}/ready", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"helsegraf serve was not ready in 120 s:\n{server.log_tail()}")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def real_store(work: Path) -> Path:
    """A store directory with the real graph, loaded by ``helsegraf load`` as an operator would."""
    store = work / "store"
    done = subprocess.run(
        [sys.executable, "-m", "helsegraf.cli", "load"],
        env={**os.environ, "HELSEGRAF_STORE": str(store), "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"helsegraf load failed:\n{done.stderr[-3000:]}")
    return store


def synthetic_store(work: Path, sources: int) -> Path:
    """A store directory with a synthetic catalog of ``sources`` sources (:mod:`bench.generate`)."""
    from bench.generate import graph_files
    from bench.run import _PUBLISH, _arguments, _child

    store = work / f"store-{sources}"
    _child(_PUBLISH, [str(store), *_arguments(graph_files(sources, work / f"files-{sources}"))])
    return store


# -- memory ---------------------------------------------------------------------------------------


def _rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(proc.name))
    found, todo = [], list(children.get(pid, []))
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


@dataclass(frozen=True)
class MemorySample:
    """Resident memory at ``at`` seconds into the run (negative: during the warm-up), in MB."""

    at: float
    server: float
    children: float
    processes: int

    @property
    def total(self) -> float:
        return self.server + self.children


def memory_sample(pid: int, at: float) -> MemorySample:
    """The server's resident memory and that of all its descendants (the query workers)."""
    server = (_rss_kb(pid) or 0) / 1024
    children = [kb for kb in map(_rss_kb, _descendants(pid)) if kb is not None]
    return MemorySample(at, server, sum(children) / 1024, 1 + len(children))


# -- the mix --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One request of a pool."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    data: tuple[tuple[str, str], ...] | None = None


@dataclass
class Workload:
    """The pools of requests, and the harvesters' ``ETag`` per profile."""

    pools: dict[str, list[Call]]
    etags: dict[str, str] = field(default_factory=dict)
    #: Requests left out of the pools because they were refused (4xx) when checked.
    dropped: list[str] = field(default_factory=list)

    def next(self, rng: random.Random) -> tuple[str, Call]:
        """A kind chosen by :data:`MIX`, and a request of it."""
        kind = rng.choices(list(MIX), weights=list(MIX.values()))[0]
        if kind != "catalog harvest":
            return kind, rng.choice(self.pools[kind])
        profile = rng.choice(PROFILES)
        headers = [("accept", "text/turtle")]
        etag = self.etags.get(profile)
        if etag is not None and rng.random() < CONDITIONAL_SHARE:
            headers.append(("if-none-match", etag))
            kind = "catalog harvest, conditional"
        else:
            kind = "catalog harvest, full"
        return kind, Call("GET", f"/catalog?profile={profile}", tuple(headers))

    def saw(self, call: Call, response: httpx.Response) -> None:
        """Remember the ``ETag`` a harvester got."""
        if call.path.startswith("/catalog?") and response.status_code == 200:
            profile = call.path.split("profile=", 1)[1]
            self.etags[profile] = response.headers.get("etag", "")


async def send(client: httpx.AsyncClient, call: Call) -> httpx.Response:
    return await client.request(
        call.method,
        call.path,
        headers=dict(call.headers),
        data=dict(call.data) if call.data is not None else None,
    )


def _slug(iri: str, kind: str) -> str | None:
    prefix = f"{ID_BASE}{kind}/"
    return iri[len(prefix) :] if iri.startswith(prefix) else None


async def _select(client: httpx.AsyncClient, query: str) -> list[dict[str, str]]:
    response = await client.post("/sparql", data={"query": query}, headers={"accept": SPARQL_JSON})
    response.raise_for_status()
    rows = response.json()["results"]["bindings"]
    return [{k: v["value"] for k, v in row.items()} for row in rows]


async def build_workload(client: httpx.AsyncClient, rng: random.Random) -> Workload:
    """Pools of real requests, from what the server holds; each checked to answer 200."""
    titles = await _select(
        client,
        'SELECT ?d ?t WHERE { ?d a dcat:Dataset ; dct:title ?t FILTER(lang(?t) = "nb") }',
    )
    datasets = sorted({s for row in titles if (s := _slug(row["d"], "dataset"))})
    organisations = sorted(
        {
            s
            for row in await _select(
                client,
                "SELECT DISTINCT ?o WHERE { ?d dpv:hasDataController|dpv:hasDataProcessor ?o }",
            )
            if (s := _slug(row["o"], "organisation"))
        }
    )
    if not datasets or not organisations:
        raise RuntimeError("the served graph has no datasets or no organisations")
    words = sorted({w for row in titles for w in row["t"].lower().split() if len(w) >= 5})
    rng.shuffle(datasets)
    rng.shuffle(organisations)
    rng.shuffle(words)

    pools: dict[str, list[Call]] = {kind: [] for kind in MIX}

    # named queries: each with values from its parameters' examples, choices and the graph
    described = (await client.get("/queries", headers={"accept": "application/json"})).json()
    for query in described:
        for variant in range(6):
            params: list[tuple[str, str]] = []
            for p in query["parameters"]:
                kind = p["type"]
                if p["choices"]:
                    params.append((p["name"], p["choices"][variant % len(p["choices"])]))
                elif kind == "iri(dataset)":
                    params.append((p["name"], datasets[variant % len(datasets)]))
                elif kind == "iri(organisation)":
                    params.append((p["name"], organisations[variant % len(organisations)]))
                elif kind == "string" and p["example"] and "search" in query["name"]:
                    params.append((p["name"], words[variant % len(words)] if words else "helse"))
                elif p["example"] is not None and (p["required"] or variant % 2):
                    params.append((p["name"], str(p["example"])))
            if query["form"] in ("CONSTRUCT", "DESCRIBE"):
                accept = "text/turtle"
            else:
                accept = "text/csv" if variant % 4 == 3 else SPARQL_JSON
            path = f"/queries/{query['name']}" + (f"?{urlencode(params)}" if params else "")
            pools["named query"].append(Call("GET", path, (("accept", accept),)))

    # /sparql: what the pages and programs ask, by form POST and by GET
    selects = [
        "SELECT ?kind (COUNT(?d) AS ?n) WHERE { ?d a dcat:Dataset ; a ?kind . "
        "?kind rdfs:subClassOf dcat:Dataset } GROUP BY ?kind",
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        *(
            "SELECT ?d ?t WHERE { ?d a dcat:Dataset ; dct:title ?t "
            f'FILTER(CONTAINS(LCASE(STR(?t)), "{w}")) }} LIMIT 50'
            for w in words[:8]
        ),
        *(
            "SELECT DISTINCT ?d ?t WHERE { ?d dpv:hasDataController "
            f"<{ID_BASE}organisation/{o}> OPTIONAL {{ ?d dct:title ?t }} }} ORDER BY ?t"
            for o in organisations[:8]
        ),
    ]
    for i, text in enumerate(selects):
        if i % 2:
            pools["sparql select"].append(
                Call("GET", f"/sparql?query={quote(text, safe='')}", (("accept", SPARQL_JSON),))
            )
        else:
            pools["sparql select"].append(
                Call("POST", "/sparql", (("accept", SPARQL_JSON),), (("query", text),))
            )
    for d in datasets[:4]:
        describe = f"DESCRIBE <{ID_BASE}dataset/{d}>"
        pools["sparql select"].append(
            Call("POST", "/sparql", (("accept", "text/turtle"),), (("query", describe),))
        )

    # resource pages: every source, and the organisations
    html = (("accept", "text/html"),)
    pools["resource page"] = [Call("GET", f"/id/dataset/{d}", html) for d in datasets] + [
        Call("GET", f"/id/organisation/{o}", html) for o in organisations
    ]

    # browse pages: unfiltered, one facet, two facets, a search, page 2
    first = (await client.get("/?format=json")).json()
    browse = ["/", "/?page=2"] if first["pages"] > 1 else ["/"]
    one_facet = [v["url"] for values in first["facets"].values() for v in values]
    rng.shuffle(one_facet)
    browse += one_facet[:30]
    for url in one_facet[:6]:
        second = (await client.get(url + "&format=json")).json()
        two = [v["url"] for values in second["facets"].values() for v in values]
        browse += rng.sample(two, min(4, len(two)))
    browse += [f"/?q={quote(w)}" for w in words[:6]]
    pools["browse page"] = [Call("GET", url, html) for url in dict.fromkeys(browse)]

    pools["catalog quality"] = [
        Call("GET", f"/catalog/quality?profile={p}", (("accept", "application/json"),))
        for p in PROFILES
    ]
    pools["catalog harvest"] = [
        Call("GET", f"/catalog?profile={p}", (("accept", "text/turtle"),)) for p in PROFILES
    ]

    # every request once (this also warms the server's caches): a 5xx stops here, a request
    # that is refused leaves the pool (and is reported), so the run sends only good requests
    dropped: list[str] = []
    for kind, calls in pools.items():
        kept = []
        for call in calls:
            response = await send(client, call)
            if response.status_code >= 500:
                raise RuntimeError(
                    f"{kind}: {call.method} {call.path} answered {response.status_code}: "
                    f"{response.text[:300]}"
                )
            if response.status_code == 200:
                kept.append(call)
            else:
                dropped.append(f"{call.method} {call.path}: {response.status_code}")
        if not kept:
            raise RuntimeError(f"no request of kind {kind!r} answers 200: {dropped[-3:]}")
        pools[kind] = kept
    return Workload(pools, dropped=dropped)


# -- the run --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One answered request: its kind, status and latency (s), sent ``at`` seconds into the run
    (negative: during the warm-up)."""

    kind: str
    status: int
    seconds: float
    at: float


@dataclass
class LoadResult:
    """What a run measured. Throughput, latency and growth leave the warm-up out; the counts of
    5xx and connection errors keep it in (a failure is a failure)."""

    seconds: float
    warmup: float
    clients: int
    samples: list[Sample]
    errors: Counter[str]
    memory: list[MemorySample]
    generator_cpu: float
    pool_sizes: dict[str, int]
    dropped: list[str]
    #: The machine's 1-minute load average when the measured run started and when it ended.
    load_average: tuple[float, float] = (0.0, 0.0)

    @property
    def measured(self) -> list[Sample]:
        return [s for s in self.samples if s.at >= 0]

    @property
    def statuses(self) -> Counter[int]:
        return Counter(s.status for s in self.samples)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    @property
    def client_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if 400 <= status < 500)

    @property
    def connection_errors(self) -> int:
        return sum(self.errors.values())

    def growth(self) -> tuple[float, float, float]:
        """(first-third mean, last-third mean, growth) of the total memory after the warm-up, MB."""
        after = [m.total for m in self.memory if m.at >= 0]
        if len(after) < 3:
            return (0.0, 0.0, 0.0)
        third = len(after) // 3
        first, last = statistics.fmean(after[:third]), statistics.fmean(after[-third:])
        return first, last, last - first

    def growth_bound(self, share: float = 0.15, floor: float = 50.0) -> float:
        """The largest growth taken as no leak: ``share`` of the start, at least ``floor`` MB."""
        return max(share * self.growth()[0], floor)


async def _run(
    url: str,
    pid: int,
    *,
    seconds: float,
    warmup: float,
    clients: int,
    seed: int,
    workload: Workload | None = None,
) -> LoadResult:
    rng = random.Random(seed)  # noqa: S311 - a reproducible mix, not a secret
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    timeout = httpx.Timeout(60.0)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout) as client:
        workload = workload or await build_workload(client, rng)
        samples: list[Sample] = []
        errors: Counter[str] = Counter()
        memory: list[MemorySample] = []
        cpu_started = time.process_time()
        started = time.perf_counter() + warmup  # t = 0 when the measured run starts
        stop = started + seconds

        async def user(number: int) -> None:
            own = random.Random(f"{seed}/{number}")  # noqa: S311 - reproducible
            while (now := time.perf_counter()) < stop:
                kind, call = workload.next(own)
                try:
                    response = await send(client, call)
                except httpx.HTTPError as err:
                    errors[f"{kind}: {type(err).__name__}"] += 1
                    continue
                done = time.perf_counter()
                workload.saw(call, response)
                samples.append(Sample(kind, response.status_code, done - now, now - started))

        load_start = 0.0

        async def sampler() -> None:
            nonlocal load_start
            while (now := time.perf_counter()) < stop:
                memory.append(memory_sample(pid, now - started))
                if not load_start and now >= started:
                    load_start = os.getloadavg()[0]
                await asyncio.sleep(SAMPLE_INTERVAL)

        await asyncio.gather(sampler(), *(user(i) for i in range(clients)))
        generator_cpu = time.process_time() - cpu_started
    return LoadResult(
        seconds=seconds,
        warmup=warmup,
        clients=clients,
        samples=samples,
        errors=errors,
        memory=memory,
        generator_cpu=generator_cpu,
        pool_sizes={kind: len(calls) for kind, calls in workload.pools.items()},
        dropped=workload.dropped,
        load_average=(load_start, os.getloadavg()[0]),
    )


def run_load(
    url: str, pid: int, *, seconds: float, warmup: float, clients: int, seed: int = 6
) -> LoadResult:
    """Build the pools from the server at ``url``, warm up, then drive it for ``seconds``."""
    return asyncio.run(_run(url, pid, seconds=seconds, warmup=warmup, clients=clients, seed=seed))


# -- the report -----------------------------------------------------------------------------------


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _statuses(counts: Counter[int] | Counter[str]) -> str:
    return ", ".join(f"{k}: {n}" for k, n in sorted(counts.items(), key=lambda kv: str(kv[0])))


def report(result: LoadResult) -> str:
    """The run as Markdown tables: requests per kind, memory over time."""
    measured = result.measured
    kinds = sorted({s.kind for s in measured}, key=_order)
    lines = [
        f"{result.clients} clients for {result.seconds:g} s after a {result.warmup:g} s "
        f"warm-up; the generator took {result.generator_cpu:.1f} s of CPU "
        f"({100 * result.generator_cpu / (result.seconds + result.warmup):.0f}% of one core); "
        f"load average {result.load_average[0]:.2f} at the start, "
        f"{result.load_average[1]:.2f} at the end.",
        "",
        "| kind | requests | req/s | p50 ms | p99 ms | statuses |",
        "|---|---|---|---|---|---|",
    ]
    for kind in [*kinds, "total"]:
        chosen = [s for s in measured if kind in ("total", s.kind)]
        if not chosen:
            continue
        latencies = [s.seconds for s in chosen]
        name = f"**{kind}**" if kind == "total" else kind
        lines.append(
            f"| {name} | {len(chosen)} | {len(chosen) / result.seconds:.1f} | "
            f"{_ms(_percentile(latencies, 0.5))} | {_ms(_percentile(latencies, 0.99))} | "
            f"{_statuses(Counter(s.status for s in chosen))} |"
        )
    errors = _statuses(result.errors) if result.errors else "none"
    warm = Counter(s.status for s in result.samples if s.at < 0)
    lines += [
        "",
        f"Warm-up: {sum(warm.values())} requests ({_statuses(warm)}). Connection errors: {errors}.",
    ]
    if result.dropped:
        lines.append(f"Left out of the pools (refused when checked): {'; '.join(result.dropped)}.")
    after = [m for m in result.memory if m.at >= 0]
    if after:
        first, last, growth = result.growth()
        lines += [
            "",
            "| resident memory, MB | server | its children | total |",
            "|---|---|---|---|",
        ]
        for label, sample in (
            ("after the warm-up", after[0]),
            ("middle of the run", after[len(after) // 2]),
            ("end of the run", after[-1]),
        ):
            lines.append(
                f"| {label} ({sample.at:.0f} s) | {sample.server:.0f} | "
                f"{sample.children:.0f} | {sample.total:.0f} |"
            )
        peak = max(after, key=lambda m: m.total)
        lines.append(
            f"| peak ({peak.at:.0f} s) | {peak.server:.0f} | {peak.children:.0f} | "
            f"{peak.total:.0f} |"
        )
        lines += [
            "",
            f"Children: the {after[-1].processes - 1} processes the server started (its query "
            "workers and multiprocessing's resource tracker). "
            f"Memory growth (mean of the last third of {len(after)} samples minus the first "
            f"third's): {first:.1f} → {last:.1f} MB, **{growth:+.1f} MB "
            f"({100 * growth / first:+.1f}%)**; bound {result.growth_bound():.0f} MB "
            f"(15% or 50 MB, whichever is larger).",
        ]
    return "\n".join(lines)


def _order(kind: str) -> int:
    names = [*MIX, "catalog harvest, full", "catalog harvest, conditional"]
    base = kind.split(",")[0] if kind.startswith("catalog harvest") else kind
    return names.index(base) * 10 + (1 if kind.endswith("conditional") else 0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--warmup", type=float, default=15.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument(
        "--sources", type=int, default=None, help="serve a synthetic catalog of N sources"
    )
    parser.add_argument("--work", type=Path, default=None, help="scratch directory")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="helsegraf-load-"))
    store = synthetic_store(work, args.sources) if args.sources else real_store(work)
    print(f"# helsegraf load test, {time.strftime('%Y-%m-%d %H:%M')}")
    print(
        f"\nMachine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}. Graph: "
        f"{f'synthetic, {args.sources:,} sources' if args.sources else 'the real listing'}.\n",
        flush=True,
    )
    with serve(store, work / "server.log") as server:
        result = run_load(
            server.url,
            server.process.pid,
            seconds=args.seconds,
            warmup=args.warmup,
            clients=args.clients,
            seed=args.seed,
        )
    print(report(result))
    print(f"\nPools: {_statuses(Counter(result.pool_sizes))}.")
    failed = result.server_errors or result.connection_errors
    if failed:
        print(f"\nFAILED: {result.server_errors} 5xx, {result.connection_errors} connection errors")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
