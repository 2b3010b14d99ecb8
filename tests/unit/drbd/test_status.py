"""events2 parsing and LINBIT's promotion-score rules."""

from __future__ import annotations

import pytest

from ocf.drbd_status import parse_events2, parse_legacy, parse_scores, promotion_score

SCORES = (0, 10, 1000, 10000)

CONNECTED = """\
exists resource name:r0 role:Secondary suspended:no write-ordering:flush
exists connection name:r0 peer-node-id:1 conn-name:bob connection:Connected role:Primary
exists device name:r0 volume:0 minor:0 disk:UpToDate client:no quorum:yes
exists peer-device name:r0 peer-node-id:1 conn-name:bob volume:0 peer-disk:UpToDate peer-client:no
exists resource name:r1 role:Primary suspended:no
exists -
exists resource name:r0 role:Primary
"""


def test_parse_connected_secondary_ignores_other_resources_and_trailer() -> None:
    st = parse_events2(CONNECTED, "r0")
    assert st.role == "Secondary" and st.disks == ["UpToDate"]
    assert st.some_peer_primary and st.some_peer_all_up_to_date()
    assert not st.peer_disk_any_unknown()


def test_unconfigured_when_no_resource_line() -> None:
    assert not parse_events2("exists -\n", "r0").configured


def ev(role: str, disk: str, peer: tuple[str, str, str] | None = None, extra: str = "") -> str:
    """events2 text: our role and disk, and optionally (connection, role, disk) of one peer."""
    lines = [f"exists resource name:r0 role:{role}"]
    if peer:
        conn, prole, _ = peer
        lines.append(f"exists connection name:r0 peer-node-id:1 connection:{conn} role:{prole}")
    lines.append(f"exists device name:r0 volume:0 disk:{disk} {extra}")
    if peer:
        lines.append(f"exists peer-device name:r0 peer-node-id:1 volume:0 peer-disk:{peer[2]}")
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ev("Primary", "UpToDate"), 10000),  # as good as it gets
        (ev("Secondary", "UpToDate", ("Connecting", "Unknown", "DUnknown")), 1000),  # local_ok
        (ev("Secondary", "Outdated", ("Connected", "Secondary", "UpToDate")), 10),  # only_remote
        (ev("Secondary", "Consistent"), 0),  # only_consistent
        (ev("Secondary", "Inconsistent"), None),  # no access to good data: remove
        (ev("Primary", "UpToDate", extra="quorum:no"), None),  # no quorum: remove
        (ev("Secondary", "Attaching"), -1),  # transitional: leave as is
    ],
)
def test_promotion_scores(text: str, expected: int | None) -> None:
    assert promotion_score(parse_events2(text, "r0"), SCORES) == expected


def test_remove_if_peer_primary() -> None:
    st = parse_events2(CONNECTED, "r0")
    assert promotion_score(st, SCORES) == 10000
    assert promotion_score(st, SCORES, remove_if_peer_primary=True) is None


def test_legacy_drbdadm_output() -> None:
    st = parse_legacy("Secondary/Primary", "Connected", "UpToDate/UpToDate")
    assert st.role == "Secondary" and st.some_peer_primary and st.disk_all_up_to_date
    assert not parse_legacy("Unconfigured", "", "").configured


def test_score_parameter_validation() -> None:
    assert parse_scores("0 10 1000 10000") == SCORES
    with pytest.raises(ValueError, match="four integers"):
        parse_scores("0 10 1000")
