"""YAML from repositories, loaded with its size and its alias expansion bounded.

PyYAML shares the object an alias points to, so a "billion laughs" document is small in Python;
but everything that walks it as a tree (JSON for semgrep-core, validation) pays for every
expansion. The expanded node count is computed on the composed graph before anything is built.
"""

from __future__ import annotations

from typing import Any

import yaml

from .errors import ConfigError

MAX_NODES = 200_000
# libyaml's parser (about six times faster) for the files slopguard ships; a repository's files keep
# the pure-Python one, whose errors (line, nesting depth) users see
SHIPPED_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str, source: str, max_bytes: int, max_nodes: int = MAX_NODES, *, shipped: bool = False) -> Any:
    """The document's data; ConfigError (naming only `source` and a line) when it is too big, expands
    to more than `max_nodes` nodes through aliases, or is not YAML. `shipped`: a file of slopguard's
    own (rules/), built by libyaml when it is installed (the data is the same) without the alias bound."""
    if len(text.encode("utf-8", "replace")) > max_bytes:
        raise ConfigError(f"file is over {max_bytes:,} bytes", source)
    if shipped:  # no aliases to bound in slopguard's own files: libyaml builds the data at once
        return _shipped(text, source)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError("invalid YAML", source, mark.line + 1 if mark else None) from None
    except RecursionError:
        raise ConfigError("YAML is nested too deeply", source) from None
    if root is None:
        return None
    if expanded_size(root, max_nodes) > max_nodes:
        raise ConfigError(f"YAML expands to more than {max_nodes:,} nodes (aliases)", source)
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(root)
    except RecursionError:
        raise ConfigError("YAML is nested too deeply", source) from None
    finally:
        loader.dispose()


def _shipped(text: str, source: str) -> Any:
    try:
        return yaml.load(text, Loader=SHIPPED_LOADER)  # a safe loader: CSafeLoader, else SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError("invalid YAML", source, mark.line + 1 if mark else None) from None
    except RecursionError:
        raise ConfigError("YAML is nested too deeply", source) from None


def expanded_size(root: yaml.Node, limit: int) -> int:
    """How many nodes the document has with every alias expanded, counting stops past `limit`.
    Linear in the graph's size: each node's expanded size is computed once."""
    sizes: dict[int, int] = {}
    order: list[tuple[yaml.Node, bool]] = [(root, False)]
    active: set[int] = set()
    while order:
        node, done = order.pop()
        key = id(node)
        if key in sizes:
            continue
        children = _children(node)
        if not done:
            if key in active:
                return limit + 1  # a recursive alias: unbounded
            active.add(key)
            order.append((node, True))
            order.extend((child, False) for child in children if id(child) not in sizes)
            continue
        active.discard(key)
        sizes[key] = min(limit + 1, 1 + sum(sizes.get(id(c), limit + 1) for c in children))
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []
