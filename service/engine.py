"""The engine: `scan(repo, base, head, config) -> ScanResult`.

It knows nothing of GitHub, HTTP, queues or output formats. Stages: resolve refs -> collect the
diff -> parse both sides once -> detectors and semgrep -> configuration (enabled, severity) ->
inline suppressions -> diff filter -> fingerprints -> grouping (one finding per pattern repeated in
one function) -> mirrored files (one finding for a file and its generated copy) -> risk score.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from . import brevity, difffilter, fingerprint, fixes, grouping, mirrored, risk, semgrep, suppress
from .blobcache import BlobCache
from .bounds import Limits, Overrun, Watchdog, unparsed
from .catalog import Slot
from .changes import MAX_FILE_BYTES, Trees, collect
from .config import Config, ConfigError, default_config, parse_config
from .detector import ChangeContext, FileContext
from .errors import SlopguardError
from .gitrepo import Git
from .models import Dropped, FileDiff, Finding, LLMUsage, Notice, ScanResult, Side, Stats
from .parsing import SourceFile, language_for_path
from .registry import Registry
from .registry import load as load_registry
from .rulesets import MAX_RULESET_BYTES

CONFIG_FILE = ".slopguard.yml"
REPO_RULES_DIR = ".slopguard/rules/"
Progress = Callable[[int, int], None]


class SecondPass(Protocol):
    """A pass over the change after the static analysis (the LLM pass): it adds findings, and may
    drop low- or medium-confidence static findings it shows the model, each with a reason."""

    def __call__(self, files: Sequence[FileContext], findings: Sequence[Finding], intent: str,
                 config: Config, left_out: Sequence[FileDiff] = ...) -> PassOutput: ...


class PassOutput(Protocol):
    @property
    def findings(self) -> Sequence[Finding]: ...

    @property
    def usage(self) -> LLMUsage: ...

    @property
    def notices(self) -> Sequence[Notice]: ...

    @property
    def dropped(self) -> Sequence[Dropped]: ...


@dataclass(frozen=True)
class Target:
    """What to scan: a repository and two revisions (head None: the working tree)."""

    repo: Path
    base: str | None = None
    head: str | None = "HEAD"
    intent: str | None = None  # the PR title and body; default: commit messages base..head


def resolve(target: Target) -> tuple[Git, str, str | None]:
    git = Git(target.repo)
    git.ensure_repository()
    head_ref = target.head
    head_sha = git.resolve(head_ref) if head_ref is not None else None
    if target.base:
        base_sha = git.resolve(target.base)
    else:
        default = git.default_branch()
        base_sha = git.merge_base(git.resolve(default), head_sha or git.resolve("HEAD"))
    return git, base_sha, head_sha


def repo_config(git: Git, base: str, registry: Registry) -> tuple[Config, Registry]:
    """`.slopguard.yml` and `.slopguard/rules/*.yml`, read from the base commit."""
    listing = git.ls_paths(base, [CONFIG_FILE, REPO_RULES_DIR])  # not the whole tree: `Trees` lists it
    read = git.reader(base, semgrep.MAX_RULE_FILE_BYTES)  # size-capped before anything is read
    extra: list[semgrep.SemgrepRule] = []
    for path in sorted(listing):
        if path.startswith(REPO_RULES_DIR) and path.endswith((".yml", ".yaml")):
            extra += semgrep.parse_rules((read(path) or b"").decode("utf-8", "replace"), path)
            if len(extra) > semgrep.MAX_REPOSITORY_RULES:
                raise ConfigError(f"more than {semgrep.MAX_REPOSITORY_RULES:,} rules", REPO_RULES_DIR)
    registry = registry.with_semgrep(extra) if extra else registry
    if CONFIG_FILE not in listing:
        return default_config(), registry
    text = (read(CONFIG_FILE) or b"").decode("utf-8", "replace")
    return parse_config(text, CONFIG_FILE, registry.rules.values(), read=git.reader(base, MAX_RULESET_BYTES)), registry


def scan(
    target: Target,
    config: Config | None = None,
    *,
    registry: Registry | None = None,
    max_file_bytes: int = MAX_FILE_BYTES,
    progress: Progress | None = None,
    second_pass: SecondPass | None = None,
    cache: BlobCache | None = None,
    limits: Limits | None = None,
) -> ScanResult:
    """Scan `target`. `limits` bounds the detectors' work per file and (with a deadline) per scan;
    whatever they cut short is named in the result's notices as not (fully) analysed."""
    started = time.perf_counter()
    limits = limits or Limits()
    registry = registry or load_registry()
    git, base, head = resolve(target)
    if config is None:
        config, registry = repo_config(git, base, registry)
    trees = Trees(git, base, head, max_file_bytes, cache=cache)
    change = collect(git, base, head, trees)
    intent = target.intent
    if intent is None:
        intent = git.commit_messages(base, head) if head else ""
    diffs = [d for d in change.files if not config.is_ignored(d.path)]
    notices = list(change.notices)
    trees.prefetch("RIGHT", [d.path for d in diffs if d.status != "deleted"])
    trees.prefetch("LEFT", [d.old_path for d in diffs if d.old_path])
    contexts, cut = _contexts([d for d in diffs if not d.binary], trees, config, intent, limits, notices)
    sg_rules = [r for r in registry.semgrep_rules if config.enabled(r.rule)]
    heads = [c.head for c in contexts if c.head is not None and c.diff.added]
    sg_run = semgrep.Run(sg_rules, heads, cache=cache) if sg_rules and heads and not limits.passed() else None
    watchdog = Watchdog()
    try:
        raw = _detect(registry, config, contexts, cut, trees, intent, limits, watchdog, notices, progress)
    finally:
        watchdog.close()
    if sg_run is not None:
        left = limits.left()
        found, notes = sg_run.result(timeout=300.0 if left is None else min(300.0, max(left, 0.5)))
        raw += found
        notices = _one_per_file(notices + list(notes))
    findings = _finish(raw, contexts, trees, config, registry)
    git.close()  # its long-lived `cat-file` process (a later read would start another)
    usage = LLMUsage(status="skipped")
    dropped: tuple[Dropped, ...] = ()
    if second_pass is None:
        notices.append(Notice("LLM pass skipped (not requested)"))
    elif diffs and limits.passed():
        usage = LLMUsage(status="skipped")
        notices.append(Notice("LLM pass skipped: the scan's deadline has passed"))
    elif diffs:
        files = [c for c in contexts if not config.llm_excluded(c.path)]
        # changed files the pass cannot show (ignored by paths.ignore, binary): named in its requests
        left_out = [d for d in change.files if (config.is_ignored(d.path) or d.binary)
                    and not config.llm_excluded(d.path)]
        try:
            output = second_pass(files, findings, intent, config, left_out=left_out)
        except Exception as exc:  # noqa: BLE001 - plugin boundary: a scan never fails because of the LLM
            usage = LLMUsage(status="failed")
            notices.append(Notice(f"LLM pass failed: {type(exc).__name__}: {exc}"[:300]))
        else:
            usage = output.usage
            notices += output.notices
            dropped = tuple(output.dropped)
            gone = {d.finding.fingerprint for d in dropped}
            findings = [f for f in findings if f.fingerprint not in gone]
            findings += _finish(list(output.findings), contexts, trees, config, registry)
    added = sum(d.added_count for d in diffs)
    removed = sum(d.removed_count for d in diffs)
    if not diffs:
        notices.append(Notice("no changes between base and head"))
    if cache is not None:
        cache.finish()  # pending entries written, the folder kept within its bound
    stats = Stats(len(diffs), added, removed, round(time.perf_counter() - started, 3))
    return ScanResult(
        base=base,
        head=head or "WORKTREE",
        findings=tuple(findings),
        stats=stats,
        risk=risk.score(findings, added),
        llm=usage,
        notices=tuple(notices),
        files=tuple(diffs),
        dropped=dropped,
    )


