"""Find and stop the processes that keep a mount busy.

Only processes that really use the mount are signalled: their cwd, root,
executable, open files or memory maps lie on it. Nothing here stat()s a path
on the mount itself, so a dead NFS server cannot hang the scan; paths come
from readlink of /proc entries and from psutil, which reads the same.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable

import psutil


def _on(path: str | None, prefix: str, directory: str) -> bool:
    return bool(path) and (path == directory or path.startswith(prefix))  # type: ignore[union-attr]


def _readlink(path: str) -> str | None:
    try:
        return os.readlink(path)
    except OSError:
        return None


def users(directory: str, mount_id: int | None = None) -> list[int]:
    """PIDs of processes using the filesystem mounted at `directory`."""
    directory = directory.rstrip("/") or "/"
    prefix = directory + "/"
    me = {os.getpid(), os.getppid()}
    found = []
    for proc in psutil.process_iter():
        pid = proc.pid
        if pid in me:
            continue
        try:
            if _uses(proc, directory, prefix, mount_id):
                found.append(pid)
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
        except psutil.AccessDenied:
            continue
    return found


def _uses(proc: psutil.Process, directory: str, prefix: str, mount_id: int | None) -> bool:
    base = f"/proc/{proc.pid}"
    for link in ("cwd", "root", "exe"):
        target = _readlink(f"{base}/{link}")
        # A process chrooted to "/" has root "/"; only a root inside the mount counts.
        if _on(target, prefix, directory) and not (link == "root" and directory == "/"):
            return True
    if mount_id is not None and _fd_on_mount(base, mount_id):
        return True
    for f in proc.open_files():
        if _on(f.path, prefix, directory):
            return True
    try:
        maps = proc.memory_maps(grouped=True)
    except (psutil.AccessDenied, OSError):
        maps = []
    return any(_on(m.path, prefix, directory) for m in maps)


def _fd_on_mount(base: str, mount_id: int) -> bool:
    """Any open descriptor (files, directories, sockets in the fs) on this exact mount."""
    try:
        fds = os.listdir(f"{base}/fdinfo")
    except OSError:
        return False
    wanted = f"mnt_id:\t{mount_id}\n"
    for fd in fds:
        try:
            with open(f"{base}/fdinfo/{fd}", encoding="ascii", errors="replace") as fh:
                if wanted in fh.read(512):
                    return True
        except OSError:
            continue
    return False


def signal_all(pids: list[int], sig: signal.Signals) -> list[int]:
    """Send `sig` to each PID; return those that received it."""
    sent = []
    for pid in pids:
        try:
            os.kill(pid, sig)
            sent.append(pid)
        except ProcessLookupError:
            continue
        except PermissionError:
            continue
    return sent


def wait_gone(pids: list[int], until: float, sleep: Callable[[float], None] = time.sleep) -> bool:
    """Poll until every PID has exited or the monotonic deadline passes."""
    pending = set(pids)
    while pending:
        pending = {p for p in pending if psutil.pid_exists(p) and not _zombie(p)}
        if not pending:
            return True
        if time.monotonic() >= until:
            return False
        sleep(0.05)
    return True


def _zombie(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True
