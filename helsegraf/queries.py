"""The named-query library: ``queries/*.rq`` files, loaded once into a registry.

Each file answers one question. Its name (the file stem, ``[a-z0-9-]+``) is the query's name;
its header, a block of comment lines before the first line of SPARQL, says what it does and
which parameters it takes::

    # title: Sources by data controller
    # description: Every source whose data controller is the given organisation,
    #   with its kind and consent regime.
    # param: organisation iri(organisation) required
    #   The organisation: an IRI, or the slug of an organisation in helsegraf's ID namespace.
    #   example: helse-bergen-hf
    # param: role enum(controller=dpv:hasDataController|either=hg:anyRole) default=either
    #   Which role counts.
    #   example: controller
    PREFIX dpv: <https://w3id.org/dpv#>
    SELECT ... WHERE { ... }

A field line is ``# key: value`` (one space after ``#``); the keys are ``title``,
``description`` and ``param``. A line with two or more spaces after ``#`` continues the
field above it; under a ``param``, a continuation line ``example: <value>`` gives an example
(checked against the parameter's type when the file is loaded). A ``param`` line is
``<name> <type> required|optional|default=<value>``; the name is also the SPARQL variable
the value is bound to, so the query must use ``?name``.

Parameter types:

``iri``
    an absolute IRI (``<...>`` brackets optional), or a prefixed name with one of helsegraf's
    prefixes (``hg:OptOut``).
``iri(kind)``
    as ``iri``, and a bare slug is expanded into helsegraf's ID namespace for that kind:
    ``helse-bergen-hf`` → ``https://w3id.org/helsegraf/id/organisation/helse-bergen-hf``.
``string``, ``string@nb``
    any text, bound as a plain (or language-tagged) literal.
``integer``, ``gYear``, ``boolean``
    ``xsd:integer`` (``-12``), ``xsd:gYear`` (``1967``), ``xsd:boolean``
    (``true``/``false``, also ``yes``/``no``, ``1``/``0``).
``enum(name=term|name=term|...)``
    a closed set of named choices, each mapped to an RDF term (a prefixed name declared by
    the file's ``PREFIX`` lines, or ``<iri>``).

Values are bound as RDF terms by the store (a ``VALUES`` block, see :mod:`helsegraf.sparql`),
never pasted into the text. A parameter left out (or given as an empty string) is unbound
unless it has a default; queries are written so that an unbound optional parameter means
"no restriction".

>>> registry = load_registry()
>>> registry.bind("sources-by-controller", {"organisation": "helse-bergen-hf"})
{'organisation': rdflib.term.URIRef('https://w3id.org/helsegraf/id/organisation/helse-bergen-hf')}
>>> registry.bind("sources-by-time-coverage", {"year": "1967"})["year"].datatype
rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#gYear')
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from helsegraf import namespaces, paths
from helsegraf.namespaces import ID_BASE, PREFIXES
from helsegraf.store import SelectResult, Store, query_form
from helsegraf.terms import Term

#: A query's name: its file stem.
NAME_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: A parameter's name, which is also its SPARQL variable.
PARAM_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_PREFIXED = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)?:([^\s<>\"{}|\\^`]*)$")
_INTEGER = re.compile(r"^[+-]?[0-9]{1,18}$")
_GYEAR = re.compile(r"^-?[0-9]{4}$")
_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
_MAX_STRING = 1000

_FIELD = re.compile(r"^# ([a-z]+):\s*(.*?)\s*$")
_CONTINUATION = re.compile(r"^#\s{2,}(\S.*?)\s*$")
_PARAM = re.compile(
    r"^(?P<name>\S+)\s+(?P<type>\S+)\s+(?P<presence>required|optional|default=(?P<default>\S*))$"
)
_TYPE = re.compile(r"^(?P<base>[A-Za-z]+)(?:\((?P<arg>.*)\)|@(?P<lang>[a-z]{2,3}))?$")
_PREFIX_DECL = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w-]*)?:\s*<([^>]*)>", re.IGNORECASE | re.M)
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


class QueryError(ValueError):
    """A named-query problem; the message is safe to show a user."""


class UnknownQueryError(QueryError):
    """No named query has this name."""


class ParameterError(QueryError):
    """A parameter is unknown, missing, or its value does not fit its type."""


class QueryFileError(QueryError):
    """A ``.rq`` file's header is incomplete or inconsistent with its query."""


class QueryForm(StrEnum):
    """The query forms a named query may have."""

    SELECT = "SELECT"
    ASK = "ASK"
    CONSTRUCT = "CONSTRUCT"


class BaseType(StrEnum):
    """The kinds of parameter value."""

    IRI = "iri"
    STRING = "string"
    INTEGER = "integer"
    GYEAR = "gYear"
    BOOLEAN = "boolean"
    ENUM = "enum"


