"""The official DCAT shape sets, loaded from ``../shared/standards``, repaired in memory, run.

The shape files are not part of helsegraf: they stay where the standards bodies publish them
(``HELSEGRAF_STANDARDS``, by default ``../shared/standards``) and are read at run time.
Tests validate the ``/catalog`` views against the shapes the standards bodies publish, not
against a copy of them: :func:`shapes` reads the files as they are, applies the few in-memory
repairs that pySHACL 0.40.1 needs to run them at all (each a small named function below whose
docstring says what is wrong upstream), and caches the result. :func:`validate` merges the
concept statements a view relies on (``background``) into a copy of the data graph and runs
pySHACL without inference.

The shape sets (:data:`SHAPE_SETS`):

``dcat-ap-3.0.1``
    SEMIC's ``releases/3.0.1/html/shacl`` set: ``shapes.ttl`` (cardinalities, node kinds,
    datatypes), ``range.ttl`` (class ranges), ``mdr-vocabularies.shape.ttl`` (controlled
    vocabularies), ``shapes_recommended.ttl`` (recommended properties, all ``sh:Warning``) and
    ``deprecateduris.ttl`` (deprecated terms, ``sh:Warning``). This is *the* DCAT-AP 3.0.1 set
    because it is the one the published validators run: the SHACL section of the DCAT-AP 3.0.1
    specification points at these files, the EU interoperability test bed's DCAT-AP validator is
    configured with them, and HealthDCAT-AP imports them and extends their node shapes by IRI
    (``…/3.0.0/html/shacl/shapes.ttl#Dataset_Shape``). It is also the only set that checks
    controlled vocabularies. The ``imports``/``mdr_imports`` files hold only ``owl:imports`` of
    background vocabularies and add no shapes, so they are left out.
``dcat-ap-3.0.1-full``
    The toolchain-generated ``releases/3.0.1/shacl/dcat-ap-SHACL.ttl``: cardinalities, node
    kinds, datatypes and class ranges derived from the UML model, no vocabularies, no severities.
    Validating against it as well is cheap and catches the few constraints the hand-written set
    lacks (e.g. ``adms:Identifier`` ``skos:notation`` ≥ 1). The generated ``ranges.ttl`` is not
    used: it is a subset of ``dcat-ap-SHACL.ttl`` plus two ``sh:class rdfs:Resource`` shapes
    (meaningless without RDFS inference) and five more dangling references.
``dcat-ap-no-3``
    Digdir's DCAT-AP-NO v3 rules (beta): ``dcatapno3-core-shapes.ttl``,
    ``dcatapno3-range-shapes.ttl`` and ``dcatapno3-vocabulary-shapes.ttl``, used together.
``dcat-ap-no-2``
    The DCAT-AP-NO v2.2 rule set (``DCAT-AP-NO-shacl_shapes_2.00.ttl``), current on
    data.norge.no; optional, for comparison.
``healthdcat-ap-8-public``, ``healthdcat-ap-8-non-public``, ``healthdcat-ap-8-restricted``
    HealthDCAT-AP Release 8 at one access level, as the validator's ``config.properties``
    combines it: ``shapes/graph-guard.ttl``, ``deprecateduris.ttl`` (DCAT-AP 3.0.1's copy),
    ``imports/*.ttl``, ``ranges/range.ttl``, ``shapes/<level>-shapes.ttl``,
    ``controlled-vocabularies/mdr-vocabularies.shape.ttl``,
    ``recommended/<level>-shapes_recommended.ttl``, plus the DCAT-AP html/shacl ``shapes.ttl``,
    ``range.ttl`` and ``shapes_recommended.ttl`` they import. Every ``dcat:Dataset`` in the graph
    is checked against the one level (its ``dct:accessRights`` must be that level's value).

No shape set uses SHACL Advanced Features (``sh:target``, rules, SPARQL targets); the one SPARQL
constraint (HealthDCAT's graph guard) is SHACL-SPARQL, which pySHACL runs without ``advanced``.
:func:`validate` still switches ``advanced`` on if a set ever needs it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate as pyshacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, SKOS
from rdflib.term import Node

from helsegraf import paths, rdfsafe

#: ``../shared/standards`` beside the repository (``helsegraf.paths.DEFAULT_STANDARDS``).
STANDARDS_DIR: Path = getattr(
    paths, "DEFAULT_STANDARDS", paths.PROJECT_ROOT.parent / "shared" / "standards"
)

#: Base IRI the shape files are parsed with, so relative IRIs (``<#DatasetPresenceGuard>``)
#: name the file, not a path on this machine.
SHAPES_BASE = "https://standards.helsegraf.invalid/"

Repair = Callable[[Graph], list[tuple[Node, Node, Node]]]


# --------------------------------------------------------------------------------------------
# Repairs. Each takes the shapes of ONE upstream file, fixes it in place and returns the triples
# it removed. Each raises RepairNotApplicableError when it finds nothing to repair, so a repair that
# upstream has made unnecessary fails loudly instead of silently doing nothing.
# --------------------------------------------------------------------------------------------


class RepairNotApplicableError(RuntimeError):
    """A repair found nothing to repair: upstream changed, revisit the repair."""


def drop_dangling_property_references(graph: Graph) -> list[tuple[Node, Node, Node]]:
    """Drop ``sh:property`` references to property shapes that the file never defines.

    Upstream: ``releases/3.0.1/shacl/dcat-ap-SHACL.ttl`` (generated) lists
    ``…#dcat:DataServiceShape/dc08f4dc…`` (``dcat:endpointDescription``) and
    ``…#dcat:DataServiceShape/eb3ac4e4…`` (``dcat:endpointURL``) as ``sh:property`` of
    ``dcat:DataServiceShape`` but has no triple about either. pySHACL 0.40.1 aborts
    ("exists but is not a well-formed SHACL PropertyShape") as soon as a ``dcat:DataService`` is
    validated. The generated ``ranges.ttl`` shows what they were: ``sh:class rdfs:Resource``,
    which every resource satisfies, so the generator dropped the shapes but not the references.

    Repair: remove only the ``sh:property`` triples whose object is an IRI with no triple as a
    subject. A reference to nothing carries no constraint, so no constraint is lost; the other
    DataService shapes (``dcat:endpointURL`` minCount 1, node kind IRI, …) stay.
    """
    dangling: list[tuple[Node, Node, Node]] = [
        (shape, SH.property, target)
        for shape, target in graph.subject_objects(SH.property)
        if isinstance(target, URIRef) and (target, None, None) not in graph
    ]
    if not dangling:
        raise RepairNotApplicableError("no dangling sh:property reference")
    for triple in dangling:
        graph.remove(triple)
    return dangling


def detach_pathless_property_shapes(graph: Graph) -> list[tuple[Node, Node, Node]]:
    """Turn ``sh:property`` values that have no ``sh:path`` into node shapes on the same targets.

    Upstream: HealthDCAT-AP R8 ``shapes/{public,non-public,restricted}-shapes.ttl`` give
    ``:Dataset_Shape`` (target ``dcat:Dataset``) a ``sh:property [ sh:or (…) ; sh:severity
    sh:Violation ; sh:message "If healthdcatap:hasStructuredData is true, the dataset must
    include at least one healthdcatap:hasVariables." ]`` with no ``sh:path``. A property shape
    must have exactly one ``sh:path``, so pySHACL 0.40.1 aborts on every validation ("is not a
    well-formed SHACL PropertyShape"). The ``sh:or`` members are node-level conditions on the
    dataset (each has its own path-bearing property shapes), i.e. the author meant a constraint
    on the dataset node itself.

    Repair: remove the ``parent sh:property shape`` link, type the shape ``sh:NodeShape`` and
    give it the parent's targets. The constraint, its severity and its message are kept and apply
    to exactly the focus nodes the parent applies to. Raises if a parent has no target (then the
    shape would apply to nothing and the repair would weaken it).
    """
    target_predicates = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
    pathless = [
        (parent, shape)
        for parent, shape in graph.subject_objects(SH.property)
        if (shape, SH.path, None) not in graph and (shape, None, None) in graph
    ]
    if not pathless:
        raise RepairNotApplicableError("no property shape without sh:path")
    removed: list[tuple[Node, Node, Node]] = []
    for parent, shape in pathless:
        targets = [(p, o) for p in target_predicates for o in graph.objects(parent, p)]
        if not targets:
            raise RepairNotApplicableError(f"{parent} has a pathless property shape but no target")
        graph.remove((parent, SH.property, shape))
        removed.append((parent, SH.property, shape))
        graph.add((shape, RDF.type, SH.NodeShape))
        for predicate, target in targets:
            graph.add((shape, predicate, target))
    return removed


# --------------------------------------------------------------------------------------------
# The shape sets.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShapeFile:
    """One upstream file of a shape set (relative to :data:`STANDARDS_DIR`) and its repairs."""

    path: str
    repairs: tuple[Repair, ...] = ()


_DCATAP = "dcat-ap-3.0.1/"
_HEALTH = "healthdcat-ap/"
#: DCAT-AP 3.0.1 html/shacl files that HealthDCAT-AP imports.
_DCATAP_HTML_CORE = (
    ShapeFile(_DCATAP + "shapes.ttl"),
    ShapeFile(_DCATAP + "range.ttl"),
    ShapeFile(_DCATAP + "shapes_recommended.ttl"),
)


def _healthdcat(level: str) -> tuple[ShapeFile, ...]:
    """HealthDCAT-AP R8 at ``level``, in the order of the validator's ``config.properties``."""
    return (
        ShapeFile(_HEALTH + "shapes/graph-guard.ttl"),
        ShapeFile(_DCATAP + "deprecateduris.ttl"),
        ShapeFile(_HEALTH + "imports/mdr_imports.ttl"),
        ShapeFile(_HEALTH + "imports/imports.ttl"),
        ShapeFile(_HEALTH + "ranges/range.ttl"),
        ShapeFile(_HEALTH + f"shapes/{level}-shapes.ttl", (detach_pathless_property_shapes,)),
        ShapeFile(_HEALTH + "controlled-vocabularies/mdr-vocabularies.shape.ttl"),
        ShapeFile(_HEALTH + f"recommended/{level}-shapes_recommended.ttl"),
        *_DCATAP_HTML_CORE,
    )


#: Every shape set, by name: its files and the repairs applied to each.
SHAPE_SET_FILES: dict[str, tuple[ShapeFile, ...]] = {
    "dcat-ap-3.0.1": (
        *_DCATAP_HTML_CORE,
        ShapeFile(_DCATAP + "mdr-vocabularies.shape.ttl"),
        ShapeFile(_DCATAP + "deprecateduris.ttl"),
    ),
    "dcat-ap-3.0.1-full": (
        ShapeFile(_DCATAP + "dcat-ap-SHACL.ttl", (drop_dangling_property_references,)),
    ),
    "dcat-ap-no-3": (
        ShapeFile("dcat-ap-no/dcatapno3-core-shapes.ttl"),
        ShapeFile("dcat-ap-no/dcatapno3-range-shapes.ttl"),
        ShapeFile("dcat-ap-no/dcatapno3-vocabulary-shapes.ttl"),
    ),
    "dcat-ap-no-2": (ShapeFile("dcat-ap-no/DCAT-AP-NO-shacl_shapes_2.00.ttl"),),
    "healthdcat-ap-8-public": _healthdcat("public"),
    "healthdcat-ap-8-non-public": _healthdcat("non-public"),
    "healthdcat-ap-8-restricted": _healthdcat("restricted"),
}
SHAPE_SETS: tuple[str, ...] = tuple(SHAPE_SET_FILES)

#: HealthDCAT-AP access level of each HealthDCAT shape set (the ``dct:accessRights`` it demands).
HEALTHDCAT_LEVELS: dict[str, URIRef] = {
    "healthdcat-ap-8-public": URIRef(
        "http://publications.europa.eu/resource/authority/access-right/PUBLIC"
    ),
    "healthdcat-ap-8-non-public": URIRef(
        "http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC"
    ),
    "healthdcat-ap-8-restricted": URIRef(
        "http://publications.europa.eu/resource/authority/access-right/RESTRICTED"
    ),
}


def configure(root: Path) -> None:
    """Read the shape sets from ``root`` from now on (forgets the shapes read elsewhere)."""
    global STANDARDS_DIR
    if Path(root) != STANDARDS_DIR:
        STANDARDS_DIR = Path(root)
        parse_file.cache_clear()
        _shapes.cache_clear()
        needs_advanced.cache_clear()


def available(root: Path | None = None) -> bool:
    """Whether the official shape files are there to read."""
    base = Path(root) if root is not None else STANDARDS_DIR
    return all((base / f.path).is_file() for files in SHAPE_SET_FILES.values() for f in files)


def standards_file(relative: str) -> Path:
    """The file ``relative`` under :data:`STANDARDS_DIR`."""
    return STANDARDS_DIR / relative


@functools.cache
def parse_file(relative: str) -> Graph:
    """The upstream file as published (cached; copy before changing it).

    The files come from outside the repository, so they are read through
    :func:`helsegraf.rdfsafe.parse`: bounded in size and triples, nothing fetched.
    """
    return rdfsafe.parse(standards_file(relative), "turtle", base_iri=SHAPES_BASE + relative)


def repaired_file(shape_file: ShapeFile) -> Graph:
    """A fresh copy of ``shape_file`` with its repairs applied."""
    graph = Graph()
    graph += parse_file(shape_file.path)
    for repair in shape_file.repairs:
        repair(graph)
    return graph


def _files(name: str) -> tuple[ShapeFile, ...]:
    """The files of the shape set ``name``."""
    if name not in SHAPE_SET_FILES:
        raise KeyError(f"unknown shape set {name!r}; known: {', '.join(SHAPE_SETS)}")
    return SHAPE_SET_FILES[name]


@functools.cache
def _shapes(name: str) -> Graph:
    """The cached, repaired shapes of ``name`` (shared: never mutate)."""
    graph = Graph()
    for shape_file in _files(name):
        graph += repaired_file(shape_file)
    return graph


def shapes(name: str, *, repaired: bool = True) -> Graph:
    """The official shapes of the set ``name`` (a fresh copy).

    Repaired in memory by default; ``repaired=False`` gives the files exactly as published,
    which pySHACL may refuse to run (the tests use it to show each repair is still needed).
    """
    graph = Graph()
    if repaired:
        graph += _shapes(name)
    else:
        for shape_file in _files(name):
            graph += parse_file(shape_file.path)
    return graph


#: SHACL Advanced Features terms; a set using one needs pySHACL's ``advanced=True``.
_ADVANCED_TERMS = (SH.target, SH.rule, SH.SPARQLTarget, SH.SPARQLRule, SH.TripleRule)


@functools.cache
def needs_advanced(name: str) -> bool:
    """Whether the set uses SHACL-AF (custom targets, rules); none of the current ones does."""
    graph = _shapes(name)
    return any(
        (None, term, None) in graph or (None, RDF.type, term) in graph for term in _ADVANCED_TERMS
    )


# --------------------------------------------------------------------------------------------
# Validation.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One top-level validation result.

    ``shape`` is the source shape; ``shape_label`` names it readably (an anonymous property
    shape as *node shape* ``→`` *path*). ``details`` are the nested results pySHACL attaches to
    ``sh:node`` failures (their severity is that of the reporting shape, not their own), one
    line each.
    """

    focus: Node
    path: str | None
    component: str
    message: str
    severity: str
    shape: Node
    shape_label: str
    value: Node | None = None
    details: tuple[str, ...] = ()

    def line(self) -> str:
        """The result on one line: severity, focus, path, component, value, message, shape."""
        value = f" value={_term(self.value)}" if self.value is not None else ""
        return (
            f"{self.severity}: {_term(self.focus)} {self.path or '-'} "
            f"[{self.component}]{value}: {self.message} (shape {self.shape_label})"
        )


@dataclass(frozen=True)
class Report:
    """The outcome of validating a graph against one shape set.

    ``results`` holds every result (Violation, Warning, Info); ``violations``, ``warnings`` and
    ``infos`` split them by severity. Only Violations make ``conforms`` false: the recommended
    shapes report missing recommended properties as Warnings.
    """

    shape_set: str
    results: tuple[Finding, ...]

    @property
    def violations(self) -> list[Finding]:
        """The results with severity ``sh:Violation``."""
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[Finding]:
        """The results with severity ``sh:Warning``."""
        return [r for r in self.results if r.severity == "Warning"]

    @property
    def infos(self) -> list[Finding]:
        """The results with severity ``sh:Info``."""
        return [r for r in self.results if r.severity == "Info"]

    @property
    def conforms(self) -> bool:
        """True when there is no Violation."""
        return not self.violations

    def focus_nodes(self, severity: str = "Violation") -> set[Node]:
        """The focus nodes of the results with ``severity``."""
        return {r.focus for r in self.results if r.severity == severity}

    @property
    def text(self) -> str:
        """A readable report: a summary line, then one line per result, Violations first."""
        order = {"Violation": 0, "Warning": 1, "Info": 2}
        lines = [
            f"{self.shape_set}: conforms={self.conforms} "
            f"({len(self.violations)} violations, {len(self.warnings)} warnings, "
            f"{len(self.infos)} infos)"
        ]
        for finding in sorted(self.results, key=lambda r: (order.get(r.severity, 3), r.line())):
            lines.append("  " + finding.line())
            lines.extend("      detail: " + detail for detail in finding.details)
        return "\n".join(lines)


def validate(data: Graph, name: str, background: Graph | None = None) -> Report:
    """Validate ``data`` (plus ``background``) against the shape set ``name``.

    ``background`` holds what the shapes expect to find in the data graph but the data does not
    say itself: the concept statements (``skos:inScheme``, ``skos:prefLabel``, types of
    vocabulary terms). pySHACL does not take ``skos:inScheme`` from its ``ont_graph``, so both
    graphs are merged into a fresh graph; neither argument is changed. No inference is run.
    """
    merged = Graph()
    merged += data
    if background is not None:
        merged += background
    _conforms, results, _text = pyshacl_validate(
        merged,
        shacl_graph=_shapes(name),
        inference="none",
        advanced=needs_advanced(name),
        abort_on_first=False,
        allow_infos=True,
        allow_warnings=True,
    )
    assert isinstance(results, Graph)
    return Report(name, tuple(_findings(results, _shapes(name))))


def _findings(results: Graph, shapes_graph: Graph) -> Iterator[Finding]:
    """The top-level results of a pySHACL results graph (``sh:result`` of the report)."""
    for report in results.subjects(RDF.type, SH.ValidationReport):
        for result in results.objects(report, SH.result):
            yield _finding(results, result, shapes_graph)


def _finding(results: Graph, result: Node, shapes_graph: Graph) -> Finding:
    """One ``sh:ValidationResult`` and its nested ``sh:detail`` results."""
    path = results.value(result, SH.resultPath)
    shape = _required(results.value(result, SH.sourceShape))
    details = tuple(
        _finding(results, detail, shapes_graph).line()
        for detail in results.objects(result, SH.detail)
    )
    return Finding(
        focus=_required(results.value(result, SH.focusNode)),
        path=_path(results, path) if path is not None else None,
        component=_local(results.value(result, SH.sourceConstraintComponent)),
        message=" / ".join(sorted(str(m) for m in results.objects(result, SH.resultMessage))),
        severity=_local(results.value(result, SH.resultSeverity)),
        shape=shape,
        shape_label=_shape_label(shapes_graph, shape),
        value=results.value(result, SH.value),
        details=details,
    )


def _shape_label(shapes_graph: Graph, shape: Node) -> str:
    """``shape`` readably: its IRI, or *owning node shape* → *path* for an anonymous one."""
    if not isinstance(shape, BNode):
        return _term(shape)
    owners = sorted(_term(o) for o in shapes_graph.subjects(SH.property, shape))
    path = shapes_graph.value(shape, SH.path)
    where = "|".join(owners) if owners else "[" + ", ".join(_targets(shapes_graph, shape)) + "]"
    return f"{where}→{_path(shapes_graph, path)}" if path is not None else where


def _required(node: Node | None) -> Node:
    """``node``, which pySHACL always sets."""
    assert node is not None
    return node


def _local(node: Node | None) -> str:
    """The local name of a SHACL IRI (``sh:Violation`` → ``Violation``)."""
    text = str(node or "")
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _term(node: Node | None) -> str:
    """A short readable form of a term."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, BNode):
        return "[]"
    if isinstance(node, Literal):
        return repr(str(node))
    return str(node)


def _path(graph: Graph, path: Node) -> str:
    """A SHACL property path in SPARQL-like syntax."""
    if isinstance(path, URIRef):
        return f"<{path}>"
    if (inverse := graph.value(path, SH.inversePath)) is not None:
        return "^" + _path(graph, inverse)
    if (alternatives := graph.value(path, SH.alternativePath)) is not None:
        return "(" + "|".join(_path(graph, p) for p in Collection(graph, alternatives)) + ")"
    for predicate, suffix in (
        (SH.zeroOrMorePath, "*"),
        (SH.oneOrMorePath, "+"),
        (SH.zeroOrOnePath, "?"),
    ):
        if (inner := graph.value(path, predicate)) is not None:
            return _path(graph, inner) + suffix
    if (path, RDF.first, None) in graph:
        return "/".join(_path(graph, p) for p in Collection(graph, path))
    return _term(path)


# --------------------------------------------------------------------------------------------
# Which concept schemes a set checks.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VocabularyUse:
    """Where a shape set requires ``skos:inScheme <scheme>`` of a value.

    ``target`` is the class (or other target) of the focus node, ``path`` the property whose
    values are checked, ``severity`` that of the checking property shape, and
    ``scheme_typed`` whether the scheme itself must be ``a skos:ConceptScheme`` in the graph.
    """

    target: str
    path: str
    severity: str
    scheme_typed: bool


_NESTING = (SH.node, SH.property, SH.qualifiedValueShape, SH["not"])
_LISTS = (SH["or"], SH["and"], SH.xone)


def _parents(graph: Graph) -> dict[Node, set[Node]]:
    """For each shape, the shapes that reference it (``sh:node``, ``sh:or`` members, …)."""
    parents: dict[Node, set[Node]] = {}
    for predicate in _NESTING:
        for parent, child in graph.subject_objects(predicate):
            parents.setdefault(child, set()).add(parent)
    for predicate in _LISTS:
        for parent, members in graph.subject_objects(predicate):
            for child in Collection(graph, members):
                parents.setdefault(child, set()).add(parent)
    return parents


def _chains(
    graph: Graph, parents: dict[Node, set[Node]], shape: Node, seen: frozenset[Node] = frozenset()
) -> Iterator[tuple[list[Node], Node | None, Node]]:
    """Routes from a targeted node shape down to ``shape``.

    Yields (property paths from the focus node down to ``shape``, the outermost property shape
    on the route, which reports the result and sets its severity, the targeted node shape).
    """
    for parent in parents.get(shape, ()):
        if parent in seen:
            continue
        if _targets(graph, parent):
            yield [], None, parent
        for paths_above, top, owner in _chains(graph, parents, parent, seen | {parent}):
            path = graph.value(parent, SH.path)
            if path is None:
                yield paths_above, top, owner
            else:
                yield [*paths_above, path], top or parent, owner


def _targets(graph: Graph, shape: Node) -> list[str]:
    """The targets of ``shape`` as short strings."""
    return [
        f"{_local(predicate)} {_term(target)}"
        for predicate in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
        for target in graph.objects(shape, predicate)
    ]


def _schemes(graph: Graph, shape: Node) -> Iterable[Node]:
    """The schemes a ``skos:inScheme`` property shape demands (``sh:hasValue``, ``sh:or``)."""
    yield from graph.objects(shape, SH.hasValue)
    for members in graph.objects(shape, SH["or"]):
        for member in Collection(graph, members):
            yield from graph.objects(member, SH.hasValue)


def required_vocabularies(name: str) -> dict[URIRef, list[VocabularyUse]]:
    """Which concept schemes the set ``name`` checks through ``skos:inScheme``, and where.

    The concept statements for these schemes (``<c> a skos:Concept ; skos:inScheme <scheme> ;
    skos:prefLabel …``) are what :func:`validate`'s ``background`` must provide. Pattern-only
    checks (IRI prefixes) and ``sh:in`` lists are not listed; see the requirements notes.
    """
    graph = _shapes(name)
    parents = _parents(graph)
    found: dict[URIRef, set[VocabularyUse]] = {}
    for check in graph.subjects(SH.path, SKOS.inScheme):
        typed = (check, SH["class"], SKOS.ConceptScheme) in graph
        schemes = [s for s in _schemes(graph, check) if isinstance(s, URIRef)]
        for route, top, owner in _chains(graph, parents, check):
            if top is None:  # the owner checks skos:inScheme of its own focus nodes
                top, route = check, [SKOS.inScheme]
            severity = graph.value(top, SH.severity) or graph.value(owner, SH.severity)
            for target in _targets(graph, owner):
                use = VocabularyUse(
                    target=target,
                    path="/".join(_path(graph, p) for p in route) or "-",
                    severity=_local(severity or SH.Violation),
                    scheme_typed=typed,
                )
                for scheme in schemes:
                    found.setdefault(scheme, set()).add(use)
    return {
        scheme: sorted(uses, key=lambda u: (u.target, u.path, u.severity))
        for scheme, uses in sorted(found.items())
    }


# --------------------------------------------------------------------------------------------
# Compliance of a catalog's datasets, for the quality report.
# --------------------------------------------------------------------------------------------

#: The shape sets a catalog view must pass, by profile name: DCAT-AP 3.0.1 (what
#: data.europa.eu's "DCAT-AP compliance" indicator checks) and the profile's own set.
PROFILE_SETS: dict[str, tuple[str, ...]] = {
    "dcat-ap-no": ("dcat-ap-3.0.1", "dcat-ap-no-3"),
    "healthdcat-ap": ("dcat-ap-3.0.1", "healthdcat-ap-8-non-public"),
}


def owned_nodes(graph: Graph, dataset: Node, depth: int = 2) -> set[Node]:
    """The dataset and what it describes: nodes reached from it in ``depth`` steps, not
    passing through another dataset or the catalog."""
    from rdflib.namespace import DCAT

    owned: set[Node] = {dataset}
    frontier = [dataset]
    for _ in range(depth):
        nxt = []
        for node in frontier:
            for value in graph.objects(node, None):
                if value in owned or isinstance(value, Literal):
                    continue
                if (value, RDF.type, DCAT.Dataset) in graph or (
                    value,
                    RDF.type,
                    DCAT.Catalog,
                ) in graph:
                    continue
                owned.add(value)
                nxt.append(value)
        frontier = nxt
    return owned


def compliance(
    catalog: Graph, profile: str, root: Path | None = None, background: Graph | None = None
) -> dict[URIRef, bool] | None:
    """Per dataset of ``catalog``: True when no shape of the profile's sets reports a
    violation on the dataset or on anything it describes. None when the shapes are absent."""
    from rdflib.namespace import DCAT

    if root is not None:
        configure(root)
    if not available():
        return None
    focus: set[Node] = set()
    for name in PROFILE_SETS[profile]:
        report = validate(catalog, name, background)
        focus.update(finding.focus for finding in report.violations)
    verdicts: dict[URIRef, bool] = {}
    for dataset in catalog.subjects(RDF.type, DCAT.Dataset):
        if isinstance(dataset, URIRef):
            verdicts[dataset] = not (owned_nodes(catalog, dataset) & focus)
    return verdicts
