"""The three comparisons of pycrm's scheduler with crm_simulate on Pacemaker's regression cases.

* revised status: :mod:`pycrm.simulate.normalize` (placements, roles, flags, node states);
* transition summary: every "Transition Summary" line as ``verb resource (details)[ blocked]``
  with whitespace collapsed, clone instance suffixes dropped and the free-text reason left
  out ("due to ...", a fencing line's quoted reason), so Start/Stop/Move/Recover/Restart/
  Migrate/Reload/Promote/Demote/Re-promote and ``Fence (reboot) node`` lines all count with
  their nodes and roles;
* action set: the multiset of executed actions of the transition graph, from
  ``crm_simulate -S --output-as=xml`` run at test time: ``(resource, operation, node,
  interval)`` per resource action (pseudo actions excluded), ``("fence", target, action)``
  per fencing action, ``("cluster", task, node, resource)`` per cluster action (do_shutdown,
  clear_failcount).

The cases are GPL test data read from the shared directory at test time, never copied.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from lxml import etree

from pycrm.scheduler import Transition
from pycrm.simulate import text
from tests.fixtures.tools import SHARED

CASE_DIRS = (
    SHARED / "pacemaker-scheduler-cases",
    SHARED / "pacemaker-scheduler-cases-extended",
)

ActionKey = tuple[str, ...]
CLUSTER_TASKS = frozenset({"do_shutdown", "clear_failcount", "lrm_delete"})

_SUFFIX = re.compile(r":\d+$")
_REASON = re.compile(r"\s+due to .*?(?=\s*\(blocked\)\s*$|$)")
_FENCE_REASON = re.compile(r"\s+'.*'$")


def case_paths() -> dict[str, Path]:
    """Case name -> its directory (``xml/`` and ``summary/`` below it)."""
    out: dict[str, Path] = {}
    for folder in CASE_DIRS:
        xml_dir = folder / "xml"
        if xml_dir.is_dir():
            for path in sorted(xml_dir.glob("*.xml")):
                out[path.stem] = folder
    return out


def xml_path(name: str) -> Path:
    return case_paths()[name] / "xml" / f"{name}.xml"


def summary_text(name: str) -> str:
    return (case_paths()[name] / "summary" / f"{name}.summary").read_text()


def _base(rsc: str) -> str:
    return _SUFFIX.sub("", rsc)


def normalize_summary_line(line: str) -> str:
    """``* Move  rsc:1  ( n1 -> n2 )  due to x`` -> ``Move rsc (n1 -> n2)``."""
    line = " ".join(line.strip().lstrip("*").split())
    if line.startswith("Fence "):
        return _FENCE_REASON.sub("", line)
    line = _REASON.sub("", line)
    verb, _, rest = line.partition(" ")
    rsc, _, details = rest.partition(" ")
    details = details.replace("( ", "(").replace(" )", ")").replace("(blocked)", "blocked")
    return f"{verb} {_base(rsc)} {details}".strip()


def expected_summary(summary: str) -> list[str]:
    if "Transition Summary:" not in summary:
        return []
    section = summary.split("Transition Summary:", 1)[1]
    section = section.split("Executing Cluster Transition", 1)[0]
    return sorted(
        normalize_summary_line(line)
        for line in section.splitlines()
        if line.strip().startswith("* ")
    )


def our_summary(transition: Transition) -> list[str]:
    return sorted(normalize_summary_line(line) for line in text.summary_lines(transition))


def _graph_actions(root: etree._Element) -> Iterator[ActionKey]:
    graph = root.find("transition")
    for el in graph if graph is not None else []:
        if el.tag == "rsc_action":
            yield (
                _base(str(el.get("resource"))),
                str(el.get("op")),
                str(el.get("node")),
                str(el.get("interval", "0")),
            )
        elif el.tag == "fencing_action":
            yield ("fence", str(el.get("target")), str(el.get("op")))
        elif el.tag == "cluster_action":
            yield ("cluster", str(el.get("task")), str(el.get("node")), _base(el.get("id", "")))


@cache
def crm_simulate_actions(name: str) -> tuple[ActionKey, ...]:
    """The executed actions of ``crm_simulate -x CASE -S --output-as=xml`` (cached per run)."""
    done = subprocess.run(
        ["crm_simulate", "-x", str(xml_path(name)), "-S", "--output-as=xml"],
        capture_output=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"crm_simulate failed on {name}: {done.stderr.decode()[-500:]}")
    return tuple(sorted(_graph_actions(etree.fromstring(done.stdout))))


def our_actions(transition: Transition) -> tuple[ActionKey, ...]:
    out: list[ActionKey] = []
    for action in transition.actions:
        if action.pseudo or action.node is None:
            continue
        if action.task == "stonith":
            out.append(("fence", action.node, action.meta.get("stonith_action", "reboot")))
        elif action.task in CLUSTER_TASKS:
            out.append(("cluster", action.task, action.node, _base(action.rsc)))
        else:
            out.append((_base(action.rsc), action.task, action.node, str(action.interval_ms)))
    for node in transition.nodes:
        if (
            node.shutdown
            and node.state != "OFFLINE"
            and not node.fenced
            and not node.shutdown_blocked
        ):
            out.append(("cluster", "do_shutdown", node.name, ""))
    return tuple(sorted(out))
