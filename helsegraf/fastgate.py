"""The SHACL gate at scale: the shapes compiled to SPARQL and checked inside pyoxigraph.

pySHACL walks the data graph in Python, focus node by focus node, and re-parses every
SHACL-SPARQL query for each one; on 10k sources it takes tens of seconds and grows worse
than linearly. Here each constraint of each shape becomes one SPARQL SELECT that returns
every violating (focus node, value) pair at once, evaluated by pyoxigraph's engine over an
indexed store. The number of queries depends on the shapes, not the data.

The compiler covers the SHACL Core components the project's shapes use — targets
(``targetClass`` with ``rdfs:subClassOf*``, ``targetSubjectsOf``, ``targetObjectsOf``,
``targetNode``), ``class``, ``datatype``, ``nodeKind``, ``minCount``, ``maxCount``,
``in``, ``pattern``, ``minInclusive``/``maxInclusive``/``minExclusive``/``maxExclusive``,
``languageIn``, ``lessThanOrEquals``, ``or``, ``not``, ``qualifiedValueShape`` with
``qualifiedMinCount``/``qualifiedMaxCount`` — and SHACL-SPARQL constraints, whose
``$this`` becomes a variable joined with the shape's targets. A shape using anything else
raises :class:`Unsupported`, so a new shape is never silently unchecked.

The queries are written for how pyoxigraph evaluates them (on 100k synthetic sources, 2.3 M
triples, the checks one after the other took 78 s before and take 13–18 s): a join's sides are
evaluated in the order written and an empty first side ends it, so each property check finds
its candidate violations from the path's triples first and joins the focus set after, which
a conforming graph never reaches; a FILTER decodes every term it tests (a string lookup per
IRI or long literal) and ``FILTER EXISTS`` re-evaluates its pattern per row, so ``sh:class``,
``sh:in`` of IRIs and ``sh:or`` of those become ``MINUS`` over a pattern, matched on internal
ids; counts are grouped per subject of the path (``sh:maxCount``) or subtracted from the
focus set (``sh:minCount``) instead of an ``OPTIONAL`` per focus node; and
:func:`validate_store` skips the checks of an empty focus set and joins a large focus set last
in SHACL-SPARQL constraints where the order of the group does not matter.

pySHACL stays the reference: ``tests/test_fastgate.py`` runs both on the real graph, on
every crafted invalid example, on all of them at once, on shapes with the counts and lists
the project's shapes do not use, and on named graphs sharing triples, with the focus joined
first and last; it requires the same verdict and the same (focus node, component, shape,
path) results.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from helsegraf.gate import GateReport, Violation, load_shapes, short_name
from helsegraf.namespaces import SH

#: Components this compiler understands, and the SHACL vocabulary it may ignore.
_DESCRIPTIVE = {
    RDF.type,
    RDFS.label,
    RDFS.comment,
    SH.name,
    SH.description,
    SH.message,
    SH.severity,
    SH.order,
    SH.group,
    SH.deactivated,
    SH.targetClass,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.targetNode,
    SH.property,
    SH.path,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.qualifiedValueShapesDisjoint,
    SH.sparql,
}
_VALUE_COMPONENTS = {
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH["in"],
    SH.pattern,
    SH.flags,
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
    SH.languageIn,
    SH["or"],
    SH["not"],
}

_COMPONENT = {
    SH["class"]: SH.ClassConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.minExclusive: SH.MinExclusiveConstraintComponent,
    SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
    SH.languageIn: SH.LanguageInConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
    SH["not"]: SH.NotConstraintComponent,
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
    SH.lessThanOrEquals: SH.LessThanOrEqualsConstraintComponent,
}

_XSD_LEXICAL = {
    str(XSD.integer): r"^[+-]?[0-9]+$",
    str(XSD.gYear): r"^-?[0-9]{4,}(Z|[+-][0-9]{2}:[0-9]{2})?$",
    str(XSD.date): r"^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?$",
    str(XSD.boolean): r"^(true|false|1|0)$",
    str(XSD.anyURI): r"^[^\s]*$",
}


class Unsupported(Exception):  # noqa: N818 - names what the compiler refuses, not an error kind
    """A shape uses SHACL the compiler does not implement; use pySHACL for it."""


@dataclass(frozen=True)
class Check:
    """One compiled constraint: its query and what its rows mean (names as the report shows)."""

    shape: str
    component: str
    path: str
    message: str
    query: str
    #: The shapes graph, whose prefixes name a path a SPARQL constraint returns as ?path.
    names: Graph = field(compare=False, repr=False, default_factory=Graph)
    #: The group pattern of the focus nodes the query joins with ("" when unknown): a check
    #: whose focus set is empty finds nothing, so :func:`validate_store` skips it.
    focus: str = ""
    #: The same query with the focus joined last instead of first ("" when only the first
    #: is right): faster when the focus set is large and the constraint's own patterns are
    #: selective, slower when the focus set is small. :func:`validate_store` chooses.
    focus_last: str = ""


def _n3(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        return str(
            ox.Literal(str(term), language=term.language)
            if term.language
            else ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string)))
        )
    raise Unsupported(f"blank node {term} where a term is needed")


def _count(node: Node | None) -> int:
    """A count parameter (sh:minCount 1) as an int; anything else is a broken shape."""
    value = node.toPython() if isinstance(node, Literal) else None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise Unsupported(f"not a count: {node!r}")
    return value


def _list(shapes: Graph, head: Node | None) -> list[Node]:
    return list(Collection(shapes, head)) if head is not None else []


def _fewer(focus: str, values: str, count: int) -> str | None:
    """The focus nodes with fewer than ``count`` distinct ``?value`` in ``values`` (a pattern
    binding ``?this`` and ``?value``); None when ``count`` is 0, which nothing is under."""
    if count == 0:
        return None
    if count == 1:
        return f"SELECT ?this WHERE {{ {focus} MINUS {{ {values} }} }}"
    return (
        f"SELECT ?this WHERE {{ {focus} MINUS {{ SELECT ?this WHERE {{ {values} }} "
        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) >= {count}) }} }}"
    )


def _more(focus: str, values: str, count: int) -> str:
    """The focus nodes with more than ``count`` distinct ``?value`` in ``values``."""
    return (
        f"SELECT ?this WHERE {{ {{ SELECT ?this WHERE {{ {values} }} GROUP BY ?this "
        f"HAVING (COUNT(DISTINCT ?value) > {count}) }} {focus} }}"
    )


#: Tokens of a SPARQL text that may hold braces or keywords without meaning them as such.
_TOKENS = re.compile(
    r"""(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    |(?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
        |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    |(?P<comment>\#[^\n]*)
    |(?P<variable>[?$]\w+)
    |(?P<name>[A-Za-z_][\w.-]*:[\w.-]*|:[\w.-]*)
    |(?P<word>[A-Za-z_]\w*)
    |(?P<brace>[{}])""",
    re.VERBOSE,
)

#: Operators of a group whose place in it matters (SPARQL 1.1 section 18.2.2.6): ``OPTIONAL``
#: and ``MINUS`` apply to what precedes them, ``BIND`` extends it; anything else in a group
#: is a join or a filter of the whole group, and a join may take its operands in any order.
_ORDERED = {"OPTIONAL", "MINUS", "BIND", "SERVICE"}


def _group_end(text: str, start: int) -> tuple[int, set[str]] | None:
    """The index of the ``}`` closing the group opened at ``text[start]``, and the keywords
    directly in that group (upper case); None when the text cannot be read that far."""
    depth = 0
    words: set[str] = set()
    for token in _TOKENS.finditer(text, start):
        if token.lastgroup == "brace":
            depth += 1 if token.group() == "{" else -1
            if depth == 0:
                return token.start(), words
        elif token.lastgroup == "word" and depth == 1:
            words.add(token.group().upper())
    return None


class Compiler:
    """Turns a shapes graph into :class:`Check` queries."""

    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        self.names = shapes.namespace_manager
        self.prefixes = self._prefixes()

    def _check(
        self,
        shape: Node,
        component: Node,
        path: Node | None,
        message: str,
        query: str,
        focus: str,
        focus_last: str = "",
    ) -> Check:
        return Check(
            short_name(shape, self.shapes),
            short_name(component, self.shapes),
            short_name(path, self.shapes),
            message,
            query,
            self.shapes,
            focus,
            focus_last,
        )

    def _prefixes(self) -> str:
        lines = []
        for declaration in self.shapes.objects(None, SH.declare):
            prefix = self.shapes.value(declaration, SH.prefix)
            namespace = self.shapes.value(declaration, SH.namespace)
            lines.append(f"PREFIX {prefix}: <{namespace}>")
        return "\n".join(sorted(set(lines)))

    # -- targets --------------------------------------------------------------------------

    def focus(self, shape: Node) -> str | None:
        """A group pattern binding ``?this`` to each focus node of ``shape`` once, or None
        (one ``DISTINCT`` over the union of the targets: a second one per target costs a
        hash table of every subject of the target's predicate)."""
        g = self.shapes
        parts = []
        for cls in g.objects(shape, SH.targetClass):
            parts.append(f"{{ ?this a/<{RDFS.subClassOf}>* {_n3(cls)} }}")
        if (shape, RDF.type, RDFS.Class) in g and isinstance(shape, URIRef):
            parts.append(f"{{ ?this a/<{RDFS.subClassOf}>* {_n3(shape)} }}")
        for prop in g.objects(shape, SH.targetSubjectsOf):
            parts.append(f"{{ ?this {_n3(prop)} [] }}")
        for prop in g.objects(shape, SH.targetObjectsOf):
            parts.append(f"{{ [] {_n3(prop)} ?this }}")
        nodes = [_n3(n) for n in g.objects(shape, SH.targetNode)]
        if nodes:
            parts.append(f"{{ VALUES ?this {{ {' '.join(nodes)} }} }}")
        if not parts:
            return None
        return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"

    # -- value tests ----------------------------------------------------------------------

    def conforms(self, shape: Node, var: str) -> str:
        """A SPARQL boolean expression: the node in ``var`` conforms to the inline ``shape``."""
        tests = []
        for predicate, obj in self.shapes.predicate_objects(shape):
            if predicate in _DESCRIPTIVE or predicate == SH.flags:
                continue
            if predicate not in _VALUE_COMPONENTS:
                raise Unsupported(f"{predicate} inside an inline shape")
            tests.append(self.value_ok(shape, predicate, obj, var))
        return " && ".join(f"({t})" for t in tests) or "true"

    def value_ok(self, shape: Node, component: Node, value: Node, var: str) -> str:
        """A SPARQL expression that is true when ``var`` satisfies one value component."""
        g = self.shapes
        if component == SH["class"]:
            return f"EXISTS {{ {var} a/<{RDFS.subClassOf}>* {_n3(value)} }}"
        if component == SH.datatype:
            test = f"isLiteral({var}) && datatype({var}) = {_n3(value)}"
            if str(value) in _XSD_LEXICAL:
                test += f' && regex(str({var}), "{_XSD_LEXICAL[str(value)]}")'
            elif value == RDF.langString:
                test = f'isLiteral({var}) && lang({var}) != ""'
            return test
        if component == SH.nodeKind:
            return {
                SH.IRI: f"isIRI({var})",
                SH.Literal: f"isLiteral({var})",
                SH.BlankNode: f"isBlank({var})",
                SH.BlankNodeOrIRI: f"(isBlank({var}) || isIRI({var}))",
                SH.BlankNodeOrLiteral: f"(isBlank({var}) || isLiteral({var}))",
                SH.IRIOrLiteral: f"(isIRI({var}) || isLiteral({var}))",
            }[value]  # type: ignore[index]
        if component == SH["in"]:
            members = [f"sameTerm({var}, {_n3(m)})" for m in _list(g, value)]
            return " || ".join(members) or "false"
        if component == SH.pattern:
            flags = g.value(shape, SH.flags)
            pattern = str(value).replace("\\", "\\\\").replace('"', '\\"')
            flag_arg = f', "{flags}"' if flags else ""
            return f'!isBlank({var}) && regex(str({var}), "{pattern}"{flag_arg})'
        if component in (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive):
            op = {
                SH.minInclusive: ">=",
                SH.maxInclusive: "<=",
                SH.minExclusive: ">",
                SH.maxExclusive: "<",
            }[component]  # type: ignore[index]
            return f"COALESCE({var} {op} {_n3(value)}, false)"
        if component == SH.languageIn:
            tags = [f'langMatches(lang({var}), "{t}")' for t in _list(g, value)]
            return f"isLiteral({var}) && ({' || '.join(tags) or 'false'})"
        if component == SH["or"]:
            return " || ".join(f"({self.conforms(s, var)})" for s in _list(g, value)) or "false"
        if component == SH["not"]:
            return f"!({self.conforms(value, var)})"
        raise Unsupported(f"{component}")

    def members(self, shape: Node, var: str) -> str | None:
        """A group pattern binding ``var`` to exactly the nodes that conform to the inline
        ``shape`` (a node may come several times), or None when only a FILTER can say.

        Patterns are matched on the store's internal term ids; a FILTER has to decode every
        value it tests (a string lookup per IRI or long literal), which at 100k sources costs
        far more than the join. So a constraint with a pattern is checked as ``MINUS``.
        """
        patterns = []
        for predicate, obj in self.shapes.predicate_objects(shape):
            if predicate in _DESCRIPTIVE or predicate == SH.flags:
                continue
            if predicate not in _VALUE_COMPONENTS:
                raise Unsupported(f"{predicate} inside an inline shape")
            pattern = self.member_pattern(predicate, obj, var)
            if pattern is None:
                return None
            patterns.append(pattern)
        if not patterns:  # no constraint: every node conforms, which no pattern lists
            return None
        return " ".join(patterns)

    def member_pattern(self, component: Node, value: Node, var: str) -> str | None:
        """A group pattern binding ``var`` to the nodes that satisfy one value component,
        or None. Only where the pattern means exactly what :meth:`value_ok` tests:

        - ``sh:class C``: ``var a/rdfs:subClassOf* C``, the same path the test asks EXISTS of;
        - ``sh:in`` of IRIs: ``VALUES``, whose join compares terms as ``sameTerm`` does (IRIs
          only: a typed literal may be stored by value, so its join and ``sameTerm`` are not
          obviously the same test);
        - ``sh:or`` of shapes that all have a pattern: their ``UNION``.
        """
        g = self.shapes
        if component == SH["class"]:
            return f"{{ {var} a/<{RDFS.subClassOf}>* {_n3(value)} }}"
        if component == SH["in"]:
            items = _list(g, value)
            if not all(isinstance(m, URIRef) for m in items):
                return None
            return f"{{ VALUES {var} {{ {' '.join(_n3(m) for m in items)} }} }}"
        if component == SH["or"]:
            alternatives = [self.members(s, var) for s in _list(g, value)]
            if not alternatives or any(a is None for a in alternatives):
                return None
            return "{ " + " UNION ".join(f"{{ {a} }}" for a in alternatives) + " }"
        return None

    # -- checks ---------------------------------------------------------------------------

    def checks(self) -> Iterator[Check]:
        """Every constraint of every shape that has targets (and of its property shapes)."""
        g = self.shapes
        shapes = set(g.subjects(RDF.type, SH.NodeShape)) | {
            s
            for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
            for s in g.subjects(p, None)
        }
        for shape in sorted(shapes, key=str):
            if g.value(shape, SH.deactivated) == Literal(True):
                continue
            focus = self.focus(shape)
            if focus is None:
                continue
            if g.value(shape, SH.path) is not None:  # a property shape with targets of its own
                yield from self._property_checks(shape, focus)
                continue
            yield from self._node_checks(shape, focus)
            for prop in g.objects(shape, SH.property):
                if g.value(prop, SH.deactivated) == Literal(True):
                    continue
                yield from self._property_checks(prop, focus)

    def _message(self, shape: Node, default: str) -> str:
        message = self.shapes.value(shape, SH.message)
        return str(message) if message is not None else default

    def _node_checks(self, shape: Node, focus: str) -> Iterator[Check]:
        g = self.shapes
        for predicate, value in g.predicate_objects(shape):
            if predicate in _DESCRIPTIVE or predicate == SH.flags:
                continue
            if predicate not in _VALUE_COMPONENTS:
                raise Unsupported(f"{predicate} on node shape {shape}")
            members = self.member_pattern(predicate, value, "?this")
            if members is not None:
                where = f"{focus} MINUS {members}"
            else:
                where = f"{focus} FILTER(!({self.value_ok(shape, predicate, value, '?this')}))"
            yield self._check(
                shape,
                _COMPONENT[predicate],  # type: ignore[index]
                None,
                self._message(shape, f"{shape} {predicate}"),
                f"SELECT DISTINCT ?this (?this AS ?value) WHERE {{ {where} }}",
                focus,
            )
        for constraint in g.objects(shape, SH.sparql):
            yield self._sparql(shape, constraint, focus, None)

    def _property_checks(self, prop: Node, focus: str) -> Iterator[Check]:
        """The checks of a property shape.

        Each query first finds the candidate violations from the path's triples alone and
        only then joins them with the focus nodes: pyoxigraph evaluates the join's sides in
        the order written and skips the focus set when the candidates are none, which is
        what a graph that conforms gives. Counts are taken per subject of the path and then
        restricted to the focus nodes (``COUNT(DISTINCT ?value)`` of a subject does not
        depend on which other subjects are counted); a minimum becomes the focus nodes
        ``MINUS`` those that reach it.
        """
        g = self.shapes
        path = g.value(prop, SH.path)
        if not isinstance(path, URIRef):
            raise Unsupported(f"path {path} of {prop}: only predicate paths are compiled")
        p = _n3(path)
        values = f"?this {p} ?value"
        message = self._message(prop, f"{prop}")
        for predicate, value in g.predicate_objects(prop):
            if predicate in _DESCRIPTIVE or predicate == SH.flags:
                continue
            query: str | None
            if predicate in _VALUE_COMPONENTS:
                members = self.member_pattern(predicate, value, "?value")
                if members is not None:
                    candidates = f"{values} MINUS {members}"
                else:
                    ok = self.value_ok(prop, predicate, value, "?value")
                    candidates = f"{values} FILTER(!({ok}))"
                query = f"SELECT DISTINCT ?this ?value WHERE {{ {{ {candidates} }} {focus} }}"
            elif predicate == SH.minCount:
                query = _fewer(focus, values, _count(value))
            elif predicate == SH.maxCount:
                query = _more(focus, values, _count(value))
            elif predicate == SH.lessThanOrEquals:
                query = (
                    f"SELECT DISTINCT ?this ?value WHERE {{ {{ {values} . ?this {_n3(value)} "
                    f"?other FILTER(!COALESCE(?value <= ?other, false)) }} {focus} }}"
                )
            elif predicate == SH.qualifiedValueShape:
                yield from self._qualified(prop, value, focus, values, path, message)
                continue
            else:
                raise Unsupported(f"{predicate} on property shape {prop}")
            if query is not None:
                component = _COMPONENT[predicate]  # type: ignore[index]
                yield self._check(prop, component, path, message, query, focus)
        for constraint in g.objects(prop, SH.sparql):
            yield self._sparql(prop, constraint, focus, path)

    def _qualified(
        self, prop: Node, inner: Node, focus: str, values: str, path: URIRef, message: str
    ) -> Iterator[Check]:
        g = self.shapes
        if g.value(prop, SH.qualifiedValueShapesDisjoint) == Literal(True):
            raise Unsupported("sh:qualifiedValueShapesDisjoint")
        members = self.members(inner, "?value")
        if members is not None:
            qualifying = f"{values} . {members}"
        else:
            qualifying = f"{values} FILTER({self.conforms(inner, '?value')})"
        low = g.value(prop, SH.qualifiedMinCount)
        high = g.value(prop, SH.qualifiedMaxCount)
        if low is not None:
            query = _fewer(focus, qualifying, _count(low))
            if query is not None:
                yield self._check(
                    prop, SH.QualifiedMinCountConstraintComponent, path, message, query, focus
                )
        if high is not None:
            yield self._check(
                prop,
                SH.QualifiedMaxCountConstraintComponent,
                path,
                message,
                _more(focus, qualifying, _count(high)),
                focus,
            )

    def _sparql(self, shape: Node, constraint: Node, focus: str, path: URIRef | None) -> Check:
        g = self.shapes
        select = g.value(constraint, SH.select)
        if select is None:
            raise Unsupported(f"SPARQL constraint {constraint} without sh:select")
        text = str(select)
        if path is not None:
            text = re.sub(r"\$PATH\b", _n3(path), text)
        text = re.sub(r"[$?]this\b", "?this", text)
        match = re.search(r"\bWHERE\s*\{", text, re.IGNORECASE)
        if match is None:
            raise Unsupported(f"SPARQL constraint {constraint}: no WHERE")
        first = text[: match.end()] + f" {focus} " + text[match.end() :]
        last = ""
        end = _group_end(text, match.end() - 1)
        if end is not None and not (end[1] & _ORDERED):
            # a group of joins and filters only: the focus may as well join last, after the
            # constraint's own patterns have narrowed the candidates (the same solutions)
            last = self.prefixes + "\n" + text[: end[0]] + f" {focus} " + text[end[0] :]
        message = g.value(constraint, SH.message) or g.value(shape, SH.message) or ""
        return self._check(
            shape,
            SH.SPARQLConstraintComponent,
            path,
            str(message),
            self.prefixes + "\n" + first,
            focus,
            last,
        )


def compile_shapes(shapes: Graph | None = None) -> list[Check]:
    """Every check of the shapes (the project's when None)."""
    return list(Compiler(load_shapes() if shapes is None else shapes).checks())


def _term(value: Any) -> str:
    if isinstance(value, ox.NamedNode | ox.BlankNode | ox.Literal):
        return str(value.value)
    return "" if value is None else str(value)


def _fill(message: str, solution: ox.QuerySolution, names: Iterable[str]) -> str:
    for name in names:
        value = solution[name]
        message = message.replace(f"{{?{name}}}", _term(value)).replace(
            f"{{${name}}}", _term(value)
        )
    return message


#: Most violations read per check: a graph broken everywhere still gives a readable report.
MAX_RESULTS_PER_CHECK = 1000


def run_check(
    store: ox.Store, check: Check, *, union: bool = True, focus_last: bool = False
) -> list[Violation]:
    """The violations one check finds in ``store`` (by its ``focus_last`` query if asked and
    it has one)."""
    query = check.focus_last if focus_last and check.focus_last else check.query
    result = store.query(query, use_default_graph_as_union=union)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    violations: list[Violation] = []
    for solution in result:
        focus = solution["this"]
        value = solution["value"] if "value" in names else None
        path = solution["path"] if "path" in names else None
        violations.append(
            Violation(
                focus=_term(focus),
                path=check.path if path is None else short_name(URIRef(path.value), check.names),
                constraint=check.component,
                message=_fill(check.message, solution, names),
                value=_term(value) if value is not None else "",
                shape=check.shape,
            )
        )
        if len(violations) >= MAX_RESULTS_PER_CHECK:
            break
    return violations


def validate_store(
    store: ox.Store,
    checks: list[Check] | None = None,
    *,
    union: bool = True,
    threads: int | None = None,
) -> GateReport:
    """Run every check over ``store`` (the union of its graphs by default).

    Each distinct focus pattern is first counted up to :data:`LARGE_FOCUS` nodes: a check
    whose focus set is empty finds nothing and is skipped, and a SHACL-SPARQL constraint
    joins a large focus set last (see :attr:`Check.focus_last`). pyoxigraph releases the GIL
    while it evaluates a query, so the checks run in a pool of threads, one per core by
    default; the SHACL-SPARQL constraints, the costliest and least predictable, are started
    first so that no long query is left to run alone at the end.
    """
    checks = compile_shapes() if checks is None else checks
    workers = threads or os.cpu_count() or 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        foci = sorted({check.focus for check in checks if check.focus})
        counted = pool.map(lambda focus: _focus_size(store, focus, union=union), foci)
        sizes = dict(zip(foci, counted, strict=True))
        todo = [check for check in checks if sizes.get(check.focus) != 0]
        todo.sort(key=lambda check: not check.component.endswith("SPARQLConstraintComponent"))
        found = pool.map(
            lambda check: run_check(
                store,
                check,
                union=union,
                focus_last=sizes.get(check.focus, LARGE_FOCUS) >= LARGE_FOCUS,
            ),
            todo,
        )
        violations = [v for batch in found for v in batch]
    return GateReport(conforms=not violations, violations=sorted(set(violations)))


#: A focus set of this many nodes or more is large (see :attr:`Check.focus_last`).
LARGE_FOCUS = 1000


def _focus_size(store: ox.Store, focus: str, *, union: bool) -> int:
    """How many focus nodes ``focus`` binds, counted up to :data:`LARGE_FOCUS`."""
    query = f"SELECT ?this WHERE {{ {focus} }} LIMIT {LARGE_FOCUS}"
    result = store.query(query, use_default_graph_as_union=union)
    assert isinstance(result, ox.QuerySolutions)
    return sum(1 for _ in result)


def validate(
    data: Graph, *, ontology: Graph | None = None, shapes: Graph | None = None
) -> GateReport:
    """Like :func:`helsegraf.gate.validate`, through an in-memory pyoxigraph store."""
    from helsegraf.gate import load_ontology
    from helsegraf.terms import to_oxigraph

    store = ox.Store()
    ontology = load_ontology() if ontology is None else ontology
    store.bulk_extend(
        ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), ox.DefaultGraph())  # type: ignore[arg-type]
        for graph in (data, ontology)
        for s, p, o in graph
    )
    return validate_store(store, compile_shapes(shapes), union=False)
