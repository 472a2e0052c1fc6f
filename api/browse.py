"""``/``: browse the sources with facets (built in a following commit)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["browse"])
