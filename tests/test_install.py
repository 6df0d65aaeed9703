"""Installing as a new user would: pyproject.toml, the console script, and the README's set-up section.

The console script is checked in-process (no install needed): ``movielens-recommender`` is
``sys.exit(recommender.__main__.main())``, so ``main`` must take ``argv`` and return an exit code.
"""

from __future__ import annotations

import ast
import csv
import fnmatch
import importlib
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import pytest

from recommender import settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SCRIPT = "movielens-recommender"


def _pyproject() -> dict:
    with (PROJECT_ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)


def _entry_point():
    target = _pyproject()["project"]["scripts"][SCRIPT]
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)


def _readme_setup() -> str:
    """The README's "Set up" section: from its heading up to the next level-2 heading."""
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Set up\n(.*?)(?=^## )", text, flags=re.M | re.S)
    assert match, 'README.md has no "## Set up" section followed by another "## " heading'
    return match.group(1)


# ------------------------------------------------------------------------------------------
# The console script


def test_console_script_is_main_of_python_m_recommender() -> None:
    from recommender.__main__ import main

    assert _pyproject()["project"]["scripts"] == {SCRIPT: "recommender.__main__:main"}
    assert _entry_point() is main


def test_help_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        _entry_point()(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage:")
    for command in ("info", "evaluate", "recommend"):
        assert command in out


def _expected_numbers(folder: Path) -> tuple[int, int]:
    with (folder / "ratings.csv").open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    return len({row["userId"] for row in rows}), len(rows)


def test_info_with_movielens_dir_prints_the_numbers(
    movielens_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(settings.ENV_DIR, str(movielens_dir))
    # What the generated script does: sys.exit(main()), so the return value is the exit code.
    with pytest.raises(SystemExit) as exit_info:
        sys.exit(_entry_point()(["info"]))
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    users, ratings = _expected_numbers(movielens_dir)
    assert f"{users:,} users" in out
    assert f"{ratings:,} ratings" in out
    assert "sparsity" in out


def test_bad_data_path_is_exit_code_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        sys.exit(_entry_point()(["--data", str(tmp_path / "missing"), "info"]))
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("error:")
    assert "Traceback" not in captured.err


# ------------------------------------------------------------------------------------------
# pyproject.toml


def test_pyproject_builds_with_setuptools_and_supports_311_to_313() -> None:
    data = _pyproject()
    assert data["build-system"]["build-backend"] == "setuptools.build_meta"
    assert any(req.startswith("setuptools") for req in data["build-system"]["requires"])
    project = data["project"]
    assert project["requires-python"] == ">=3.11"
    for minor in (11, 12, 13):
        assert f"Programming Language :: Python :: 3.{minor}" in project["classifiers"]


def test_package_discovery_finds_every_subpackage() -> None:
    """Every folder of recommender/ holding modules is installed (cli/ has no __init__.py)."""
    find = _pyproject()["tool"]["setuptools"]["packages"]["find"]
    assert find.get("namespaces", True), "namespace discovery is needed for recommender/cli"
    folders = {
        ".".join(path.parent.relative_to(PROJECT_ROOT).parts)
        for path in (PROJECT_ROOT / "recommender").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert {"recommender", "recommender.cli", "recommender.knn._kernels"} <= folders
    for package in sorted(folders):
        assert any(fnmatch.fnmatchcase(package, pattern) for pattern in find["include"]), package
        assert not any(fnmatch.fnmatchcase(package, p) for p in find.get("exclude", [])), package


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        name, sep, version = line.partition("==")
        assert sep, f"{path.name}: {line!r} is not pinned with =="
        pins[_normalize(name)] = version.strip()
    return pins


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version.split("+")[0])[:4])


def _satisfies(version: str, requirement: str) -> bool:
    try:
        from packaging.requirements import Requirement
    except ImportError:  # a tiny fallback: floors only
        floor = requirement.split(">=", 1)[1].split(",")[0].strip()
        return _version_tuple(version) >= _version_tuple(floor)
    return Requirement(requirement).specifier.contains(version, prereleases=True)


def test_dependency_floors_are_satisfied_by_the_pins() -> None:
    pins = _pins(PROJECT_ROOT / "requirements.txt")
    for requirement in _pyproject()["project"]["dependencies"]:
        match = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)$", requirement)
        assert match, requirement
        name, specifier = _normalize(match.group(1)), match.group(2)
        assert ">=" in specifier, f"{requirement}: every dependency has a floor"
        assert name in pins, f"{requirement}: not pinned in requirements.txt"
        assert _satisfies(pins[name], requirement), f"requirements.txt pins {name}=={pins[name]}"


def _third_party_imports() -> set[str]:
    """Top-level modules that the package imports and neither the standard library nor it has."""
    names = set()
    for path in (PROJECT_ROOT / "recommender").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in ("recommender",)}


def test_every_imported_distribution_is_a_declared_dependency() -> None:
    """`pip install .` alone brings everything the package imports (requirements.txt may pin
    more: llvmlite, numba's own dependency, for instance)."""
    declared = {
        _normalize(re.match(r"[A-Za-z0-9._-]+", requirement).group(0))
        for requirement in _pyproject()["project"]["dependencies"]
    }
    owners = importlib.metadata.packages_distributions()
    imports = _third_party_imports()
    assert {"numpy", "pandas", "streamlit", "surprise"} <= imports
    for module in sorted(imports):
        distributions = {_normalize(d) for d in owners.get(module, ())}
        assert distributions, f"recommender imports {module!r}, which is not installed"
        assert distributions & declared, (
            f"recommender imports {module!r} (from {sorted(distributions)}): not in "
            "pyproject.toml's dependencies"
        )


def test_version_compare_fallback() -> None:
    assert _version_tuple("1.67.0") > _version_tuple("1.40")
    assert _version_tuple("0.68.1") >= _version_tuple("0.60")
    assert _version_tuple("2.4.6") < _version_tuple("2.10")
    assert _satisfies("1.67.0", "streamlit>=1.67")
    assert not _satisfies("1.66.9", "streamlit>=1.67")


def test_dev_requirements_are_pinned_and_include_the_runtime_ones() -> None:
    text = (PROJECT_ROOT / "requirements-dev.txt").read_text(encoding="utf-8")
    assert "-r requirements.txt" in text
    assert {"pytest", "playwright", "ruff"} <= set(_pins(PROJECT_ROOT / "requirements-dev.txt"))


# ------------------------------------------------------------------------------------------
# The README's set-up section


def test_readme_table_lists_every_environment_variable() -> None:
    section = _readme_setup()
    in_table = set(re.findall(r"^\|\s*`([A-Z][A-Z0-9_]+)`", section, flags=re.M))
    variables = {
        value
        for name, value in vars(settings).items()
        if name.startswith("ENV_") and isinstance(value, str)
    }
    assert {"MOVIELENS_DIR", "MOVIELENS_URL", "MOVIELENS_DATA_HOME"} <= variables
    assert variables <= in_table, f"missing from the README's table: {sorted(variables - in_table)}"


def test_readme_names_the_console_script_and_the_real_url() -> None:
    section = _readme_setup()
    for script in _pyproject()["project"]["scripts"]:
        assert script in section
    assert "http://localhost:8501" in section
    assert "python3 -m venv .venv" in section
