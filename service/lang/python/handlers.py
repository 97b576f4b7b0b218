"""Reading Python exception handlers: what an `except` catches and what its body does with it.

Shared by the Python error-handling detector. Everything here works on tree-sitter-python nodes
and never raises on odd input (missing children yield conservative answers).
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum

from tree_sitter import Node

from ...parsing import SourceFile, walk_pruned
from ...ruledata import data_lists
from .loggers import is_logger_receiver


class Catch(Enum):
    """How much an `except` clause catches."""

    BARE = "bare"  # except:
    BROAD = "broad"  # Exception / BaseException (alone or in a tuple)
    UMBRELLA = "umbrella"  # a library's or service's root error: any failure of that dependency
    SPECIFIC = "specific"  # one named condition (KeyError, NotFound, IntegrityError, ...)


BROAD_NAMES = frozenset({"Exception", "BaseException"})
BUILTIN_EXCEPTIONS = frozenset(
    name
    for name, obj in vars(builtins).items()
    if isinstance(obj, type) and issubclass(obj, BaseException) and name not in BROAD_NAMES
)
# Name fragments of exception classes that stand for one condition, not "anything went wrong"
# (rules/data/error-handling.yml, case-sensitive: `Key` in `KeyError`, not `key` in `MonkeyError`).
SPECIFIC_TOKENS = re.compile("|".join(data_lists("error-handling").ordered("python_specific_error_words")))
CLEANUP_METHODS = data_lists("error-handling").get("python_cleanup_methods")
EXIT_CALLS = data_lists("error-handling").get("python_exit_calls")
SUCCESS_WORDS = data_lists("error-handling").get("python_success_values")
EMPTY_CALLS = frozenset({"list", "dict", "set", "tuple", "frozenset", "str"})
TRANSPARENT = frozenset({"comment", "pass_statement"})


def text(src: SourceFile, node: Node | None) -> str:
    return src.node_text(node) if node is not None else ""


def last_name(dotted: str) -> str:
    return dotted.rsplit(".", 1)[-1].strip()


# --------------------------------------------------------------------------- what is caught


def caught_type(clause: Node) -> Node | None:
    """The type expression of an except clause (without `as name`), None for a bare except."""
    value = clause.child_by_field_name("value")
    if value is None:
        for child in clause.named_children:
            if child.type not in ("block", "comment"):
                value = child
                break
    if value is not None and value.type == "as_pattern":
        value = value.named_children[0] if value.named_children else None
    return value


def classify_name(name: str) -> Catch:
    short = last_name(name)
    if short in BROAD_NAMES:
        return Catch.BROAD
    if short[:1].islower():
        return Catch.SPECIFIC  # a variable holding chosen types, or a module's OS-level `error`
    if short in BUILTIN_EXCEPTIONS or SPECIFIC_TOKENS.search(short):
        return Catch.SPECIFIC
    if short.isupper() or short.startswith("_"):
        return Catch.SPECIFIC  # a named tuple of chosen errors, e.g. TRANSIENT_ERRORS
    return Catch.UMBRELLA


def classify_catch(src: SourceFile, clause: Node) -> Catch:
    node = caught_type(clause)
    if node is None:
        return Catch.BARE
    names = [text(src, n) for n in node.named_children] if node.type in ("tuple", "parenthesized_expression") \
        else [text(src, node)]
    kinds = {classify_name(n) for n in names if n.strip()}
    for kind in (Catch.BROAD, Catch.UMBRELLA):
        if kind in kinds:
            return kind
    return Catch.SPECIFIC


def caught_label(src: SourceFile, clause: Node) -> str:
    node = caught_type(clause)
    return f"except {text(src, node)}" if node is not None else "except:"


# --------------------------------------------------------------------------- what the handler does


class Act(Enum):
    EMPTY = "empty"  # pass, comments, docstrings
    LOG = "log"  # logging, print, echo to stderr
    CLEANUP = "cleanup"  # rollback/close/unlink/sleep: neither handles nor reports the failure
    DEFAULT = "default"  # `name = <empty default>`
    HANDLE = "handle"  # anything that may deal with the failure: a call, a state change, a counter
    RAISE = "raise"  # raise, or a branch that raises
    EXIT = "exit"  # sys.exit(n), abort(n)
    RETURN = "return"
    CONTINUE = "continue"
    BREAK = "break"


@dataclass
class Handler:
    """A summary of an except clause's body."""

    acts: list[Act] = field(default_factory=list)
    returned: Node | None = None  # the value of the handler's return (None: bare `return` or none)
    rollback: bool = False
    has_comment: bool = False

    @property
    def terminal(self) -> Act | None:
        for act in reversed(self.acts):
            if act not in (Act.EMPTY, Act.LOG, Act.CLEANUP, Act.DEFAULT):
                return act
        return None

    @property
    def logs(self) -> bool:
        return Act.LOG in self.acts

    @property
    def passive(self) -> bool:
        """Only logs, cleans up, assigns defaults, then returns/continues/falls through."""
        return not any(a in (Act.HANDLE, Act.RAISE, Act.EXIT, Act.BREAK) for a in self.acts)

    @property
    def silent(self) -> bool:
        return all(a in (Act.EMPTY, Act.CONTINUE, Act.DEFAULT) for a in self.acts)


