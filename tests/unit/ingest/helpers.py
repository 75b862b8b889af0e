"""Paths of the ingest fixtures."""

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ingest"
GOOD = FIXTURES / "good"
HOSTILE = FIXTURES / "hostile"
PAGES = FIXTURES / "pages"
