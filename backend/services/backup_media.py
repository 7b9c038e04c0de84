"""The image files of a backup: a folder next to the SQL file (`<name>.media/`), holding the media files
(hard links where the file system allows: the files never change) and a manifest written last.

A backup file without such a folder (made before images existed) still restores: its database only, with
the media directory left as it is. A folder without its manifest, or with a file whose bytes do not hash
to its name, is an incomplete backup and is refused before anything is touched.
"""
from __future__ import annotations

import json
from pathlib import Path

from backend import errors
from backend.media_store import MediaStore, is_media_name
from backend.services.imaging import file_name

MANIFEST = "manifest.json"
FORMAT = "shopwright-media v1"


def media_folder(backup_path: Path) -> Path:
    """x-python.sql -> x-python.media (next to it)."""
    return backup_path.with_suffix(".media")


def save_media(store: MediaStore, backup_path: Path) -> int:
    """Put every media file into the backup's folder, then the manifest; returns the number of files.

    Called before and after the dump: files present at either time are kept, so every file a row of the
    dump's snapshot names is there (a file is removed only after the last row naming it is gone).
    """
    folder = media_folder(backup_path)
    store.copy_to(folder, store.names())
    names = sorted(p.name for p in folder.iterdir() if is_media_name(p.name))
    (folder / MANIFEST).write_text(json.dumps({"format": FORMAT, "files": names}), encoding="utf-8")
    return len(names)


def count_media(backup_path: Path) -> int | None:
    """How many media files the backup holds; None when it has no media folder."""
    manifest = media_folder(backup_path) / MANIFEST
    if not manifest.is_file():
        return None
    try:
        return len(json.loads(manifest.read_text(encoding="utf-8"))["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def check_media(backup_path: Path) -> list[str] | None:
    """The media files of a backup, each checked against its content hash; None when it has no media folder.
    Raises Conflict (invalid_backup) when the folder is incomplete or a file is damaged."""
    folder = media_folder(backup_path)
    if not folder.is_dir():
        return None

    def refuse(why: str) -> errors.Conflict:
        return errors.Conflict(f"The backup's media files are not usable: {why}.", code="invalid_backup")

    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise refuse("the manifest is missing or unreadable") from exc
    names = manifest.get("files") if isinstance(manifest, dict) else None
    if manifest.get("format") != FORMAT or not isinstance(names, list) or \
            not all(isinstance(n, str) and is_media_name(n) for n in names):
        raise refuse("the manifest is not one this version writes")
    for name in names:
        path = folder / name
        if not path.is_file() or file_name(path.read_bytes(), name.rsplit(".", 1)[1]) != name:
            raise refuse(f"{name} is missing or damaged")
    return names


def restore_media(store: MediaStore, backup_path: Path, names: list[str]) -> int:
    """Copy the backup's files into the media directory (atomic writes; files there already are kept);
    returns how many were missing and written."""
    folder = media_folder(backup_path)
    return sum(1 for name in names if store.write(name, (folder / name).read_bytes()))
