"""IPaddr2 parameter checks and meta-data, without touching the network."""

from __future__ import annotations

import re

import pytest

from ocf.agents.ipaddr2 import AGENT
from ocf.rc import RC

BASE = {"HA_LOGFACILITY": "none", "OCF_RESOURCE_INSTANCE": "vip"}


def run(action: str, **params: str) -> int:
    env = dict(BASE)
    for key, value in params.items():
        env[key if key.startswith(("OCF_", "HA_")) else f"OCF_RESKEY_{key}"] = value
    return AGENT.main(["IPaddr2", action], env)


@pytest.mark.parametrize(
    "params",
    [
        {},  # ip is required
        {"ip": "10.0.0.300"},
        {"ip": "fd00::zz"},
        {"ip": "10.0.0.5", "cidr_netmask": "33"},
        {"ip": "10.0.0.5", "cidr_netmask": "255.0.255.0"},
        {"ip": "fd00::5", "cidr_netmask": "255.255.255.0"},
        {"ip": "10.0.0.5", "broadcast": "nope"},
        {"ip": "10.0.0.5", "nic": "veth-long-name", "iflabel": "toolong"},
        {"ip": "10.0.0.5", "nic": ":x"},
        {"ip": "10.0.0.5", "arp_count": "0"},
        {"ip": "10.0.0.5", "arp_interval": "-5"},
        {"ip": "10.0.0.5", "arp_count_refresh": "x"},
        {"ip": "fd00::5", "preferred_lft": ""},
        {"ip": "fd00::5", "preferred_lft": "soon"},
        {"ip": "10.0.0.5", "OCF_RESKEY_CRM_meta_clone_max": "2"},
        {"ip": "10.0.0.5", "unique_clone_address": "true"},
        {"ip": "10.0.0.5", "lvs_ipv6_addrlabel": "true"},
        {"ip": "fd00::5", "lvs_support": "true"},
        {"ip": "fd00::5", "lvs_ipv6_addrlabel": "true", "lvs_ipv6_addrlabel_value": "-1"},
    ],
)
def test_inherently_invalid_configuration_is_rc_6_for_every_action(
    params: dict[str, str],
) -> None:
    for action in ("monitor", "start", "stop", "validate-all"):
        assert run(action, **params) == RC.ERR_CONFIGURED, (action, params)


def test_unsupported_parameter_is_warned_about(capsys: pytest.CaptureFixture[str]) -> None:
    run("monitor", ip="10.0.0.300", arp_sender="send_arp", arp_bg="true")
    err = capsys.readouterr().err
    assert "arp_sender is accepted for compatibility but not used" in err
    assert "arp_bg" not in err  # implemented: the announcements after the first go background


def test_metadata_lists_every_shell_parameter_and_marks_unsupported(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run("meta-data") == 0
    xml = capsys.readouterr().out
    names = re.findall(r'<parameter name="([^"]+)"', xml)
    assert names[:3] == ["ip", "nic", "cidr_netmask"]
    assert len(names) == 23
    for unsupported in ("arp_sender", "send_arp_opts", "mac", "clusterip_hash"):
        block = xml.split(f'<parameter name="{unsupported}"', 1)[1].split("</parameter>", 1)[0]
        assert "does not use it" in block
    assert '<action name="monitor" timeout="20s" interval="10s" depth="0" />' in xml
