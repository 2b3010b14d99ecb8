"""cib.digest: the operation digests Pacemaker 2.1.5 records (values recorded by Pacemaker)."""

from __future__ import annotations

from cib.digest import (
    filter_for_digest,
    is_fence_param,
    operation_digests,
    params_digest,
    secure_digest,
)

# recorded by Pacemaker 2.1.5 (crm_simulate) for an agent without parameters
ONESHOT = "f2317cad3d54cec5d7d7aa7d0bf35cf8"
RECURRING_20S = "4811cef7f7f94e3a35a70be7916cb2fd"


def test_empty_parameters() -> None:
    assert params_digest({}) == ONESHOT
    assert operation_digests({"CRM_meta_timeout": "20000"}, 0).op_digest == ONESHOT


def test_recurring_keeps_only_the_timeout() -> None:
    params = {"CRM_meta_timeout": "20000", "CRM_meta_interval": "10000", "crm_feature_set": "3"}
    assert filter_for_digest(params, 10000) == {"CRM_meta_timeout": "20000"}
    assert operation_digests(params, 10000).op_digest == RECURRING_20S


def test_parameters_in_name_order() -> None:
    # recorded by Pacemaker for IPaddr ip=127.0.0.12, monitor interval 5s timeout 20s
    params = {"ip": "127.0.0.12", "CRM_meta_timeout": "20000"}
    assert operation_digests(params, 5000).op_digest == "7515405113757a8bc37db755be497fca"
    assert params_digest({"b": "1", "a": "2"}) == params_digest({"a": "2", "b": "1"})


def test_escaping_changes_the_digest() -> None:
    assert params_digest({"a": 'x"y'}) != params_digest({"a": "x'y"})
    assert params_digest({"a": "line\nbreak"}) == params_digest({"a": "line\\nbreak"})


def test_restart_and_secure_lists() -> None:
    params = {"ip": "10.0.0.1", "nic": "eth0", "passwd": "s3cret", "CRM_meta_timeout": "20000"}
    digests = operation_digests(
        params,
        0,
        agent_params=["ip", "nic", "passwd"],
        restart_params=["ip"],
        private_params=["passwd"],
    )
    assert digests.op_force_restart == " ip "
    assert digests.op_restart_digest == params_digest({"ip": "10.0.0.1"})
    assert digests.op_secure_params == " passwd "
    assert digests.op_secure_digest == params_digest({"ip": "10.0.0.1", "nic": "eth0"})
    attrs = digests.as_attributes()
    assert set(attrs) == {
        "op-digest",
        "op-force-restart",
        "op-restart-digest",
        "op-secure-params",
        "op-secure-digest",
    }
    no_reload = operation_digests(params, 0, agent_params=["ip"], restart_params=None)
    assert no_reload.op_restart_digest is None and no_reload.op_secure_digest is None
    recurring = operation_digests(params, 10000, agent_params=["ip"], restart_params=["ip"])
    assert recurring.op_restart_digest is None  # monitors are not reloadable


def test_reloadable_agent_without_restart_params() -> None:
    digests = operation_digests({"a": "1"}, 0, agent_params=["a"], restart_params=[])
    assert digests.op_force_restart == ""
    assert digests.op_restart_digest == ONESHOT


def test_secure_digest_of_old_records() -> None:
    params = {"ip": "1", "passwd": "x", "pcmk_host_list": "n1", "CRM_meta_timeout": "5000"}
    old = secure_digest(params, 0, " passwd ", op_version="3.0.12", fence_device=True)
    assert old == params_digest({"ip": "1"})
    new = secure_digest(params, 10000, " passwd ", op_version="3.16.1")
    assert new == params_digest({"ip": "1", "pcmk_host_list": "n1", "CRM_meta_timeout": "5000"})


def test_fence_params() -> None:
    assert is_fence_param("pcmk_host_list")
    assert is_fence_param("pcmk_reboot_action")
    assert is_fence_param("pcmk_monitor_timeout")
    assert is_fence_param("stonith-timeout")
    assert not is_fence_param("pcmk_foo")
    assert not is_fence_param("ipaddr")
