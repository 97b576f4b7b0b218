"""A method the change adds to a class that nothing in the repository calls.

## What it does
Flags a method (not a constructor, getter or setter) that the change adds to a class of its own
(no `extends`, no `implements`, no decorators) when nothing else in the repository can reach it:
no member access (`x.name`), no string, no documentation, no bare mention outside a file that
declares its own function of that name (a caller that kept its own copy, `function name()`,
does not use the method). Left alone: test files, files a
framework loads by convention, private `#names` and `_names`, and names a framework looks up
(`render`, `handle`, `GET` ...).

## Why is this bad?
Agents add a method to a manager class and then solve the problem elsewhere (often with a copy
of the same logic in the caller); the unused method rots and misleads the next reader.

## Example
```ts
class IDEManager {
  async getElementCodeRange(element: Element) { ... }   // nothing calls it
}
```

## Use instead
Call it where it was meant to be used, or delete it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from tree_sitter import Node

from ...detector import Detector, FileContext, Rule
from ...lang.js import repo_index
from ...lang.js import symbols as sym
from ...models import Finding, Severity
from ...parsing import line_of
from ...ruledata import data_lists

RULE = Rule(
    id="js.dead-code.unused-method",
    category="dead-code",
    languages=("javascript", "typescript", "tsx"),
    severity=Severity.WARNING,
    summary="A method the change adds to a class that nothing in the repository calls",
    confidence="medium",
)

CLASSES = frozenset({"class_declaration", "class", "abstract_class_declaration"})
METHOD_HEAD = re.compile(rb"^[ \t]*(?:(?:async|static|public|private|protected|override)[ \t]+)*$")


def _plain_class(cls: Node) -> bool:
    """A class with no base, no interface and no decorators: nobody else calls its methods."""
    if any(c.type in ("class_heritage", "decorator") for c in cls.children):
        return False
    parent = cls.parent
    return not (parent is not None and parent.type == "export_statement"
                and any(c.type == "decorator" for c in parent.children))


def _methods(cls: Node) -> Iterator[tuple[str, Node]]:
    body = cls.child_by_field_name("body")
    for member in body.named_children if body is not None else ():
        if member.type != "method_definition" or any(c.type == "decorator" for c in member.children):
            continue
        if any(sym.text(c) in ("get", "set", "static") for c in member.children if not c.is_named):
            continue
        name = member.child_by_field_name("name")
        if name is None or name.type != "property_identifier":
            continue  # computed, private (#x) or string-named methods
        yield sym.text(name), member


class UnusedMethod(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.root is None or not ctx.diff.added or not sym.is_js_path(ctx.path):
            return
        if sym.is_test_path(ctx.path) or sym.is_convention_file(ctx.path):
            return
        index = repo_index.side_index(ctx.repo, "RIGHT")
        conventions = data_lists("dead-code", ctx.repo).get("js_convention_exports")
        for cls in head.nodes_of(*CLASSES):
            if not _plain_class(cls):
                continue
            for name, method in _methods(cls):
                if line_of(method) not in ctx.diff.added or name == "constructor" or name.startswith("_"):
                    continue
                if name in conventions:
                    continue
                copies: list[str] = []
                mentioned = index.count(name) > 1
                if mentioned:
                    reached, copies = _reach(index, name, ctx.path, method)
                    if reached:
                        continue
                what = "calls or mentions it" if not mentioned else "calls it" + (
                    f" (`{copies[0]}` declares and uses its own `{name}`)" if copies else "")
                yield ctx.finding(
                    RULE, method,
                    f"Method `{name}` is added but nothing in the repository {what}; "
                    f"call it where it was meant to be used, or delete it.",
                    end=line_of(method),
                )


def _reach(index: repo_index.SideIndex, name: str, path: str, method: Node) -> tuple[bool, list[str]]:
    """(True, []) when some mention of `name` other than this definition may reach the method: a member
    access (`x.name`, `x?.name`), a string, or a bare name a file does not declare itself. A
    same-named function of another file (`function name()` called as `name()`) or another
    class's method definition does not: (False, files that declare their own `name`)."""
    copies = []
    key = name.encode()
    word = re.compile(rb"(?<![\w$])" + re.escape(key) + rb"(?![\w$])")
    ident = method.child_by_field_name("name")
    at = ident.start_byte if ident is not None else -1
    own_local = re.compile(rb"(?:function\*?|const|let|var)\s+" + re.escape(key) + rb"(?![\w$])")
    for other in index.files_mentioning(name):
        data = index.masked_of(other)
        if data is None:
            return True, []  # documentation or data: a mention we cannot classify
        local = own_local.search(data) is not None
        for m in word.finditer(data):
            if other == path and m.start() == at:
                continue  # the definition itself
            before = data[max(0, m.start() - 200) : m.start()].rstrip()
            if before.endswith((b".", b"'", b'"', b"`", b"[")):
                return True, []
            line_start = data.rfind(b"\n", 0, m.start()) + 1
            after = data[m.end() : m.end() + 200].lstrip()
            if METHOD_HEAD.match(data[line_start : m.start()]) and after.startswith((b"(", b"<")):
                continue  # another class's method of the same name, or an object literal's method
            if not local:
                return True, []
            if other not in copies:
                copies.append(other)
    return False, copies
