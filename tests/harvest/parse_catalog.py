"""Read an RDF file with ckanext-dcat's RDF parser, as a CKAN harvester would.

Run by the Python of the ckan venv (``tests/harvest/ckan-env.sh``), never by helsegraf's::

    .venv-ckan/bin/python tests/harvest/parse_catalog.py CATALOG.ttl \\
        --format turtle --profile euro_health_dcat_ap --config ckan.locale_default=nb

prints the dataset dicts ckanext-dcat makes (what it would hand to ``package_create``) as a
JSON list on stdout; with ``--with-next-page``, an object ``{"datasets": [...],
"next_page": URL or null}``, the next page as the harvester finds it (Hydra paging). Exit
status 1, with the reason on stderr, when the file cannot be read or parsed, a profile is
unknown or a profile fails on the data; 2 for bad arguments.

No CKAN runs: no database, no Solr, no plugin loading. ``RDFParser`` finds its profiles
through the ``ckan.rdf.profiles`` entry points by itself, and the CKAN config it reads is
the empty in-process ``ckan.common.config``, which ``--config`` fills.

Only the standard library is imported at module level, so the main venv's pytest can
import this file (``--doctest-modules``) without ckan installed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

#: The profiles ckanext-dcat uses when none is given (its own default).
DEFAULT_PROFILES = ["euro_dcat_ap_3"]


def _config_pair(text: str) -> tuple[str, str]:
    """``KEY=VALUE`` → ``(KEY, VALUE)``.

    >>> _config_pair("ckan.locale_default=nb")
    ('ckan.locale_default', 'nb')
    """
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Parse an RDF file with ckanext-dcat's RDFParser; print the dataset "
        "dicts as JSON."
    )
    parser.add_argument("path", nargs="?", type=Path, help="the RDF file")
    parser.add_argument(
        "--format",
        help="rdflib format or media type (turtle, xml, json-ld, nt, text/turtle, ...); "
        "default: guessed from the file name",
    )
    parser.add_argument(
        "--profile",
        dest="profiles",
        nargs="+",
        metavar="NAME",
        help=f"ckanext-dcat profile(s), in order (default: {' '.join(DEFAULT_PROFILES)})",
    )
    parser.add_argument(
        "--config",
        dest="config",
        action="append",
        type=_config_pair,
        default=[],
        metavar="KEY=VALUE",
        help="a CKAN config option, e.g. ckan.locale_default=nb (repeatable)",
    )
    parser.add_argument(
        "--with-next-page",
        action="store_true",
        help='print {"datasets": [...], "next_page": ...} instead of the bare list',
    )
    parser.add_argument(
        "--list-profiles",
        action="store_true",
        help="print the registered ckan.rdf.profiles entry points as JSON and exit",
    )
    args = parser.parse_args(argv)
    if not args.list_profiles and args.path is None:
        parser.error("the RDF file is required")
    return args


def _fail(message: str) -> int:
    print(f"parse_catalog: {message}", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    """Parse, print the dataset dicts; the exit status."""
    args = _arguments(argv)

    from importlib.metadata import entry_points

    if args.list_profiles:
        registered = {ep.name: ep.value for ep in entry_points(group="ckan.rdf.profiles")}
        print(json.dumps(registered, indent=1, sort_keys=True))
        return 0

    # ckan and ckanext-dcat exist only in the ckan venv: imported here, not at the top.
    from ckan.common import config
    from ckanext.dcat.exceptions import RDFParserException, RDFProfileException
    from ckanext.dcat.processors import RDFParser
    from rdflib.util import guess_format

    for option, setting in args.config:
        config[option] = setting

    path: Path = args.path
    try:
        data = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return _fail(f"cannot read {path}: {error}")

    rdf_format = args.format or guess_format(str(path))
    if not rdf_format:
        return _fail(f"cannot guess the RDF format of {path}: give --format")

    profiles = args.profiles or DEFAULT_PROFILES
    try:
        parser = RDFParser(profiles=profiles)
    except RDFProfileException as error:
        known = sorted(ep.name for ep in entry_points(group="ckan.rdf.profiles"))
        return _fail(f"{error} (registered: {', '.join(known)})")

    try:
        parser.parse(data, _format=rdf_format)
    except RDFParserException as error:
        return _fail(f"ckanext-dcat cannot parse {path} as {rdf_format}: {error}")
    except Exception as error:  # rdflib's parsers raise more than ckanext-dcat catches
        return _fail(
            f"ckanext-dcat cannot parse {path} as {rdf_format}: {type(error).__name__}: {error}"
        )

    try:
        datasets = list(parser.datasets())
    except Exception as error:  # a profile that breaks on our data is the finding
        import traceback

        traceback.print_exc()
        return _fail(
            f"profile(s) {' '.join(profiles)} failed on {path}: {type(error).__name__}: {error}"
        )

    output: object = datasets
    if args.with_next_page:
        output = {"datasets": datasets, "next_page": parser.next_page()}
    json.dump(output, sys.stdout, ensure_ascii=False, indent=1, sort_keys=True, default=str)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
