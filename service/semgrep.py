"""semgrep rules as data: load rule files, run the bundled `semgrep-core` once per language over
the changed files, and map its JSON to Findings.

The `semgrep` CLI costs seconds of start-up and checks for updates over the network; the
`semgrep-core` binary shipped in the same wheel answers in a fraction of a second, offline.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .config import RULES_DIR
from .detector import Rule
from .errors import ConfigError
from .models import CATEGORIES, Finding, Notice, Severity
from .parsing import SourceFile

SEMGREP_DIR = RULES_DIR / "semgrep"
_SEVERITY = {
    "ERROR": Severity.ERROR,
    "HIGH": Severity.ERROR,
    "CRITICAL": Severity.ERROR,
    "WARNING": Severity.WARNING,
    "MEDIUM": Severity.WARNING,
    "INFO": Severity.NOTICE,
    "LOW": Severity.NOTICE,
}
_ALIASES = {"py": "python", "python3": "python", "js": "javascript", "ts": "typescript", "golang": "go"}
# our language names -> semgrep's
_LANG = {"python": "python", "javascript": "javascript", "typescript": "typescript", "tsx": "typescript",
         "go": "go", "java": "java"}


@dataclass(frozen=True)
class SemgrepRule:
    rule: Rule
    spec: dict[str, Any]


def rule_files(extra_dirs: Sequence[Path] = ()) -> list[Path]:
    files = []
    for root in (SEMGREP_DIR, *extra_dirs):
        if root.is_dir():
            files += sorted(p for p in root.rglob("*.y*ml") if p.suffix in (".yml", ".yaml"))
    return files


def parse_rules(text: str, source: str) -> list[SemgrepRule]:
    """Semgrep rules of one YAML file, with our metadata (a category) checked."""
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError("invalid YAML in semgrep rules", source, mark.line + 1 if mark else None) from None
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise ConfigError("a semgrep rule file must have a top-level `rules:` list", source)
    out = []
    for spec in data["rules"]:
        if not isinstance(spec, dict) or "id" not in spec:
            raise ConfigError("every semgrep rule needs an id", source)
        meta = spec.get("metadata") or {}
        category = meta.get("category")
        if category not in CATEGORIES:
            raise ConfigError(f"rule {spec['id']}: metadata.category must be one of {', '.join(CATEGORIES)}", source)
        languages = tuple(_ALIASES.get(str(lang), str(lang)) for lang in spec.get("languages", ()))
        summary = str(meta.get("summary") or str(spec.get("message", "")).split("\n")[0])
        rule = Rule(
            id=str(spec["id"]),
            category=category,
            languages=languages,
            severity=_SEVERITY.get(str(spec.get("severity", "WARNING")).upper(), Severity.WARNING),
            summary=summary,
        )
        out.append(SemgrepRule(rule=rule, spec=spec))
    return out


def load_bundled() -> list[SemgrepRule]:
    rules: list[SemgrepRule] = []
    for path in rule_files():
        rules += parse_rules(path.read_text(), str(path))
    return rules


def find_core() -> str | None:
    """The semgrep-core binary from the installed semgrep wheel, or on PATH."""
    spec = importlib.util.find_spec("semgrep")
    if spec and spec.submodule_search_locations:
        for loc in spec.submodule_search_locations:
            candidate = Path(loc) / "bin" / "semgrep-core"
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    return shutil.which("semgrep-core")


def run(rules: Sequence[SemgrepRule], sources: Iterable[SourceFile]) -> tuple[list[Finding], list[Notice]]:
    """Run every rule on the given head files with one semgrep-core process."""
    targets = [(src, _LANG[src.language]) for src in sources if src.language in _LANG]
    languages = {lang for _, lang in targets}
    wanted = [r for r in rules if languages & set(r.rule.languages)]
    if not wanted:
        return [], []
    core = find_core()
    if core is None:
        return [], [Notice("semgrep rules skipped: semgrep-core not found (pip install semgrep)")]
    index = {r.rule.id: r.rule for r in wanted}
    with tempfile.TemporaryDirectory(prefix="slopguard-sg-") as tmp:
        root = Path(tmp).resolve()
        rules_path = root / "rules.json"
        rules_path.write_text(json.dumps({"rules": [r.spec for r in wanted]}))
        entries = []
        for src, lang in targets:
            path = root / "src" / src.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(src.data)
            entries.append(
                ["CodeTarget", {"path": {"fpath": str(path), "ppath": "/" + src.path},
                                "analyzer": lang, "products": ["sast"]}]
            )
        targets_path = root / "targets.json"
        targets_path.write_text(json.dumps(["Targets", entries]))
        return _run_core(core, rules_path, targets_path, root / "src", index)


def _run_core(core: str, rules_path: Path, targets_path: Path, root: Path,
              index: dict[str, Rule]) -> tuple[list[Finding], list[Notice]]:
    cmd = [core, "-rules", str(rules_path), "-targets", str(targets_path), "-json", "-j", "1"]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=300, check=False)
        # semgrep-core prints progress dots before the JSON document
        out = proc.stdout
        report = json.loads(out[out.find(b"{"):] if b"{" in out else b"{}")
    except (subprocess.TimeoutExpired, json.JSONDecodeError, OSError) as exc:
        return [], [Notice(f"semgrep failed: {type(exc).__name__}")]
    if proc.returncode != 0 and not report:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        return [], [Notice(f"semgrep failed: {err[0][:200] if err else proc.returncode}")]
    findings = []
    for item in report.get("results", []):
        rule = index.get(item.get("check_id", ""))
        if rule is None:
            continue
        rel = Path(item["path"]).resolve().relative_to(root).as_posix()
        findings.append(
            Finding(
                rule=rule.id,
                category=rule.category,
                severity=rule.severity,
                path=rel,
                line=int(item["start"]["line"]),
                end_line=int(item["end"]["line"]),
                message=str(item.get("extra", {}).get("message", rule.summary)).strip(),
                source="semgrep",
            )
        )
    notices = [
        Notice(f"semgrep: {err.get('message', err)}".splitlines()[0][:200])
        for err in report.get("errors", [])
        if str(err.get("level", "")).lower() == "error"
    ]
    return findings, notices
