"""CI proves the fresh machine: every module that engine/, jobs/ and datasets/ import is
the standard library, the project itself, or a dependency declared in pyproject.toml.
(tests/ and benchmarks/ may also use the `test` extra.) A module imported but not declared
works only on a machine where someone installed it by hand, as jpholiday once did."""
from __future__ import annotations

import ast
import functools
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = {"engine", "jobs", "datasets", "copybooks", "tests", "benchmarks"}
# maintainer tools inside engine/ that never run in a user's install, and the extra they need
MAINTAINER_TOOLS = {
    "engine/codepages/build_tables.py": "test",   # regenerates the committed tables (ebcdic's cp290)
}


@functools.cache
def _distributions() -> dict[str, list[str]]:
    return packages_distributions()


def _dist_name(requirement: str) -> str:
    name = re.split(r"[\s\[<>=!~;]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> tuple[set[str], set[str]]:
    """(what engine/, jobs/, datasets/ may import, what tests/ and benchmarks/ may add): the
    dependencies and the feature extras (`pip install 'densan[cluster]'`), and the test extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project.get("optional-dependencies", {})
    runtime = {_dist_name(r) for r in project.get("dependencies", [])}
    runtime |= {_dist_name(r) for name, reqs in extras.items() if name != "test" for r in reqs}
    test = {_dist_name(r) for r in extras.get("test", [])}
    return runtime, test


def imported_modules(folder: Path, skip: set[str] = frozenset()) -> dict[str, str]:
    """Top-level module name -> first place it is imported (file:line), relative imports left out."""
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*.py")):
        if str(path.relative_to(ROOT)) in skip:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def undeclared(folder: str, allowed: set[str], extras: dict[str, set[str]] | None = None) -> list[str]:
    dists = _distributions()
    problems = []
    for module, where in sorted(imported_modules(ROOT / folder, skip=set(extras or {})).items()):
        if module in sys.stdlib_module_names or module in PROJECT_PACKAGES or module == "__future__":
            continue
        owners = {re.sub(r"[-_.]+", "-", d).lower() for d in dists.get(module, [])}
        if not owners:
            problems.append(f"{where}: imports {module}, which no installed distribution provides")
        elif not owners & allowed:
            problems.append(f"{where}: imports {module} (from {', '.join(sorted(owners))}), "
                            f"not declared in pyproject.toml")
    return problems


def test_the_scan_sees_third_party_imports():
    mods = imported_modules(ROOT / "engine")
    assert "polars" in mods and "click" in mods and "engine" in mods


def test_application_imports_only_declared_dependencies():
    runtime, test = declared()
    problems = [p for folder in ("engine", "jobs", "datasets") for p in undeclared(folder, runtime, MAINTAINER_TOOLS)]
    assert not problems, "declare these in [project] dependencies:\n" + "\n".join(problems)


def test_maintainer_tools_import_only_their_extra():
    runtime, test = declared()
    for tool, extra in MAINTAINER_TOOLS.items():
        folder = ROOT / Path(tool).parent
        others = {str(p.relative_to(ROOT)) for p in folder.rglob("*.py")} - {tool}
        own = set(imported_modules(folder, skip=others))
        assert extra == "test"
        dists = _distributions()
        for m in own - set(sys.stdlib_module_names) - PROJECT_PACKAGES - {"__future__"}:
            owners = {re.sub(r"[-_.]+", "-", d).lower() for d in dists.get(m, [])}
            assert owners & (runtime | test), f"{tool} imports {m}, declared nowhere"


def test_tests_and_benchmarks_import_only_declared_dependencies():
    runtime, test = declared()
    problems = [p for folder in ("tests", "benchmarks") for p in undeclared(folder, runtime | test)]
    assert not problems, "declare these in [project.optional-dependencies] test:\n" + "\n".join(problems)


def test_an_undeclared_import_is_caught(tmp_path, monkeypatch):
    pkg = tmp_path / "fake"
    pkg.mkdir()
    (pkg / "m.py").write_text("import json\nimport polars\nfrom hypothesis import given\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    problems = undeclared("fake", {"polars"})
    assert len(problems) == 1 and "hypothesis" in problems[0] and "fake/m.py:3" in problems[0]
