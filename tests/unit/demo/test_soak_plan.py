"""The soak's seeds: an iteration's plan comes from its own seed alone, so the printed
seed replays it (`--seed S --iterations 1 --faults F`), and bad arguments are refused."""

from __future__ import annotations

import pytest

from pycrm.demo import soak
from pycrm.demo.soak import FAULTS, Plan, next_seed


def _chain(seed: int, n: int) -> list[int]:
    seeds = [seed]
    for _ in range(n - 1):
        seeds.append(next_seed(seeds[-1]))
    return seeds


def test_seeds_chain_from_the_run_seed_and_differ() -> None:
    seeds = _chain(7, 50)
    assert seeds[0] == 7
    assert seeds == _chain(7, 50)
    assert len(set(seeds)) == 50
    assert all(0 <= s < 2**soak.SEED_BITS for s in seeds)


def test_one_iteration_replays_from_its_seed_and_fault() -> None:
    for seed in _chain(20261207, 40):
        planned = Plan.draw(seed, FAULTS)
        replay = Plan.draw(seed, [planned.fault])
        assert replay == planned


def test_cycling_keeps_every_other_choice_of_the_seed() -> None:
    seed = 12345
    free = Plan.draw(seed, FAULTS)
    forced = Plan.draw(seed, FAULTS, fault="standby")
    assert forced.fault == "standby"
    assert (forced.role, forced.which, forced.phase, forced.amount, forced.link) == (
        free.role,
        free.which,
        free.phase,
        free.amount,
        free.link,
    )
    assert Plan.draw(seed, ["standby"]) == forced


def test_every_fault_and_role_is_drawn() -> None:
    plans = [Plan.draw(s, FAULTS) for s in _chain(1, 300)]
    assert {p.fault for p in plans} == set(FAULTS)
    assert {p.role for p in plans} == set(soak.ROLES)
    assert {p.link for p in plans} == {0, 1}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--iterations", "0"], "--iterations must be at least 1"),
        (["--faults", "crash,meteor"], "unknown fault meteor"),
        (["--faults", ","], "unknown fault (none)"),
        (["--seed", "-1"], "--seed must be in"),
        (["--profile", "slow"], "invalid choice"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        soak.main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_the_soak_fences_unless_told_and_its_replays_say_so() -> None:
    plan = Plan.draw(5, FAULTS)
    fencing = soak.Soak(echo=lambda _line: None)
    assert fencing.setup.fencing
    assert "fencing" not in fencing.replay_command(plan)
    heartbeat = soak.Soak(fencing=False, echo=lambda _line: None)
    assert not heartbeat.setup.fencing
    assert heartbeat.replay_command(plan).endswith(f"--faults {plan.fault} --no-fencing")


def test_the_summary_names_double_holding_only_when_there_was_some() -> None:
    plan = Plan.draw(5, FAULTS)
    lines = soak.summary([soak.Outcome(1, plan, "node1")], 5)
    assert lines[0] == "soak: 1 iteration from seed 5: 1 ok, 0 failed"
