"""The Dockerfile: parses, runs real entry points, checks /healthz, runs as non-root, installs the built wheel."""

from __future__ import annotations

import fnmatch
import json
import shlex
import tomllib
from importlib import metadata

import pytest
from dockerfile_parse import DockerfileParser
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .support import DEPLOY, ROOT, command_path, parse_cli, require_subcommand

DOCKERFILE = ROOT / "Dockerfile"
LOCK = DEPLOY / "requirements.lock"
DEV_ONLY = {"pytest", "ruff", "mypy", "types-pyyaml", "dockerfile-parse", "kubernetes-validate"}


def _instructions() -> list[dict[str, str]]:
    parser = DockerfileParser(path=str(DOCKERFILE), cache_content=True)
    return [i for i in parser.structure if i["instruction"] != "COMMENT"]


def _stages() -> list[list[dict[str, str]]]:
    stages: list[list[dict[str, str]]] = []
    for inst in _instructions():
        if inst["instruction"] == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(inst)
    return stages


def _final(name: str) -> str:
    values = [i["value"] for i in _stages()[-1] if i["instruction"] == name]
    assert values, f"the runtime stage has no {name}"
    return values[-1]


def _exec_form(value: str) -> list[str]:
    parsed = json.loads(value)
    assert isinstance(parsed, list) and all(isinstance(x, str) for x in parsed), f"not exec form: {value}"
    return parsed


def test_multi_stage_on_python_311_slim() -> None:
    parser = DockerfileParser(path=str(DOCKERFILE), cache_content=True)
    assert len(parser.parent_images) >= 2, "builder + runtime stages"
    assert parser.baseimage == "python:3.11-slim"
    froms = [s[0]["value"].split() for s in _stages()]
    assert any(f[-1] == "builder" for f in froms if len(f) == 3)
    runtime_copies = [i["value"] for i in _stages()[-1] if i["instruction"] == "COPY"]
    assert any(v.startswith("--from=builder") for v in runtime_copies), "the runtime stage copies the builder's venv"


