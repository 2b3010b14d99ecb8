"""The daemon's local control socket: `pycrm status` now, the operator commands later.

One `heartbeat_compat.ipc.JsonLineServer` at ``pycrm.daemon.paths.control_socket(run_dir)``
(mode 0600 in a 0700 directory; 0660/0710 with a group such as ``haclient``), served from
the daemon's selectors loop; `client.call` is the blocking client every command uses.
Protocol, limits and error codes: heartbeat_compat/ipc.py.
"""
