"""How the budget is spent: the exact requests the pass will send, decided before any call.

1. Reserve the fixed parts of every request: system prompt, tool schema, the description
   (capped), the list of changed files not shown (sized for every changed file), and the
   repository functions the changed lines call (at most a quarter of the budget, and only when
   they cost no file its coverage).
2. Cover first: every file, riskiest first, at its smallest level (`hunks`) while it fits; a
   file whose hunks exceed a quarter of the room is cut to that quarter.
3. Then deepen: each covered file, riskiest first, to `full`, else `outline`, else its whole
   hunks, while it fits.
4. If not even the riskiest file fits, drop the called functions; then cut its hunks to what
   fits (the room after the fixed parts and the margin `fits` adds to the estimate). The
   riskiest file covered, even cut, is preferred to other files covered whole. A budget that
   covers the fixed parts and a few lines of one file's hunks always sends a request.

The static findings are listed in each file's block (one line per finding, a grouped finding
once); which lines are shown is decided by the changed lines only (regions.py), never by them.

Files are laid out riskiest first into requests of at most `chunk_tokens`; each request pays
the fixed parts and the output ceiling again. What is not sent is named, never silently dropped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..detector import FileContext
from ..models import FileDiff, Finding
from .callees import called_names, callees
from .context import LOCKFILES, FileView, clean, file_view, truncated
from .pricing import cost, estimate_tokens, price_for
from .prompt import DESCRIPTION_CAP, SYSTEM, TOOL, frame
from .regions import Level
from .settings import LLMSettings

_FRAMING = 80  # tokens of message framing per request
_NOT_SHOWN_CAP = 100
_CALLEE_TOKENS = 6000
_MARGIN = 1.02  # the estimate of a request's parts, not of the joined prompt
_PER_FILE = 10  # tokens of joining per file shown
Choice = Level | str  # a level, or "cut" for a truncated `hunks` block


@dataclass(frozen=True)
class Request:
    prompt: str
    files: tuple[str, ...]
    levels: tuple[str, ...]  # per file: full | outline | hunks | cut
    input_tokens: int  # estimated, with the system prompt and the tool
    max_cost_usd: float  # with the output ceiling


@dataclass
class Plan:
    requests: list[Request] = field(default_factory=list)
    not_reviewed: list[str] = field(default_factory=list)  # changed files no request shows
    named_only: list[str] = field(default_factory=list)  # ignored, binary or deleted: named, not shown
    redactions: int = 0


def _entry(diff: FileDiff, reason: str) -> str:
    return f"- {diff.path} ({diff.status}, +{diff.added_count} -{diff.removed_count} lines; {reason})"


@dataclass
class _Budget:
    settings: LLMSettings
    fixed: int  # tokens every request pays

    def __post_init__(self) -> None:
        self.price = price_for(self.settings.model, self.settings.provider)
        self.out = cost(self.price, 0, self.settings.max_output_tokens)

    def layout(self, chosen: Sequence[tuple[FileView, Choice, int]]) -> list[list[tuple[FileView, Choice, int]]] | None:
        chunks: list[list[tuple[FileView, Choice, int]]] = []
        size = 0
        for item in chosen:
            if self.fixed + item[2] > self.settings.chunk_tokens:
                return None
            if not chunks or size + item[2] > self.settings.chunk_tokens:
                chunks.append([])
                size = self.fixed
            chunks[-1].append(item)
            size += item[2]
        return chunks

    def fits(self, chosen: Sequence[tuple[FileView, Choice, int]]) -> bool:
        chunks = self.layout(chosen)
        if chunks is None:
            return False
        tokens = sum(self.fixed + sum(i[2] for i in chunk) for chunk in chunks)
        tokens = int(tokens * _MARGIN) + _PER_FILE * len(chosen)
        if not self.price.input_per_mtok:
            return tokens <= self.settings.chunk_tokens * 8
        return cost(self.price, tokens, 0) + len(chunks) * self.out <= self.settings.max_cost_usd

    def input_tokens(self) -> int:
        """Input tokens one request may use at most under the budget."""
        if not self.price.input_per_mtok:
            return self.settings.chunk_tokens
        return int((self.settings.max_cost_usd - self.out) / self.price.input_per_mtok * 1_000_000)

    def room(self) -> int:
        """Tokens one file shown alone in one request may take: what `fits` accepts after the
        fixed parts, the margin on the estimate and the per-file joining."""
        limit = min(self.input_tokens(), self.settings.chunk_tokens)
        return int((limit - _PER_FILE) / _MARGIN) - self.fixed


def _cut(view: FileView, tokens: int) -> tuple[FileView, Choice, int] | None:
    text = truncated(view, tokens)
    if text is None:
        return None
    view.texts["cut"] = text
    return (view, "cut", estimate_tokens(text))


def _choose(views: Sequence[FileView], budget: _Budget, allow_cut: bool) -> dict[str, tuple[FileView, Choice, int]]:
    """Cover every file that fits, riskiest first, a large one cut to a quarter of the room;
    then deepen each, riskiest first, as far as the budget allows."""
    chosen: dict[str, tuple[FileView, Choice, int]] = {}
    room = budget.room()
    share = max(room // 4, 1500)

    def trial(item: tuple[FileView, Choice, int] | None) -> bool:
        if item is None:
            return False
        picked = dict(chosen, **{item[0].path: item})
        return budget.fits([picked[v.path] for v in views if v.path in picked])

    for n, view in enumerate(views):
        item = (view, "hunks", view.tokens["hunks"]) if view.tokens["hunks"] <= share else _cut(view, share)
        if trial(item):
            assert item is not None
            chosen[view.path] = item
        elif n == 0 and allow_cut:
            item = _cut(view, room)
            if trial(item):
                assert item is not None
                chosen[view.path] = item
    for view in views:
        if view.path in chosen:
            for level in ("full", "outline", "hunks"):
                item = (view, level, view.tokens[level])
                if view.tokens[level] > chosen[view.path][2] and trial(item):
                    chosen[view.path] = item
                    break
    return chosen


def plan(files: Sequence[FileContext], static: Sequence[Finding], intent: str, settings: LLMSettings,
         left_out: Sequence[FileDiff] = ()) -> Plan:
    """The requests for a change, within `settings.max_cost_usd`."""
    result = Plan()
    views: list[FileView] = []
    named: list[tuple[FileDiff, str]] = [(d, "binary" if d.binary else "left out by the ignore globs")
                                         for d in left_out]
    for ctx in files:
        view = file_view(ctx, static)
        if view is None:
            lockfile = ctx.path.rsplit("/", 1)[-1] in LOCKFILES
            reason = "deleted" if ctx.diff.status == "deleted" else "lockfile" if lockfile else "not shown"
            named.append((ctx.diff, reason))
        else:
            views.append(view)
            result.redactions += view.redactions
    views.sort(key=lambda v: (-v.risk, v.path))
    result.named_only = [d.path for d, _ in named]
    description, hits = clean((intent.strip() or "(no description)")[:DESCRIPTION_CAP])
    result.redactions += hits
    every = [_entry(d, r) for d, r in named] + [_entry(v.diff, "not reviewed: over the LLM budget") for v in views]
    reserve = estimate_tokens("\n".join(every[:_NOT_SHOWN_CAP]) + "\n- ... and 99999 more changed files")
    names: set[str] = set()
    for ctx in files:
        if ctx.head is not None:
            names |= called_names(ctx.head, set(ctx.diff.added))
    base = estimate_tokens(SYSTEM) + estimate_tokens(json.dumps(TOOL)) + _FRAMING + reserve
    calls = callees(files, names)
    budget = _Budget(settings, base)
    cap = min(_CALLEE_TOKENS, budget.input_tokens() // 4)
    variants: list[list[str]] = []
    for bodies in (True, False):
        kept, size = [], 0
        for text in (c.text if bodies else c.signature for c in calls):
            size += estimate_tokens(text + "\n")
            if size > cap:
                break
            kept.append(text)
        variants.append(kept)
    variants.append([])
    # called functions are sent only when they cost no file its coverage
    tried = []
    for allow_cut in (False, True):
        for texts in variants:
            budget.fixed = base + estimate_tokens(frame(description, [], texts, []))
            tried.append((texts, _choose(views, budget, allow_cut)))
        if any(views[0].path in chosen for _, chosen in tried) or not views:
            break
    # the riskiest file covered (cut if need be) before more files; then the most files, and of
    # equals the first tried (called functions with bodies, then signatures, then none)
    context, chosen = max(tried, key=lambda t: (bool(views) and views[0].path in t[1], len(t[1])))
    budget.fixed = base + estimate_tokens(frame(description, [], context, []))
    kept_calls = [c for c in calls if c.text in context or c.signature in context]
    chunks = budget.layout([chosen[v.path] for v in views if v.path in chosen]) or []
    result.not_reviewed = [v.path for v in views if v.path not in chosen]
    where = {item[0].path: n for n, chunk in enumerate(chunks) for item in chunk}
    for n, chunk in enumerate(chunks):
        others = [_entry(d, r) for d, r in named]
        for view in views:
            if view.path in where and where[view.path] != n:
                others.append(_entry(view.diff, f"in request {where[view.path] + 1} of {len(chunks)}"))
            elif view.path not in where:
                others.append(_entry(view.diff, "not reviewed: over the LLM budget"))
        if len(others) > _NOT_SHOWN_CAP:
            others = [*others[:_NOT_SHOWN_CAP], f"- ... and {len(others) - _NOT_SHOWN_CAP} more changed files"]
        others = [clean(o)[0] for o in others]
        shown = {v.path: v.shown.get(str(c), set()) for v, c, _ in chunk}
        calls_here = [t for t in context if not any(
            t in (c.text, c.signature) and set(range(c.line, c.end_line + 1)) <= shown.get(c.path, set())
            for c in kept_calls)]
        prompt = frame(description, [v.texts[c] for v, c, _ in chunk], calls_here, others)
        tokens = estimate_tokens(SYSTEM) + estimate_tokens(json.dumps(TOOL)) + _FRAMING + estimate_tokens(prompt)
        result.requests.append(Request(prompt, tuple(v.path for v, _, _ in chunk), tuple(str(c) for _, c, _ in chunk),
                                       tokens, cost(budget.price, tokens, settings.max_output_tokens)))
    return result
