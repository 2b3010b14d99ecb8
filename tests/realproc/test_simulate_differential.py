"""Differential property test: pycrm's scheduler against the real crm_simulate.

Random small clusters (tests/support/cibgen.py) are written as CIB files and
given to both ``crm_simulate -x F -S --output-as=xml`` and ``pycrm simulate``
(in-process, same XML renderer as the command); the revised cluster status of
each is normalized with pycrm.simulate.normalize and must be equal.

Bounded and reproducible: derandomized examples, no example database.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from pycrm.simulate import inject, xmlout
from pycrm.simulate.cibspec import to_xml
from pycrm.simulate.normalize import from_crm_simulate_xml
from pycrm.simulate.run import simulate
from tests.fixtures.tools import require_tool
from tests.support.cibgen import Features, Generated, clusters

pytestmark = pytest.mark.realproc

EXAMPLES = 100

# Everything the generator can produce, including one dependent colocated with several
# primaries (colocation lists ordered and groups merged as Pacemaker 2.1.5 does; fixed cases
# in tests/unit/scheduler/test_multi_colocation.py).
FEATURES = Features()


def _crm_simulate(path: Path, gen: Generated) -> str:
    argv = ["crm_simulate", "-x", str(path), "-S", "--output-as=xml"]
    for node in gen.node_fail:
        argv += ["-f", node]
    for spec in gen.op_fail:
        argv += ["-i", spec]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _ours(path: Path, gen: Generated) -> str:
    wanted = inject.Injections(
        node_fail=gen.node_fail, ops=tuple(inject.parse_op_spec(s) for s in gen.op_fail)
    )
    return xmlout.render(simulate(path, wanted), "pycrm simulate")


def _verify(path: Path) -> None:
    done = subprocess.run(
        ["crm_verify", "-x", str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, f"generator wrote an invalid CIB: {done.stderr}"


def test_tools_present() -> None:
    require_tool("crm_simulate", "crm_verify")


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(gen=clusters(FEATURES))
def test_revised_status_matches_crm_simulate(gen: Generated) -> None:
    require_tool("crm_simulate", "crm_verify")
    with tempfile.TemporaryDirectory(prefix="pycrm-diff-") as tmp:
        path = Path(tmp) / "cib.xml"
        path.write_text(to_xml(gen.spec))
        _verify(path)
        theirs = from_crm_simulate_xml(_crm_simulate(path, gen))
        ours = from_crm_simulate_xml(_ours(path, gen))
        assert ours == theirs, (
            f"mismatch for injections node_fail={gen.node_fail} op_fail={gen.op_fail}\n"
            f"CIB:\n{path.read_text()}"
        )


def test_synthetic_bench_cib_is_valid_for_pacemaker(tmp_path: Path) -> None:
    """bench/scheduler.py's generator writes CIBs that crm_verify accepts."""
    require_tool("crm_verify")
    from pycrm.simulate.synth import synthetic_cib

    path = tmp_path / "synth.xml"
    path.write_text(synthetic_cib(200, 8))
    _verify(path)
