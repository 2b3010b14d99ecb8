"""ocf:pycrm:Filesystem — mount a filesystem, and know that it is really mounted.

Drop-in for resource-agents 4.12 Filesystem, with the same parameters. Where
the shell agent's monitor asks whether anything is mounted on the directory,
this one checks that the configured device is mounted there and is the
filesystem visible at the directory. Stop kills only the processes that use
that mount, TERM then KILL, within the operation's timeout.
"""

from __future__ import annotations

import os
import time

from ocf import mounts
from ocf.agent import Agent
from ocf.metadata import ActionSpec
from ocf.params import Param
from ocf.rc import RC, OCFError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import ClassVar

# fstypes the shell agent never fscks under run_fsck=auto.
_NO_FSCK = frozenset(
    {
        *("ext4", "ext4dev", "ext3", "reiserfs", "reiser4", "nss", "xfs", "jfs", "vfat"),
        *("fat", "nfs4", "nfs", "efs", "cifs", "smbfs", "ocfs2", "gfs2", "none", "lustre"),
        *("glusterfs", "ceph", "tmpfs", "overlay", "overlayfs", "rozofs", "zfs", "cvfs"),
    }
)

_PARAMS = (
    Param(
        "device",
        "block device",
        "The name of the block device for the filesystem, or -U, -L options for mount, "
        "or an NFS/CIFS source, or the source directory of a bind mount.",
        required=True,
        default="",
    ),
    Param(
        "directory",
        "mount point",
        "The mount point for the filesystem. A trailing slash is ignored.",
        required=True,
        default="",
    ),
    Param(
        "fstype",
        "filesystem type",
        'The type of filesystem to be mounted ("none" for a bind mount).',
        required=True,
        default="",
    ),
    Param(
        "options", "options", "Any extra options to be given as -o options to mount.", default=""
    ),
    Param(
        "statusfile_prefix",
        "status file prefix",
        "The prefix of the status file used by the OCF_CHECK_LEVEL=20 monitor (a write and "
        "read test), relative to the mount point.",
        default=".Filesystem_status/",
    ),
    Param(
        "run_fsck",
        "run_fsck",
        'Whether to run fsck before mounting: "auto" decides by fstype (not for journaling '
        'and network filesystems), "force" always, "no" never.',
        default="auto",
    ),
    Param(
        "fast_stop",
        "fast stop",
        "Give processes that use the filesystem less time to exit during stop: TERM is "
        "followed by KILL after at most 3 seconds instead of half the stop timeout.",
        type="boolean",
        default="no",
    ),
    Param(
        "force_clones",
        "allow running as a clone, regardless of filesystem type",
        "The shell agent refuses to run as a clone unless the filesystem is a cluster "
        "filesystem or this is true. This agent applies the same check.",
        type="boolean",
        default="false",
    ),
    Param(
        "force_unmount",
        "Kill processes before unmount",
        'How to handle processes that use the mount at stop: "true" or "safe" kill them '
        "(TERM, then KILL), found through /proc without blocking calls, so both behave as "
        'the shell agent\'s "safe"; "false" never kills and stop fails if the mount stays busy.',
        type="boolean",
        default="true",
    ),
)

_CLUSTER_FS = frozenset({"gfs2", "ocfs2", "nfs", "nfs4", "cifs", "smbfs", "glusterfs", "ceph"})