@dataclass(frozen=True)
class ParamType:
    """A parameter's type: how a string from a user becomes an RDF term."""

    base: BaseType
    #: For ``iri(kind)``: the ID-namespace kind a bare slug is expanded into.
    kind: str | None = None
    #: For ``string@lang``: the language tag.
    language: str | None = None
    #: For ``enum``: the choices, in the order the header gives them.
    choices: tuple[tuple[str, Term], ...] = ()

    def __str__(self) -> str:
        if self.base is BaseType.IRI and self.kind:
            return f"iri({self.kind})"
        if self.base is BaseType.STRING and self.language:
            return f"string@{self.language}"
        if self.base is BaseType.ENUM:
            return "enum(" + "|".join(name for name, _ in self.choices) + ")"
        return str(self.base)

    @property
    def choice_names(self) -> list[str]:
        """The names an ``enum`` accepts."""
        return [name for name, _ in self.choices]

    def coerce(self, name: str, raw: str) -> Term:
        """``raw`` as an RDF term of this type, or :class:`ParameterError`."""
        value = raw.strip()
        if self.base is BaseType.IRI:
            return self._iri(name, value)
        if self.base is BaseType.STRING:
            if len(raw) > _MAX_STRING:
                raise ParameterError(f"{name}: text longer than {_MAX_STRING} characters")
            return Literal(raw, lang=self.language) if self.language else Literal(raw)
        if self.base is BaseType.INTEGER:
            if not _INTEGER.match(value):
                raise ParameterError(f"{name}: expected an integer such as 42, not {raw!r}")
            return Literal(int(value), datatype=namespaces.XSD.integer)
        if self.base is BaseType.GYEAR:
            if not _GYEAR.match(value):
                raise ParameterError(f"{name}: expected a year such as 1967, not {raw!r}")
            return Literal(value, datatype=namespaces.XSD.gYear)
        if self.base is BaseType.BOOLEAN:
            flag = _BOOLEANS.get(value.lower())
            if flag is None:
                raise ParameterError(f"{name}: expected true or false, not {raw!r}")
            return Literal(flag)
        for choice, term in self.choices:
            if value.lower() == choice:
                return term
        raise ParameterError(f"{name}: expected one of {', '.join(self.choice_names)}, not {raw!r}")

    def _iri(self, name: str, value: str) -> URIRef:
        if value.startswith("<") and value.endswith(">"):
            value = value[1:-1]
        if self.kind and _SLUG.match(value):
            return URIRef(f"{ID_BASE}{self.kind}/{value}")
        prefixed = _PREFIXED.match(value)
        if prefixed and (prefixed.group(1) or "") in PREFIXES:
            value = PREFIXES[prefixed.group(1) or ""] + prefixed.group(2)
        if not _ABSOLUTE_IRI.match(value):
            hint = f" or a {self.kind} slug such as helse-bergen-hf" if self.kind else ""
            raise ParameterError(f"{name}: expected an absolute IRI{hint}, not {value!r}")
        return URIRef(value)


@dataclass(frozen=True)
class Parameter:
    """One parameter of a named query."""

    name: str
    type: ParamType
    required: bool
    description: str
    #: The default as written in the header (``None``: no default).
    default: str | None = None
    example: str | None = None

    def coerce(self, raw: str) -> Term:
        """The user's value as an RDF term."""
        return self.type.coerce(self.name, raw)

    @property
    def default_term(self) -> Term | None:
        """The default as an RDF term, if the parameter has one."""
        return None if self.default is None else self.coerce(self.default)


@dataclass(frozen=True)
class NamedQuery:
    """One ``.rq`` file: its documentation, its parameters and its SPARQL text."""

    name: str
    title: str
    description: str
    parameters: tuple[Parameter, ...]
    text: str
    form: QueryForm
    path: Path | None = field(default=None, compare=False)

    def parameter(self, name: str) -> Parameter:
        """The parameter called ``name``."""
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        raise ParameterError(f"{self.name} has no parameter {name!r}{self._known()}")

    def _known(self) -> str:
        names = [p.name for p in self.parameters]
        return f" (it takes {', '.join(names)})" if names else " (it takes no parameters)"

    def bind(self, raw: Mapping[str, str]) -> dict[str, Term]:
        """The user's string values as RDF terms, with defaults filled in.

        Refuses unknown parameters, missing required ones and values that do not fit their
        type. An empty string counts as not given.
        """
        known = {p.name for p in self.parameters}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ParameterError(
                f"{self.name} has no parameter {', '.join(map(repr, unknown))}{self._known()}"
            )
        bindings: dict[str, Term] = {}
        for parameter in self.parameters:
            value = raw.get(parameter.name)
            if value is not None and value.strip() != "":
                bindings[parameter.name] = parameter.coerce(value)
            elif parameter.default is not None:
                bindings[parameter.name] = parameter.coerce(parameter.default)
            elif parameter.required:
                example = f", e.g. {parameter.example}" if parameter.example else ""
                raise ParameterError(
                    f"{self.name} needs {parameter.name} ({parameter.type}{example})"
                )
        return bindings