def _contexts(diffs: list[FileDiff], trees: Trees, config: Config, intent: str, limits: Limits,
              notices: list[Notice]) -> tuple[tuple[FileContext, ...], frozenset[str]]:
    """A FileContext per changed text file, and the paths of those over the structural budget:
    these keep their text but lose their syntax tree, and are named as not fully analysed."""
    contexts, cut = [], set()
    for d in diffs:
        head = trees.source("RIGHT", d.path) if d.status != "deleted" else None
        base = trees.source("LEFT", d.old_path) if d.old_path else None
        reason = limits.over(head) or limits.over(base)
        if reason:
            cut.add(d.path)
            head, base = unparsed(head), unparsed(base)
            notices.append(Notice(f"not fully analysed: detectors skipped ({reason})", d.path, unreviewed=True))
        contexts.append(FileContext(diff=d, head=head, base=base, repo=trees, options=config, intent=intent))
    return tuple(contexts), frozenset(cut)


def _detect(registry: Registry, config: Config, contexts: tuple[FileContext, ...], cut: frozenset[str],
            trees: Trees, intent: str, limits: Limits, watchdog: Watchdog, notices: list[Notice],
            progress: Progress | None) -> list[Finding]:
    """The detectors over each file (each file within its time budget), then over the change as a
    whole (within the scan's deadline). What a bound stopped is named in `notices`. A detector's
    module is imported only when it runs (see `_needed`)."""
    raw: list[Finding] = []
    active = [slot for slot in registry.slots if any(config.enabled(r) for r in slot.rules)]
    for i, ctx in enumerate(contexts):
        if progress:
            progress(i, len(contexts))
        if limits.passed():
            notices += [Notice("not analysed: the scan's deadline passed before the detectors reached it",
                               c.path, unreviewed=True) for c in contexts[i:] if c.path not in cut]
            break
        language = ctx.language
        if ctx.path in cut or not language:
            continue
        wanted = [slot.detector() for slot in active if any(language in r.languages for r in slot.rules)]
        ran = 0
        try:
            with watchdog.bound(limits.deadline, cpu_seconds=limits.file_seconds):
                for det in wanted:
                    raw += _guarded(det.check_file, ctx, notices, type(det).__name__, ctx.path)
                    ran += 1
        except Overrun:
            why = ("the scan's deadline passed" if limits.passed() else
                   f"the detectors' budget of {limits.file_seconds:g} s of processor time per file ran out")
            notices.append(Notice(f"not fully analysed: {why} ({ran} of {len(wanted)} detectors finished; "
                                  f"{type(wanted[ran]).__name__} was stopped)", ctx.path, unreviewed=True))
    whole = ChangeContext(files=contexts, repo=trees, options=config, intent=intent)
    needed = _needed(contexts, registry.languages)
    for n, slot in enumerate(active):
        # imported before any bound: an Overrun never lands inside an import
        whole_det = slot.detector() if "change" in slot.hooks and needed(slot) else None
        try:
            if limits.deadline is None:
                if whole_det is not None:
                    raw += _guarded(whole_det.check_change, whole, notices, slot.name, None)
                continue
            with watchdog.bound(limits.deadline):
                if limits.passed():
                    raise Overrun
                if whole_det is not None:
                    raw += _guarded(whole_det.check_change, whole, notices, slot.name, None)
        except Overrun:  # every file lost the cross-file analyses: named, unless named already
            named = {x.path for x in notices if x.unreviewed}
            notices += [Notice(f"not fully analysed: the scan's deadline passed during the change-wide analyses "
                               f"({len(active) - n} of {len(active)} not run or stopped, from {slot.name} on)",
                               c.path, unreviewed=True) for c in contexts if c.path not in named]
            break
    return raw


