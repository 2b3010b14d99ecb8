"""Parameter parity with the agents we replace.

Every parameter in the meta-data of resource-agents 4.12's IPaddr2,
Filesystem and apache, and of LINBIT's drbd, must exist in ours with the same
content type and advertised default. The few deliberate differences are
listed here with their reasons; anything else is a regression.
"""

from __future__ import annotations

import importlib
import os
import subprocess

import pytest
from lxml import etree

from ocf.agents import AGENTS
from tests.fixtures.tools import require

SHELL_AGENTS = {
    "IPaddr2": "/usr/lib/ocf/resource.d/heartbeat/IPaddr2",
    "Filesystem": "/usr/lib/ocf/resource.d/heartbeat/Filesystem",
    "apache": "/usr/lib/ocf/resource.d/heartbeat/apache",
    "drbd": "/usr/lib/ocf/resource.d/linbit/drbd",
}

# (agent, parameter) -> why our advertised default differs.
DELIBERATE = {
    ("apache", "testregex"): (
        "the shell agent advertises a placeholder sentence; its real default is '</ *html *>', "
        "which a 404 page satisfies. Ours defaults to requiring a mod_status ?auto body."
    ),
}


def _params(xml: bytes) -> dict[str, tuple[str, str | None]]:
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    out = {}
    for p in root.iter("parameter"):
        content = p.find("content")
        assert content is not None
        out[p.get("name", "")] = (content.get("type", ""), content.get("default"))
    return out


def _shell_metadata(path: str) -> bytes:
    env = {**os.environ, "OCF_ROOT": "/usr/lib/ocf"}
    return subprocess.run(
        [path, "meta-data"], capture_output=True, env=env, check=True, timeout=30
    ).stdout


@pytest.mark.parametrize("name", sorted(SHELL_AGENTS))
def test_every_shell_parameter_exists_with_same_type_and_default(name: str) -> None:
    require(os.path.exists(SHELL_AGENTS[name]), f"needs {SHELL_AGENTS[name]}")
    theirs = _params(_shell_metadata(SHELL_AGENTS[name]))
    agent = importlib.import_module(AGENTS[name]).AGENT
    ours = _params(agent.metadata_xml().encode())
    missing = sorted(set(theirs) - set(ours))
    assert not missing, f"{name}: parameters missing from ours: {missing}"
    diffs = []
    for param, (ptype, default) in theirs.items():
        if (name, param) in DELIBERATE:
            continue
        our_type, our_default = ours[param]
        # An absent default and an empty one mean the same to Pacemaker.
        if our_type != ptype or (our_default or "") != (default or ""):
            diffs.append(f"{param}: theirs {ptype}/{default!r}, ours {our_type}/{our_default!r}")
    assert not diffs, f"{name}: " + "; ".join(diffs)


@pytest.mark.parametrize("name", sorted(AGENTS))
def test_metadata_is_valid_against_ra_api_dtd(name: str) -> None:
    dtd_dir = "/usr/share/resource-agents"
    require(os.path.exists(f"{dtd_dir}/ra-api-1.dtd"), "needs resource-agents' ra-api-1.dtd")
    agent = importlib.import_module(AGENTS[name]).AGENT
    xml = agent.metadata_xml()
    dtd = etree.DTD(f"{dtd_dir}/ra-api-1.dtd")
    root = etree.fromstring(xml.encode(), etree.XMLParser(no_network=True))
    assert dtd.validate(root), dtd.error_log.filter_from_errors()
