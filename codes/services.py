"""Writes to the fee schedule: importing CMS files and choosing the current release.

Work in progress: the signatures below are the contract the command and the Celery refresh use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


class FeeScheduleImportError(Exception):
    """An import could not be done; the message names the file, line and column when it can."""


class ImportInProgress(FeeScheduleImportError):
    """Another process holds the lock for this release; try again later."""


@dataclass(frozen=True)
class ImportOutcome:
    release: object | None  # codes.models.Release, or None for an HCPCS-only import
    imported: bool  # False when every file had been imported before (same SHA-256)
    message: str


def release_import(
    *,
    source: str | Path,
    name: str | None = None,
    make_current: bool = False,
    progress: Callable[[int, int], None] | None = None,
    source_url: str | None = None,
) -> ImportOutcome:
    """Import a CMS zip, a folder of its files or one file; see the module docstring."""
    raise NotImplementedError
