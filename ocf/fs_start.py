"""Filesystem start and validate-all: prerequisites, fsck and mount."""

from __future__ import annotations

import os

from ocf import mounts, proc
from ocf.rc import RC, OCFError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ocf.agents.filesystem import Filesystem

_FUSE_LIKE = {"glusterfs": "fuse", "rozofs": "fuse", "efs": "nfs4"}


def fstype_supported(fstype: str) -> bool:
    if fstype in ("", "none"):
        return True
    wanted = "fuse" if fstype.startswith("fuse.") else _FUSE_LIKE.get(fstype, fstype)
    try:
        with open("/proc/filesystems", encoding="ascii") as fh:
            known = {line.split()[-1] for line in fh if line.strip()}
    except OSError:
        return True
    return wanted in known


def ensure_fstype(agent: Filesystem) -> None:
    fstype = agent.fstype
    if fstype_supported(fstype):
        return
    # Only now is modprobe needed; a host without it fails here, not on every action.
    if proc.which("modprobe") is not None:
        proc.run(["modprobe", fstype], timeout=agent.env.remaining())
        if fstype_supported(fstype):
            return
    raise OCFError(RC.ERR_INSTALLED, f"filesystem type {fstype} is not supported by the kernel")


def missing_device(agent: Filesystem) -> str | None:
    """The local device (or image, or bind source) this node lacks, if any.

    A network or pseudo filesystem has no local device to check; any other
    source given as a path (a label or UUID resolved to one) must exist here.
    """
    device = mounts.resolve_device(agent.p.get("device"))
    fstype = agent.fstype
    network = fstype in mounts.NETWORK_FSTYPES or ":" in device or device.startswith("//")
    if network or fstype == "none" or not device.startswith("/") or os.path.exists(device):
        return None
    return device


def validate_host(agent: Filesystem) -> None:
    fstype = agent.fstype
    device = missing_device(agent)
    if device is not None:
        raise OCFError(RC.ERR_ARGS, f"device {device} does not exist on this node")
    if not fstype_supported(fstype) and proc.which("modprobe") is None:
        raise OCFError(RC.ERR_INSTALLED, f"filesystem type {fstype} is not supported by the kernel")
    proc.require_binary("mount")
    proc.require_binary("umount")
    if agent.fsck_wanted():
        proc.require_binary("fsck")


def start(agent: Filesystem) -> None:
    directory = agent.directory
    table = mounts.read_mounts()
    under = mounts.below(table, directory)
    if under:
        raise OCFError(
            RC.ERR_CONFIGURED,
            f"{under[-1].mountpoint} is mounted below {directory}; refusing to mount over it",
        )
    missing = missing_device(agent)
    if missing is not None:
        # Like the shell agent: the storage is not attached to this node (a hard
        # error for Pacemaker: try another node), not a mount that failed.
        raise OCFError(RC.ERR_INSTALLED, f"Couldn't find device [{missing}] on this node")
    ensure_fstype(agent)
    device = agent.p.get("device")
    if agent.fsck_wanted():
        target = mounts.resolve_device(device)
        result = proc.run(["fsck", "-p", target], timeout=agent.env.remaining())
        # fsck: 0 clean, 1 errors corrected, 2 reboot advised, >=4 errors left.
        if result.returncode >= 4:
            raise OCFError(RC.ERR_GENERIC, f"couldn't successfully fsck filesystem for {device}")
    if not os.path.isdir(directory):
        try:
            os.makedirs(directory, mode=0o755, exist_ok=True)
        except OSError as exc:
            raise OCFError(
                RC.ERR_ARGS, f"couldn't create directory {directory} to use as a mount point: {exc}"
            ) from None
    argv = ["mount"]
    if agent.fstype:
        argv += ["-t", agent.fstype]
    options = agent.p.get("options")
    if options:
        argv += ["-o", options]
    argv += [*_device_args(device), directory]
    result = proc.run(argv, timeout=agent.env.remaining())
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise OCFError(
            RC.ERR_GENERIC,
            f"couldn't mount device {device} as {directory}"
            + (f": {detail[-1]}" if detail else ""),
        )
    agent.log.info(f"mounted {device} on {directory}")


def _device_args(device: str) -> list[str]:
    for flag in ("-L", "-U"):
        if device.startswith(flag):
            return [flag, device[len(flag) :].strip()]
    return [device]