def _needed(contexts: tuple[FileContext, ...], claimed: frozenset[str]) -> Callable[[Slot], bool]:
    """Whether a detector's `check_change` can find anything in this change: a detector reports
    on the files of its rules' languages and on files no detector's language claims (configuration
    files, a Go file); so it is needed when the change has a file of one of its languages (by the
    path of either side) or a file of no claimed language. A loaded detector always runs."""
    languages: set[str | None] = set()
    for ctx in contexts:
        languages.update(language_for_path(p) for p in (ctx.diff.path, ctx.diff.old_path) if p)
    unclaimed = any(lang not in claimed for lang in languages)
    return lambda slot: slot.loaded or unclaimed or not slot.languages.isdisjoint(languages)


def _one_per_file(notices: list[Notice]) -> list[Notice]:
    """A file that both the detectors and semgrep left out is named once: one notice joining both
    reasons, where the file's first such notice stood."""
    prefix = "not fully analysed: "
    first: dict[str, int] = {}
    out: list[Notice] = []
    for notice in notices:
        at = first.get(notice.path) if notice.path is not None and notice.unreviewed else None
        if at is not None and notice.message.startswith(prefix) and out[at].message.startswith(prefix):
            out[at] = replace(out[at], message=f"{out[at].message}; {notice.message[len(prefix):]}")
            continue
        if notice.path is not None and notice.unreviewed and notice.message.startswith(prefix):
            first[notice.path] = len(out)
        out.append(notice)
    return out


