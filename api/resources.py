"""Linked-data pages: ``/id/...``, ``/ontology`` and ``/shapes`` (built in a following commit)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["linked data"])
