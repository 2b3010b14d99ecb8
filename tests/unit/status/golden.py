"""Shared by the status tests: render a CIB like crm_mon does, and ask crm_mon itself.

crm_mon reads a CIB file offline (``CIB_file=F crm_mon -1``), so both sides see the same
CIB; `offline_snapshot` gives pycrm what crm_mon reads from the file (DC, quorum, stack,
version, last change). Normalised, because it cannot match:

* the "Last updated" time (each side's clock; pycrm also names the answering node);
* the ``request`` attribute of the XML (the command line);
* pycrm's first line ``Cluster name: ...`` (pcs status prints it; crm_mon does not);
* for CIBs whose operation records lack ``operation_key`` or ``exit-reason`` (Pacemaker
  1.0-era test cases only): crm_mon labels such a failure by its ``id`` and reports the
  reason as ``none``; the CIB model fills the key from the id and the reason with "", so
  pycrm cannot tell them apart.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from lxml import etree

import cib
from pycrm.status import text, xmlout
from pycrm.status.collect import ClusterStatus, collect
from pycrm.status.snapshot import offline_snapshot
from tests.fixtures.tools import SHARED, require_tool

CASES_DIR = SHARED / "pacemaker-scheduler-cases" / "xml"
RNG = Path("/usr/share/pacemaker/api/api-result-2.25.rng")


def case_names() -> list[str]:
    return sorted(p.stem for p in CASES_DIR.glob("*.xml")) if CASES_DIR.is_dir() else []


def status_of(data: bytes, source: str = "<test>") -> ClusterStatus:
    model = cib.loads(data, source=source)
    return collect(model, offline_snapshot(model))


def crm_mon(path: Path, *args: str) -> str:
    require_tool("crm_mon")
    env = dict(os.environ, CIB_file=str(path))
    done = subprocess.run(
        ["crm_mon", "-1", *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _legacy(data: bytes) -> tuple[bool, bool]:
    """(some operation lacks operation_key, some operation lacks exit-reason)."""
    root = etree.fromstring(data)
    ops = root.findall(".//lrm_rsc_op")
    return (
        any(op.get("operation_key") is None for op in ops),
        any(op.get("exit-reason") is None for op in ops),
    )


def normalise(output: str, data: bytes) -> str:
    out = re.sub(r"(?m)^Cluster name: .*\n", "", output)
    out = re.sub(r"(?m)^(  \* Last updated: ).*$", r"\1X", out)
    out = re.sub(r'<last_update time="[^"]*"', '<last_update time="X"', out)
    out = re.sub(r'request="[^"]*"', 'request="X"', out)
    no_key, no_reason = _legacy(data)
    if no_key:
        out = out.replace("<failure id=", "<failure op_key=")
    if no_reason:
        out = out.replace('exitreason="none"', 'exitreason=""')
    return out


def text_pair(path: Path, data: bytes, *, inactive: bool) -> tuple[str, str]:
    """(crm_mon's, ours) normalised text; crm_mon gets -f when ours has fail counts."""
    st = status_of(data, str(path))
    ours = text.render(st, inactive=inactive)
    args = ["-r"] if inactive else []
    if st.fail_counts:
        args.append("-f")
    return normalise(crm_mon(path, *args), data), normalise(ours, data)


def xml_pair(path: Path, data: bytes) -> tuple[str, str]:
    st = status_of(data, str(path))
    theirs = crm_mon(path, "--output-as=xml")
    return normalise(theirs, data), normalise(xmlout.render(st, "pycrm status"), data)
