"""Image files under MEDIA_DIR: content-addressed names, atomic writes, and nothing else ever read or removed.

A name is the hash of the file's bytes plus its extension (backend.services.imaging.file_name), so a
file never changes once written: writing a name that exists already is a no-op, and a URL keeps its
meaning forever (hence the immutable caching of /media/). Only names of that exact shape are accepted
anywhere here, so no request can reach a path outside the directory.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

# What imaging.file_name makes: 40 hex digits and one of our extensions. Nothing else is served or removed.
NAME = re.compile(r"[0-9a-f]{40}\.(jpg|webp)")
MEDIA_URL_PREFIX = "/media/"
log = logging.getLogger("shopwright.media")


def is_media_name(name: str) -> bool:
    return NAME.fullmatch(name) is not None


def media_url(name: str) -> str:
    """The URL a stored file is served at (relative to the site, as image_url values are)."""
    return MEDIA_URL_PREFIX + name


class MediaStore:
    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def path(self, name: str) -> Path | None:
        """Where a file of that name lives, or None for a name our code never makes."""
        return self.directory / name if is_media_name(name) else None

    def exists(self, name: str) -> bool:
        path = self.path(name)
        return path is not None and path.is_file()

    def write(self, name: str, data: bytes) -> bool:
        """Store data under name (temp file + fsync + rename: a reader sees all of it or nothing);
        returns True when this call created the file, False when it was there already."""
        path = self.path(name)
        if path is None:
            raise ValueError(f"not a media file name: {name!r}")
        if path.is_file():
            return False
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".upload-", dir=self.directory)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temp, 0o644)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return True

    def remove(self, names: Iterable[str]) -> None:
        """Remove files (missing ones are fine); a file that cannot be removed is logged, never raised:
        the database change that made it unused has been committed already."""
        for name in set(names):
            path = self.path(name)
            if path is None:
                continue
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                log.warning("could not remove media file %s: %s", name, exc)

    def names(self) -> list[str]:
        """Every media file in the directory (temp files and strays left out), sorted."""
        if not self.directory.is_dir():
            return []
        return sorted(entry.name for entry in os.scandir(self.directory)
                      if is_media_name(entry.name) and entry.is_file())

    def copy_to(self, target: Path, names: Iterable[str]) -> int:
        """Put these files into another directory (hard links when possible: the files never change);
        returns how many were added."""
        target.mkdir(parents=True, exist_ok=True)
        copied = 0
        for name in names:
            source, dest = self.directory / name, target / name
            if not is_media_name(name) or dest.exists() or not source.is_file():
                continue
            try:
                os.link(source, dest)
            except OSError:
                shutil.copy2(source, dest)
            copied += 1
        return copied
