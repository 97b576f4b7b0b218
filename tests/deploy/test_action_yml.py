"""action.yml: a composite action whose inputs reach the entry point and whose outputs it writes."""

from __future__ import annotations

import re
import tomllib
from dataclasses import fields

import yaml
from slopguard.action import runner
from slopguard.models import Risk, ScanResult, Stats

from .support import ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
# inputs that reach the entry point under another name than INPUT_<NAME>, or only the set-up steps
RENAMED = {"github-token": "GITHUB_TOKEN", "anthropic-api-key": "ANTHROPIC_API_KEY", "python-version": None}


def _steps() -> dict[str, dict]:
    return {step.get("id", step.get("name", "")): step for step in ACTION["runs"]["steps"]}


def test_composite_action_runs_the_package_entry_point() -> None:
    assert ACTION["runs"]["using"] == "composite"
    review = _steps()["review"]
    assert review["run"].strip().strip("'").endswith("-m slopguard.action")
    install = _steps()["Install slopguard"]["run"]
    extra = re.search(r'"\$GITHUB_ACTION_PATH\[(\w+)\]"', install)
    assert extra is not None
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert extra.group(1) in extras


def test_every_input_reaches_the_entry_point() -> None:
    env = _steps()["review"]["env"]
    for name in ACTION["inputs"]:
        variable = RENAMED.get(name, f"INPUT_{name.upper().replace('-', '_')}")
        if variable is None:
            continue
        assert env.get(variable) == f"${{{{ inputs.{name} }}}}", name
    # and every input the entry point reads is declared, with the same default
    read = {f.name.replace("_", "-") for f in fields(runner.Inputs)}
    assert read <= set(ACTION["inputs"])
    for field in fields(runner.Inputs):
        declared = ACTION["inputs"][field.name.replace("_", "-")]["default"]
        assert str(field.default).lower() == str(declared).lower(), field.name


def test_outputs_are_the_ones_the_entry_point_writes(tmp_path) -> None:
    out = tmp_path / "output"
    runner._outputs(str(out), ScanResult("a" * 40, "b" * 40, (), Stats(), Risk()), "", "off")
    written = {line.split("=", 1)[0] for line in out.read_text().splitlines()}
    assert written == set(ACTION["outputs"])
    for name, spec in ACTION["outputs"].items():
        assert spec["value"] == f"${{{{ steps.review.outputs.{name} }}}}"