class Filesystem(Agent):
    name = "Filesystem"
    version = "1.1"
    shortdesc = "Manages filesystem mounts"
    longdesc = (
        "Resource script for Filesystem. It manages a filesystem on a shared storage medium. "
        "The monitor verifies that the configured device is the filesystem mounted and "
        "visible at the directory; OCF_CHECK_LEVEL=10 adds a read test of the device and "
        "OCF_CHECK_LEVEL=20 a write and read test on the filesystem."
    )
    params = _PARAMS
    actions = (
        ActionSpec("start", "60s"),
        ActionSpec("stop", "60s"),
        ActionSpec("monitor", "40s", interval="20s", depth="0"),
        ActionSpec("validate-all", "5s"),
        ActionSpec("meta-data", "5s"),
    )
    check_levels: ClassVar[tuple[int, ...]] = (0, 10, 20)

    # ------------------------------------------------------------- parameters
    @property
    def directory(self) -> str:
        path = self.p.get("directory")
        if path != "/":
            path = path.rstrip("/")
        return os.path.realpath(path) if os.path.isdir(path) else path

    @property
    def fstype(self) -> str:
        return self.p.get("fstype")

    @property
    def force_unmount(self) -> str:
        value = self.p.get("force_unmount").strip().lower()
        if value == "safe":
            return "safe"
        return "true" if value in ("yes", "true", "1", "on", "y") else "false"

    def check_config(self) -> None:
        directory = self.p.get("directory")
        if not directory.startswith("/"):
            raise OCFError(RC.ERR_CONFIGURED, f"directory {directory!r} is not an absolute path")
        if self.p.get("directory").rstrip("/") == "":
            raise OCFError(RC.ERR_CONFIGURED, "directory must not be /")
        if self.p.get("run_fsck") not in ("auto", "force", "no", ""):
            self.log.warning(f"invalid run_fsck {self.p.get('run_fsck')!r}; using auto")
        clone_max = self.env.meta("clone_max")
        if clone_max and self.fstype not in _CLUSTER_FS and not self.p.flag("force_clones"):
            raise OCFError(
                RC.ERR_CONFIGURED,
                f"{self.fstype} is not a cluster filesystem; set force_clones=true to clone it",
            )

    # ----------------------------------------------------------------- state
    def _state(self) -> tuple[mounts.Mount | None, mounts.Mount | None]:
        """(our mount at the directory or None, the visible (topmost) mount or None)."""
        here = mounts.at(mounts.read_mounts(), self.directory)
        device, fstype = self.p.get("device"), self.fstype
        ours = [m for m in here if mounts.is_ours(m, device, fstype)]
        return (ours[-1] if ours else None), (here[-1] if here else None)

    # --------------------------------------------------------------- monitor
    def monitor(self) -> RC | None:
        ours, top = self._state()
        if ours is None:
            if top is not None:
                self.log.info(
                    f"{self.directory} has {top.source} ({top.fstype}) mounted, "
                    f"not {self.p.get('device')}"
                )
            return RC.NOT_RUNNING
        if top is not None and top.mount_id != ours.mount_id:
            raise OCFError(
                RC.ERR_GENERIC,
                f"{self.p.get('device')} is mounted on {self.directory} but hidden by "
                f"{top.source} ({top.fstype}) mounted over it",
            )
        # The requested depth applies to a probe too, as in the shell agent. A depth
        # set on a recurring monitor's op does not reach Pacemaker's probes, which
        # therefore stay at level 0 unless a depth is configured for them.
        if self.check_level == 0:
            return RC.SUCCESS
        from ocf import fs_checks  # only the deeper levels need it

        if self.check_level >= 10:
            fs_checks.read_test(mounts.resolve_device(self.p.get("device")), self.env.remaining())
        if self.check_level >= 20:
            status = os.path.join(
                self.directory,
                self.p.get("statusfile_prefix"),
                f"{self.env.instance}_{self.env.node}",
            )
            fs_checks.write_read_test(status, self.env.remaining())
        return RC.SUCCESS

    # ----------------------------------------------------------------- start
    def start(self) -> RC | None:
        ours, top = self._state()
        if ours is not None and (top is None or top.mount_id == ours.mount_id):
            self.log.info(f"Filesystem {self.directory} is already mounted.")
            return None
        from ocf import fs_start

        fs_start.start(self)
        ours, top = self._state()
        if ours is None or (top is not None and top.mount_id != ours.mount_id):
            raise OCFError(
                RC.ERR_GENERIC,
                f"mount of {self.p.get('device')} on {self.directory} succeeded but it is "
                "not the filesystem visible there",
            )
        return None

    # ------------------------------------------------------------------ stop
    def stop(self) -> RC | None:
        ours, _ = self._state()
        if ours is None:
            return None
        from ocf import fs_stop

        fs_stop.stop(self, ours)
        return None

    # ---------------------------------------------------------- validate-all
    def validate_all(self) -> RC | None:
        from ocf import fs_start

        fs_start.validate_host(self)
        return None

    def fsck_wanted(self) -> bool:
        mode = self.p.get("run_fsck")
        if mode == "force":
            return True
        if mode == "no":
            return False
        if "bind" in self.p.get("options").split(","):
            return False
        return self.fstype not in _NO_FSCK

    def deadline_in(self, fraction: float) -> float:
        """A monotonic time `fraction` of the remaining budget from now."""
        return time.monotonic() + self.env.remaining() * fraction


AGENT = Filesystem
