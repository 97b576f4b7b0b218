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
        confidence = str(meta.get("confidence", "high")).lower()
        if confidence not in ("high", "medium", "low"):
            raise ConfigError(f"rule {spec['id']}: metadata.confidence must be high, medium or low", source)
        rule = Rule(
            id=str(spec["id"]),
            category=category,
            languages=languages,
            severity=_SEVERITY.get(str(spec.get("severity", "WARNING")).upper(), Severity.WARNING),
            summary=summary,
            confidence=confidence,  # type: ignore[arg-type]  # checked above
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


class Run:
    """A semgrep-core process started in the background; `result()` waits for it.

    The engine starts it before the tree-sitter detectors so that both use the machine's cores.
    """

    def __init__(self, rules: Sequence[SemgrepRule], sources: Iterable[SourceFile]) -> None:
        self._notices: list[Notice] = []
        self._proc: subprocess.Popen[bytes] | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        targets = [(src, _LANG[src.language]) for src in sources if src.language in _LANG]
        languages = {lang for _, lang in targets}
        wanted = [r for r in rules if languages & set(r.rule.languages)]
        self._index = {r.rule.id: r.rule for r in wanted}
        if not wanted:
            return
        core = find_core()
        if core is None:
            self._notices.append(Notice("semgrep rules skipped: semgrep-core not found (pip install semgrep)"))
            return
        self._tmp = tempfile.TemporaryDirectory(prefix="slopguard-sg-")
        root = Path(self._tmp.name).resolve()
        self._root = root / "src"
        rules_path = root / "rules.json"
        rules_path.write_text(json.dumps({"rules": [r.spec for r in wanted]}))
        entries = []
        for src, lang in targets:
            path = self._root / src.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(src.data)
            entries.append(
                ["CodeTarget", {"path": {"fpath": str(path), "ppath": "/" + src.path},
                                "analyzer": lang, "products": ["sast"]}]
            )
        targets_path = root / "targets.json"
        targets_path.write_text(json.dumps(["Targets", entries]))
        cmd = [core, "-rules", str(rules_path), "-targets", str(targets_path), "-json", "-j", "1"]
        try:
            self._proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as exc:
            self._notices.append(Notice(f"semgrep failed to start: {exc.strerror}"))
            self._cleanup()

    def _cleanup(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def result(self, timeout: float = 300.0) -> tuple[list[Finding], list[Notice]]:
        if self._proc is None:
            return [], self._notices
        try:
            out, err = self._proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.communicate()
            self._cleanup()
            return [], [*self._notices, Notice(f"semgrep timed out after {timeout:.0f}s")]
        try:
            return _parse_report(out, err, self._proc.returncode, self._root, self._index)
        finally:
            self._cleanup()


def _parse_report(out: bytes, err: bytes, returncode: int, root: Path,
                  index: dict[str, Rule]) -> tuple[list[Finding], list[Notice]]:
    try:
        # semgrep-core prints progress dots before the JSON document
        report = json.loads(out[out.find(b"{"):] if b"{" in out else b"{}")
    except json.JSONDecodeError:
        report = {}
    if not report:
        lines = err.decode("utf-8", "replace").strip().splitlines()
        return [], [Notice(f"semgrep failed: {lines[0][:200] if lines else returncode}")]
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
        Notice(f"semgrep: {error.get('message', error)}".splitlines()[0][:200])
        for error in report.get("errors", [])
        if str(error.get("level", "")).lower() == "error"
    ]
    return findings, notices
