"""The agent's choices without a running apache: which URL, which rule, which pid file."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocf.agents.apache import ApacheAgent
from ocf.env import OcfEnv
from ocf.httpd.check import Probe
from ocf.log import AgentLog
from ocf.params import Values
from ocf.rc import RC, OCFError


def _agent(config: Path, **params: str) -> ApacheAgent:
    environ = {
        "OCF_RESOURCE_INSTANCE": "web",
        "HA_LOGFACILITY": "none",
        "HA_VARRUN": "/run/test-varrun",
        "OCF_RESKEY_configfile": str(config),
        "OCF_RESKEY_httpd": "/bin/true",
        "OCF_RESKEY_envfiles": "",
        **{f"OCF_RESKEY_{k}": v for k, v in params.items()},
    }
    level = environ.pop("OCF_RESKEY_OCF_CHECK_LEVEL", None)
    if level is not None:
        environ["OCF_CHECK_LEVEL"] = level
    env = OcfEnv.from_environ("monitor", environ, "apache")
    agent = ApacheAgent(
        env, Values(ApacheAgent.params, environ), AgentLog("apache", "web", environ)
    )
    agent.check_config()
    return agent


def _probe(config: Path, level: int = 0, **params: str) -> Probe:
    agent = _agent(config, **params)
    inst = agent._instance("/bin/true")
    return agent._depth10_probe(inst) if level else agent._status_probe(inst)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "httpd.conf"
    path.write_text(
        "Listen 127.0.0.1:8089\n<Location /server-status>\nSetHandler server-status\n</Location>\n"
    )
    return path


def test_discovered_status_page_uses_auto(config: Path) -> None:
    probe = _probe(config)
    assert str(probe.url) == "http://127.0.0.1:8089/server-status?auto"
    assert probe.regex is None and not probe.any_answer


def test_user_regex_gets_the_html_status_page(config: Path) -> None:
    probe = _probe(config, testregex="Server Status")
    assert str(probe.url) == "http://127.0.0.1:8089/server-status"
    assert probe.regex == "Server Status"


def test_statusurl_and_port(config: Path) -> None:
    probe = _probe(config, statusurl="http://localhost:81/s?auto")
    assert str(probe.url) == "http://localhost:81/s?auto"
    assert str(_probe(config, port="8090").url) == "http://127.0.0.1:8090/server-status?auto"


def test_no_status_handler_falls_back_like_the_shell_agent(tmp_path: Path) -> None:
    config = tmp_path / "httpd.conf"
    config.write_text("Listen 8089\n")
    bare = _probe(config)
    assert str(bare.url) == "http://localhost:8089/" and bare.any_answer
    with_test = _probe(config, testurl="/x")
    assert with_test.regex == "</ *html *>" and not with_test.any_answer


def test_depth_10(config: Path, tmp_path: Path) -> None:
    probe = _probe(config, 10, testurl="/app", testregex10="[[:digit:]]")
    assert (str(probe.url), probe.regex) == ("http://127.0.0.1:8089/app", "[0-9]")
    conf = tmp_path / "tests.conf"
    conf.write_text("test a\nurl http://127.0.0.1:8089/a\nmatch A\nuser u\npassword p\nend\n")
    from_file = _probe(config, 10, testconffile=str(conf), testurl="/ignored")
    assert (str(from_file.url), from_file.userinfo) == ("http://127.0.0.1:8089/a", "u:p")
    with pytest.raises(OCFError) as err:
        _probe(config, 10)
    assert err.value.rc == RC.ERR_CONFIGURED


def test_pidfile_default_and_directive(tmp_path: Path) -> None:
    config = tmp_path / "httpd.conf"
    config.write_text("Listen 8089\n")
    inst = _agent(config)._instance("/usr/sbin/apache2")
    assert inst.pidfile == "/run/test-varrun/apache2-web.pid"
    assert inst.httpd_argv()[-2:] == ["-c", "PidFile /run/test-varrun/apache2-web.pid"]
    config.write_text("ServerRoot /srv/www\nPidFile logs/x.pid\n")
    inst = _agent(config, options="-DFOO -C 'Timeout 5'")._instance("/usr/sbin/apache2")
    assert inst.pidfile == "/srv/www/logs/x.pid"
    assert inst.httpd_argv("-t") == [
        *("/usr/sbin/apache2", "-t", "-DSTATUS", "-DFOO", "-C", "Timeout 5"),
        *("-f", str(config)),
    ]


@pytest.mark.parametrize(
    ("param", "value"),
    [("port", "x"), ("port", "70000"), ("use_ipv6", "maybe"), ("testregex", "(")],
)
def test_bad_parameters_are_configuration_errors(config: Path, param: str, value: str) -> None:
    with pytest.raises(OCFError) as err:
        _agent(config, **{param: value})
    assert err.value.rc == RC.ERR_CONFIGURED
    assert param in err.value.reason
