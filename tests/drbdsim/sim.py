"""DRBD simulator: `drbdadm` / `drbdsetup` stand-ins over a JSON state file.

Invoked through symlinks named drbdadm and drbdsetup (argv[0] decides).
The state file is $DRBDSIM_STATE; the node this invocation runs "on" is
$DRBDSIM_NODE (default: the host name). Tests change the world (links, disk
states, quorum) with the functions below, as an admin or a failure would.

Model, per resource and node: up (configured in the kernel), connect (wants
a connection), role, disk state, quorum, and whether it wrote while
disconnected. Two nodes that both wrote while disconnected and then meet
again are in split brain (StandAlone) until one reconnects with
--discard-my-data. A node that meets a peer with newer data resyncs to it
(instantly).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

KERNEL_VERSION = "9.2.4"
KERNEL_CODE = "0x090204"
State = dict[str, Any]


# ----------------------------------------------------------------- state file
def state_path() -> Path:
    path = os.environ.get("DRBDSIM_STATE")
    if not path:
        raise SystemExit("drbd simulator: DRBDSIM_STATE is not set")
    return Path(path)


@contextlib.contextmanager
def locked(path: Path | None = None) -> Iterator[State]:
    path = path or state_path()
    with open(path.with_suffix(".lock"), "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state: State = json.loads(path.read_text())
        yield state
        settle(state)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
        os.replace(tmp, path)


def create(path: Path, nodes: list[str], resources: list[str]) -> None:
    """A fresh world: every resource defined on every node, all down, data UpToDate."""
    state: State = {"nodes": nodes, "kernel": True, "resources": {}}
    for res in resources:
        state["resources"][res] = {
            "link": True,
            "split_brain": False,
            "node": {
                n: {
                    "id": i,
                    "up": False,
                    "connect": True,
                    "role": "Secondary",
                    "disk": "UpToDate",
                    "quorum": True,
                    "wrote_disconnected": False,
                }
                for i, n in enumerate(nodes)
            },
        }
    path.write_text(json.dumps(state, indent=1, sort_keys=True))


# --------------------------------------------------------------------- model
def _pair(res: State, me: str) -> list[tuple[str, State]]:
    return [(n, s) for n, s in res["node"].items() if n != me]


def connection(res: State, me: str, peer: str) -> str:
    mine, theirs = res["node"][me], res["node"][peer]
    if not mine["up"]:
        return "Unconfigured"
    if not mine["connect"] or res["split_brain"]:
        return "StandAlone"
    if not (res["link"] and theirs["up"] and theirs["connect"]):
        return "Connecting"
    return "Connected"


def settle(state: State) -> None:
    """Apply what happens on its own when nodes meet: resync or split brain."""
    for res in state["resources"].values():
        nodes = res["node"]
        names = list(nodes)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                if connection(res, a, b) != "Connected":
                    continue
                na, nb = nodes[a], nodes[b]
                if na["wrote_disconnected"] and nb["wrote_disconnected"]:
                    res["split_brain"] = True
                    continue
                newer = na if na["wrote_disconnected"] or na["disk"] == "UpToDate" else nb
                older = nb if newer is na else na
                if newer["disk"] == "UpToDate" and older["disk"] in (
                    "Outdated",
                    "Inconsistent",
                    "Consistent",
                    "UpToDate",
                ):
                    older["disk"] = "UpToDate"  # resync, instantly
                na["wrote_disconnected"] = nb["wrote_disconnected"] = False


def events2(state: State, me: str, name: str) -> str:
    res = state["resources"].get(name)
    if res is None or not res["node"][me]["up"]:
        return "exists -\n"
    mine = res["node"][me]
    lines = [f"exists resource name:{name} role:{mine['role']} suspended:no write-ordering:flush"]
    peers = _pair(res, me)
    for peer, theirs in peers:
        cstate = connection(res, me, peer)
        role = theirs["role"] if cstate == "Connected" else "Unknown"
        lines.append(
            f"exists connection name:{name} peer-node-id:{theirs['id']} conn-name:{peer} "
            f"connection:{cstate} role:{role}"
        )
    quorum = "yes" if mine["quorum"] else "no"
    lines.append(
        f"exists device name:{name} volume:0 minor:{list(state['resources']).index(name)} "
        f"disk:{mine['disk']} client:no quorum:{quorum}"
    )
    for peer, theirs in peers:
        connected = connection(res, me, peer) == "Connected"
        lines.append(
            f"exists peer-device name:{name} peer-node-id:{theirs['id']} conn-name:{peer} volume:0 "
            f"replication:{'Established' if connected else 'Off'} "
            f"peer-disk:{theirs['disk'] if connected else 'DUnknown'} peer-client:no "
            "resync-suspended:no"
        )
    lines.append("exists -")
    return "\n".join(lines) + "\n"


def _has_good_data(res: State, me: str) -> bool:
    if res["node"][me]["disk"] == "UpToDate":
        return True
    return any(
        connection(res, me, p) == "Connected" and s["disk"] == "UpToDate" for p, s in _pair(res, me)
    )


def _primary(res: State, me: str, force: bool) -> tuple[int, str]:
    mine = res["node"][me]
    for peer, theirs in _pair(res, me):
        if connection(res, me, peer) == "Connected" and theirs["role"] == "Primary":
            return 11, "State change failed: (-1) Multiple primaries not allowed by config"
    if not _has_good_data(res, me):
        if force and mine["disk"] in ("Consistent", "Outdated", "Inconsistent"):
            mine["disk"] = "UpToDate"
        else:
            return 17, "State change failed: (-2) Need access to UpToDate data"
    mine["role"] = "Primary"
    if not any(connection(res, me, p) == "Connected" for p, _ in _pair(res, me)):
        mine["wrote_disconnected"] = True
    return 0, ""


# ----------------------------------------------------------------- commands
def _version(out: list[str]) -> int:
    code = KERNEL_CODE if _kernel_loaded() else "0x000000"
    out += [
        "DRBDADM_API_VERSION=2",
        f"DRBD_KERNEL_VERSION_CODE={code}",
        f"DRBD_KERNEL_VERSION={KERNEL_VERSION if code != '0x000000' else 0}",
        "DRBDADM_VERSION_CODE=0x091600",
        "DRBDADM_VERSION=9.22.0 (drbd simulator)",
    ]
    return 0


def _kernel_loaded() -> bool:
    try:
        return bool(json.loads(state_path().read_text()).get("kernel", True))
    except (OSError, ValueError):
        return False


def drbdadm(args: list[str], me: str, out: list[str]) -> int:
    while args and args[0] in ("-c", "--config-file"):
        args = args[2:]
    if not args:
        out.append("USAGE: drbdadm COMMAND [OPTION...] {all|RESOURCE...}")
        return 20
    if args[0] == "--version":
        return _version(out)
    cmd, rest = args[0], [a for a in args[1:] if not a.startswith("--")]
    flags = [a for a in args[1:] if a.startswith("--")]
    with locked() as state:
        if cmd == "sh-resources":
            out.append(" ".join(state["resources"]))
            return 0
        if not rest:
            out.append(f"drbdadm {cmd}: missing resource")
            return 20
        name = rest[0]
        res = state["resources"].get(name)
        if res is None:
            out.append(f"'{name}' not defined in your config (for this host).")
            return 10
        mine = res["node"][me]
        if not state.get("kernel", True):
            out.append("Could not connect to 'drbd' generic netlink family")
            return 20
        if cmd in ("up", "adjust"):
            if cmd == "up" and mine["up"]:
                out.append(f"{name}: Failure: (161) Resource already exists")
                return 10
            mine["up"] = True
            mine["connect"] = True
            return 0
        if cmd == "check-resize":
            return 0
        if not mine["up"]:
            out.append(f"{name}: No such resource")
            return 10
        if cmd == "down":
            mine.update(up=False, role="Secondary")
            return 0
        if cmd == "primary":
            code, msg = _primary(res, me, "--force" in flags)
            if msg:
                out.append(f"{name}: {msg}")
            return code
        if cmd == "secondary":
            mine["role"] = "Secondary"
            return 0
        if cmd == "connect":
            if "--discard-my-data" in flags and res["split_brain"]:
                res["split_brain"] = False
                mine.update(wrote_disconnected=False, disk="Outdated")
            mine["connect"] = True
            return 0
        if cmd == "disconnect":
            mine["connect"] = False
            return 0
        if cmd == "outdate":
            if mine["role"] == "Primary":
                out.append(f"{name}: State change failed: (-7) Refusing to outdate a Primary")
                return 17
            if mine["disk"] in ("UpToDate", "Consistent"):
                mine["disk"] = "Outdated"
            return 0
        if cmd == "role":
            out.append(mine["role"])
            return 0
        if cmd == "cstate":
            out += [connection(res, me, p) for p, _ in _pair(res, me)]
            return 0
        if cmd == "dstate":
            peers = [
                s["disk"] if connection(res, me, p) == "Connected" else "DUnknown"
                for p, s in _pair(res, me)
            ]
            out.append("/".join([mine["disk"], *peers]))
            return 0
    out.append(f"drbdadm: unknown command {cmd!r} (drbd simulator)")
    return 20


def drbdsetup(args: list[str], me: str, out: list[str]) -> int:
    if args[:1] == ["--version"]:
        return _version(out)
    if args[:1] == ["events2"] and "--now" in args:
        names = [a for a in args[1:] if not a.startswith("--")]
        with locked() as state:
            if not state.get("kernel", True):
                out.append("Could not connect to 'drbd' generic netlink family")
                return 20
            targets = names or list(state["resources"])
            text = "".join(events2(state, me, n).removesuffix("exists -\n") for n in targets)
        out.append(text + "exists -")
        return 0
    out.append(f"drbdsetup: unsupported by the drbd simulator: {' '.join(args)}")
    return 20


def main() -> int:
    tool = os.path.basename(sys.argv[0])
    me = os.environ.get("DRBDSIM_NODE") or os.uname().nodename
    out: list[str] = []
    handler = drbdsetup if tool == "drbdsetup" else drbdadm
    rc = handler(sys.argv[1:], me, out)
    text = "\n".join(out)
    if text:
        print(text, file=sys.stdout if rc == 0 else sys.stderr)
    return rc


# ------------------------------------------------- world changes for tests
def set_link(path: Path, resource: str, up: bool) -> None:
    with locked(path) as state:
        state["resources"][resource]["link"] = up


def set_disk(path: Path, resource: str, node: str, disk: str) -> None:
    with locked(path) as state:
        state["resources"][resource]["node"][node]["disk"] = disk


def set_quorum(path: Path, resource: str, node: str, quorum: bool) -> None:
    with locked(path) as state:
        state["resources"][resource]["node"][node]["quorum"] = quorum


def set_kernel(path: Path, loaded: bool) -> None:
    with locked(path) as state:
        state["kernel"] = loaded


def read(path: Path) -> State:
    with locked(path) as state:
        return json.loads(json.dumps(state))


if __name__ == "__main__":
    sys.exit(main())
