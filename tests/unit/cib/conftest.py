"""Shared paths for the cib unit tests (case data is read in place, never copied)."""

from __future__ import annotations

from pathlib import Path

from tests.fixtures.tools import SHARED

CASES_DIR = SHARED / "pacemaker-scheduler-cases" / "xml"
SAMPLES_DIR = SHARED / "reference" / "tool-output-samples"


def case_files() -> list[Path]:
    return sorted(CASES_DIR.glob("*.xml")) if CASES_DIR.is_dir() else []


def sample_cibs() -> list[Path]:
    if not SAMPLES_DIR.is_dir():
        return []
    return sorted(
        p for p in SAMPLES_DIR.glob("*.xml") if p.read_bytes().lstrip().startswith(b"<cib")
    )