class QueryRegistry:
    """The named queries, by name. Unknown names are refused, never looked up on disk."""

    def __init__(self, queries: list[NamedQuery]) -> None:
        self._queries: dict[str, NamedQuery] = {}
        for query in queries:
            if query.name in self._queries:
                raise QueryFileError(f"two queries are named {query.name!r}")
            self._queries[query.name] = query

    def names(self) -> list[str]:
        """The query names, sorted."""
        return sorted(self._queries)

    def __iter__(self) -> Iterator[NamedQuery]:
        return (self._queries[name] for name in self.names())

    def __len__(self) -> int:
        return len(self._queries)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._queries

    def get(self, name: str) -> NamedQuery:
        """The query called ``name``, or :class:`UnknownQueryError`."""
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            raise UnknownQueryError(f"not a query name: {name!r} (names are [a-z0-9-]+)")
        try:
            return self._queries[name]
        except KeyError:
            raise UnknownQueryError(f"no named query {name!r}") from None

    def bind(self, name: str, raw: Mapping[str, str]) -> dict[str, Term]:
        """The typed RDF terms for ``raw``, checked against the query's parameters."""
        return self.get(name).bind(raw)

    def run(self, store: Store, name: str, raw: Mapping[str, str]) -> SelectResult | bool | Graph:
        """Run a named query with the user's parameters."""
        query = self.get(name)
        bindings = query.bind(raw)
        if query.form is QueryForm.ASK:
            return store.ask(query.text, bindings)
        if query.form is QueryForm.CONSTRUCT:
            return store.construct(query.text, bindings)
        return store.select(query.text, bindings)


# -- parsing -----------------------------------------------------------------------------------


def _prefixes(text: str) -> dict[str, str]:
    declared = dict(PREFIXES)
    declared.update({m.group(1) or "": m.group(2) for m in _PREFIX_DECL.finditer(text)})
    return declared


def _enum_term(source: str, token: str, prefixes: Mapping[str, str]) -> Term:
    if token.startswith("<") and token.endswith(">") and _ABSOLUTE_IRI.match(token[1:-1]):
        return URIRef(token[1:-1])
    prefixed = _PREFIXED.match(token)
    if prefixed and (prefixed.group(1) or "") in prefixes:
        return URIRef(prefixes[prefixed.group(1) or ""] + prefixed.group(2))
    raise QueryFileError(f"{source}: enum value {token!r} is not <iri> or a declared prefix:name")


def _param_type(source: str, spec: str, prefixes: Mapping[str, str]) -> ParamType:
    match = _TYPE.match(spec)
    if match is None:
        raise QueryFileError(f"{source}: cannot read parameter type {spec!r}")
    base, arg, lang = match.group("base"), match.group("arg"), match.group("lang")
    try:
        base_type = BaseType(base)
    except ValueError:
        kinds = ", ".join(t.value for t in BaseType)
        raise QueryFileError(f"{source}: unknown parameter type {base!r} ({kinds})") from None
    if lang is not None and base_type is not BaseType.STRING:
        raise QueryFileError(f"{source}: only string takes a language tag, not {spec!r}")
    if base_type is BaseType.IRI:
        if arg is not None and not _SLUG.match(arg):
            raise QueryFileError(f"{source}: iri(kind) needs a kind such as organisation")
        return ParamType(base_type, kind=arg)
    if base_type is BaseType.ENUM:
        if not arg:
            raise QueryFileError(f"{source}: enum needs choices: enum(a=term|b=term)")
        choices: list[tuple[str, Term]] = []
        for item in arg.split("|"):
            choice, sep, token = item.partition("=")
            if not sep or not _SLUG.match(choice):
                raise QueryFileError(f"{source}: enum choice {item!r} is not name=term")
            if choice in dict(choices):
                raise QueryFileError(f"{source}: enum choice {choice!r} given twice")
            choices.append((choice, _enum_term(source, token, prefixes)))
        return ParamType(base_type, choices=tuple(choices))
    if arg is not None:
        raise QueryFileError(f"{source}: type {base!r} takes no argument")
    return ParamType(base_type, language=lang)


@dataclass
class _RawParam:
    spec: str
    lines: list[str] = field(default_factory=list)


