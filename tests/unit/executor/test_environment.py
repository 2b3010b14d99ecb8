"""The environment agents run with: exactly what Pacemaker 2.1.5 passes, on a clean base."""

from __future__ import annotations

import pytest

from pycrm.daemon.executor.classes import AgentPaths, Probe, resolve
from pycrm.daemon.executor.environment import (
    BASE_ENV,
    base_environment,
    meta_environment,
    ocf_environment,
)
from tests.unit.executor.helpers import req

BASE = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C", "LC_ALL": "C"}
MAIN_PID = {"PYCRM_MAIN_PID_PREFIX": "ocf-main-pid:"}
OCF_COMMON = {
    "OCF_ROOT": "/usr/lib/ocf",
    "OCF_RA_VERSION_MAJOR": "1",
    "OCF_RA_VERSION_MINOR": "1",
    "OCF_RESOURCE_INSTANCE": "env1",
    "OCF_RESOURCE_TYPE": "envdump",
    "OCF_RESOURCE_PROVIDER": "ocfrtest",
    "OCF_EXIT_REASON_PREFIX": "ocf-exit-reason:",
    "OCF_OUTPUT_FORMAT": "text",
    "OCF_RESKEY_crm_feature_set": "3.16.1",
    "OCF_RESKEY_CRM_meta_on_node": "node1",
    "OCF_RESKEY_CRM_meta_on_node_uuid": "1",
    "OCF_RESKEY_fake": "a value with spaces",
}


def _env(**kw: object) -> dict[str, str]:
    kw.setdefault("provider", "ocfrtest")
    kw.setdefault("agent", "envdump")
    kw.setdefault("node_uuid", "1")
    kw.setdefault("params", {"fake": "a value with spaces"})
    return ocf_environment(req("env1", **kw), "/usr/lib/ocf")  # type: ignore[arg-type]


def test_probe_environment_is_exactly_pacemakers() -> None:
    env = _env(action="monitor", target_rc=7)
    assert env == {
        **BASE,
        **MAIN_PID,
        **OCF_COMMON,
        "OCF_RESKEY_CRM_meta_timeout": "20000",
    }


def test_start_with_a_configured_op_has_its_name_and_timeout_in_ms() -> None:
    env = _env(action="start", timeout_ms=30_000, meta={"name": "start"})
    assert env["OCF_RESKEY_CRM_meta_timeout"] == "30000"
    assert env["OCF_RESKEY_CRM_meta_name"] == "start"
    assert "OCF_RESKEY_CRM_meta_interval" not in env


def test_recurring_monitor_has_interval_role_and_check_level() -> None:
    env = _env(
        action="monitor",
        interval_ms=10_000,
        params={"fake": "x", "OCF_CHECK_LEVEL": "10"},
        meta={"name": "monitor", "role": "Promoted"},
    )
    assert env["OCF_RESKEY_CRM_meta_interval"] == "10000"
    assert env["OCF_RESKEY_CRM_meta_role"] == "Promoted"
    assert env["OCF_CHECK_LEVEL"] == "10"
    assert "OCF_RESKEY_OCF_CHECK_LEVEL" not in env


def test_clone_and_notify_meta_pass_through_and_typed_fields_win() -> None:
    meta = {
        "clone": "0",
        "clone_max": "2",
        "notify": "true",
        "notify_type": "pre",
        "notify_start_uname": " ",
    }
    env = meta_environment(req("st", "notify", meta=meta, start_delay_ms=1500))
    assert env["OCF_RESKEY_CRM_meta_clone"] == "0"
    assert env["OCF_RESKEY_CRM_meta_notify_start_uname"] == " "
    assert env["OCF_RESKEY_CRM_meta_start_delay"] == "1500"
    assert env["OCF_RESKEY_CRM_meta_on_node_uuid"] == "node1"  # no uuid: the name


def test_the_daemons_own_environment_never_leaks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYCRM_TEST_SECRET", "leak")
    inv = resolve(
        req(rsc_class="lsb", provider=None, agent="svc"),
        AgentPaths(init_dir="/init"),
        Probe(exists=lambda p: True),
    )
    assert inv is not None
    assert dict(inv.env) == {**BASE, **MAIN_PID}


def test_extra_environment_reaches_every_class() -> None:
    paths = AgentPaths(init_dir="/init", extra_env={"TZ": "UTC", "PATH": "/opt/bin"})
    probe = Probe(exists=lambda p: True, executable=lambda p: True)
    for cls in ("ocf", "lsb", "heartbeat"):
        inv = resolve(req(rsc_class=cls, agent="svc"), paths, probe)
        assert inv is not None
        assert (inv.env["TZ"], inv.env["PATH"]) == ("UTC", "/opt/bin")
        assert inv.env["PYCRM_MAIN_PID_PREFIX"] == "ocf-main-pid:"


def test_base_environment_can_be_extended_but_keeps_the_main_pid_cookie() -> None:
    env = base_environment({"PATH": "/opt/bin", "TZ": "UTC", "PYCRM_MAIN_PID_PREFIX": "x"})
    assert env == {**BASE, "PATH": "/opt/bin", "TZ": "UTC", **MAIN_PID}
    assert dict(BASE_ENV) == BASE
