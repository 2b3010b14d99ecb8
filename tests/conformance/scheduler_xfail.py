"""Expected failures of the scheduler conformance tier (tests/conformance).

name -> (failing checks among "status summary actions", reason).  Strict: a case that
starts passing a check must leave this list; the list only shrinks.  Grouped by reason.
"""

ALL = "status summary actions"

FENCING = "fencing not fully modelled"
REFUSED_BUNDLE = "refused: bundles are not supported"
REFUSED_REMOTE = "Pacemaker Remote node details differ"
REFUSED_GUEST = "guest node details differ"
OTHER = "differs from crm_simulate (no special feature)"
NOTIFY = "clone notifications not fully modelled"
UTILIZATION = "utilization placement strategies not fully modelled"
GROUP = "group placement/ordering differs"
CLONE = "clone placement/ordering differs"
MIGRATION = "live migration not fully modelled"
PROMOTABLE = "promotable clone placement/ordering differs"
TICKET = "rsc_ticket / ticket state not fully modelled"
SETS = "resource set semantics differ"
REMOTE = "orphaned remote connections differ"
TEMPLATE = "resource templates not fully modelled"

XFAIL: dict[str, tuple[str, str]] = {
    # refused: bundles are not supported: 25
    "bundle-order-fencing": (ALL, REFUSED_BUNDLE),
    "bundle-order-partial-start": (ALL, REFUSED_BUNDLE),
    "bundle-order-partial-start-2": (ALL, REFUSED_BUNDLE),
    "bundle-order-partial-stop": (ALL, REFUSED_BUNDLE),
    "bundle-order-startup": (ALL, REFUSED_BUNDLE),
    "bundle-order-startup-clone": (ALL, REFUSED_BUNDLE),
    "bundle-order-startup-clone-2": (ALL, REFUSED_BUNDLE),
    "bundle-order-stop": (ALL, REFUSED_BUNDLE),
    "bundle-order-stop-clone": (ALL, REFUSED_BUNDLE),
    "bundle-probe-order-2": (ALL, REFUSED_BUNDLE),
    "bundle-probe-order-3": (ALL, REFUSED_BUNDLE),
    "bundle-probe-remotes": (ALL, REFUSED_BUNDLE),
    "bundle-replicas-change": (ALL, REFUSED_BUNDLE),
    "cancel-behind-moving-remote": (ALL, REFUSED_BUNDLE),
    "colocation-influence": (ALL, REFUSED_BUNDLE),
    "guest-host-not-fenceable": (ALL, REFUSED_BUNDLE),
    "no-promote-on-unrunnable-guest": (ALL, REFUSED_BUNDLE),
    "notifs-for-unrunnable": (ALL, REFUSED_BUNDLE),
    "notify-behind-stopping-remote": (ALL, REFUSED_BUNDLE),
    "on_fail_demote1": (ALL, REFUSED_BUNDLE),
    "on_fail_demote4": (ALL, REFUSED_BUNDLE),
    "remote-fence-unclean-3": (ALL, REFUSED_BUNDLE),
    "route-remote-notify": (ALL, REFUSED_BUNDLE),
    "utilization-complex": (ALL, REFUSED_BUNDLE),
    "year-2038": (ALL, REFUSED_BUNDLE),
    # fencing not fully modelled: 17
    "696": ("actions", FENCING),
    "726": ("actions", FENCING),
    "735": ("summary actions", FENCING),
    "764": ("status", FENCING),
    "anon-instance-pending": ("actions", FENCING),
    "bug-rh-880249": ("actions", FENCING),
    "coloc-unpromoted-anti": (ALL, FENCING),
    "failed-probe-clone": (ALL, FENCING),
    "force-anon-clone-max": ("actions", FENCING),
    "multiple-active-block-group": (ALL, FENCING),
    "multiply-active-stonith": (ALL, FENCING),
    "not-installed-tools": (ALL, FENCING),
    "order-clone": ("summary", FENCING),
    "promoted-demote": (ALL, FENCING),
    "shutdown-lock-expiration": (ALL, FENCING),
    "stop-failure-no-quorum": ("status actions", FENCING),
    "stop-unexpected-2": ("actions", FENCING),
    # clone notifications not fully modelled: 9
    "bug-1572-1": ("summary actions", NOTIFY),
    "bug-cl-5212": ("actions", NOTIFY),
    "bug-lf-2106": ("actions", NOTIFY),
    "bug-lf-2358": (ALL, NOTIFY),
    "colocate-unmanaged-group": (ALL, NOTIFY),
    "colocation_constraint_stops_promoted": ("actions", NOTIFY),
    "order_constraint_stops_promoted": ("actions", NOTIFY),
    "promoted-pseudo": ("summary", NOTIFY),
    "unrunnable-2": ("summary", NOTIFY),
    # differs from crm_simulate (no special feature): 9
    "mon-rsc-3": ("actions", OTHER),
    "mon-rsc-4": ("status", OTHER),
    "params-2": ("actions", OTHER),
    "params-3": ("summary actions", OTHER),
    "probe-1": ("actions", OTHER),
    "rec-rsc-7": (ALL, OTHER),
    "rec-rsc-8": (ALL, OTHER),
    "stopped-monitor-03": ("actions", OTHER),
    "stopped-monitor-22": ("actions", OTHER),
    # promotable clone placement/ordering differs: 5
    "bug-1822": (ALL, PROMOTABLE),
    "novell-239087": (ALL, PROMOTABLE),
    "promoted-13": (ALL, PROMOTABLE),
    "promoted-asymmetrical-order": (ALL, PROMOTABLE),
    "promoted-ordering": ("actions", PROMOTABLE),
    # clone placement/ordering differs: 5
    "bug-5014-CLONE-A-stop-B-started": (ALL, CLONE),
    "clone-interleave-1": (ALL, CLONE),
    "clone-interleave-2": (ALL, CLONE),
    "inc6": (ALL, CLONE),
    "obsolete-lrm-resource": ("actions", CLONE),
    # guest node details differ: 5
    "bug-cl-5247": ("status", REFUSED_GUEST),
    "bug-rh-1097457": ("status actions", REFUSED_GUEST),
    "whitebox-asymmetric": (ALL, REFUSED_GUEST),
    "whitebox-fail3": ("status", REFUSED_GUEST),
    "whitebox-orphaned": ("status actions", REFUSED_GUEST),
    # group placement/ordering differs: 4
    "bug-5014-GROUP-A-stopped-B-started": (ALL, GROUP),
    "bug-5028": ("actions", GROUP),
    "container-group-1": ("actions", GROUP),
    "container-group-3": (ALL, GROUP),
    # utilization placement strategies not fully modelled: 4
    "bug-5186-partial-migrate": ("actions", UTILIZATION),
    "bug-lf-2619": (ALL, UTILIZATION),
    "load-stopped-loop": (ALL, UTILIZATION),
    "params-6": (ALL, UTILIZATION),
    # Pacemaker Remote node details differ: 3
    "remote-partial-migrate2": (ALL, REFUSED_REMOTE),
    "remote-recover-all": ("actions", REFUSED_REMOTE),
    "remote-recover-unknown": ("summary actions", REFUSED_REMOTE),
    # resource set semantics differ: 2
    "bug-5014-ordered-set-symmetrical-false": (ALL, SETS),
    "one-or-more-6": (ALL, SETS),
    # live migration not fully modelled: 1
    "group-dependents": ("summary actions", MIGRATION),
    # orphaned remote connections differ: 1
    "whitebox-orphan-ms": ("status actions", REMOTE),
}
