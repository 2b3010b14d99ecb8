"""Linux networking for the agents: addresses, raw rtnetlink, nic selection, ARP/NA.

Everything here is stdlib-only and cheap to import (`_socket`, `struct`):
the IPaddr2 monitor runs on every interval and must not pay for pyroute2
(~140 ms to import) or even the `socket` wrapper module.
"""
