"""ocf:pycrm:drbd — a DRBD resource as a promotable clone.

Drop-in for LINBIT's ocf:linbit:drbd (drbd-utils 9.22), with the same
parameters and promotion-score semantics. State comes from
`drbdsetup events2 --now`, or from `drbdadm role/cstate/dstate` where
events2 is not available. Promotion scores are published with
`crm_attribute --promotion` when running under Pacemaker. Unlike LINBIT's,
the meta-data validates against ra-api-1.dtd.
"""

from __future__ import annotations

import time

from ocf import drbd_status
from ocf.agent import Agent
from ocf.metadata import ActionSpec
from ocf.params import Param
from ocf.rc import RC, OCFError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ocf.drbd_status import DrbdStatus

_P = Param
_PARAMS = (
    _P(
        "drbd_resource",
        "drbd resource name",
        "The name of the drbd resource from the drbd.conf file.",
        required=True,
        unique=True,
    ),
    _P(
        "drbdconf",
        "Path to drbd.conf",
        "Full path to the drbd.conf file.",
        default="/etc/drbd.conf",
    ),
    _P(
        "adjust_master_score",
        "master score adjustments",
        "Space separated list of four promotion scores: only Consistent local data; only a peer "
        "has UpToDate data; local data UpToDate but a peer is unknown; as good as it gets.",
        default="0 10 1000 10000",
    ),
    _P(
        "stop_outdates_secondary",
        "outdate a Secondary on stop",
        "When stopping a Secondary that is still connected to a Primary peer, mark the local "
        "data Outdated after disconnecting, so it cannot be promoted by mistake.",
        type="boolean",
        default="false",
    ),
    _P(
        "ignore_missing_notifications",
        "ignore missing notifications",
        "Allow running in a clone without notify=true. LINBIT's agent refuses otherwise; so does "
        "this one.",
        type="boolean",
        default="false",
    ),
    _P(
        "wfc_timeout",
        "wait-for-connection timeout",
        "Seconds start waits for the replication link to connect before returning.",
        type="integer",
        default="5",
    ),
    _P(
        "remove_master_score_if_peer_primary",
        "remove master score if peer primary",
        'Remove our promotion score while a peer is Primary with UpToDate data ("true"/"false").',
        default="false",
    ),
    _P(
        "fail_promote_early_if_peer_primary",
        "fail promote early if peer primary",
        "Fail a promote at once when a peer is Primary, instead of retrying until the timeout.",
        type="boolean",
        default="false",
    ),
    _P(
        "unfence_if_all_uptodate",
        "unfence if all disks up-to-date",
        "Call the unfence hook when all disks are UpToDate (crm-fence-peer integration).",
        type="boolean",
        default="false",
        supported=False,
    ),
    _P(
        "unfence_extra_args",
        "extra arguments for the unfence hook",
        "Extra arguments passed to the unfence hook.",
        type="boolean",
        default="--quiet --flock-required --flock-timeout 0 --unfence-only-if-owner-match",
        supported=False,
    ),
    _P(
        "require_drbd_module_version_ge",
        "minimum DRBD module version",
        "Refuse to run with a DRBD kernel module older than this.",
        default="8.0.0",
    ),
    _P(
        "require_drbd_module_version_lt",
        "DRBD module version limit",
        "Refuse to run with a DRBD kernel module of this version or newer.",
        default="10.0.0",
    ),
    _P(
        "connect_only_after_promote",
        "connect only after promote",
        "Bring the replication link up only after a promote (for setups that connect late).",
        type="boolean",
        default="false",
        supported=False,
    ),
)


def _version_code(text: str) -> int:
    major, minor, patch = ([int(x) for x in text.split(".")] + [0, 0, 0])[:3]
    return (major << 16) | (minor << 8) | patch


