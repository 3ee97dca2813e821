"""Export files on disk, all inside EXPORT_STORAGE_DIR.

Names are made here from the job's uuid; nothing a request sends ever becomes
part of a path. Every path read, written or deleted is resolved (symlinks
followed) and checked to be inside the storage folder, so a tampered
`file_path` in the database cannot reach any other file.
"""

import os
import tempfile
import time
from pathlib import Path

from django.conf import settings

TEMP_SUFFIX = ".tmp"


class UnsafeExportPath(ValueError):
    """A path that would leave the export storage folder."""


def storage_root() -> Path:
    root = Path(settings.EXPORT_STORAGE_DIR).resolve()
    root.mkdir(parents=True, exist_ok=True)
    return root


def export_file_name(*, job_id, file_format: str) -> str:
    """The file's path relative to the storage folder: the job's uuid and the format's extension."""
    return f"{job_id}.{file_format}"


def resolve_export_path(relative_path: str) -> Path:
    """The absolute path of a file in the storage folder; UnsafeExportPath for anything else."""
    root = storage_root()
    if not relative_path or Path(relative_path).is_absolute():
        raise UnsafeExportPath(f"Not a relative export path: {relative_path!r}")
    path = (root / relative_path).resolve()
    if path == root or not path.is_relative_to(root):
        raise UnsafeExportPath(f"Outside the export folder: {relative_path!r}")
    return path


def temp_file_for(*, job_id) -> Path:
    """A new empty file beside the final ones (same filesystem, so the final rename is atomic)."""
    descriptor, name = tempfile.mkstemp(prefix=f".{job_id}.", suffix=TEMP_SUFFIX, dir=storage_root())
    os.close(descriptor)
    return Path(name)


def move_into_place(temp_path: Path, relative_path: str) -> int:
    """Atomically rename a finished temp file to its final name; returns its size in bytes."""
    source = resolve_export_path(temp_path.name)
    target = resolve_export_path(relative_path)
    os.replace(source, target)
    return target.stat().st_size


def delete_export_file(relative_path: str) -> bool:
    """Delete a file of the storage folder; False when it was already gone."""
    try:
        resolve_export_path(relative_path).unlink()
    except FileNotFoundError:
        return False
    return True


def delete_stale_temp_files(*, older_than_seconds: float) -> int:
    """Temp files of workers that died mid-export. A live worker keeps writing,
    so its file's modification time stays recent and it is left alone."""
    cutoff = time.time() - older_than_seconds
    deleted = 0
    for path in storage_root().glob(f".*{TEMP_SUFFIX}"):
        try:
            if path.is_file() and not path.is_symlink() and path.stat().st_mtime < cutoff:
                path.unlink()
                deleted += 1
        except FileNotFoundError:
            continue
    return deleted
