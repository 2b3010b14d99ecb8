"""The operator library behind `pycrm node|resource|cib|explain` and heartbeat's commands.

Shaped like pcs's ``pcs/lib/commands``: every function here is pure -- it takes the CIB model
(:class:`cib.model.Cib`, as the daemon's ``status`` command ships it) and the operator's
arguments, and returns the typed changes to submit (:mod:`cib.patch`, through the DC with the
daemon's ``cib_update`` command) or a query result.  A refusal is data: an
:class:`pycrm.ops.errors.OpsError` carrying :class:`~pycrm.ops.errors.Report` items with stable
codes, which the CLI prints and maps to an exit status.  Nothing here opens a socket, reads a
clock (``now`` is passed in) or edits XML text.

Modules: ``errors`` (reports and codes), ``find`` (resources and nodes by name),
``constraints`` (move, ban, clear: crm_resource's ``cli-prefer-`` / ``cli-ban-`` locations),
``resource`` (enable, disable, restart, cleanup targets, fail counts, where a resource runs),
``nodes`` (standby, online, node attributes), ``cibfile`` (show, load, diff, verify),
``explain`` (why each resource is where it is), ``heartbeat`` (hb_standby / hb_takeover /
cl_status rscstatus as placement operations).
"""
