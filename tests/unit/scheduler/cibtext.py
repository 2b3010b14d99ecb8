"""Tiny builders for CIB XML text used by the scheduler unit tests."""

from __future__ import annotations

import cib
from cib.model import Cib


def op(
    rsc: str, task: str, call: int, rc: int = 0, interval: int = 0, target: int = 0, status: int = 0
) -> str:
    key = f"{call}:1:{target}:00000000-0000-0000-0000-000000000000"
    return (
        f'<lrm_rsc_op id="{rsc}_{task}_{interval}_{call}" operation_key="{rsc}_{task}_{interval}" '
        f'operation="{task}" call-id="{call}" rc-code="{rc}" op-status="{status}" '
        f'interval="{interval}" transition-key="{key}" transition-magic="{status}:{rc};{key}" '
        f'op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/>'
    )


def lrm(rsc: str, *ops: str) -> str:
    return (
        f'<lrm_resource id="{rsc}" class="ocf" provider="heartbeat" type="Dummy">'
        + "".join(ops)
        + "</lrm_resource>"
    )


def running(rsc: str, call: int = 1) -> str:
    return lrm(rsc, op(rsc, "start", call))


def node_state(
    name: str, *resources: str, attrs: dict[str, str] | None = None, online: bool = True
) -> str:
    if not online:
        return (
            f'<node_state id="{name}" uname="{name}" in_ccm="false" crmd="offline" '
            f'join="down" expected="down"/>'
        )
    pairs = "".join(
        f'<nvpair id="{name}-{k}" name="{k}" value="{v}"/>' for k, v in (attrs or {}).items()
    )
    return (
        f'<node_state id="{name}" uname="{name}" in_ccm="true" crmd="online" join="member" '
        f'expected="member"><transient_attributes id="{name}"><instance_attributes '
        f'id="{name}-ta">{pairs}</instance_attributes></transient_attributes>'
        f'<lrm id="{name}"><lrm_resources>{"".join(resources)}</lrm_resources></lrm>'
        "</node_state>"
    )


def prim(rid: str, meta: dict[str, str] | None = None, ops: str = "") -> str:
    m = ""
    if meta:
        m = (
            f'<meta_attributes id="{rid}-meta">'
            + "".join(f'<nvpair id="{rid}-{k}" name="{k}" value="{v}"/>' for k, v in meta.items())
            + "</meta_attributes>"
        )
    o = f"<operations>{ops}</operations>" if ops else ""
    return f'<primitive id="{rid}" class="ocf" provider="heartbeat" type="Dummy">{m}{o}</primitive>'


def make(resources: str, status: str, **kwargs: object) -> Cib:
    return cib.loads(make_text(resources, status, **kwargs), "test.xml")  # type: ignore[arg-type]


def make_text(
    resources: str,
    status: str,
    *,
    nodes: tuple[str, ...] = ("n1", "n2"),
    constraints: str = "",
    props: dict[str, str] | None = None,
    defaults: dict[str, str] | None = None,
    quorum: bool = True,
    node_attrs: dict[str, dict[str, str]] | None = None,
    feature_set: str | None = None,
) -> str:
    options = {"stonith-enabled": "false"}
    options.update(props or {})
    prop_xml = "".join(f'<nvpair id="o-{k}" name="{k}" value="{v}"/>' for k, v in options.items())
    node_xml = ""
    for name in nodes:
        extra = ""
        if node_attrs and name in node_attrs:
            extra = (
                f'<instance_attributes id="{name}-na">'
                + "".join(
                    f'<nvpair id="{name}-na-{k}" name="{k}" value="{v}"/>'
                    for k, v in node_attrs[name].items()
                )
                + "</instance_attributes>"
            )
        node_xml += f'<node id="{name}" uname="{name}">{extra}</node>'
    defaults_xml = ""
    if defaults:
        defaults_xml = (
            '<rsc_defaults><meta_attributes id="rd">'
            + "".join(f'<nvpair id="rd-{k}" name="{k}" value="{v}"/>' for k, v in defaults.items())
            + "</meta_attributes></rsc_defaults>"
        )
    fs = f' crm_feature_set="{feature_set}"' if feature_set else ""
    text = (
        f'<cib admin_epoch="0" epoch="1" num_updates="1" have-quorum="{int(quorum)}" '
        f'validate-with="pacemaker-3.7" dc-uuid="{nodes[0]}"{fs}><configuration><crm_config>'
        f'<cluster_property_set id="cib-bootstrap-options">{prop_xml}</cluster_property_set>'
        f"</crm_config><nodes>{node_xml}</nodes>{defaults_xml}<resources>{resources}"
        f"</resources><constraints>{constraints}</constraints></configuration>"
        f"<status>{status}</status></cib>"
    )
    return text
