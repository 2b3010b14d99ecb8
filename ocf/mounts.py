"""The kernel's mount table (/proc/self/mountinfo) and device identity.

The Filesystem monitor asks "is THIS device mounted on THIS directory, and is
it the filesystem a process looking at the directory actually sees?" — the
shell agent only asks whether *something* is mounted there.
"""

from __future__ import annotations

import os
import stat

# Filesystem types whose "device" is not a local block device.
NETWORK_FSTYPES = frozenset(
    {"nfs", "nfs4", "cifs", "smbfs", "smb3", "glusterfs", "ceph", "lustre", "efs", "9p"}
)


class Mount:
    """One line of /proc/self/mountinfo."""

    __slots__ = (
        "dev",
        "fstype",
        "mount_id",
        "mountpoint",
        "options",
        "parent_id",
        "root",
        "source",
    )

    def __init__(
        self,
        *,
        mount_id: int,
        parent_id: int,
        dev: tuple[int, int],
        root: str,
        mountpoint: str,
        options: str,
        fstype: str,
        source: str,
    ) -> None:
        self.mount_id = mount_id
        self.parent_id = parent_id
        self.dev = dev
        self.root = root
        self.mountpoint = mountpoint
        self.options = options
        self.fstype = fstype
        self.source = source

    def __repr__(self) -> str:
        return f"Mount({self.source} on {self.mountpoint} type {self.fstype})"


def _unescape(field: str) -> str:
    # mountinfo escapes space, tab, newline and backslash as \ooo octal.
    if "\\" not in field:
        return field
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and i + 3 < len(field) and field[i + 1 : i + 4].isdigit():
            out.append(chr(int(field[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def parse_mountinfo(text: str) -> list[Mount]:
    mounts = []
    for line in text.splitlines():
        left, sep, right = line.partition(" - ")
        if not sep:
            continue
        lf = left.split()
        rf = right.split()
        if len(lf) < 6 or len(rf) < 2:
            continue
        major, _, minor = lf[2].partition(":")
        mounts.append(
            Mount(
                mount_id=int(lf[0]),
                parent_id=int(lf[1]),
                dev=(int(major), int(minor)),
                root=_unescape(lf[3]),
                mountpoint=_unescape(lf[4]),
                options=lf[5],
                fstype=rf[0],
                source=_unescape(rf[1]),
            )
        )
    return mounts


def read_mounts(path: str = "/proc/self/mountinfo") -> list[Mount]:
    """The mount table, read until two consecutive reads agree.

    A read racing with mounts and unmounts elsewhere can return a torn table
    (resource-agents PR #1337); three attempts bound the cost.
    """
    previous = None
    text = ""
    for _ in range(3):
        with open(path, encoding="utf-8", errors="surrogateescape") as fh:
            text = fh.read()
        if text == previous:
            break
        previous = text
    return parse_mountinfo(text)


def at(mounts: list[Mount], directory: str) -> list[Mount]:
    """Mounts whose mount point is `directory`, bottom first (the last one is visible)."""
    return [m for m in mounts if m.mountpoint == directory]


def below(mounts: list[Mount], directory: str) -> list[Mount]:
    """Mounts strictly below `directory`, deepest first (the order to unmount them)."""
    prefix = directory.rstrip("/") + "/"
    found = [m for m in mounts if m.mountpoint.startswith(prefix)]
    return sorted(found, key=lambda m: (m.mountpoint.count("/"), m.mount_id), reverse=True)


def resolve_device(device: str) -> str:
    """Turn -L label, -U uuid, LABEL=, UUID= and PARTUUID= into a /dev path when possible."""
    for flag, kind in (("-L", "label"), ("-U", "uuid")):
        if device.startswith(flag):
            return _by(kind, device[len(flag) :].strip())
    for prefix, kind in (("LABEL=", "label"), ("UUID=", "uuid"), ("PARTUUID=", "partuuid")):
        if device.startswith(prefix):
            return _by(kind, device[len(prefix) :].strip().strip('"'))
    return device


def _by(kind: str, value: str) -> str:
    path = f"/dev/disk/by-{kind}/{value}"
    if os.path.exists(path):
        return os.path.realpath(path)
    # No udev links (containers, minimal hosts): ask libblkid, as mount itself does.
    flag = {"label": "-L", "uuid": "-U"}.get(kind)
    if flag is not None:
        import subprocess  # only for label/uuid devices without udev

        try:
            found = subprocess.run(
                ["blkid", flag, value], capture_output=True, text=True, timeout=5, check=False
            ).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            found = ""
        if found.startswith("/dev/"):
            return found
    return path


def block_dev(path: str) -> tuple[int, int] | None:
    """(major, minor) of a block device node, or None if `path` is not one."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISBLK(st.st_mode):
        return None
    return os.major(st.st_rdev), os.minor(st.st_rdev)


def loop_devices_for(image: str) -> list[tuple[int, int]]:
    """Loop devices backed by the regular file `image` (a device=image, options=loop setup)."""
    real = os.path.realpath(image)
    found: list[tuple[int, int]] = []
    try:
        names = os.listdir("/sys/block")
    except OSError:
        return found
    for name in names:
        if not name.startswith("loop"):
            continue
        try:
            with open(f"/sys/block/{name}/loop/backing_file", encoding="utf-8") as fh:
                backing = fh.read().strip()
            with open(f"/sys/block/{name}/dev", encoding="ascii") as fh:
                major, _, minor = fh.read().strip().partition(":")
        except OSError:
            continue
        if os.path.realpath(backing) == real:
            found.append((int(major), int(minor)))
    return found


def is_ours(mount: Mount, device: str, fstype: str) -> bool:
    """Whether `mount` is the configured device (not merely something at the directory)."""
    if fstype == "none" or "bind" in mount.options.split(","):
        return True  # bind mounts: the source is a directory; the mount point decides
    resolved = resolve_device(device)
    dev = block_dev(resolved)
    if dev is not None:
        return mount.dev == dev
    if os.path.isfile(resolved):
        return mount.dev in loop_devices_for(resolved)
    # Network and pseudo filesystems: compare the source string.
    return mount.source.rstrip("/") == device.rstrip("/") and (
        not fstype or mount.fstype == fstype or mount.fstype.startswith(fstype)
    )