def _guarded(fn: Callable[..., Iterable[Finding]], ctx: object, notices: list[Notice],
             name: str, path: str | None) -> list[Finding]:
    """Run one detector hook; a crash becomes a notice and the scan goes on (plugin boundary)."""
    try:
        return list(fn(ctx))
    except SlopguardError:
        raise
    except Exception as exc:  # noqa: BLE001 - a detector bug must not stop the other detectors
        notices.append(Notice(f"detector {name} crashed: {type(exc).__name__}: {exc}", path))
        return []


def _finish(raw: list[Finding], contexts: tuple[FileContext, ...], trees: Trees, config: Config,
            registry: Registry) -> list[Finding]:
    by_path = {c.diff.path: c for c in contexts}
    by_old = {c.diff.old_path: c for c in contexts if c.diff.old_path}
    configured = []

    def source(finding: Finding) -> SourceFile | None:
        ctx = by_path.get(finding.path) if finding.side == "RIGHT" else by_old.get(finding.path)
        side: Side = "RIGHT" if finding.side == "RIGHT" else "LEFT"
        return (ctx.head if side == "RIGHT" else ctx.base) if ctx else trees.source(side, finding.path)

    for finding in raw:
        rule = registry.rules.get(finding.rule)
        if rule is None or not config.enabled(rule) or config.is_ignored(finding.path):
            continue
        src = source(finding)
        if suppress.suppressed(finding, src):
            continue
        code = "\n".join(src.line_text(n) for n in range(finding.line, finding.last_line + 1)) if src else ""
        severity = config.severity_override(rule) or finding.severity
        configured.append(brevity.shorten(replace(finding, severity=severity, code=code, end_line=finding.last_line,
                                                  fix=finding.fix or fixes.suggest(finding, src))))
    diffs = {c.diff.path: c.diff for c in contexts}
    kept = difffilter.filter_to_diff(configured, diffs, frozenset(trees.paths("RIGHT")))
    unique: dict[tuple[str, str, str, int], Finding] = {}
    for finding in kept:
        unique.setdefault((finding.rule, finding.path, finding.side, finding.line), finding)
    # after suppressions and the diff filter (every member is on its own a finding the change
    # answers for) and after fingerprints (a group keeps its first member's)
    grouped = grouping.group(fingerprint.assign(unique.values()), source)

    def text(side: str, path: str) -> str | None:
        src = trees.source("RIGHT" if side == "RIGHT" else "LEFT", path)
        return None if src is None else src.text
    return mirrored.merge(grouped, text)


__all__ = ["ConfigError", "Target", "repo_config", "resolve", "scan"]
