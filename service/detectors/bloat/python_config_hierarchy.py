"""Class hierarchies that exist only to carry a handful of constants.

## What it does
Flags, on its `class` line, a base class the change adds whose subclasses only set class
attributes or define properties/methods that return constants, when the hierarchy is abstract,
uses constant-returning properties, or has a single subclass. (A registry/provider around one such
configuration is reported by `python.bloat.single-implementation`.) Exception and enum
hierarchies and framework base classes are left alone.

## Why is this bad?
An abstract base, subclasses and overridden properties to hold two numbers is an indirection
every reader has to unwind to learn the values; module constants or one frozen dataclass instance
say the same in a few lines and are easier to test and change.

## Example
```python
class BaseUploadConfig(ABC):
    @property
    @abstractmethod
    def max_bytes(self) -> int: ...

class AvatarUploadConfig(BaseUploadConfig):
    @property
    def max_bytes(self) -> int:
        return 2 * 1024 * 1024
```

## Use instead
```python
AVATAR_MAX_BYTES = 2 * 1024 * 1024
```
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from ...detector import ChangeContext, Detector, FileContext, Rule
from ...lang.python import constants, shape_index, shapes
from ...models import Finding, Severity
from ...parsing import walk
from .thresholds import ConfigHierarchySettings

RULE = Rule(
    id="python.bloat.config-hierarchy",
    category="bloat",
    languages=("python",),
    severity=Severity.NOTICE,
    summary="Class hierarchy that only carries a few constants",
    settings=ConfigHierarchySettings(),
    confidence="medium",
)

_PROVIDER_SUFFIXES = ("Provider", "Holder", "Loader", "Resolver", "Manager")
_CONFIG_WORDS = ("Config", "Settings", "Options", "Limits", "Policy")
_ROOT_BASES = frozenset({"ABC", "object", "Protocol", "Generic"})


class ConfigHierarchyDetector(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_change(self, ctx: ChangeContext) -> Iterable[Finding]:
        change = shape_index.indexed_change(ctx)
        if change is None:
            return
        files, index = change
        for fctx in files.values():
            if shapes.is_test_path(fctx.path):
                continue
            limit = fctx.options.settings(RULE, ConfigHierarchySettings).max_constants
            for cls in index.classes_in.get(fctx.path, []):
                if shapes.is_new(fctx.diff, cls.node):
                    finding = _check_base(fctx, cls, index, limit) or _check_provider(fctx, cls, index)
                    if finding is not None:
                        yield finding


def _check_provider(ctx: FileContext, cls: shapes.ClassInfo, index: shape_index.RepoIndex) -> Finding | None:
    """A `*Provider`/`*Holder`/`*Loader` class whose only product is one config object."""
    if not cls.name.endswith(_PROVIDER_SUFFIXES) or cls.bases or _holds_registry(cls):
        return None
    src = cls.src
    products = set()
    for node in walk(cls.node):
        if node.type == "call":
            func = node.child_by_field_name("function")
            name = shapes.last_name(src, func) if func is not None else ""
            if name in index.class_names:
                products.add(name)
    if len(products) != 1:
        return None
    product = products.pop()
    if not any(word in product for word in _CONFIG_WORDS):
        return None
    return ctx.finding(
        RULE,
        cls.line,
        f"{cls.name} only wraps a single {product}; create one module-level {product} instance (or a "
        f"cached function) instead of a provider class.",
    )


def _holds_registry(cls: shapes.ClassInfo) -> bool:
    """A dict attribute: a registry, reported by python.bloat.single-implementation."""
    return any(n.type == "dictionary" for n in walk(cls.node))


def _check_base(ctx: FileContext, base: shapes.ClassInfo, index: shape_index.RepoIndex,
                limit: int) -> Finding | None:
    if not set(base.bases) <= _ROOT_BASES or any("metaclass" in k and "ABCMeta" not in k for k in base.keywords):
        return None
    subclasses = index.subclasses(base)
    if not subclasses:
        return None
    members: set[str] = set()
    uses_properties = False
    for sub in subclasses:
        names = constants.constant_members(sub)
        if names is None or len(names) > limit:
            return None
        members.update(names)
        uses_properties = uses_properties or any(m.type == "function_definition" for m, _ in sub.methods())
    if not (base.is_abstract() or uses_properties or len(subclasses) == 1):
        return None
    subs = ", ".join(s.name for s in subclasses[:3]) + (", ..." if len(subclasses) > 3 else "")
    values = ", ".join(sorted(members)[:4])
    return ctx.finding(
        RULE,
        base.line,
        f"{base.name} and its subclasses ({subs}) only carry constants ({values}); replace the "
        f"hierarchy with module-level constants or one frozen dataclass instance per variant.",
    )
