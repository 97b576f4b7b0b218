"""Excessive I/O in Python: I/O once per item of a loop, the same resource re-read on every
request, and whole files or responses read into memory where they used to be streamed.

The I/O calls are data: `rules/data/io-sinks.yml` (categories db, orm, http, file, subprocess,
cloud), which a repository extends with its own `.slopguard/io-sinks.yml` (read from the base
commit). Functions of the repository that do I/O themselves (a client method around
`requests`/`httpx`, a `run_git()` helper around `subprocess.run`) count as I/O calls too.

## What it does
`python.excessive-io.io-in-loop` flags a database/ORM query, HTTP request, subprocess, cloud
API call or new connection made once per iteration of a `for`/`while`/`async for` loop, a
comprehension, a generator expression or a function passed to `map()` (the N+1 pattern), and a
file read whose arguments do not change between iterations. It leaves alone loops whose structure
makes the I/O inherent (`python_inherent.py`: a bounded constant list, a retry loop that leaves on
success and goes round again from an `except`, a loop that sleeps, a loop over slices), pagination
loops that request the next page, and calls that run at most once (before a `break`/`return`, or
behind an `if cache is None` lazy init). A loop only a name calls a retry or batch loop is still
reported, at low confidence, naming it.

`python.excessive-io.repeated-read` flags a request handler (a route-decorated function or a
view taking `request`) that reads the same constant file or URL on every request.

`python.excessive-io.unbounded-read` flags `.read()`/`.readlines()`/`.fetchall()` of a whole
file, archive, response or result set, or `.content` of a `stream=True` download, when the code
used to stream it (or is a generator that yields rows or reads a compressed export line by line).

## Why is this bad?
One query or request per item turns a page of 200 rows into 201 round trips: the endpoint or
job gets slower linearly with the data and hammers the database or the remote API. Reading a
multi-GB export into one bytes object (and then a decoded copy) exhausts memory where a stream
used constant memory.

## Example
```python
for entry in entries:
    customer = session.get(Customer, entry["customer_id"])
```

## Use instead
```python
ids = {e["customer_id"] for e in entries}
customers = {c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(ids)))}
for entry in entries:
    customer = customers.get(entry["customer_id"])
```
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import ClassVar

from ...detector import Detector, FileContext, RepoView, Rule
from ...models import Finding
from .python_file_analysis import FileAnalysis
from .python_resolver import Resolver, _shared
from .python_sink_list import REPO_SINKS_FILE, Sinks, builtin_sinks, parse_sinks
from .rules import IO_IN_LOOP, REPEATED_READ, UNBOUNDED_READ

_TEST_PATH = re.compile(r"(^|/)(tests?|testing)/|(^|/)test_[^/]*\.py$|_test\.py$|(^|/)conftest\.py$")


class PythonExcessiveIO(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (IO_IN_LOOP, REPEATED_READ, UNBOUNDED_READ)

    def check_file(self, ctx: FileContext) -> Iterable[Finding]:
        head = ctx.head
        if head is None or head.language != "python" or head.root is None:
            return
        if not ctx.diff.added or _TEST_PATH.search(ctx.path):
            return
        sinks = repo_sinks(ctx.repo)
        resolver = Resolver(ctx.repo, sinks, _shared(ctx.repo, sinks))
        unit = resolver.unit_of(ctx.path, head)
        analysis = FileAnalysis(ctx, unit, resolver)
        yield from analysis.loop_findings()
        yield from analysis.handler_findings()
        yield from analysis.unbounded_findings()


def repo_sinks(repo: RepoView) -> Sinks:
    """The built-in sink list plus the repository's own `.slopguard/io-sinks.yml` (base tree)."""
    extra = repo.source("LEFT", REPO_SINKS_FILE)
    return _merged_sinks(extra.text if extra is not None else "")


@functools.lru_cache(maxsize=8)
def _merged_sinks(extra: str) -> Sinks:
    sinks = builtin_sinks()
    return sinks.merged(parse_sinks(extra, REPO_SINKS_FILE)) if extra.strip() else sinks


