"""deploy/docker-compose.yml: the services run real CLI commands with the App's environment contract."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from .support import (
    APP_ENV,
    CONTRACT_COMMANDS,
    DEPLOY,
    ROOT,
    command_path,
    design_env_names,
    load_all,
    parse_cli,
    require_subcommand,
)

COMPOSE = DEPLOY / "docker-compose.yml"
SLOPGUARD_SERVICES = {"web": ("serve",), "worker": ("worker",), "migrate": ("db", "upgrade")}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(data, dict)
    return data


def _env(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): str(v) for k, v in env.items()}


def test_every_yaml_under_deploy_parses() -> None:
    files = sorted([*DEPLOY.rglob("*.yml"), *DEPLOY.rglob("*.yaml")])
    assert COMPOSE in files and len(files) >= 5
    for path in files:
        assert load_all(path), f"{path.relative_to(ROOT)} is empty"


def test_design_md_names_the_environment_the_tests_assume() -> None:
    names = design_env_names()
    assert names is not None
    assert names >= APP_ENV


def test_every_setting_the_code_reads_is_documented() -> None:
    """docs/design.md's App contract names every SLOPGUARD_* variable the package reads."""
    names = design_env_names()
    assert names is not None
    read = set()
    for path in (ROOT / "service").rglob("*.py"):
        read |= set(re.findall(r"\bSLOPGUARD_[A-Z0-9_]+\b", path.read_text()))
    assert sorted(read - names) == []


def test_services(compose: dict[str, Any]) -> None:
    assert {"web", "worker", "migrate", "redis", "postgres"} <= set(compose["services"])
    assert {"workdir", "redis", "postgres"} <= set(compose["volumes"])


@pytest.mark.parametrize("name", sorted(SLOPGUARD_SERVICES))
def test_commands_are_cli_subcommands(compose: dict[str, Any], name: str) -> None:
    require_subcommand(SLOPGUARD_SERVICES[name])
    service = compose["services"][name]
    assert "entrypoint" not in service, "the image's ENTRYPOINT (slopguard) runs the command"
    command = service["command"]
    assert isinstance(command, list), "exec form: no shell between compose and slopguard"
    args = parse_cli(command)
    assert command_path(args) == SLOPGUARD_SERVICES[name]
    if name == "web":
        assert (args.host, args.port) == ("0.0.0.0", 8080)
        assert any(p.endswith(":8080") for p in service["ports"])


def test_contract_commands_exist() -> None:
    for path in CONTRACT_COMMANDS:
        require_subcommand(path)


@pytest.mark.parametrize("name", sorted(SLOPGUARD_SERVICES))
def test_environment_is_the_documented_one(compose: dict[str, Any], name: str) -> None:
    env = _env(compose["services"][name])
    assert env, f"{name} has no environment"
    documented = design_env_names() or APP_ENV
    assert set(env) <= documented, f"{name}: not in docs/design.md's App contract: {sorted(set(env) - documented)}"
    assert "SLOPGUARD_DATABASE_URL" in env and env["SLOPGUARD_DATABASE_URL"].startswith("postgresql://")
    if name != "migrate":
        required = {"SLOPGUARD_APP_ID", "SLOPGUARD_WEBHOOK_SECRET", "SLOPGUARD_QUEUE_URL", "SLOPGUARD_WORKDIR"}
        assert required <= set(env)
        assert {"SLOPGUARD_PRIVATE_KEY", "SLOPGUARD_PRIVATE_KEY_PATH"} & set(env)
        assert env["SLOPGUARD_QUEUE_URL"].startswith("redis://redis:")
        workdir = env["SLOPGUARD_WORKDIR"]
        assert any(str(v).endswith(":" + workdir) for v in compose["services"][name]["volumes"])


def test_private_key_path_is_the_mounted_secret(compose: dict[str, Any]) -> None:
    for name in ("web", "worker"):
        service = compose["services"][name]
        path = _env(service)["SLOPGUARD_PRIVATE_KEY_PATH"]
        secret = path.removeprefix("/run/secrets/")
        assert secret in service["secrets"] and secret in compose["secrets"]


def test_migration_runs_first(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web", "worker"):
        deps = services[name]["depends_on"]
        assert deps["migrate"]["condition"] == "service_completed_successfully"
        assert deps["postgres"]["condition"] == "service_healthy"
        assert deps["redis"]["condition"] == "service_healthy"


def test_health_checks(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in ("web", "worker", "redis", "postgres"):
        check = services[name]["healthcheck"]
        assert not check.get("disable") and check["test"][0] in ("CMD", "CMD-SHELL"), name
    web_check = " ".join(services["web"]["healthcheck"]["test"])
    assert "/readyz" in web_check or "/healthz" in web_check


def test_worker_scales(compose: dict[str, Any]) -> None:
    worker = compose["services"]["worker"]
    assert worker["deploy"]["replicas"] >= 2
    assert "container_name" not in worker and "ports" not in worker, "--scale worker=N needs neither"
    assert "--scale worker=" in COMPOSE.read_text()


def test_env_example_defines_every_substitution() -> None:
    lines = (DEPLOY / ".env.example").read_text().splitlines()
    example = {line.split("=", 1)[0] for line in lines if "=" in line and not line.lstrip().startswith("#")}
    # optional settings (compose gives them an empty default) may be shown commented out
    shown = {line.lstrip("# ").split("=", 1)[0] for line in lines if "=" in line}
    text = COMPOSE.read_text()
    used = set(re.findall(r"\$\{([A-Z0-9_]+)", text))
    optional = set(re.findall(r"\$\{([A-Z0-9_]+):-\}", text))
    assert used - optional <= example, f"deploy/.env.example lacks {sorted(used - optional - example)}"
    assert optional <= shown, f"deploy/.env.example does not show {sorted(optional - shown)}"
    assert not (set(example) - used), f"deploy/.env.example sets unused {sorted(set(example) - used)}"


def test_real_env_and_keys_stay_out_of_git() -> None:
    ignored = (DEPLOY / ".gitignore").read_text().splitlines()
    assert ".env" in ignored and "secrets/" in ignored
    for line in (DEPLOY / ".env.example").read_text().splitlines():
        key, _, value = line.partition("=")
        if key.endswith(("SECRET", "PASSWORD")):
            assert value.startswith("CHANGE-ME"), f"{key}: a placeholder, not a value"
