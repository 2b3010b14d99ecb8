"""`pycrm demo` refuses bad input and a non-root user with a message and an exit status,
never a traceback; `pycrm demo agents` is the agents-only demo."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from pycrm.cli.main import main
from pycrm.demo import cluster_demo


def test_help_names_both_demos() -> None:
    result = CliRunner().invoke(main, ["demo", "--help"])
    assert result.exit_code == 0
    assert "--profile [default|fast]" in result.output
    assert "--no-fencing" in result.output
    assert "agents" in result.output


@pytest.mark.parametrize(("argv", "fencing"), [([], True), (["--no-fencing"], False)])
def test_the_demo_fences_unless_told_not_to(
    argv: list[str], fencing: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, object] = {}

    def fake(echo: object, **kwargs: object) -> int:
        seen.update(kwargs)
        return 0

    monkeypatch.setattr("pycrm.cli.demo._preflight", lambda tools: None)
    monkeypatch.setattr(cluster_demo, "run_cluster_demo", fake)
    result = CliRunner().invoke(main, ["demo", *argv])
    assert result.exit_code == 0
    assert seen["fencing"] is fencing


@pytest.mark.parametrize(
    "argv", [["demo", "--profile", "slow"], ["demo", "--web", "nginx"], ["demo", "meteor"]]
)
def test_bad_options_exit_2(argv: list[str]) -> None:
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("argv", [["demo"], ["demo", "--profile", "fast"], ["demo", "agents"]])
def test_not_root_exits_4(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 4
    assert "needs root" in result.output
    assert isinstance(result.exception, SystemExit)


def test_the_web_server_falls_back_only_without_apache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cluster_demo, "HTTPD", "/nonexistent/apache2")
    kind, note = cluster_demo.web_server("auto")
    assert kind == "builtin" and "not installed" in note and "http.server" in note
    with pytest.raises(RuntimeError, match="not installed"):
        cluster_demo.web_server("apache")
    assert cluster_demo.web_server("builtin")[0] == "builtin"
    monkeypatch.setattr(cluster_demo, "HTTPD", "/bin/sh")  # exists
    assert cluster_demo.web_server("auto")[0] == "apache"
