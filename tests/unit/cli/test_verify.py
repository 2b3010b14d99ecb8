"""`pycrm cib verify --crm-verify`: Pacemaker's crm_verify as a second opinion on the live CIB
(needs crm_verify installed), on a private copy; its verdict decides the exit status too."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from pycrm.cli.main import main
from tests.fixtures.tools import require_tool
from tests.support.simdaemons import sim_daemons
from tests.unit.cli.transcript import CIBS, NODES


def test_crm_verify_on_the_live_cib(tmp_path: Path) -> None:
    require_tool("crm_verify")
    fenced = CIBS["web"].replace(b'value="false"', b'value="true"', 1)  # stonith-enabled
    for cib_xml, status in ((CIBS["web"], 0), (fenced, 2)):
        with sim_daemons(tmp_path / str(status), cib_xml, NODES) as lab:
            argv = ["cib", "verify", "--crm-verify", "--run-dir", str(lab.run_dir("node2"))]
            result = CliRunner().invoke(main, argv, prog_name="pycrm")
        assert result.exit_code == status, result.output
        if status:
            lines = result.stdout.splitlines()
            assert lines[0].startswith("error: <live CIB 0.1.")
            assert "Resource start-up disabled since no STONITH resources" in lines[0]
            assert any(x.startswith("crm_verify: ") and "STONITH" in x for x in lines)
            assert lines[-1] == "Errors found during check: config not valid"
            assert str(tmp_path) not in result.stdout  # the private copy is not named
