"""Realistic /etc/ha.d trees for the migration tests."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

WRAPPERS = (
    "IPaddr",
    "IPaddr2",
    "Filesystem",
    "drbddisk",
    "apache",
    "MailTo",
    "IPsrcaddr",
    "Delay",
    "hbdummy",
    "SendArp",
)
INIT_SCRIPTS = ("mysql", "postfix", "apache")

CLASSIC_HACF = """\
logfile /var/log/ha-log
keepalive 2
deadtime 30
warntime 10
initdead 120
bcast eth1
node alpha
node beta
auto_failback on
"""
CLASSIC_HARES = (
    "alpha drbddisk::r0 Filesystem::/dev/drbd0::/srv/www::ext4 "
    "10.0.0.100/24/eth0 apache::/etc/apache2/apache2.conf\n"
)
TWO_GROUPS_HARES = (
    "alpha 10.0.0.100/24/eth0 Filesystem::/dev/sdb1::/data::xfs::noatime apache\n"
    "beta IPaddr2::10.0.0.101/24/eth0/10.0.0.255 mysql MailTo::root::db-failover\n"
)

MakeHaD = Callable[..., Path]


@pytest.fixture
def make_ha_d(tmp_path: Path) -> MakeHaD:
    """make_ha_d(hacf, haresources) -> the ha.d path (init.d is tmp_path/init.d)."""
    init_d = tmp_path / "init.d"
    init_d.mkdir()
    for name in INIT_SCRIPTS:
        (init_d / name).write_text("#!/bin/sh\nexit 0\n")
        os.chmod(init_d / name, 0o755)
    counter = [0]

    def make(hacf: str = CLASSIC_HACF, haresources: str = CLASSIC_HARES) -> Path:
        counter[0] += 1
        ha_d = tmp_path / f"ha.d.{counter[0]}"
        (ha_d / "resource.d").mkdir(parents=True)
        for name in WRAPPERS:
            (ha_d / "resource.d" / name).write_text("#!/bin/sh\nexit 0\n")
            os.chmod(ha_d / "resource.d" / name, 0o755)
        (ha_d / "ha.cf").write_text(hacf)
        (ha_d / "haresources").write_text(haresources)
        auth = ha_d / "authkeys"
        auth.write_text("auth 1\n1 sha1 migrate-test\n")
        os.chmod(auth, 0o600)
        return ha_d

    return make


@pytest.fixture
def init_d(tmp_path: Path) -> str:
    return str(tmp_path / "init.d")