class Drbd(Agent):
    name = "drbd"
    version = "1.4"
    shortdesc = "Manages a DRBD device as a promotable resource"
    longdesc = (
        "This resource agent manages a DRBD resource as a promotable clone. It starts the "
        "resource as Secondary, promotes and demotes it, and publishes promotion scores that "
        "follow LINBIT's adjust_master_score rules. Monitor returns 8 on the Primary, 0 on a "
        "Secondary, 7 when the resource is not configured and 9 when the Primary lost its disk."
    )
    params = _PARAMS
    actions = (
        ActionSpec("start", "240s"),
        ActionSpec("promote", "90s"),
        ActionSpec("demote", "90s"),
        ActionSpec("notify", "90s"),
        ActionSpec("stop", "100s"),
        ActionSpec("monitor", "20s", interval="20s", role="Unpromoted"),
        ActionSpec("monitor", "20s", interval="10s", role="Promoted"),
        ActionSpec("meta-data", "5s"),
        ActionSpec("validate-all", "5s"),
    )

    @property
    def resource(self) -> str:
        return self.p.get("drbd_resource")

    # ------------------------------------------------------------- checks
    def check_config(self) -> None:
        try:
            drbd_status.parse_scores(self.p.get("adjust_master_score"))
        except ValueError as exc:
            raise OCFError(RC.ERR_CONFIGURED, str(exc)) from None
        if self.env.action == "stop" or not self.env.meta("clone_max"):
            return  # not running as a clone (e.g. ocf-tester): nothing more to check
        if self.env.meta("clone_node_max", "1") != "1":
            raise OCFError(RC.ERR_CONFIGURED, "clone-node-max must be 1 for drbd")
        promoted_max = self.env.meta("promoted_max") or self.env.meta("master_max") or "1"
        if int(promoted_max) > 2:
            raise OCFError(RC.ERR_CONFIGURED, "promoted-max must be at most 2 for drbd")
        if self.env.meta("notify") != "true" and not self.p.flag("ignore_missing_notifications"):
            raise OCFError(
                RC.ERR_CONFIGURED,
                "the drbd clone needs meta notify=true (or ignore_missing_notifications=true)",
            )

    def _drbdadm(self, *args: str, timeout: float | None = None) -> tuple[int, str]:
        from ocf import proc

        argv = ["drbdadm"]
        if self.p.get("drbdconf"):
            argv += ["-c", self.p.get("drbdconf")]
        budget = self.env.remaining() if timeout is None else min(timeout, self.env.remaining())
        res = proc.run([*argv, *args], timeout=budget)
        return res.returncode, (res.stdout + res.stderr).strip()

    def _check_module(self) -> None:
        rc, out = self._drbdadm("--version", timeout=10)
        if rc != 0:
            raise OCFError(RC.ERR_INSTALLED, f"drbdadm --version failed: {out[-200:]}")
        code = 0
        for line in out.splitlines():
            if line.startswith("DRBD_KERNEL_VERSION_CODE="):
                code = int(line.split("=", 1)[1], 16)
        if code == 0:
            raise OCFError(RC.ERR_INSTALLED, "DRBD kernel module not available")
        low = _version_code(self.p.get("require_drbd_module_version_ge"))
        high = _version_code(self.p.get("require_drbd_module_version_lt"))
        if not low <= code < high:
            raise OCFError(
                RC.ERR_INSTALLED,
                f"DRBD kernel module version 0x{code:06x} is outside the allowed range",
            )

    # -------------------------------------------------------------- state
    def status(self) -> DrbdStatus:
        from ocf import proc

        try:
            res = proc.run(
                ["drbdsetup", "events2", "--now", self.resource],
                timeout=min(10.0, self.env.remaining()),
            )
        except OCFError as exc:
            if exc.rc == RC.ERR_INSTALLED:
                raise
            res = None
        if res is not None and res.returncode == 0:
            return drbd_status.parse_events2(res.stdout, self.resource)
        if res is not None and "No such resource" in (res.stdout + res.stderr):
            return drbd_status.DrbdStatus()
        # events2 unavailable (DRBD 8): fall back to drbdadm queries.
        rc, role = self._drbdadm("role", self.resource, timeout=10)
        if rc != 0:
            return drbd_status.DrbdStatus()
        _, cstate = self._drbdadm("cstate", self.resource, timeout=10)
        _, dstate = self._drbdadm("dstate", self.resource, timeout=10)
        return drbd_status.parse_legacy(role, cstate, dstate)

    def _publish_score(self, status: DrbdStatus) -> None:
        scores = drbd_status.parse_scores(self.p.get("adjust_master_score"))
        remove_if_primary = self.p.get("remove_master_score_if_peer_primary").lower() in (
            "true",
            "yes",
            "1",
        )
        score = drbd_status.promotion_score(
            status, scores, remove_if_peer_primary=remove_if_primary
        )
        if score == -1:
            return
        if not self.env.under_pacemaker:
            self.log.debug(f"promotion score would be {score} (not under Pacemaker)")
            return
        from ocf import proc

        argv = ["crm_attribute", "--promotion", "--lifetime", "reboot"]
        argv += ["--delete"] if score is None else ["--update", str(score)]
        res = proc.run(argv, timeout=min(10.0, self.env.remaining()))
        if res.returncode != 0:
            self.log.warning(f"{' '.join(argv)} failed: {res.stderr.strip()}")

    # ------------------------------------------------------------ actions
    def monitor(self) -> RC | None:
        if self.env.is_probe and self._module_missing():
            return RC.NOT_RUNNING
        self._check_module()
        status = self.status()
        if not status.configured:
            return RC.NOT_RUNNING
        self._publish_score(status)
        if status.primary:
            if status.disk_failed and not status.some_peer_all_up_to_date():
                raise OCFError(
                    RC.FAILED_PROMOTED, f"Primary without usable data: {status.summary()}"
                )
            return RC.RUNNING_PROMOTED
        return RC.SUCCESS

    def _module_missing(self) -> bool:
        try:
            self._check_module()
        except OCFError:
            return True
        return False

    def start(self) -> RC | None:
        self._check_module()
        status = self.status()
        if not status.configured:
            rc, out = self._drbdadm("up", self.resource)
            if rc != 0:
                raise OCFError(RC.ERR_GENERIC, f"drbdadm up {self.resource} failed: {_last(out)}")
        else:
            self._drbdadm("adjust", self.resource)
        # Wait (bounded) for the replication link, then publish our score.
        until = time.monotonic() + min(self.p.integer("wfc_timeout"), self.env.remaining() / 2)
        status = self.status()
        while status.peers and not all(p.connection == "Connected" for p in status.peers.values()):
            if time.monotonic() >= until:
                self.log.info(
                    f"{self.resource}: started without a connected peer ({status.summary()})"
                )
                break
            time.sleep(0.2)
            status = self.status()
        if not status.configured:
            raise OCFError(RC.ERR_GENERIC, f"{self.resource} is not up after start")
        self._publish_score(status)
        return None

    def promote(self) -> RC | None:
        self._check_module()
        status = self.status()
        if not status.configured:
            raise OCFError(RC.ERR_GENERIC, f"cannot promote {self.resource}: not started")
        last = ""
        while not status.primary:
            if status.some_peer_primary and self.p.flag("fail_promote_early_if_peer_primary"):
                raise OCFError(RC.ERR_GENERIC, f"a peer of {self.resource} is Primary")
            rc, out = self._drbdadm("primary", self.resource)
            if rc == 0:
                break
            last = _last(out)
            # 17: no access to UpToDate data; 11: another node is Primary. Retry
            # while there is time: the peer may be demoting right now.
            if time.monotonic() + 1.0 >= self.env.deadline:
                raise OCFError(RC.ERR_GENERIC, f"drbdadm primary {self.resource} failed: {last}")
            time.sleep(1.0)
            status = self.status()
        status = self.status()
        if not status.primary:
            raise OCFError(RC.ERR_GENERIC, f"{self.resource} is not Primary after promote: {last}")
        self._publish_score(status)
        return None

    def demote(self) -> RC | None:
        self._check_module()
        status = self.status()
        if not status.configured:
            raise OCFError(RC.ERR_GENERIC, f"cannot demote {self.resource}: not started")
        if status.primary:
            rc, out = self._drbdadm("secondary", self.resource)
            if rc != 0:
                raise OCFError(
                    RC.ERR_GENERIC, f"drbdadm secondary {self.resource} failed: {_last(out)}"
                )
        self._publish_score(self.status())
        return None

    def stop(self) -> RC | None:
        if self._module_missing():
            return None  # no module, nothing can be up
        status = self.status()
        if status.configured:
            if status.primary:
                rc, out = self._drbdadm("secondary", self.resource)
                if rc != 0:
                    raise OCFError(
                        RC.ERR_GENERIC, f"drbdadm secondary {self.resource} failed: {_last(out)}"
                    )
            outdate = self.p.flag("stop_outdates_secondary") and status.some_peer_primary
            if outdate:
                self._drbdadm("disconnect", self.resource)
                self._drbdadm("outdate", self.resource)
            rc, out = self._drbdadm("down", self.resource)
            if rc != 0:
                raise OCFError(RC.ERR_GENERIC, f"drbdadm down {self.resource} failed: {_last(out)}")
        if self.env.under_pacemaker:
            from ocf import proc

            proc.run(
                ["crm_attribute", "--promotion", "--lifetime", "reboot", "--delete"],
                timeout=min(10.0, self.env.remaining()),
            )
        return None

    def notify(self) -> RC | None:
        """Notifications must not fail: refresh the score after changes, log problems."""
        kind = self.env.meta("notify_type")
        op = self.env.meta("notify_operation")
        try:
            status = self.status()
            if status.configured:
                if kind == "pre" and op in ("start", "promote"):
                    self._drbdadm("adjust", self.resource)  # peers may have come back
                elif kind == "post":
                    self._publish_score(status)
        except OCFError as exc:
            self.log.warning(f"notify {kind}-{op}: {exc.reason}")
        return None

    def validate_all(self) -> RC | None:
        self._check_module()
        rc, out = self._drbdadm("sh-resources", timeout=10)
        if rc != 0:
            raise OCFError(RC.ERR_INSTALLED, f"drbdadm cannot read its configuration: {_last(out)}")
        if self.resource not in out.split():
            raise OCFError(
                RC.ERR_INSTALLED, f"resource {self.resource} is not defined for this host"
            )
        return None


def _last(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return lines[-1] if lines else "no output"


AGENT = Drbd
