"""Where the project's own files live (ontology, shapes, queries, curation, snapshot).

helsegraf is installed in editable mode from its repository, so these are paths in the
working tree; nothing here reads outside the repository except :data:`DEFAULT_LISTING`,
which points at the shared seed copy of the helsedata.no listing beside the repository.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "helsegraf.ttl"
SHAPES_DIR = PROJECT_ROOT / "shapes"
QUERIES_DIR = PROJECT_ROOT / "queries"
DATA_DIR = PROJECT_ROOT / "data"
CURATION_DIR = DATA_DIR / "curation"
REFERENCE_DIR = DATA_DIR / "reference"
#: Concepts of the controlled vocabularies the catalog uses (EU NALs, HealthDCAT-AP).
VOCABULARY_DIR = DATA_DIR / "vocabularies"
SNAPSHOT_FILE = DATA_DIR / "snapshot" / "helsedata.nt"
#: The text copy of the helsedata.no listing that ships beside the repository.
DEFAULT_LISTING = PROJECT_ROOT.parent / "shared" / "seeds" / "helsedata-datakilder.txt"
DEFAULT_STORE = PROJECT_ROOT / "var" / "store"
#: The official shapes of DCAT-AP, DCAT-AP-NO and HealthDCAT-AP, beside the repository.
DEFAULT_STANDARDS = PROJECT_ROOT.parent / "shared" / "standards"