def _header(source: str, text: str) -> tuple[dict[str, list[str]], list[_RawParam]]:
    fields: dict[str, list[str]] = {}
    params: list[_RawParam] = []
    current: list[str] | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        field_match = _FIELD.match(stripped)
        continuation = _CONTINUATION.match(stripped)
        if field_match:
            key, value = field_match.groups()
            if key == "param":
                params.append(_RawParam(value))
                current = params[-1].lines
            elif key in ("title", "description"):
                if key in fields:
                    raise QueryFileError(f"{source}: header gives {key} twice")
                fields[key] = [value] if value else []
                current = fields[key]
            else:
                raise QueryFileError(f"{source}: unknown header field {key!r}")
        elif continuation and current is not None:
            current.append(continuation.group(1))
        elif stripped != "#":
            raise QueryFileError(f"{source}: cannot read header line {stripped!r}")
    return fields, params


def _parameter(source: str, raw: _RawParam, prefixes: Mapping[str, str]) -> Parameter:
    match = _PARAM.match(raw.spec)
    if match is None:
        raise QueryFileError(
            f"{source}: parameter line {raw.spec!r} is not "
            "'<name> <type> required|optional|default=<value>'"
        )
    name = match.group("name")
    if not PARAM_NAME_PATTERN.match(name):
        raise QueryFileError(f"{source}: parameter name {name!r} is not [a-z][a-z0-9_]*")
    where = f"{source}: parameter {name}"
    ptype = _param_type(where, match.group("type"), prefixes)
    description: list[str] = []
    example: str | None = None
    for line in raw.lines:
        if line.startswith("example:"):
            example = line.removeprefix("example:").strip()
        else:
            description.append(line)
    if not description:
        raise QueryFileError(f"{where} has no description")
    if example is None:
        raise QueryFileError(f"{where} has no example")
    presence = match.group("presence")
    parameter = Parameter(
        name=name,
        type=ptype,
        required=presence == "required",
        description=" ".join(description),
        default=match.group("default") if presence.startswith("default=") else None,
        example=example,
    )
    try:
        parameter.coerce(example)
        parameter.default_term  # noqa: B018 - checks that the default fits the type
    except ParameterError as err:
        raise QueryFileError(f"{where}: {err}") from err
    return parameter


def _body(text: str) -> str:
    """The query text without comment lines (for checks on the SPARQL itself)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def parse_query(name: str, text: str, path: Path | None = None) -> NamedQuery:
    """One named query from its name and file text; :class:`QueryFileError` if malformed."""
    source = str(path) if path is not None else name
    if not NAME_PATTERN.match(name):
        raise QueryFileError(f"{source}: query names are [a-z0-9-]+, not {name!r}")
    fields, raw_params = _header(source, text)
    title = " ".join(fields.get("title", []))
    description = " ".join(fields.get("description", []))
    if not title or not description:
        raise QueryFileError(f"{source}: the header needs a title and a description")
    prefixes = _prefixes(text)
    parameters = tuple(_parameter(source, raw, prefixes) for raw in raw_params)
    names = [p.name for p in parameters]
    if len(set(names)) != len(names):
        raise QueryFileError(f"{source}: a parameter is declared twice")
    body = _body(text)
    for parameter in parameters:
        if not re.search(rf"[?$]{parameter.name}\b", body):
            raise QueryFileError(
                f"{source}: parameter {parameter.name} is not used as ?{parameter.name}"
            )
    if parameters and not _WHERE.search(body):
        raise QueryFileError(f"{source}: a query with parameters needs an explicit 'WHERE {{'")
    form = query_form(text)
    try:
        query_form_value = QueryForm(form)
    except ValueError:
        raise QueryFileError(f"{source}: a named query is SELECT, ASK or CONSTRUCT") from None
    return NamedQuery(name, title, description, parameters, text, query_form_value, path)


def load_registry(directory: Path = paths.QUERIES_DIR) -> QueryRegistry:
    """Every ``*.rq`` file in ``directory``, parsed once."""
    queries = [
        parse_query(path.stem, path.read_text(encoding="utf-8"), path)
        for path in sorted(directory.glob("*.rq"))
    ]
    return QueryRegistry(queries)


@cache
def default_registry() -> QueryRegistry:
    """The project's own queries (``queries/``), loaded on first use."""
    return load_registry()


def run(
    store: Store,
    name: str,
    raw: Mapping[str, str],
    *,
    registry: QueryRegistry | None = None,
) -> SelectResult | bool | Graph:
    """Run the named query ``name`` on ``store`` with the user's string parameters."""
    return (registry or default_registry()).run(store, name, raw)


__all__ = [
    "BaseType",
    "NamedQuery",
    "ParamType",
    "Parameter",
    "ParameterError",
    "QueryError",
    "QueryFileError",
    "QueryForm",
    "QueryRegistry",
    "UnknownQueryError",
    "default_registry",
    "load_registry",
    "parse_query",
    "run",
]
