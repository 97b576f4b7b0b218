"""semgrep rules as data: load rule files, run the bundled `semgrep-core` once per language over
the changed files, and map its JSON to Findings.

The `semgrep` CLI costs seconds of start-up and checks for updates over the network; the
`semgrep-core` binary shipped in the same wheel answers in a fraction of a second, offline.
"""

from __future__ import annotations

import hashlib
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

from . import yamlsafe
from .blobcache import BlobCache
from .config import RULES_DIR
from .detector import Rule
from .errors import ConfigError
from .models import CATEGORIES, Finding, Notice, Severity
from .parsing import SourceFile

SEMGREP_DIR = RULES_DIR / "semgrep"
# Per-file bounds, so one generated file cannot take the whole run (and every other file's findings)
# with it: bigger files are not given to semgrep, a rule stops after RULE_TIMEOUT_S on a file, a
# file is dropped after TIMEOUTS_PER_FILE such timeouts, and semgrep-core's memory is capped.
# Every file cut short this way is reported as not fully analysed.
MAX_TARGET_BYTES = 250_000
RULE_TIMEOUT_S = 5.0
TIMEOUTS_PER_FILE = 3
MAX_MEMORY_MIB = 2000
MAX_RULE_FILE_BYTES = 256_000  # one rule file (a repository's .slopguard/rules/*.yml)
MAX_REPOSITORY_RULES = 2_000  # all of a repository's rule files together
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
_FINDINGS = "semgrep-findings"  # cache kind: one target's findings, keyed by rules, core, path and content


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


def parse_rules(text: str, source: str, shipped: bool = False) -> list[SemgrepRule]:
    """Semgrep rules of one YAML file, with our metadata (a category) checked."""
    data = yamlsafe.load(text, source, MAX_RULE_FILE_BYTES, shipped=shipped) or {}
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
        rules += parse_rules(path.read_text(), str(path), shipped=True)
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

    def __init__(self, rules: Sequence[SemgrepRule], sources: Iterable[SourceFile],
                 rule_timeout_s: float = RULE_TIMEOUT_S, max_target_bytes: int = MAX_TARGET_BYTES,
                 cache: BlobCache | None = None) -> None:
        self._notices: list[Notice] = []
        self._proc: subprocess.Popen[bytes] | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._cache = cache
        self._keys: dict[str, str] = {}  # path of a target run -> the cache key of its findings
        self._cached: list[Finding] = []
        targets = []
        for src in sources:
            if src.language not in _LANG:
                continue
            if len(src.data) > max_target_bytes:
                self._notices.append(Notice(f"not fully analysed: semgrep rules skipped ({len(src.data):,} bytes is "
                                            f"over their {max_target_bytes:,}-byte limit)", src.path, unreviewed=True))
                continue
            targets.append((src, _LANG[src.language]))
        if cache is not None and targets:
            targets = self._from_cache(cache, rules, targets)
        self._paths = [src.path for src, _ in targets]
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
        cmd = [core, "-rules", str(rules_path), "-targets", str(targets_path), "-json", "-j", "1",
               "-timeout", str(rule_timeout_s), "-timeout_threshold", str(TIMEOUTS_PER_FILE),
               "-max_memory", str(MAX_MEMORY_MIB)]
        try:
            self._proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as exc:
            self._notices.append(Notice(f"semgrep failed to start: {exc.strerror}"))
            self._cleanup()

    def _from_cache(self, cache: BlobCache, rules: Sequence[SemgrepRule],
                    targets: list[tuple[SourceFile, str]]) -> list[tuple[SourceFile, str]]:
        """The targets whose findings are not cached (the others' findings are kept in `_cached`): a
        file's findings are a function of the rules, the semgrep-core binary, its path and its bytes."""
        core = find_core()
        if core is None:
            return targets
        stat = os.stat(core)
        digest = hashlib.sha256(json.dumps([[r.spec for r in rules], core, stat.st_size, stat.st_mtime_ns],
                                           sort_keys=True, default=str).encode())
        index = {r.rule.id: r.rule for r in rules}
        remaining = []
        for src, lang in targets:
            key = digest.copy()
            key.update(f"\0{lang}\0{src.path}\0".encode() + src.data)
            hit, rows = cache.get(_FINDINGS, key.hexdigest()[:40])
            if hit and isinstance(rows, list) and all(row[0] in index for row in rows):
                self._cached += [_finding(index[rule], src.path, line, end, message)
                                 for rule, line, end, message in rows]
            else:
                self._keys[src.path] = key.hexdigest()[:40]
                remaining.append((src, lang))
        return remaining

    def _store(self, findings: list[Finding]) -> None:
        """Keep each target's findings of a run that reported no error (a cut-short run is not kept)."""
        if self._cache is None:
            return
        rows: dict[str, list[tuple[str, int, int, str]]] = {path: [] for path in self._keys}
        for f in findings:
            rows.setdefault(f.path, []).append((f.rule, f.line, f.end_line, f.message))
        for path, key in self._keys.items():
            self._cache.put(_FINDINGS, key, rows[path])

    def _cleanup(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def result(self, timeout: float = 300.0) -> tuple[list[Finding], list[Notice]]:
        if self._proc is None:
            return list(self._cached), self._notices
        try:
            out, err = self._proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.communicate()
            self._cleanup()
            cut = f"not fully analysed: semgrep timed out after {timeout:.0f}s"
            return list(self._cached), [*self._notices, *(Notice(cut, path, unreviewed=True) for path in self._paths)]
        try:
            findings, notices = _parse_report(out, err, self._proc.returncode, self._root, self._index)
            if not notices and self._proc.returncode == 0:
                self._store(findings)
            return self._cached + findings, [*self._notices, *notices]
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
        findings.append(_finding(rule, rel, int(item["start"]["line"]), int(item["end"]["line"]),
                                 str(item.get("extra", {}).get("message", rule.summary)).strip()))
    notices = [
        Notice(f"semgrep: {error.get('message', error)}".splitlines()[0][:200])
        for error in report.get("errors", [])
        if str(error.get("level", "")).lower() == "error"
    ]
    return findings, notices + _cut_short(report.get("errors", []), root)


def _finding(rule: Rule, path: str, line: int, end_line: int, message: str) -> Finding:
    return Finding(rule=rule.id, category=rule.category, severity=rule.severity, path=path, line=line,
                   end_line=end_line, message=message, source="semgrep")


def _cut_short(errors: Iterable[Any], root: Path) -> list[Notice]:
    """A notice per file on which a rule timed out or ran out of memory (some rules never finished)."""
    kinds: dict[str, set[str]] = {}
    for error in errors:
        if not isinstance(error, dict) or error.get("error_type") not in ("Timeout", "OutOfMemory", "Out of memory"):
            continue
        location = error.get("location")
        if not isinstance(location, dict):
            continue
        try:
            rel = Path(str(location.get("path", ""))).resolve().relative_to(root).as_posix()
        except ValueError:
            continue
        kinds.setdefault(rel, set()).add("timed out" if error["error_type"] == "Timeout" else "ran out of memory")
    return [Notice(f"not fully analysed: semgrep rules {' and '.join(sorted(what))} on this file", path,
                   unreviewed=True) for path, what in sorted(kinds.items())]
