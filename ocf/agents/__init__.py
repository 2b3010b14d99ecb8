"""The agents pycrm ships, by OCF type name -> module implementing `AGENT`."""

AGENTS: dict[str, str] = {
    "IPaddr2": "ocf.agents.ipaddr2",
    "Filesystem": "ocf.agents.filesystem",
    "apache": "ocf.agents.apache",
    "drbd": "ocf.agents.drbd",
}