def handler_block(clause: Node) -> Node | None:
    for child in clause.named_children:
        if child.type == "block":
            return child
    return None


def summarize(src: SourceFile, clause: Node) -> Handler:
    summary = Handler()
    block = handler_block(clause)
    if block is None:
        return summary
    for stmt in block.named_children:
        if stmt.type == "comment":
            summary.has_comment = True
            continue
        act = classify_statement(src, stmt, summary)
        summary.acts.append(act)
        if act in (Act.RETURN, Act.RAISE, Act.CONTINUE, Act.BREAK, Act.EXIT):
            break
    return summary


def classify_statement(src: SourceFile, stmt: Node, summary: Handler) -> Act:
    kind = stmt.type
    if kind in TRANSPARENT:
        return Act.EMPTY
    if kind == "raise_statement":
        return Act.RAISE
    if kind == "return_statement":
        summary.returned = stmt.named_children[0] if stmt.named_children else None
        return Act.RETURN
    if kind == "continue_statement":
        return Act.CONTINUE
    if kind == "break_statement":
        return Act.BREAK
    if kind == "expression_statement":
        return classify_expression(src, stmt, summary)
    if kind == "if_statement":
        return classify_branches(src, stmt, summary)
    return Act.HANDLE


def classify_expression(src: SourceFile, stmt: Node, summary: Handler) -> Act:
    expr = stmt.named_children[0] if stmt.named_children else None
    if expr is None:
        return Act.EMPTY
    if expr.type in ("string", "ellipsis", "concatenated_string"):
        return Act.EMPTY
    if expr.type == "call":
        return classify_call(src, expr, summary)
    if expr.type == "assignment":
        return classify_assignment(src, expr)
    return Act.HANDLE


def call_name(src: SourceFile, call: Node) -> str:
    return text(src, call.child_by_field_name("function")).replace(" ", "")


def classify_call(src: SourceFile, call: Node, summary: Handler) -> Act:
    name = call_name(src, call)
    short = last_name(name)
    if name in EXIT_CALLS:
        return Act.EXIT
    if is_log_call(src, name):
        return Act.LOG
    if short in CLEANUP_METHODS:
        if short in ("rollback", "close"):
            summary.rollback = True
        return Act.CLEANUP
    return Act.HANDLE


def is_log_call(src: SourceFile, name: str) -> bool:
    """A call that reports to a person: any method of a logger the file binds (whatever it is called),
    a log method on a receiver the file does not bind, print and the like."""
    lists = data_lists("error-handling")
    if name in lists.get("python_log_functions"):
        return True
    receiver, _, method = name.rpartition(".")
    if is_logger_receiver(src, receiver) or (not receiver and is_logger_receiver(src, method)):
        return True
    if method not in lists.get("python_log_methods") or not receiver:
        return False
    low = receiver.lower()
    return "log" in low or low in lists.get("python_log_receivers")


def classify_assignment(src: SourceFile, node: Node) -> Act:
    left = node.child_by_field_name("left")
    right = node.child_by_field_name("right")
    if left is None or right is None or left.type != "identifier":
        return Act.HANDLE
    return Act.DEFAULT if is_default_value(src, right) else Act.HANDLE


def classify_branches(src: SourceFile, stmt: Node, summary: Handler) -> Act:
    """An `if` inside a handler: passive when every branch is, RAISE when any branch raises."""
    acts: list[Act] = []
    for block in _blocks(stmt):
        inner = Handler()
        for child in block.named_children:
            if child.type != "comment":
                acts.append(classify_statement(src, child, inner))
        summary.rollback = summary.rollback or inner.rollback
    if Act.RAISE in acts or Act.EXIT in acts:
        return Act.RAISE
    if all(a in (Act.EMPTY, Act.LOG, Act.CLEANUP, Act.DEFAULT) for a in acts):
        return Act.CLEANUP
    return Act.HANDLE


