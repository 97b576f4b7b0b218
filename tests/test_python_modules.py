"""Python module resolution on a generated repository (read from git objects): a src layout
declared by setuptools `package-dir`, a project in a sub-folder with setup.cfg `where`, a Poetry
`from`, namespace packages and relative imports."""

from __future__ import annotations

import shutil

import pytest
from slopguard.changes import Trees
from slopguard.gitrepo import Git
from slopguard.lang.python.modules import PythonModules, python_modules

from .gitrepos import make_repo

TREE: dict[str, str | bytes | None] = {
    "pyproject.toml": '[project]\nname = "shop"\n[tool.setuptools]\npackage-dir = {"" = "lib"}\n',
    "lib/shop/__init__.py": "",
    "lib/shop/orders.py": "from .billing import charge\nfrom ..shop import orders\n",
    "lib/shop/billing/__init__.py": "def charge(): ...\n",
    "lib/shop/billing/stripe.py": "",
    "services/worker/setup.cfg": "[options]\npackages = find:\n[options.packages.find]\nwhere = code\n",
    "services/worker/code/worker/__init__.py": "",
    "services/worker/code/worker/jobs.py": "",
    "tools/pyproject.toml": '[tool.poetry]\npackages = [{include = "ops", from = "python"}]\n',
    "tools/python/ops/deploy.py": "",
    "plugins/acme/ext/loader.py": "",  # a namespace package (no __init__.py) under the root
    "src/extra/helpers.py": "",  # an undeclared src/ folder still counts
}


@pytest.fixture(scope="module")
def modules(tmp_path_factory: pytest.TempPathFactory) -> PythonModules:
    repo = make_repo(tmp_path_factory.mktemp("py"), {}, TREE)
    for child in repo.iterdir():
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    g = Git(repo)
    return python_modules(Trees(g, g.resolve("main"), g.resolve("feature")), "RIGHT")


def test_declared_src_layout_and_subfolder_projects(modules: PythonModules) -> None:
    assert modules.file("app.py", "shop.orders") == "lib/shop/orders.py"
    assert modules.file("app.py", "shop.billing") == "lib/shop/billing/__init__.py"
    assert modules.file("x.py", "worker.jobs") == "services/worker/code/worker/jobs.py"
    assert modules.file("x.py", "ops.deploy") == "tools/python/ops/deploy.py"
    assert modules.file("x.py", "extra.helpers") == "src/extra/helpers.py"


def test_relative_imports(modules: PythonModules) -> None:
    importer = "lib/shop/orders.py"
    assert modules.file(importer, ".billing") == "lib/shop/billing/__init__.py"
    assert modules.file(importer, ".billing.stripe") == "lib/shop/billing/stripe.py"
    assert modules.file(importer, "..shop.orders") == "lib/shop/orders.py"
    assert modules.resolve(importer, ".missing").kind == "unresolved"


def test_namespace_packages_and_outside_names(modules: PythonModules) -> None:
    assert modules.file("x.py", "plugins.acme.ext.loader") == "plugins/acme/ext/loader.py"
    assert modules.resolve("x.py", "plugins.acme").kind == "namespace"
    assert modules.resolve("x.py", "requests").kind == "external"
    # the package is ours, the module is not there: not "external"
    assert modules.resolve("x.py", "shop.refunds").kind == "unresolved"
