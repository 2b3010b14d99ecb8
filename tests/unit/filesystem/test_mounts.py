"""Mount table parsing and identity decisions (no root needed)."""

from __future__ import annotations

from ocf import mounts

TABLE = """\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
43 22 7:0 / /srv/www rw,relatime - ext4 /dev/loop0 rw
44 43 0:52 / /srv/www rw,relatime - tmpfs tmpfs rw,size=1024k
45 43 0:53 / /srv/www/cache rw - tmpfs tmpfs rw
46 22 0:60 /exports /mnt/with\\040space rw - nfs4 server:/exports rw,vers=4.2
"""


def test_parse_fields_and_escapes() -> None:
    table = mounts.parse_mountinfo(TABLE)
    assert [m.mountpoint for m in table][-1] == "/mnt/with space"
    loop = table[1]
    assert loop.dev == (7, 0) and loop.fstype == "ext4" and loop.source == "/dev/loop0"


def test_at_keeps_stack_order_so_the_last_is_visible() -> None:
    here = mounts.at(mounts.parse_mountinfo(TABLE), "/srv/www")
    assert [m.fstype for m in here] == ["ext4", "tmpfs"]


def test_below_is_deepest_first_and_excludes_the_directory() -> None:
    under = mounts.below(mounts.parse_mountinfo(TABLE), "/srv/www")
    assert [m.mountpoint for m in under] == ["/srv/www/cache"]
    assert mounts.below(mounts.parse_mountinfo(TABLE), "/srv/ww") == []


def test_network_source_identity() -> None:
    nfs = mounts.parse_mountinfo(TABLE)[-1]
    assert mounts.is_ours(nfs, "server:/exports/", "nfs4")
    assert not mounts.is_ours(nfs, "other:/exports", "nfs4")


def test_tmpfs_is_not_a_block_device() -> None:
    tmpfs = mounts.parse_mountinfo(TABLE)[2]
    assert not mounts.is_ours(tmpfs, "/dev/null", "ext4")


def test_label_and_uuid_forms_resolve_to_by_paths() -> None:
    assert mounts.resolve_device("-L data").endswith("/by-label/data")
    assert mounts.resolve_device("UUID=1234").endswith("/by-uuid/1234")
    assert mounts.resolve_device("/dev/sdb1") == "/dev/sdb1"
