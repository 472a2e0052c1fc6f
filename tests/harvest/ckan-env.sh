#!/usr/bin/env bash
# The ckan venv for the harvest test (tests/harvest/test_ckanext_dcat.py): CKAN and
# ckanext-dcat, whose RDF parser reads our DCAT catalog the way a CKAN harvester does.
#
#   bash tests/harvest/ckan-env.sh [VENV]            create or bring up to date (idempotent)
#   bash tests/harvest/ckan-env.sh [VENV] --update   rebuild from ckan's own pins and rewrite
#                                                    tests/harvest/ckan-constraints.txt
#
# VENV defaults to .venv-ckan in the project root; a relative VENV is taken from the project
# root. It is its own venv, apart from .venv: ckan pins rdflib's, SQLAlchemy's and Flask's
# neighbours to versions helsegraf need not share.
#
# What goes in, and why: the ckan wheel declares no dependencies (its requirements.txt ships
# only in the sdist), and importing ckanext.dcat.processors and running a profile pulls in
# ckan.plugins and ckan.logic.get_action, which import Flask, SQLAlchemy, alembic, rq, ... at
# module level. IMPORT_DEPS is the least set that makes that import chain work, found by
# importing until nothing was missing; nothing is started and nothing connects (no database,
# Solr or Redis). Versions: ckan 2.12.0's own requirements.txt, frozen with everything else
# into ckan-constraints.txt. Not needed, so not installed: psycopg2 (builds against libpq),
# pglast, feedgen, flask-session, flask-wtf, ckanext-scheming.
#
# Python: $PYTHON, else python3.11 (as the Makefile). Needs libmagic (Debian's libmagic1):
# ckan's file-keeper imports python-magic.
set -euo pipefail

CKAN_VERSION=2.12.0
DCAT_VERSION=2.4.4
IMPORT_DEPS=(
    alembic dominate file-keeper flask flask-babel flask-login markdown msgspec nh3 packaging
    passlib polib pyjwt pysolr requests rq simplejson sqlalchemy typing-extensions tzlocal
    webassets
)

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
constraints=$here/ckan-constraints.txt
python=${PYTHON:-python3.11}

update=0
venv=
for arg in "$@"; do
    case $arg in
        --update) update=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) echo "ckan-env.sh: unknown option $arg" >&2; exit 2 ;;
        *) venv=$arg ;;
    esac
done
venv=${venv:-.venv-ckan}
[[ $venv = /* ]] || venv=$root/$venv
stamp=$venv/.ckan-env-stamp
export PIP_DISABLE_PIP_VERSION_CHECK=1

# What the venv was built from: this script and the pins. The same stamp means nothing to do.
fingerprint() { cat "${BASH_SOURCE[0]}" "$constraints" | sha256sum | cut -d' ' -f1; }

# The parser imports and runs both profiles on a one-dataset graph.
smoke() {
    "$venv/bin/python" - <<'EOF'
from ckanext.dcat.processors import RDFParser

TTL = """
@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
<urn:x:d> a dcat:Dataset ; dct:title "t" .
"""
for profile in ("euro_dcat_ap_3", "euro_health_dcat_ap"):
    parser = RDFParser(profiles=[profile])
    parser.parse(TTL, _format="turtle")
    assert [d["title"] for d in parser.datasets()] == ["t"], profile
EOF
}

if ((!update)) && [[ -f $stamp && $(cat "$stamp") == "$(fingerprint)" ]] && smoke 2>/dev/null; then
    echo "ckan-env.sh: $venv is up to date"
    exit 0
fi

command -v "$python" >/dev/null 2>&1 || {
    echo "ckan-env.sh: $python not found: install Python 3.11 or set PYTHON" >&2
    exit 1
}
if ((update)) || ! "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
    rm -rf "$venv"
    "$python" -m venv "$venv"
fi
rm -f "$stamp"
pip=("$venv/bin/python" -m pip install --quiet)
packages=("ckan==$CKAN_VERSION" "ckanext-dcat==$DCAT_VERSION" "${IMPORT_DEPS[@]}")

if ((update)); then
    # ckan's own pins, from the requirements.txt in its sdist; pip's constraints allow no
    # extras ("werkzeug[watchdog]").
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    "$venv/bin/python" -m pip download --quiet --no-deps --no-binary :all: \
        "ckan==$CKAN_VERSION" -d "$tmp"
    tar -xzf "$tmp/ckan-$CKAN_VERSION.tar.gz" -C "$tmp" "ckan-$CKAN_VERSION/requirements.txt"
    sed -E 's/\[[^]]*\]//; s/[[:space:]]*#.*//; /^$/d' \
        "$tmp/ckan-$CKAN_VERSION/requirements.txt" >"$tmp/ckan-pins.txt"
    "${pip[@]}" -c "$tmp/ckan-pins.txt" "${packages[@]}"
    {
        echo "# The ckan venv's exact pins: written by 'bash tests/harvest/ckan-env.sh --update'"
        echo "# (pip freeze after installing ckan==$CKAN_VERSION, ckanext-dcat==$DCAT_VERSION and the"
        echo "# import dependencies in ckan-env.sh, at ckan's own requirements.txt versions)."
        echo "# Python $("$venv/bin/python" -c 'import platform; print(platform.python_version())'). Do not edit by hand."
        "$venv/bin/python" -m pip freeze
    } >"$constraints"
    echo "ckan-env.sh: wrote $constraints"
else
    "${pip[@]}" -c "$constraints" "${packages[@]}"
fi

"$venv/bin/python" -m pip check
if ! smoke; then
    if ! "$venv/bin/python" -c 'import magic' 2>/dev/null; then
        echo "ckan-env.sh: python-magic cannot load libmagic: apt-get install libmagic1" >&2
    fi
    echo "ckan-env.sh: ckanext-dcat's parser does not run in $venv" >&2
    exit 1
fi
fingerprint >"$stamp"
echo "ckan-env.sh: $venv ready (ckan $CKAN_VERSION, ckanext-dcat $DCAT_VERSION)"
