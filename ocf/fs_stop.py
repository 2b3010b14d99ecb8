"""Filesystem stop: unmount, and make busy mounts free within the stop timeout.

Each attempt unmounts; while the mount stays busy the processes using it get
TERM (for the first half of the budget, or 3 s with fast_stop) and then KILL.
The whole loop ends before Pacemaker's timeout, so a stuck mount is a clean
failed stop with a reason naming the PIDs, never a SIGKILLed agent.
"""

from __future__ import annotations

import signal
import time

from ocf import mount_users, mounts, proc
from ocf.rc import RC, OCFError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ocf.agents.filesystem import Filesystem

_FAST_STOP_TERM_S = 3.0


def stop(agent: Filesystem, ours: mounts.Mount) -> None:
    directory = agent.directory
    table = mounts.read_mounts()
    targets = [(m.mountpoint, m.mount_id) for m in mounts.below(table, directory)]
    targets.append((directory, ours.mount_id))
    deadline = agent.env.deadline
    now = time.monotonic()
    term_phase = (deadline - now) / 2
    if agent.p.flag("fast_stop"):
        term_phase = min(term_phase, _FAST_STOP_TERM_S)
    term_until = now + term_phase
    network = agent.fstype in mounts.NETWORK_FSTYPES
    for target, mount_id in targets:
        _unmount(agent, target, mount_id, term_until, deadline, network)
    agent.log.info(f"unmounted {directory} successfully")


def _mounted(mount_id: int) -> bool:
    return any(m.mount_id == mount_id for m in mounts.read_mounts())


def _unmount(
    agent: Filesystem, target: str, mount_id: int, term_until: float, deadline: float, net: bool
) -> None:
    force = agent.force_unmount
    attempt = 0
    last_error = ""
    signalled: set[int] = set()
    while True:
        attempt += 1
        argv = ["umount", target] if not (net and attempt > 1) else ["umount", "-f", target]
        remaining = deadline - time.monotonic()
        result = proc.run(argv, timeout=max(min(remaining, 10.0), 0.5))
        if result.returncode == 0 or not _mounted(mount_id):
            return
        lines = (result.stderr or result.stdout).strip().splitlines()
        last_error = lines[-1] if lines else f"umount exited {result.returncode}"
        if time.monotonic() >= deadline:
            break
        if force == "false":
            time.sleep(min(0.5, max(deadline - time.monotonic(), 0)))
            continue
        pids = mount_users.users(target, mount_id)
        if not pids:
            time.sleep(min(0.2, max(deadline - time.monotonic(), 0)))
            continue
        sig = signal.SIGTERM if time.monotonic() < term_until else signal.SIGKILL
        sent = mount_users.signal_all(pids, sig)
        signalled.update(sent)
        agent.log.info(f"sent {sig.name} to {len(sent)} process(es) using {target}: {sent}")
        limit = term_until if sig == signal.SIGTERM else deadline
        mount_users.wait_gone(sent, min(time.monotonic() + 1.0, max(limit, time.monotonic())))
    users = mount_users.users(target, mount_id) if force != "false" else []
    detail = f"; still used by PIDs {users}" if users else ""
    raise OCFError(
        RC.ERR_GENERIC,
        f"couldn't unmount {target} within the stop timeout ({last_error}){detail}",
    )