def _blocks(stmt: Node) -> Iterator[Node]:
    for child in stmt.named_children:
        if child.type == "block":
            yield child
        elif child.type in ("elif_clause", "else_clause"):
            yield from (c for c in child.named_children if c.type == "block")


# --------------------------------------------------------------------------- values


def is_default_value(src: SourceFile, node: Node | None) -> bool:
    """None, empty containers, 0, '', True, an empty constructor call, or a tuple of those."""
    if node is None:
        return True
    kind = node.type
    if kind in ("none", "true"):
        return True
    if kind in ("list", "dictionary", "set", "tuple") and not node.named_children:
        return True
    if kind in ("tuple", "expression_list"):
        return all(is_default_value(src, c) for c in node.named_children)
    if kind in ("integer", "float"):
        return text(src, node).strip() in ("0", "0.0")
    if kind == "string":
        return not any(c.type in ("string_content", "interpolation") for c in node.named_children)
    if kind == "call":
        args = node.child_by_field_name("arguments")
        return call_name(src, node) in EMPTY_CALLS and (args is None or not args.named_children)
    if kind == "parenthesized_expression" and node.named_children:
        return is_default_value(src, node.named_children[0])
    return False


def string_value(src: SourceFile, node: Node) -> str:
    return "".join(text(src, c) for c in node.named_children if c.type == "string_content")


def has_success_marker(src: SourceFile, node: Node) -> Node | None:
    """A "succeeded"/"ok" string, a `Status.SUCCEEDED` member or `success=True` inside `node` (logging aside)."""
    for sub in walk_same_scope(node):
        if sub.type == "call" and is_log_call(src, call_name(src, sub)):
            continue
        if _success_node(src, sub) and not _inside_log_call(src, sub, node):
            return sub
    return None


def _success_node(src: SourceFile, sub: Node) -> bool:
    if sub.type == "string":
        return string_value(src, sub).strip().lower() in SUCCESS_WORDS and (
            not _is_dict_key(sub) or _dict_value_true(sub))
    if sub.type == "attribute":
        attr = text(src, sub.child_by_field_name("attribute"))
        return attr.isupper() and attr.lower() in SUCCESS_WORDS - {"ok"}
    if sub.type == "keyword_argument":
        name = text(src, sub.child_by_field_name("name")).lower()
        value = sub.child_by_field_name("value")
        return name in ("ok", "success", "succeeded") and value is not None and value.type == "true"
    return False


def _inside_log_call(src: SourceFile, sub: Node, top: Node) -> bool:
    current = sub.parent
    while current is not None and current != top:
        if current.type == "call" and is_log_call(src, call_name(src, current)):
            return True
        current = current.parent
    return False


def _is_dict_key(node: Node) -> bool:
    parent = node.parent
    return parent is not None and parent.type == "pair" and parent.child_by_field_name("key") == node


def _dict_value_true(key: Node) -> bool:
    parent = key.parent
    value = parent.child_by_field_name("value") if parent is not None else None
    return value is not None and value.type == "true"


_NESTED = frozenset({"function_definition", "lambda", "class_definition"})


def walk_same_scope(node: Node) -> Iterator[Node]:
    """Nodes below `node`, not descending into nested functions, lambdas or classes."""
    return walk_pruned(node, _NESTED)


def enclosing(node: Node, types: tuple[str, ...], stop: tuple[str, ...] = ()) -> Node | None:
    current = node.parent
    while current is not None:
        if current.type in types:
            return current
        if current.type in stop:
            return None
        current = current.parent
    return None


def enclosing_function(node: Node) -> Node | None:
    return enclosing(node, ("function_definition",), ("class_definition", "lambda"))


def following_statements(node: Node) -> Iterator[Node]:
    """Statements that run after `node` completes normally, up to the end of its function."""
    current = node
    while current is not None and current.type != "function_definition":
        parent = current.parent
        if parent is None:
            return
        if parent.type in ("block", "module"):
            sibling = current.next_named_sibling
            while sibling is not None:
                yield sibling
                if sibling.type in ("return_statement", "raise_statement"):
                    return  # the function leaves here: nothing further runs
                sibling = sibling.next_named_sibling
        if parent.type in ("for_statement", "while_statement"):
            return  # the loop body repeats; what follows the loop is not "after" this iteration
        current = parent
