"""The CLI router lists every subcommand without importing them."""

from click.testing import CliRunner

from pycrm.cli.main import main


def test_help_lists_subcommands() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in ("agents", "simulate", "haresources2cib", "heartbeat", "demo"):
        assert name in result.output
