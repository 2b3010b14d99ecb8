"""Crash-safe CIB persistence, laid out like Pacemaker's ``/var/lib/pacemaker/cib``.

* ``cib.xml`` -- the current CIB, mode 0600, replaced atomically by :func:`cib.atomic.atomic_write`
  (temporary file in the same directory, fsync, rename, directory fsync): a crash leaves
  either the old or the new file.
* ``cib.xml.sig`` -- md5 hex digest of ``cib.xml``'s bytes; :meth:`CibStore.read_bytes`
  refuses a file whose digest does not match (``CIB_DIGEST_MISMATCH``), except where a
  write was cut off between the file and its signature (a node fenced mid-write): the
  file is whole, and its signature is written then.  A missing signature is accepted
  unless ``require_digest`` is set (Pacemaker only warns).
* ``cib-N.raw`` (+ ``.sig``) -- the previous versions, ``N`` counted in ``cib.last``;
  only the newest ``keep`` are kept.

Writers take an exclusive ``flock`` on ``.cib.lock`` in the directory.  :meth:`CibStore.write`
parses the new content first, so a bad CIB changes nothing on disk.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from cib import errors
from cib.atomic import FILE_MODE, atomic_write
from cib.errors import CibError
from cib.model import Cib
from cib.parse import loads

DIR_MODE = 0o750


def digest(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


class CibStore:
    def __init__(
        self,
        directory: str | os.PathLike[str],
        name: str = "cib.xml",
        *,
        keep: int = 10,
        owner: tuple[int, int] | None = None,
        require_digest: bool = False,
    ) -> None:
        self.directory = Path(directory)
        self.path = self.directory / name
        self.sig_path = self.directory / f"{name}.sig"
        self.last_path = self.directory / "cib.last"
        self.keep = keep
        self.owner = owner
        self.require_digest = require_digest

    # ------------------------------------------------------------------ reading
    def exists(self) -> bool:
        return self.path.exists()

    def read_bytes(self, verify: bool = True) -> bytes:
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise CibError(
                errors.IO, exc.strerror or str(exc), file=str(self.path), line=0
            ) from None
        if verify:
            self._verify(data)
        return data

    def _verify(self, data: bytes) -> None:
        try:
            expected = self.sig_path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            if self.require_digest:
                raise CibError(
                    errors.DIGEST_MISMATCH,
                    f"signature {self.sig_path.name} is missing",
                    file=str(self.path),
                    line=0,
                    element_id="cib",
                ) from None
            return
        except (OSError, UnicodeDecodeError) as exc:
            raise CibError(
                errors.IO, f"cannot read {self.sig_path.name}: {exc}", file=str(self.path), line=0
            ) from None
        actual = digest(data)
        if actual != expected and self._signature_not_written(expected):
            # cib.xml was replaced (atomically: it is whole) and the process died before
            # its signature was: finish that write, as the next one would have
            with contextlib.suppress(OSError), self.locked():
                atomic_write(self.sig_path, actual.encode("ascii"), FILE_MODE, self.owner)
            return
        if actual != expected:
            newest = self.backups()[-1:]
            hint = f"; the newest backup is {newest[0].name}" if newest else ""
            raise CibError(
                errors.DIGEST_MISMATCH,
                f"digest {actual} does not match {self.sig_path.name} ({expected}): the file was "
                f"changed outside the store or a write was interrupted{hint}",
                file=str(self.path),
                line=0,
                element_id="cib",
            )

    def _signature_not_written(self, signature: str) -> bool:
        """Whether ``signature`` is the newest backup's: a write backs the current files up
        first, then replaces ``cib.xml``, then its signature, so a write cut off between the
        last two leaves the old signature, the backup's, beside the new file.  A file edited
        behind the store's back after a complete write does not pass: its signature is
        then the new one, not the backup's."""
        newest = self.backups()[-1:]
        if not newest:
            return False
        try:
            backup_sig = Path(f"{newest[0]}.sig").read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return False
        return backup_sig == signature

    def load(self, verify: bool = True) -> Cib:
        return loads(self.read_bytes(verify), source=str(self.path))

    # ------------------------------------------------------------------ writing
    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        self.directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        fd = os.open(self.directory / ".cib.lock", os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def write(self, data: str | bytes, *, validate: bool = True) -> Cib | None:
        """Back up the current file, then atomically install ``data`` and its digest.

        With ``validate`` the content is parsed first (a :class:`CibError` leaves the disk as
        it was) and the model is returned.
        """
        raw = data.encode("utf-8") if isinstance(data, str) else data
        model = loads(raw, source=str(self.path)) if validate else None
        with self.locked():
            if self.path.exists():
                self._backup()
            atomic_write(self.path, raw, FILE_MODE, self.owner)
            atomic_write(self.sig_path, digest(raw).encode("ascii"), FILE_MODE, self.owner)
        return model

    # ------------------------------------------------------------------ backups
    def _last_seq(self) -> int:
        try:
            text = self.last_path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return 0
        return int(text) if text.isdigit() else 0

    def _backup(self) -> None:
        seq = self._last_seq() + 1
        target = self.directory / f"cib-{seq}.raw"
        for src, dst in ((self.path, target), (self.sig_path, Path(f"{target}.sig"))):
            if not src.exists():
                continue
            with contextlib.suppress(FileNotFoundError):
                dst.unlink()
            try:
                os.link(src, dst)  # the old inode survives the rename that follows
            except OSError as exc:
                if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                    raise
                atomic_write(dst, src.read_bytes(), FILE_MODE, self.owner)
        atomic_write(self.last_path, str(seq).encode("ascii"), FILE_MODE, self.owner)
        self._prune(seq)

    def _prune(self, newest: int) -> None:
        for path in self.backups():
            seq = int(path.name[4:-4])
            if seq <= newest - self.keep:
                for victim in (path, Path(f"{path}.sig")):
                    with contextlib.suppress(FileNotFoundError):
                        victim.unlink()

    def backups(self) -> list[Path]:
        """Backup files ``cib-N.raw``, oldest first."""
        found: list[tuple[int, Path]] = []
        if not self.directory.is_dir():
            return []
        for path in self.directory.glob("cib-*.raw"):
            middle = path.name[4:-4]
            if middle.isdigit():
                found.append((int(middle), path))
        return [p for _, p in sorted(found)]
