"""The layers of the package, checked from its imports (tests/architecture.py).

Each rule is also shown to fail: a copy of the package with one bad import
planted must be reported, with the rule and the place.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from architecture import LAYERS, Violation, check, layer_of

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "kol_trust"


def test_the_package_follows_every_rule() -> None:
    violations = check(PACKAGE)
    assert violations == [], "\n".join(map(str, violations))


def test_every_module_is_in_a_layer() -> None:
    for path in PACKAGE.rglob("*.py"):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        layer_of(module)  # raises LookupError for a module in no layer


def test_the_file_list_shows_the_layers() -> None:
    """Every name in LAYERS is a module or package of the tree, and the other way round."""
    named = {name for layer in LAYERS for name in layer}
    present = {p.stem for p in PACKAGE.glob("*.py")} | {
        p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()
    }
    assert named == present


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    root = tmp_path / "kol_trust"
    shutil.copytree(PACKAGE, root, ignore=shutil.ignore_patterns("__pycache__", "*.json", "*.pyc"))
    return root


def plant(root: Path, module: str, lines: str, *, where: str = "top") -> None:
    path = root / module
    text = path.read_text(encoding="utf-8")
    if where == "top":
        head, sep, rest = text.partition("from __future__ import annotations\n")
        text = head + sep + lines + "\n" + rest
    else:
        text += "\n\n" + lines + "\n"
    path.write_text(text, encoding="utf-8")


def rules(violations: list[Violation], module: str) -> set[str]:
    return {v.rule for v in violations if v.module == module}


@pytest.mark.parametrize(
    ("module", "line", "rule", "where"),
    [
        # The engine does no I/O, reads no JSON text, knows nothing above it.
        ("engine/scores.py", "import json", "pure-engine", "top"),
        ("engine/scores.py", "from pathlib import Path", "pure-engine", "top"),
        ("engine/selection.py", "import io", "pure-engine", "top"),
        (
            "engine/gates.py",
            "def today():\n    import datetime\n    return datetime.date.today()",
            "pure-engine",
            "end",
        ),
        ("engine/gates.py", "def read(p):\n    return open(p).read()", "pure-engine", "end"),
        ("engine/scores.py", "from ..wire import to_json", "layer", "top"),
        ("engine/scores.py", "from ..cli import main", "layer", "top"),
        # No module imports another module's private name.
        ("cases.py", "from .wire.fast import _fast_str", "private-name", "top"),
        ("cases.py", "from . import checks\nX = checks._private_helper", "private-name", "top"),
        ("improvement.py", "from .engine.compiled import _proportions", "private-name", "top"),
        # No import inside a function to dodge a cycle.
        (
            "registry.py",
            "def later():\n    from .authoring import lint_rubric\n    return lint_rubric",
            "function-import",
            "end",
        ),
        # Layers: documents never import the tools above them; cycles are found.
        ("model.py", "from .registry import load_rubric", "layer", "top"),
        ("canonical.py", "from .engine import assess", "layer", "top"),
        # Only codegen turns text into code; nothing evaluates a document.
        ("rubric.py", "def run(text):\n    return eval(text)", "no-eval", "end"),
        ("synth.py", "def run(text):\n    exec(text)", "no-eval", "end"),
    ],
)
def test_a_planted_bad_import_is_reported(copy: Path, module: str, line: str, rule: str, where: str) -> None:
    assert check(copy) == []  # the copy is clean before
    plant(copy, module, line, where=where)
    name = "kol_trust." + module.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
    found = check(copy)
    assert rule in rules(found, name), "\n".join(map(str, found))


def test_a_planted_cycle_is_reported(copy: Path) -> None:
    # Same layer, so only the cycle rule can see it: batch → dask → batch.
    plant(copy, "batch.py", "from . import dask")
    found = check(copy)
    cycles = [v for v in found if v.rule == "cycle"]
    assert cycles and "kol_trust.batch" in cycles[0].detail and "kol_trust.dask" in cycles[0].detail


def test_optional_third_party_packages_may_load_lazily(copy: Path) -> None:
    """A function-level import of an optional extra (tqdm, cryptography) is fine: it hides no cycle."""
    plant(copy, "batch.py", "def bar():\n    import tqdm\n    return tqdm", where="end")
    assert check(copy) == []
