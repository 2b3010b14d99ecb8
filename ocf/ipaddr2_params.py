"""IPaddr2's parameters: the resource-agents 4.12 set, same names, types and defaults."""

from __future__ import annotations

from ocf.metadata import ActionSpec
from ocf.params import Param

PARAMS = (
    Param(
        "ip",
        "IPv4 or IPv6 address",
        "The IPv4 (dotted quad notation) or IPv6 address (colon hexadecimal notation), e.g. "
        '"192.168.1.1" or "2001:db8:DC28:0:0:FC57:D4C8:1FFF".',
        default="",
        required=True,
        unique=True,
    ),
    Param(
        "nic",
        "Network interface",
        "The base network interface on which the IP address will be brought online. If "
        "empty, the interface whose connected route contains the address is used (the most "
        "specific prefix, then the lowest metric, then the lowest interface index). "
        "'eth0:label' is accepted and split into nic and iflabel, as resource-agents does.",
    ),
    Param(
        "cidr_netmask",
        "CIDR netmask",
        "The netmask as a prefix length (24); a dotted quad (255.255.255.0) is accepted for "
        "IPv4. If empty, the prefix length of the connected route on the chosen interface "
        "is used. The legacy alias OCF_RESKEY_netmask is honoured when this is unset.",
        default="",
    ),
    Param(
        "broadcast",
        "Broadcast address",
        "IPv4 broadcast address. '+' and '-' set / clear the host bits of the prefix. If "
        "empty, the broadcast of an existing address in the same subnet on the interface is "
        "reused, otherwise it is computed from the prefix (none for /31 and /32).",
        default="",
    ),
    Param(
        "iflabel",
        "Interface label",
        "Label for the address, appended to the interface name as <nic>:<iflabel> (at most "
        "15 characters in all). IPv4 only: the kernel has no labels for IPv6 addresses.",
        default="",
    ),
    Param(
        "lvs_support",
        "Enable support for LVS DR",
        "LVS Direct Routing (IPv4): when the address is configured as a /32 on a loopback "
        "device (a real server's VIP), start moves it from there to the interface and stop "
        "puts it back, so the node keeps serving requests for it without advertising it. "
        "The saved state is $HA_RSCTMP/<ip>, as with resource-agents.",
        type="boolean",
        default="false",
    ),
    Param(
        "lvs_ipv6_addrlabel",
        "Enable adding IPv6 address label.",
        "IPv6 only: add an address label (policy table entry, RFC 3484) for the address on "
        "start and remove it on stop, so that traffic from the interface does not use this "
        "address as its source (LVS-DR health checks). A failure to add it is a warning.",
        type="boolean",
        default="false",
    ),
    Param(
        "lvs_ipv6_addrlabel_value",
        "IPv6 address label value.",
        "The address label used with lvs_ipv6_addrlabel: an unused label of the policy "
        "table ('ip addrlabel list').",
        type="integer",
        default="99",
    ),
    Param(
        "mac",
        "Cluster IP MAC address",
        "The cluster MAC of the CLUSTERIP clone mode (not supported by this agent).",
        default="",
        supported=False,
    ),
    Param(
        "clusterip_hash",
        "Cluster IP hashing function",
        "The hash of the CLUSTERIP clone mode (not supported by this agent).",
        default="sourceip-sourceport",
        supported=False,
    ),
    Param(
        "unique_clone_address",
        "Create a unique address for cloned instances",
        "If true, add the clone instance number to the last octet of the IPv4 address "
        "(needs the globally-unique clone meta-attribute).",
        type="boolean",
        default="false",
    ),
    Param(
        "arp_interval",
        "ARP/NA packet interval in ms (deprecated)",
        "Milliseconds between unsolicited ARP (IPv4) or NA (IPv6) rounds.",
        type="integer",
        default="200",
    ),
    Param(
        "arp_count",
        "ARP/NA packet count sent during initialization",
        "Rounds of unsolicited ARP (IPv4: a gratuitous request and reply each) or "
        "Neighbour Advertisements (IPv6) sent on start, synchronously, within the start "
        "timeout.",
        type="integer",
        default="5",
    ),
    Param(
        "arp_count_refresh",
        "ARP packet count sent during monitoring",
        "Rounds of unsolicited ARP/NA sent by each recurring monitor (never by a probe).",
        type="integer",
        default="0",
    ),
    Param(
        "arp_bg",
        "ARP/NA from background",
        "Whether the announcements after the first round are sent from the background, so "
        "that start returns at once. Empty (the default) means true for IPv4 and false for "
        "IPv6, as resource-agents does. The first round is always sent before start "
        "returns: a failure to send it fails the start.",
        default="",
    ),
    Param(
        "arp_sender",
        "ARP sender",
        "The external ARP sender program (send_arp, iputils_arping, libnet_arping, "
        "ipoibarping). This agent builds and sends the packets itself.",
        default="",
        supported=False,
    ),
    Param(
        "send_arp_opts",
        "Options for ARP sender",
        "Extra options for the external ARP sender program.",
        default="",
        supported=False,
    ),
    Param(
        "flush_routes",
        "Flush kernel routing table on stop",
        "Flush the route cache on stop so that local applications stop using the address.",
        type="boolean",
        default="false",
    ),
    Param(
        "run_arping",
        "Run arping for IPv4 collision detection check",
        "For IPv4, probe for another host using the address (RFC 5227 ARP probe, like "
        "'arping -D') before adding it; start fails on a collision.",
        default="false",
    ),
    Param(
        "nodad",
        "Use nodad flag",
        "For IPv6, do not perform Duplicate Address Detection when adding the address. "
        "Otherwise start waits (within its timeout) until DAD has finished and fails, "
        "removing the address, when DAD detects a duplicate.",
        default="false",
    ),
    Param(
        "noprefixroute",
        "Use noprefixroute flag",
        "Do not create the prefix route for the address (see 'man ip-address').",
        default="false",
    ),
    Param(
        "preferred_lft",
        "IPv6 preferred lifetime",
        "For IPv6, the preferred lifetime of the address ('forever' or seconds; 0 keeps it "
        "from being chosen as a source address). See RFC 4862 section 5.5.4.",
        default="forever",
    ),
    Param(
        "network_namespace",
        "Network namespace to use",
        "The network namespace (as in 'ip netns') to operate within. It must already exist, "
        "and the interface must be inside it.",
        default="",
    ),
)

ACTIONS = (
    ActionSpec("start", "20s"),
    ActionSpec("stop", "20s"),
    ActionSpec("status", "20s", interval="10s", depth="0"),
    ActionSpec("monitor", "20s", interval="10s", depth="0"),
    ActionSpec("meta-data", "5s"),
    ActionSpec("validate-all", "20s"),
)
