"""The deployment kit: docker-compose.yml, the Dockerfile, the systemd units and the gunicorn config
name commands, settings and health checks that exist (docker cannot run here, so we parse them)."""

from __future__ import annotations

import json
import os
import re
import runpy
import shlex
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from gunicorn.config import Config as GunicornConfig

from bot.cli.main import _parser
from bot.config import Config, load_config

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
VARIABLE = re.compile(r"\$\{(?P<name>[A-Z_][A-Z0-9_]*)(?::-(?P<default>[^}]*))?\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def substituted(value: str) -> str:
    """What compose makes of ${VAR:-default} with no .env file."""
    return VARIABLE.sub(lambda m: m.group("default") or "", str(value))


def assert_real_config_keys(environment: dict[str, str]) -> Config:
    """Every SIYU_SECTION__KEY names a real setting, and the values make a valid configuration."""
    siyu = {name: substituted(value) for name, value in environment.items() if name.startswith("SIYU_")}
    for name in siyu:
        if "__" not in name:
            continue
        section, _, key = name.removeprefix("SIYU_").lower().partition("__")
        assert section in Config.model_fields, name
        assert key in type(getattr(Config(), section)).model_fields, name
    return load_config(os.devnull, environ=siyu)  # settings from the environment alone


def assert_siyu_command(argv: list[str]) -> str:
    """A `siyu ...` command line parses with the real CLI; returns the sub-command."""
    assert Path(argv[0]).name == "siyu", argv
    args = _parser().parse_args(argv[1:])
    assert callable(args.func)
    return args.command


def assert_gunicorn_command(argv: list[str]) -> None:
    assert Path(argv[0]).name == "gunicorn", argv
    config_path = Path(argv[argv.index("-c") + 1])
    assert (ROOT / "deploy" / config_path.name).exists() and config_path.name == "gunicorn.conf.py"
    module, _, call = argv[-1].partition(":")
    assert (module, call) == ("bot.app", "create_app()")
    from bot.app import create_app

    assert callable(create_app)


def test_compose_has_the_database_web_and_worker_in_start_order(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"db", "init", "web", "worker"}
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["init"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["init"]["condition"] == "service_completed_successfully"
        assert services[name]["image"] == services["init"]["image"] and services["init"]["build"] == "."
    assert compose["volumes"] == {"pgdata": None}


def test_compose_commands_exist(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert assert_siyu_command(services["init"]["command"]) == "init"
    assert assert_siyu_command(services["worker"]["command"]) == "worker"
    assert_gunicorn_command(services["web"]["command"])


def test_compose_environment_names_real_settings(compose: dict[str, Any]) -> None:
    services = compose["services"]
    web = assert_real_config_keys(services["web"]["environment"])
    assert web.database.url.startswith("postgresql+psycopg://siyu:") and web.database.url.endswith("@db:5432/siyu")
    assert web.logging.format == "json"
    worker = assert_real_config_keys(services["worker"]["environment"])
    assert worker.metrics.worker_bind == "0.0.0.0:9108"
    # Every variable an operator may set is listed in the example environment file.
    example = (ROOT / "deploy" / "siyu.env.example").read_text(encoding="utf-8")
    for match in VARIABLE.finditer(COMPOSE.read_text(encoding="utf-8")):
        assert re.search(rf"^{match.group('name')}=", example, re.MULTILINE), match.group("name")


def test_compose_health_checks_hit_real_endpoints(compose: dict[str, Any], sqlite_url: str) -> None:
    from bot.app import create_app
    from bot.config import config_from_dict

    services = compose["services"]
    web_check = " ".join(services["web"]["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/healthz" in web_check
    assert services["web"]["ports"] == ["${SIYU_PORT:-8000}:8000"]
    app = create_app(config_from_dict({"database": {"url": sqlite_url}, "wecom": {"enabled": False}}), routers=[])
    try:
        assert app.test_client().get("/healthz").status_code == 200
    finally:
        app.extensions["siyu"].close()
    worker_check = " ".join(services["worker"]["healthcheck"]["test"])
    assert "127.0.0.1:9108/metrics" in worker_check     # the port SIYU_METRICS__WORKER_BIND opens


def test_dockerfile_installs_what_the_services_run(compose: dict[str, Any]) -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    cmd = next(line for line in dockerfile.splitlines() if line.startswith("CMD "))
    assert json.loads(cmd.removeprefix("CMD ")) == compose["services"]["web"]["command"]
    for line in dockerfile.splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source
    assert 'pip install ".[deploy]"' in dockerfile
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert any(requirement.startswith("gunicorn") for requirement in extras["deploy"])


def systemd_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A unit file as systemd reads it: sections of keys, a key may repeat (Environment=)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}: not key=value: {line}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


@pytest.mark.parametrize("unit", ["siyu-web.service", "siyu-worker.service"])
def test_systemd_units_run_real_commands(unit: str) -> None:
    sections = systemd_unit(ROOT / "deploy" / "systemd" / unit)
    service = {key: values[-1] for key, values in sections["Service"].items()}
    assert service["EnvironmentFile"] == "/etc/siyu/siyu.env" and service["Restart"] == "on-failure"
    assert sections["Install"]["WantedBy"] == ["multi-user.target"]
    start = shlex.split(service["ExecStart"])
    environment = dict(line.split("=", 1) for line in sections["Service"].get("Environment", []))
    if unit == "siyu-web.service":
        assert_gunicorn_command(start)
        assert assert_siyu_command(shlex.split(service["ExecStartPre"])) == "init"
        assert environment["PROMETHEUS_MULTIPROC_DIR"] == f"/run/{service['RuntimeDirectory']}"
    else:
        assert assert_siyu_command(start) == "worker"
    assert_real_config_keys(environment)


def test_gunicorn_config_names_only_real_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    metrics_dir = tmp_path / "metrics"
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(metrics_dir))
    settings = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    known = GunicornConfig().settings
    ours = {name: value for name, value in settings.items()
            if not name.startswith("_") and name not in ("os", "shutil", "Path", "Any", "Logger")}
    assert set(ours) <= set(known), set(ours) - set(known)
    config = GunicornConfig()
    for name, value in ours.items():
        config.set(name, value)                        # gunicorn validates each value
    assert config.worker_class_str == "gthread" and config.bind == ["0.0.0.0:8000"]
    (metrics_dir / "stale").mkdir(parents=True)
    settings["on_starting"](None)                      # a fresh, empty multiprocess directory
    assert metrics_dir.exists() and not any(metrics_dir.iterdir())


def test_gunicorn_logs_no_line_for_an_acked_push_but_one_for_a_refused_push_and_other_requests(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))
    settings = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    config = GunicornConfig()
    config.set("accesslog", str(tmp_path / "access.log"))
    log = settings["logger_class"](config)

    class Answer:
        def __init__(self, status: int) -> None:
            self.status, self.status_code, self.headers, self.sent, self.response_length = (
                f"{status} X", status, [], 7, 7)

    for path, status in (("/wechat/mp", 200), ("/wechat/mp", 403), ("/wechat/work", 503), ("/healthz", 200)):
        environ = {"PATH_INFO": path, "REQUEST_METHOD": "POST", "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1",
                   "REMOTE_ADDR": "127.0.0.1", "RAW_URI": path}
        log.access(Answer(status), [], environ, timedelta(milliseconds=1))
    for handler in log.access_log.handlers:
        handler.flush()
    lines = (tmp_path / "access.log").read_text().splitlines()
    assert [(line.split('"')[1].split()[1], line.split('"')[2].split()[0]) for line in lines] == [
        ("/wechat/mp", "403"), ("/wechat/work", "503"), ("/healthz", "200")]


def test_readme_links_the_deployment_guide() -> None:
    assert "docs/deploy.md" in (ROOT / "README.md").read_text(encoding="utf-8")
    guide = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    for needed in ("docker compose up -d", "siyu init", "siyu doctor", "deploy/gunicorn.conf.py",
                   "deploy/systemd/siyu-web.service", "pg_dump", "/metrics"):
        assert needed in guide, needed
