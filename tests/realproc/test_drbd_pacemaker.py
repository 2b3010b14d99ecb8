"""ocf:pycrm:drbd as a promotable clone under real Pacemaker 2.1.5.

DRBD itself is the SIMULATOR (tests/drbdsim); Pacemaker, crm_attribute and
the agent are real. The agent's promotion score (crm_attribute --promotion)
is what makes Pacemaker promote the instance.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.fixtures.drbdsim import DrbdSim
from tests.fixtures.pacemaker import PacemakerNode

CLONE = """
<clone id="ms-r0">
  <meta_attributes id="ms-r0-meta">
    <nvpair id="ms-r0-promotable" name="promotable" value="true"/>
    <nvpair id="ms-r0-clone-max" name="clone-max" value="1"/>
    <nvpair id="ms-r0-promoted-max" name="promoted-max" value="1"/>
    <nvpair id="ms-r0-notify" name="notify" value="true"/>
  </meta_attributes>
  <primitive id="r0" class="ocf" provider="pycrm" type="drbd">
    <instance_attributes id="r0-ia">
      <nvpair id="r0-res" name="drbd_resource" value="r0"/>
      <nvpair id="r0-conf" name="drbdconf" value=""/>
    </instance_attributes>
    <operations>
      <op id="r0-mon-p" name="monitor" interval="10s" role="Promoted" timeout="20s"/>
      <op id="r0-mon-u" name="monitor" interval="20s" role="Unpromoted" timeout="20s"/>
    </operations>
  </primitive>
</clone>
"""


def test_promotion_score_drives_promotion(
    tmp_path: Path, pacemaker_factory: Callable[..., PacemakerNode]
) -> None:
    tmp_path.chmod(0o755)
    sim = DrbdSim(tmp_path / "sim", ["node1"], ["r0"])
    node = pacemaker_factory(resources=CLONE, extra_env=sim.env("node1"))
    node.wait_for(
        lambda: node.resources().get("r0", {}).get("role") == "Promoted", 90, "r0 to be promoted"
    )
    assert sim.node("r0", "node1")["role"] == "Primary"
    score = node.run(
        ["crm_attribute", "-N", "node1", "-n", "master-r0", "-l", "reboot", "-G", "-q"]
    )
    assert score.stdout.strip() == "10000", score.stderr
    node.stop()
    assert sim.node("r0", "node1")["up"] is False
