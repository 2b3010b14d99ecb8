"""A DRBD SIMULATOR for tests — not DRBD.

This kernel cannot load the drbd module, so the drbd agent's tests run
against `drbdadm` and `drbdsetup` stand-ins that model what the agent sees:
roles, connection states, disk states, quorum and split brain. The agent
code is exactly the code that runs against the real tools.
"""
