"""The JS/TS module resolver on generated monorepos: real git repositories with apps/ and
packages/, tsconfig `paths` through `extends` chains, project references, workspace packages
with `exports`, a barrel file. Files are read from git objects (the working tree is emptied)."""

from __future__ import annotations

import json
import shutil

import pytest
from slopguard.changes import Trees
from slopguard.gitrepo import Git
from slopguard.lang.js.resolver import ModuleResolver, module_resolver
from slopguard.lang.js.tsconfig import parse_jsonc

from .gitrepos import make_repo

TSCONFIG_BASE = """{
  // shared options
  "compilerOptions": {
    "strict": true,
    "baseUrl": ".",
    "paths": {"@shared/*": ["packages/shared/src/*"],},
  },
}
"""

MONOREPO: dict[str, str | bytes | None] = {
    "package.json": json.dumps({"name": "root", "private": True, "workspaces": ["apps/*", "packages/*"],
                                "devDependencies": {"typescript": "5.4.0"}}),
    "pnpm-workspace.yaml": "packages:\n  - 'tools/*'\n",
    "tsconfig.base.json": TSCONFIG_BASE,
    "tsconfig.json": json.dumps({"files": [], "references": [{"path": "./apps/web"}, {"path": "./apps/api"}]}),
    # a package that ships a tsconfig others extend by package name
    "packages/tsconfig/package.json": json.dumps({"name": "@acme/tsconfig", "version": "1.0.0"}),
    "packages/tsconfig/nextjs.json": json.dumps({
        "extends": "../../tsconfig.base.json",
        "compilerOptions": {"jsx": "preserve"},
    }),
    # apps/web: paths in its own config, extending the package config, baseUrl from the root
    "apps/web/package.json": json.dumps({"name": "web", "dependencies": {"react": "18.0.0",
                                                                         "@acme/ui": "workspace:*"}}),
    "apps/web/tsconfig.json": """{
      "extends": "@acme/tsconfig/nextjs.json",
      /* app aliases */
      "compilerOptions": {"baseUrl": ".", "paths": {"@components/*": ["./components/*"], "@lib": ["./lib/index.ts"]}}
    }""",
    "apps/web/components/auth/BackupCode.tsx": "export default function BackupCode() { return null }\n",
    "apps/web/lib/index.ts": "export const x = 1\n",
    "apps/web/pages/index.tsx": "import BackupCode from '@components/auth/BackupCode'\n",
    # apps/api: inherits paths from the base through a relative extends; ESM `.js` specifiers
    "apps/api/package.json": json.dumps({"name": "api", "type": "module"}),
    "apps/api/tsconfig.json": json.dumps({"extends": "../../tsconfig.base.json"}),
    "apps/api/src/server.ts": "import { remove } from '@acme/features/orders'\n",
    "apps/api/src/db.ts": "export async function query() {}\n",
    "apps/api/src/routes/orders.ts": "import { query } from '../db.js'\n",
    # a workspace package with an `exports` map pointing at built output, and a barrel file
    "packages/features/package.json": json.dumps({
        "name": "@acme/features",
        "exports": {".": {"types": "./dist/index.d.ts", "import": "./dist/index.mjs"},
                    "./orders": "./dist/orders/index.js", "./*": "./dist/*.js"},
    }),
    "packages/features/src/index.ts": "export * from './orders'\nexport { default as Widget } from './widget'\n",
    "packages/features/src/orders/index.ts":
        "export * from './remove'\nexport { refund as giveBack } from './refund'\n",
    "packages/features/src/orders/remove.ts": "export async function remove(id: string) { await fetch(id) }\n",
    "packages/features/src/orders/refund.ts": "import { charge as refund } from '../billing'\nexport { refund }\n",
    "packages/features/src/billing.ts": "export const charge = async () => {}\n",
    "packages/features/src/widget.tsx": "export default function Widget() { return null }\n",
    "packages/features/src/hidden.ts": "export const hidden = 1\n",
    # a package with `main`/`types` only, and a plain sub-path
    "packages/ui/package.json": json.dumps({"name": "@acme/ui", "main": "./lib/index.js",
                                            "types": "./lib/index.d.ts"}),
    "packages/ui/src/index.ts": "export const Button = 1\n",
    "packages/ui/src/icons/star.tsx": "export const Star = 1\n",
    "packages/shared/package.json": json.dumps({"name": "@acme/shared",
                                                "imports": {"#internal/*": "./src/internal/*.ts"}}),
    "packages/shared/src/dates.ts": "export const today = 1\n",
    "packages/shared/src/internal/clock.ts": "export const now = 1\n",
    # a solution-style config: the options live in the project it references
    "apps/admin/tsconfig.json": json.dumps({"files": [], "references": [{"path": "./tsconfig.app.json"}]}),
    "apps/admin/tsconfig.app.json": json.dumps({"compilerOptions": {"paths": {"@admin/*": ["./src/*"]}}}),
    "apps/admin/src/users.ts": "export const users = []\n",
    "tools/cli/package.json": json.dumps({"name": "acme-cli", "main": "main.js"}),
    "tools/cli/main.js": "module.exports = {}\n",
}


