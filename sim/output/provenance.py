"""What is needed to repeat a run and check its files: the folder's id, the code, command, packages and
inputs, the scenario as run, and the SHA-256 of every file written (``manifest.json``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import secrets
import subprocess
import sys
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path

import yaml

from .. import __version__
from .atomic import write_atomic
from .formats import MANIFEST_JSON

PACKAGES = ("simpy", "numpy", "scipy", "pyyaml", "matplotlib", "jinja2", "tqdm", "salib", "openpyxl")


def run_folder_name(seed: int) -> str:
    """The run id, ``<UTC second>-<6 random hex digits>-seed<seed>`` (``20210101T093000Z-3fa9c1-seed42``):
    sortable by time, and unique even for runs of one seed that start in the same second, in one process
    or in several (the random part)."""
    return f"{_utc_now().strftime('%Y%m%dT%H%M%SZ')}-{_unique()}-seed{seed}"


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _unique() -> str:
    return secrets.token_hex(3)


def git_commit() -> str:
    """Commit of the code that ran, with ``+dirty`` when the tree has changes; 'unknown' outside git."""
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True,
                                timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=here,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "qingdao-urbanization-sim": __version__}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _sha256(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


def provenance(command: list[str] | None, input_files: list[str] | None) -> dict:
    """When, which code, which command, which packages, which inputs (with their SHA-256)."""
    inputs = {}
    for path in input_files or []:
        try:
            inputs[str(path)] = _sha256(Path(path).read_bytes())
        except OSError:
            inputs[str(path)] = "unreadable"
    return {"created_utc": _utc_now().isoformat(timespec="seconds"), "version": __version__,
            "git_commit": git_commit(), "command": command or sys.argv, "packages": package_versions(),
            "input_sha256": inputs}


def resolved_yaml(scenario) -> str:
    """The scenario exactly as run, every default filled in."""
    return yaml.safe_dump(scenario.to_dict(), sort_keys=False, allow_unicode=True)


def write_texts(folder: Path, texts: Mapping[str, str | bytes]) -> dict[str, str]:
    """Write each ``name -> text`` (UTF-8) or ``name -> bytes`` into ``folder``; return their SHA-256 for the
    manifest."""
    for name, text in texts.items():
        write_atomic(folder / name, text.encode("utf-8") if isinstance(text, str) else text)
    return {name: _sha256(text) for name, text in texts.items()}


def write_manifest(folder: Path, manifest: dict) -> None:
    write_atomic(folder / MANIFEST_JSON, (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
