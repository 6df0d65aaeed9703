"""The architecture's rules, checked on the source: layers, sizes, one home per concept.

Layers, lowest first; a module may import only from its own layer's subpackage or lower ones
(docs/ARCHITECTURE.md draws the same picture).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "recommender"
LAYERS: dict[str, int] = {
    "settings": 0,
    "data": 1,
    "explore": 2,
    "knn": 2,
    "ranking": 2,
    "models": 3,
    "evaluation": 4,
    "recommend": 4,
    "choice": 5,
    "cli": 6,
    "app": 6,
    "__main__": 7,
    "": 7,  # recommender/__init__.py re-exports the data layer's public face
}
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 80
MAX_KERNEL_ARGS = 8


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _subpackage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((a.name, []) for a in node.names)
    return found


def _target_subpackage(module: str, names: list[str]) -> list[str]:
    if module == "recommender":
        return names
    return [_subpackage(module)]


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_go_down_the_layers_and_never_reach_private_names(path: Path) -> None:
    own = _subpackage(_module_name(path))
    for module, names in _imports(path):
        if not module.startswith("recommender"):
            continue
        for target in _target_subpackage(module, names):
            if target == own:
                continue
            assert LAYERS[target] <= LAYERS[own], f"{own} imports the higher layer {target}"
            private = [p for p in module.split(".")[2:] if p.startswith("_")]
            private += [n for n in names if n.startswith("_")]
            assert not private, f"{own} imports private names {private} of {target}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_and_functions_stay_small(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") <= MAX_MODULE_LINES
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            assert length <= MAX_FUNCTION_LINES, f"{node.name} is {length} lines"


def test_compiled_kernels_take_few_arguments() -> None:
    for path in (PACKAGE / "knn").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef):
                continue
            jitted = any("njit" in ast.unparse(d) for d in node.decorator_list)
            if jitted:
                assert len(node.args.args) <= MAX_KERNEL_ARGS, f"{path.name}:{node.name}"


def test_streamlit_lives_in_the_app_layer_only() -> None:
    for path in _modules():
        uses = any(m.split(".")[0] == "streamlit" for m, _ in _imports(path))
        if uses:
            assert _subpackage(_module_name(path)) == "app", path


def test_no_private_streamlit_api_anywhere() -> None:
    app_code = [*_modules(), ROOT / "streamlit_app.py", *(ROOT / "pages").glob("*.py")]
    for path in app_code:
        for module, names in _imports(path):
            if module.startswith("streamlit"):
                assert not module.startswith("streamlit.runtime"), f"{path}: {module}"
                assert not any(n.startswith("_") for n in names), f"{path}: {names}"


def test_environment_is_read_in_settings_only() -> None:
    for path in _modules():
        if path.name == "settings.py":
            continue
        assert "os.environ" not in path.read_text(encoding="utf-8"), path


def test_public_modules_declare_their_api() -> None:
    for path in _modules():
        if path.name == "__main__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        declared = any(
            isinstance(node, ast.Assign | ast.AnnAssign)
            and "__all__" in ast.unparse(node).split("=")[0]
            for node in tree.body
        )
        assert declared, f"{path} has no __all__"


def test_pages_are_thin_layouts_of_render_functions() -> None:
    for path in [ROOT / "streamlit_app.py", *(ROOT / "pages").glob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                length = node.end_lineno - node.lineno + 1
                assert length <= MAX_FUNCTION_LINES, f"{path.name}:{node.name} is {length} lines"
        imported = {m for m, _ in _imports(path) if m.startswith("recommender")}
        assert "recommender.app.frame" in imported, f"{path.name} does not draw the frame"
