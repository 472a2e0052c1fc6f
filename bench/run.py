"""helsegraf's benchmarks, one command: ``python -m bench.run`` (or ``make bench``).

Each figure is measured several times and printed as min / median / max, next to a reference
measured in the same run on the same data, and the ratio between the medians:

* **publish**: load + SHACL gate + publish of a synthetic catalog (:mod:`bench.generate`) by
  :func:`helsegraf.bulk.publish_generation`, against pyoxigraph's raw ``bulk_load`` of the
  same files; wall time and peak memory (max RSS of the process that did it);
* **sparql**: throughput and p50/p99 latency of ``/sparql`` for representative queries (a
  named query, a facet count, a free-text search, a DESCRIBE), each sent with the same text
  every time and with a distinct text every time, against ``oxigraph serve-read-only`` on the
  same store directory. Both servers run at once and their runs alternate; both meet the
  same load generator: ``wrk`` (a fixed number of connections for a fixed time, on loopback)
  when it is installed, else an asyncio generator that costs more CPU than either server;
* **pages**: p50/p99 of the browse page and a resource page (no reference);
* **memory**: resident memory of the serving processes (server and query workers) after the
  load, against ``oxigraph serve-read-only``'s.

The machine is shared by the load generator and the server, as it would be by any local
test; both servers meet the same generator, so the ratios are fair even where the absolute
numbers are modest. Options: ``--sizes 1000,10000,100000 --runs 3 --seconds 5``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx

from bench.generate import graph_files
from helsegraf.bulk import GraphFile
from helsegraf.catalog import DEFAULT_PAGE_SIZE
from helsegraf.namespaces import sparql_prologue
from helsegraf.store import data_directory
from tests.live import free_port

ROOT = Path(__file__).resolve().parent.parent

# -- measuring in a child process ------------------------------------------------------------

_PUBLISH = """
import sys, time
from pathlib import Path
from helsegraf.bulk import GraphFile, publish_generation
files = [GraphFile(g, Path(p)) for g, p in zip(sys.argv[2::2], sys.argv[3::2])]
started = time.perf_counter()
result = publish_generation(Path(sys.argv[1]), files)
assert result.report.conforms, result.report.text()[:2000]
import resource
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

_RAW = """
import sys, time
import pyoxigraph as ox
started = time.perf_counter()
store = ox.Store(sys.argv[1])
for graph, path in zip(sys.argv[2::2], sys.argv[3::2]):
    store.bulk_load(path=path, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
store.flush()
import resource
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _child(script: str, args: Sequence[str]) -> tuple[float, float]:
    """Run ``script`` in a fresh interpreter: (seconds, peak RSS in MB) as it reports them."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    seconds, peak_kb = done.stdout.strip().splitlines()[-1].split()
    return float(seconds), int(peak_kb) / 1024


def _arguments(files: Sequence[GraphFile]) -> list[str]:
    return [str(part) for file in files for part in (file.graph, file.path)]


@dataclass
class Row:
    """One line of a table: a figure over runs, and its reference."""

    what: str
    values: list[float]
    reference: list[float]
    unit: str
    higher_is_better: bool = False

    def cells(self) -> list[str]:
        def spread(values: list[float]) -> str:
            if not values:
                return "–"
            d = _digits(values)
            low, mid, high = min(values), statistics.median(values), max(values)
            return f"{low:.{d}f} / {mid:.{d}f} / {high:.{d}f}"

        ratio = "–"
        if self.values and self.reference:
            ratio = f"{statistics.median(self.values) / statistics.median(self.reference):.2f}"
        return [self.what, f"{spread(self.values)} {self.unit}", spread(self.reference), ratio]


def _digits(values: list[float]) -> int:
    return 0 if statistics.median(values) >= 100 else 2 if statistics.median(values) < 10 else 1