def test_entrypoint_is_the_console_script() -> None:
    entrypoint = _exec_form(_final("ENTRYPOINT"))
    assert entrypoint == ["slopguard"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["slopguard"] == "slopguard.cli:main"


def test_default_cmd_serves_on_all_interfaces() -> None:
    require_subcommand(("serve",))
    cmd = _exec_form(_final("CMD"))
    args = parse_cli(cmd)
    assert command_path(args) == ("serve",)
    assert (args.host, args.port) == ("0.0.0.0", 8080)
    assert "8080" in _final("EXPOSE").split()


def test_healthcheck_hits_healthz_with_python() -> None:
    value = _final("HEALTHCHECK")
    assert "CMD" in value.split()
    command = _exec_form(value.split("CMD", 1)[1].strip())
    assert command[0] == "python", "the slim image has no curl"
    assert "http://127.0.0.1:8080/healthz" in command[-1]
    compile(command[-1], "<healthcheck>", "exec")


def test_runs_as_a_non_root_user() -> None:
    user = _final("USER").split(":")[0]
    assert user not in ("root", "0", "")
    run = " ".join(i["value"] for i in _stages()[-1] if i["instruction"] == "RUN")
    assert f"--uid {user}" in run, "the user is created with the uid the image runs as"
    # Kubernetes runs it as that uid with runAsNonRoot; keep them in step.
    assert "runAsUser: " + user in (DEPLOY / "kubernetes" / "web.yaml").read_text()


def test_runtime_has_git_and_the_semgrep_core_binary_check() -> None:
    run = " ".join(i["value"] for i in _stages()[-1] if i["instruction"] == "RUN")
    assert "apt-get install" in run and " git " in f" {run} "
    assert "semgrep-core" in run and "-version" in run, "the build fails when the wheel lacks semgrep-core"


def _stage(name: str) -> list[dict[str, str]]:
    for stage in _stages():
        words = stage[0]["value"].split()
        if len(words) == 3 and words[1].lower() == "as" and words[2] == name:
            return stage
    raise AssertionError(f"no stage named {name}")


def _runs(stage: list[dict[str, str]]) -> str:
    return " ".join(i["value"] for i in stage if i["instruction"] == "RUN")


def test_image_installs_the_built_wheel_and_no_source_tree() -> None:
    """A wheel stage builds slopguard's wheel from the packaging files; the builder installs that wheel
    (no editable install) and the runtime gets only the venv: no service/ or rules/ tree beside it."""
    wheel = _stage("wheel")
    copied = {src.rstrip("/") for i in wheel if i["instruction"] == "COPY" and not i["value"].startswith("--")
              for src in shlex.split(i["value"])[:-1]}
    assert {"pyproject.toml", "setup.py", "service", "rules"} <= copied, "the wheel is built from the packaging files"
    assert "pip wheel --no-deps" in _runs(wheel) and "--wheel-dir /wheels" in _runs(wheel)
    assert "slopguard/rules/rulesets/recommended.yml" in _runs(wheel), "the build checks the rules are in the wheel"
    builder = _stage("builder")
    assert any(i["instruction"] == "COPY" and i["value"].split()[:2] == ["--from=wheel", "/wheels"] for i in builder)
    assert "pip install --no-deps /tmp/wheels/slopguard-*.whl" in _runs(builder)
    assert "find_spec('service') is None" in _runs(builder), "the build checks no top-level service package"
    everything = " ".join(i["value"] for i in _instructions())
    assert " -e " not in f" {everything} " and "--editable" not in everything, "no editable install"
    runtime = _stages()[-1]
    runtime_copies = [i["value"].split() for i in runtime if i["instruction"] == "COPY"]
    assert runtime_copies == [["--from=builder", "/opt/venv", "/opt/venv"]], runtime_copies
    assert "RULES_DIR).startswith('/opt/venv/')" in _runs(runtime), "the rules come from site-packages"
    # the package layout the wheel relies on: setup.py maps service/ to slopguard and ships rules/ inside it
    setup = (ROOT / "setup.py").read_text()
    assert '"slopguard": "service"' in setup and '"slopguard.rules": "rules"' in setup


def _ignored(path: str, patterns: list[str]) -> bool:
    verdict = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.removeprefix("!").rstrip("/")
        parts = path.split("/")
        prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        if any(fnmatch.fnmatchcase(p, pattern) for p in prefixes) or fnmatch.fnmatchcase(path, pattern):
            verdict = not negate
    return verdict


def test_dockerignore_keeps_what_the_dockerfile_copies() -> None:
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    for inst in _instructions():
        if inst["instruction"] == "COPY" and not inst["value"].startswith("--from"):
            for src in shlex.split(inst["value"])[:-1]:
                assert (ROOT / src).exists(), f"COPY {src}: no such path"
                assert not _ignored(src, patterns), f".dockerignore leaves {src} out of the build context"
    for private in (".env", "deploy/.env", "deploy/secrets/private-key.pem", ".venv/bin/python", ".git/config"):
        assert _ignored(private, patterns), f"{private} must not reach the build context"


def _lock() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in LOCK.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"{LOCK.name}: {line!r} is not pinned with =="
            pins[canonicalize_name(name)] = version
    return pins


def test_lock_pins_every_runtime_requirement() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = _lock()
    assert "requirements.lock" in " ".join(i["value"] for i in _stage("builder")), "the builder installs the lock"
    for line in [*project["dependencies"], *project["optional-dependencies"]["app"]]:
        req = Requirement(line)
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} (pyproject) is not in {LOCK.name}: rerun deploy/lock.py"
        assert req.specifier.contains(pins[name], prereleases=True), f"{name}=={pins[name]} does not satisfy {req}"
    assert not DEV_ONLY & set(pins), f"dev tools in the image lock: {sorted(DEV_ONLY & set(pins))}"


def test_lock_is_closed_under_dependencies() -> None:
    """Each pinned package's own requirements are pinned too (checked where the venv has that version)."""
    pins = _lock()
    checked = 0
    for name, version in pins.items():
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        if dist.version != version:
            continue
        checked += 1
        for line in dist.requires or []:
            req = Requirement(line)
            if req.marker is not None and not req.marker.evaluate({"extra": ""}):
                continue
            assert canonicalize_name(req.name) in pins, f"{name} needs {req.name}, which {LOCK.name} does not pin"
    if not checked:
        pytest.skip("the venv has none of the locked versions installed")
