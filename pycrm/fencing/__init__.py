"""Fencing with Pacemaker 2.1.5's semantics: devices, the fencer, its history, the CIB record.

Pure cores (no I/O, injected clocks); the agent runs go through the daemon's executor
(:mod:`pycrm.daemon.executor.stonith` is the ``stonith`` class).

* :mod:`.targets` -- ``pcmk_host_list`` / list output and ``pcmk_host_map`` parsing;
* :mod:`.device` -- a fencing device (a ``stonith`` primitive with its evaluated
  parameters), what its agent supports (from its meta-data), which nodes it can fence
  (``pcmk_host_check``), its delays, timeouts and retries, and the ``key=value`` arguments
  a fence agent gets (:func:`.device.agent_args`);
* :mod:`.config` -- the devices a node registers, read from the CIB;
* :mod:`.fencer` -- :class:`.fencer.Fencer`: "fence node X" -> executor requests (queries,
  then the fencing action with its delay, retries, the next device) -> one outcome;
* :mod:`.history` -- the fencing history (:class:`.history.FenceEvent`), as ``crm_mon``
  shows it ("Failed Fencing Actions", "Pending Fencing Actions", "Fencing History");
* :mod:`.record` -- the CIB changes that record "node X was fenced";
* :mod:`.priority` -- ``priority-fencing-delay`` and ``pcmk_delay_base`` in a fence race.
"""
