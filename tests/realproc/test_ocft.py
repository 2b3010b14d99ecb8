"""Parity with resource-agents' own test suite: ocft, all 66 cases, for our agents.

Debian's resource-agents ships `ocft` with case files for IPaddr2,
IPaddr2v4, Filesystem and apache. Each suite runs twice, with only the case
file's AgentRoot changed: once for the shell agents (the control, which
shows the sandbox is sound) and once for ours, installed like
`pycrm agents install --provider pycrm`. All eight runs go side by side
(tests.fixtures.ocft explains the sandboxes); every case must pass for ours.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.fixtures import ocft
from tests.fixtures.tools import (
    InstalledAgents,
    require,
    require_path,
    require_root,
    require_tool,
)

pytestmark = [pytest.mark.realproc, pytest.mark.root, pytest.mark.slow]

# resource-agents 4.12's four case files hold 20 + 22 + 14 + 10 CASE blocks.
TOTAL_CASES = 66


def _cases() -> list[tuple[str, int]]:
    found = []
    for suite in ocft.SUITES:
        path = ocft.CONFIGS / suite
        count = ocft.count_cases(path.read_text()) if path.exists() else 0
        found += [(suite, n) for n in range(count)]
    return found


def _supports(fstype: str) -> bool:
    try:
        text = Path("/proc/filesystems").read_text()
    except OSError:
        return False
    return any(line.split()[-1] == fstype for line in text.splitlines() if line.strip())


@pytest.fixture(scope="module")
def runs(installed_agents: InstalledAgents) -> dict[tuple[str, str], ocft.SuiteRun]:
    require_root()
    require_path(ocft.OCFT, "resource-agents' ocft")
    for suite in ocft.SUITES:
        require_path(ocft.CONFIGS / suite, f"ocft's {suite} case file")
    require_tool("ip", "unshare", "mountpoint", "losetup", "mke2fs", "mkfs.ext4")
    require_path("/etc/init.d/apache2", "apache2's init script")
    require(_supports("overlay"), "needs overlayfs (the sandboxes' private /var/lib)")
    require(shutil.which("bash") is not None, "needs bash")
    ours = str(installed_agents.path("IPaddr2").parent)
    return ocft.run_suites({"heartbeat": ocft.SHELL_ROOT, "pycrm": ours})


def _describe(run: ocft.SuiteRun, index: int) -> str:
    case = run.cases[index]
    return f"{run.suite} case {index} '{case.summary}' under {run.agent_root}: rc {case.rc}"


@pytest.mark.parametrize(("suite", "index"), _cases() or [("(no case files)", 0)], ids=str)
def test_our_agent_passes_the_case(
    runs: dict[tuple[str, str], ocft.SuiteRun], suite: str, index: int
) -> None:
    run, control = runs["pycrm", suite], runs["heartbeat", suite]
    assert run.setup_rc == 0, f"{suite} set-up failed:\n{run.log}"
    case = run.cases[index]
    shell = "passes" if control.cases[index].passed else "fails too"
    assert case.passed, f"{_describe(run, index)} (the shell agent {shell})\n{case.output}"


def test_the_shell_agents_pass_every_case_in_the_same_sandboxes(
    runs: dict[tuple[str, str], ocft.SuiteRun],
) -> None:
    """The control: a failure here is the sandbox's (or a new resource-agents'), not ours."""
    failed = [
        _describe(run, case.index) + "\n" + case.output
        for (label, _), run in runs.items()
        if label == "heartbeat"
        for case in run.cases
        if not case.passed
    ]
    assert not failed, "\n".join(failed)


def test_every_case_was_made_and_run_and_cleaned_up(
    runs: dict[tuple[str, str], ocft.SuiteRun],
) -> None:
    assert len(_cases()) == TOTAL_CASES
    for (label, suite), run in runs.items():
        assert run.expected_cases == len(run.cases), (label, suite)
        assert all(case.rc is not None for case in run.cases), f"{label} {suite}:\n{run.log}"
        has_cleanup = "CLEANUP-AGENT" in ocft.case_file(suite)
        assert run.cleanup_rc == (0 if has_cleanup else None), f"{label} {suite}:\n{run.log}"


def test_only_the_agent_root_changes() -> None:
    text = 'CONFIG\n\tAgent IPaddr2\n\tAgentRoot /usr/lib/ocf/resource.d/heartbeat\n\nCASE "x"\n'
    out = ocft.with_agent_root(text, "/tmp/r/resource.d/pycrm")
    assert out == text.replace("/usr/lib/ocf/resource.d/heartbeat", "/tmp/r/resource.d/pycrm")
    with pytest.raises(ValueError, match="one AgentRoot"):
        ocft.with_agent_root("CONFIG\n\tAgent x\n", "/r")