@pytest.fixture(scope="module")
def resolver(tmp_path_factory: pytest.TempPathFactory) -> ModuleResolver:
    repo = make_repo(tmp_path_factory.mktemp("mono"), {}, MONOREPO)
    for child in repo.iterdir():  # everything must come from git objects
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    g = Git(repo)
    trees = Trees(g, g.resolve("main"), g.resolve("feature"))
    return module_resolver(trees, "RIGHT")


def _to(resolver: ModuleResolver, importer: str, spec: str) -> str | None:
    found = resolver.resolve(importer, spec)
    return found.path


def test_tsconfig_paths_through_package_extends(resolver: ModuleResolver) -> None:
    page = "apps/web/pages/index.tsx"
    assert _to(resolver, page, "@components/auth/BackupCode") == "apps/web/components/auth/BackupCode.tsx"
    assert _to(resolver, page, "@lib") == "apps/web/lib/index.ts"
    # the app's own `paths` replace the inherited ones, as in TypeScript
    assert resolver.resolve(page, "@shared/dates").kind == "unresolved"


def test_paths_and_base_url_inherited_through_relative_extends(resolver: ModuleResolver) -> None:
    server = "apps/api/src/server.ts"
    assert _to(resolver, server, "@shared/dates") == "packages/shared/src/dates.ts"
    # baseUrl "." of the base config is the repository root
    assert _to(resolver, server, "packages/ui/src/icons/star") == "packages/ui/src/icons/star.tsx"


def test_project_references_of_a_solution_config(resolver: ModuleResolver) -> None:
    assert _to(resolver, "apps/admin/src/page.ts", "@admin/users") == "apps/admin/src/users.ts"


def test_relative_esm_js_specifier_finds_the_ts_source(resolver: ModuleResolver) -> None:
    assert _to(resolver, "apps/api/src/routes/orders.ts", "../db.js") == "apps/api/src/db.ts"
    assert resolver.resolve("apps/api/src/routes/orders.ts", "../nope.js").kind == "unresolved"


def test_workspace_package_exports_map_to_sources(resolver: ModuleResolver) -> None:
    app = "apps/api/src/server.ts"
    assert _to(resolver, app, "@acme/features") == "packages/features/src/index.ts"
    assert _to(resolver, app, "@acme/features/orders") == "packages/features/src/orders/index.ts"
    assert _to(resolver, app, "@acme/features/billing") == "packages/features/src/billing.ts"
    # a workspace package that does not export a sub-path is ours but not reachable
    assert resolver.resolve(app, "@acme/features/orders/remove/x").kind == "unresolved"


def test_workspace_package_main_types_and_plain_subpath(resolver: ModuleResolver) -> None:
    app = "apps/web/pages/index.tsx"
    assert _to(resolver, app, "@acme/ui") == "packages/ui/src/index.ts"
    assert _to(resolver, app, "@acme/ui/icons/star") == "packages/ui/src/icons/star.tsx"
    assert _to(resolver, "apps/api/src/server.ts", "acme-cli") == "tools/cli/main.js"  # pnpm-workspace.yaml member


def test_package_imports_field(resolver: ModuleResolver) -> None:
    assert _to(resolver, "packages/shared/src/dates.ts", "#internal/clock") == "packages/shared/src/internal/clock.ts"


def test_external_and_unknown_specifiers(resolver: ModuleResolver) -> None:
    app = "apps/web/pages/index.tsx"
    assert resolver.resolve(app, "react").kind == "external"
    assert resolver.resolve(app, "node:fs").kind == "external"
    assert resolver.resolve(app, "path").kind == "external"
    # a scoped name nobody declares may be a path alias this resolver does not know
    assert resolver.resolve(app, "@features/checkout").kind == "unresolved"


def test_reexports_followed_through_barrels(resolver: ModuleResolver) -> None:
    index = "packages/features/src/index.ts"
    assert resolver.origin(index, "remove") == ("packages/features/src/orders/remove.ts", "remove")
    assert resolver.origin(index, "giveBack") == ("packages/features/src/billing.ts", "charge")
    assert resolver.origin(index, "Widget") == ("packages/features/src/widget.tsx", "default")
    assert resolver.origin(index, "missing") is None


def test_results_are_cached_per_scan(resolver: ModuleResolver) -> None:
    first = resolver.resolve("apps/web/pages/index.tsx", "@components/auth/BackupCode")
    assert resolver.resolve("apps/web/pages/index.tsx", "@components/auth/BackupCode") is first


def test_jsonc_dialect() -> None:
    assert parse_jsonc('{"a": "// not a comment", /* c */ "b": [1, 2,],}') == {"a": "// not a comment", "b": [1, 2]}
    with pytest.raises(ValueError):
        parse_jsonc("{")
