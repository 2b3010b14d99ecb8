"""Cluster status as ``crm_mon -1`` shows it: text, api-result XML and JSON (pure).

Daemon side (no rendering in the daemon)::

    from pycrm.status.payload import STATUS_COMMAND, status_payload
    from pycrm.status.snapshot import DaemonSnapshot, LastChange

    server.register(STATUS_COMMAND, lambda req: status_payload(cib_bytes, snapshot()))

Client side (`pycrm status`)::

    from pycrm.status.payload import parse_status_payload
    from pycrm.status.collect import collect
    from pycrm.status import text, xmlout, jsonout

    cib_xml, snap = parse_status_payload(result)
    st = collect(cib.loads(cib_xml), snap)
    print(text.render(st), xmlout.render(st, request), jsonout.render(st, request))

Modules: `snapshot` (what only the daemon knows), `collect` (everything shown, decided once),
`text` / `xmlout` / `jsonout` (formatting only), `payload` (the control-socket payload).
"""