def _table(title: str, header: Sequence[str], rows: Sequence[Row]) -> str:
    lines = [f"\n### {title}\n", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return "\n".join(lines)


# -- publish --------------------------------------------------------------------------------


def bench_publish(size: int, files: list[GraphFile], work: Path, runs: int) -> list[Row]:
    times, peaks, raw_times, raw_peaks = [], [], [], []
    for run in range(runs):
        root = work / f"publish-{size}-{run}"
        seconds, peak = _child(_PUBLISH, [str(root), *_arguments(files)])
        times.append(seconds)
        peaks.append(peak)
        shutil.rmtree(root, ignore_errors=True)
        raw = work / f"raw-{size}-{run}"
        seconds, peak = _child(_RAW, [str(raw), *_arguments(files)])
        raw_times.append(seconds)
        raw_peaks.append(peak)
        shutil.rmtree(raw, ignore_errors=True)
    return [
        Row(f"{size:,} sources: load + gate + publish", times, raw_times, "s"),
        Row(f"{size:,} sources: peak memory", peaks, raw_peaks, "MB"),
    ]


# -- serving --------------------------------------------------------------------------------


@contextmanager
def helsegraf_server(store: Path) -> Iterator[tuple[str, int]]:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter
        [sys.executable, "-m", "helsegraf.cli", "serve", "--port", str(port)],
        env={
            **os.environ,
            "HELSEGRAF_STORE": str(store),
            "HELSEGRAF_QUERY_TIMEOUT": "30",
            "PYTHONPATH": str(ROOT),
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    try:
        yield _wait(f"http://127.0.0.1:{port}", "/ready", process), process.pid
    finally:
        process.terminate()
        process.wait(timeout=20)


@contextmanager
def oxigraph_server(store: Path) -> Iterator[tuple[str, int]]:
    port = free_port()
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    process = subprocess.Popen(  # noqa: S603 - the oxigraph binary of the venv
        [
            binary,
            "serve-read-only",
            "--location",
            str(data_directory(store)),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield _wait(f"http://127.0.0.1:{port}", "/query?query=ASK%7B%7D", process), process.pid
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait(url: str, probe: str, process: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server at {url} exited with {process.returncode}")
        try:
            if httpx.get(url + probe, timeout=5).status_code == 200:
                return url
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the server at {url} did not start")


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(proc.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _cpu_seconds(pids: Sequence[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def _settle(pid: int, limit: float = 300.0) -> None:
    """Wait until the server and its workers are idle (under 5% of a core for a second).

    After a start, helsegraf computes the browse page's facet counts and the catalog's index
    in the background (minutes at 100k sources); a throughput figure taken meanwhile would
    measure that work, not the queries.
    """
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        pids = _tree(pid)
        before = _cpu_seconds(pids)
        time.sleep(1.0)
        if _cpu_seconds(pids) - before < 0.05:
            return


def _rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants, in MB."""
    total = 0.0
    for current in _tree(pid):
        try:
            for line in (Path("/proc") / str(current) / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            continue
    return total


async def _drive(
    send: Callable[[httpx.AsyncClient], object], seconds: float, clients: int
) -> tuple[float, list[float], int]:
    """``clients`` loops sending requests for ``seconds``: (requests/s, latencies, errors)."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:

        async def loop() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await send(client)  # type: ignore[misc]
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(loop() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, latencies, errors


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


QUERIES = {
    "named query (consent-free, Helse Bergen)": """
        SELECT DISTINCT ?dataset ?title WHERE {
          ?dataset dpv:hasDataController hgid:organisation\\/helse-bergen-hf ;
                   hg:consentRegime ?regime .
          FILTER(?regime IN (hg:ConsentNotRequired, hg:OptOut))
          OPTIONAL { ?dataset dct:title ?title FILTER(lang(?title) = "nb") }
        } ORDER BY ?title LIMIT 200""",
    "facet count (by kind)": """
        SELECT ?kind (COUNT(?d) AS ?n) WHERE {
          ?d a dcat:Dataset ; a ?kind . ?kind rdfs:subClassOf dcat:Dataset
        } GROUP BY ?kind""",
    "free-text search (title)": """
        SELECT ?d ?title WHERE {
          ?d dct:title ?title FILTER(CONTAINS(LCASE(STR(?title)), "datakilde 4242"))
        } LIMIT 50""",
    "DESCRIBE one source": "DESCRIBE <https://w3id.org/helsegraf/id/dataset/syn-7>",
}


#: How the benchmark varies the query text: "same text" sends one text again and again (what
#: a page's named queries and a dashboard's counts do; helsegraf answers a repeat from its
#: answer cache); "distinct texts" ends each request's text with a comment of its own, so no
#: request repeats an earlier one and every answer is computed.
TEXT_MODES = ("same text", "distinct texts")


_WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Accept"] = "{accept}"
local body = "{body}"
local distinct = {distinct}
local sent = 0
local thread_tag = tostring(math.random(1, 1000000000))
request = function()
  sent = sent + 1
  if distinct then
    return wrk.format(nil, nil, nil, body .. "%0A%23+" .. thread_tag .. "-" .. tostring(sent))
  end
  return wrk.format(nil, nil, nil, body)
end
"""

_WRK_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def _wrk(
    url: str, form: str, accept: str, distinct: bool, seconds: float, clients: int
) -> tuple[float, float, float]:
    """One wrk run: (requests/s, p50 ms, p99 ms); any non-2xx answer or socket error fails."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            _WRK_SCRIPT.format(accept=accept, body=form, distinct="true" if distinct else "false")
        )
    try:
        done = subprocess.run(  # noqa: S603 - Debian's wrk, bounded in time and connections
            [
                shutil.which("wrk") or "wrk",
                "--threads",
                "1",
                "--connections",
                str(clients),
                "--duration",
                f"{seconds:g}s",
                "--timeout",
                "30s",
                "--latency",
                "--script",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        )
    finally:
        Path(script.name).unlink()
    out = done.stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk saw failed requests at {url}:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    latency = {
        q: float(v) * _WRK_UNITS[unit]
        for q, v, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    }
    return rate, latency["50"], latency["99"]


def load_generator() -> str:
    """``wrk`` (Debian's package ``wrk``) when installed, else the Python generator."""
    return "wrk" if shutil.which("wrk") else "python"


def bench_sparql(store: Path, seconds: float, clients: int, runs: int) -> list[Row]:
    """Both servers run at once over the same store, and their runs alternate, so a change
    in what else the machine does falls on both alike."""
    rows: list[Row] = []
    prologue = sparql_prologue()
    results: dict[tuple[str, str], dict[str, list[tuple[float, float, float]]]] = {}
    generator = load_generator()
    with helsegraf_server(store) as (ours, pid), oxigraph_server(store) as (theirs, _pid):
        _settle(pid)
        endpoints = {"helsegraf": ours + "/sparql", "oxigraph": theirs + "/query"}
        for label, text in QUERIES.items():
            accept = (
                "text/turtle"
                if text.strip().startswith("DESCRIBE")
                else "application/sparql-results+json"
            )
            for mode in TEXT_MODES:
                target = (prologue + text, accept, mode == "distinct texts")
                for endpoint in endpoints.values():
                    _measure(generator, endpoint, *target, 1.0, clients)  # warm-up
                for _ in range(runs):
                    for name, endpoint in endpoints.items():
                        results.setdefault((label, mode), {}).setdefault(name, []).append(
                            _measure(generator, endpoint, *target, seconds, clients)
                        )
    for (label, mode), measured in results.items():
        ours, theirs = measured["helsegraf"], measured["oxigraph"]
        figure = f"{label}, {mode}"
        rows.append(
            Row(
                f"{figure}: throughput",
                [r[0] for r in ours],
                [r[0] for r in theirs],
                "req/s",
                higher_is_better=True,
            )
        )
        rows.append(Row(f"{figure}: p50", [r[1] for r in ours], [r[1] for r in theirs], "ms"))
        rows.append(Row(f"{figure}: p99", [r[2] for r in ours], [r[2] for r in theirs], "ms"))
    return rows


def _measure(
    generator: str, url: str, query: str, accept: str, distinct: bool, seconds: float, clients: int
) -> tuple[float, float, float]:
    if generator == "wrk":
        return _wrk(url, urlencode({"query": query}), accept, distinct, seconds, clients)
    return _python_generator(url, query, accept, distinct, seconds, clients)


def _python_generator(
    url: str, query: str, accept: str, distinct: bool, seconds: float, clients: int
) -> tuple[float, float, float]:
    """The asyncio generator, where wrk is not installed (it costs more CPU per request than
    either server, so it flattens the ratios: bench/README.md)."""
    sent = itertools.count()

    async def send(client: httpx.AsyncClient) -> object:
        body = {"query": f"{query}\n# {next(sent)}" if distinct else query}
        return await client.post(url, data=body, headers={"Accept": accept})

    rate, latencies, errors = asyncio.run(_drive(send, seconds, clients))
    if errors:
        raise RuntimeError(f"{errors} failed requests at {url}")
    return rate, _percentile(latencies, 0.5), _percentile(latencies, 0.99)


def bench_pages(store: Path, seconds: float, clients: int, runs: int) -> list[Row]:
    rows: list[Row] = []
    with helsegraf_server(store) as (url, pid), oxigraph_server(store) as (_url, ox_pid):
        pages = {
            "browse page (/)": "/",
            "browse page, filtered": "/?consent=ConsentNotRequired&kind=MedicalQualityRegister",
            "resource page (/id/dataset/syn-7)": "/id/dataset/syn-7",
        }
        for label, page in pages.items():

            async def send(client: httpx.AsyncClient, page: str = page) -> object:
                return await client.get(url + page, headers={"Accept": "text/html"})

            started = time.perf_counter()
            first = httpx.get(url + page, headers={"Accept": "text/html"}, timeout=120)
            cold = (time.perf_counter() - started) * 1000
            if first.status_code != 200:
                raise RuntimeError(f"{label}: {first.status_code}")
            rows.append(Row(f"{label}: first view after start", [cold], [], "ms"))
            asyncio.run(_drive(send, 1.0, clients))
            rows += _latency_rows(label, send, seconds, clients, runs)
        rows += _bench_catalog(url, seconds, clients, runs)
        rows.append(
            Row("serving processes: resident memory", [_rss_mb(pid)], [_rss_mb(ox_pid)], "MB")
        )
    return rows


def _latency_rows(
    label: str,
    send: Callable[[httpx.AsyncClient], object],
    seconds: float,
    clients: int,
    runs: int,
) -> list[Row]:
    """p50 and p99 of ``runs`` runs of ``send`` (no reference); a failed request fails."""
    p50, p99 = [], []
    for _ in range(runs):
        _rate, latencies, errors = asyncio.run(_drive(send, seconds, clients))
        if errors:
            raise RuntimeError(f"{errors} failed requests for {label}")
        p50.append(_percentile(latencies, 0.5))
        p99.append(_percentile(latencies, 0.99))
    return [Row(f"{label}: p50", p50, [], "ms"), Row(f"{label}: p99", p99, [], "ms")]


def _bench_catalog(url: str, seconds: float, clients: int, runs: int) -> list[Row]:
    """/catalog as a harvester meets it: the first page, and a walk through every page, each
    fetched once (so each is built, not served from the cache), cycling when all are seen."""
    rows: list[Row] = []
    started = time.perf_counter()
    first = httpx.get(url + "/catalog", headers={"Accept": "text/turtle"}, timeout=300)
    if first.status_code != 200:
        raise RuntimeError(f"/catalog: {first.status_code}")
    cold = (time.perf_counter() - started) * 1000
    rows.append(Row("catalog, first page: first request after start", [cold], [], "ms"))
    total = re.search(rb"hydra:totalItems (\d+)", first.content)
    pages = -(-int(total.group(1)) // DEFAULT_PAGE_SIZE) if total else 1
    counter = itertools.count()

    async def walk(client: httpx.AsyncClient) -> object:
        page = next(counter) % pages + 1
        return await client.get(f"{url}/catalog?page={page}", headers={"Accept": "text/turtle"})

    rows += _latency_rows(
        f"catalog harvest, each of {pages} pages once", walk, seconds, clients, runs
    )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--work", type=Path, default=None, help="scratch directory")
    parser.add_argument(
        "--only", default="publish,sparql,pages", help="which tables: publish, sparql, pages"
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    work = args.work or Path(tempfile.mkdtemp(prefix="helsegraf-bench-"))
    print(f"# helsegraf benchmarks, {time.strftime('%Y-%m-%d')}")
    print(
        f"\nMachine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}, {platform.platform()}. "
        f"{args.runs} runs per figure; serving figures with {args.clients} concurrent clients "
        f"for {args.seconds:g} s each. Cells: min / median / max; "
        "ratio = median / reference median."
    )
    header = ["figure", "helsegraf", "reference", "ratio"]
    for size in sizes:
        files = graph_files(size, work / f"files-{size}")
        if "publish" in args.only:
            rows = bench_publish(size, files, work, args.runs)
            title = f"{size:,} sources: publishing (reference: pyoxigraph bulk_load)"
            print(_table(title, header, rows), flush=True)
        store = work / f"serve-{size}"
        shutil.rmtree(store, ignore_errors=True)
        _child(_PUBLISH, [str(store), *_arguments(files)])
        if "sparql" in args.only:
            rows = bench_sparql(store, args.seconds, args.clients, args.runs)
            title = f"{size:,} sources: /sparql (reference: oxigraph serve-read-only)"
            print(_table(title, header, rows), flush=True)
        if "pages" in args.only:
            rows = bench_pages(store, args.seconds, args.clients, args.runs)
            title = f"{size:,} sources: pages and memory (reference: oxigraph's memory)"
            print(_table(title, header, rows), flush=True)
        shutil.rmtree(store, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
