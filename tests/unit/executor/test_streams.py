"""Bounded output capture and the exit-reason / main-PID cookies."""

from __future__ import annotations

import pytest

from pycrm.daemon.executor.streams import MAX_LINE, LineScanner, Tail


def _scan(*chunks: bytes) -> LineScanner:
    scanner = LineScanner()
    for chunk in chunks:
        scanner.feed(chunk)
    scanner.close()
    return scanner


def test_the_last_exit_reason_wins_even_split_across_reads() -> None:
    s = _scan(b"ocf-exit-reason:first\nnoise\nERROR: ocf-exit-", b"reason:second one\n")
    assert s.exit_reason == "second one"


def test_an_empty_last_exit_reason_means_none() -> None:
    assert _scan(b"ocf-exit-reason:first\nocf-exit-reason:\n").exit_reason == ""


def test_exit_reason_is_cut_at_128_characters_and_may_end_without_newline() -> None:
    assert _scan(b"ocf-exit-reason:" + b"x" * 300).exit_reason == "x" * 128


def test_main_pid_takes_the_last_valid_line() -> None:
    s = _scan(b"ocf-main-pid:12\nocf-main-pid:abc\nocf-main-pid:0\nocf-main-pid:34\n")
    assert s.main_pid == 34
    assert _scan(b"say ocf-main-pid:12\n").main_pid is None
    assert _scan("ocf-main-pid:\u00b2\n".encode()).main_pid is None
    assert _scan(b"ocf-main-pid:99999999\n").main_pid is None


def test_an_overlong_line_is_cut_and_the_next_line_still_counts() -> None:
    s = _scan(
        b"y" * (MAX_LINE * 3), b"ocf-exit-reason:tail of the long line\n", b"ocf-main-pid:7\n"
    )
    assert s.exit_reason == "" and s.main_pid == 7


@pytest.mark.parametrize("size", [10, 100])
def test_tail_keeps_only_the_last_bytes(size: int) -> None:
    tail = Tail(limit=size)
    for i in range(50):
        tail.feed(f"{i:03d}\n".encode())
    assert len(tail.text()) == min(size, 200)
    assert tail.text().endswith("049\n") and tail.total == 200
