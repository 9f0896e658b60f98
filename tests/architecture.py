"""The package's layers, and the rules its imports follow, checked from the source.

Used by tests/test_architecture.py, on the package and on copies of it with a
bad import planted, to show that each rule can fail.
"""

from __future__ import annotations

import ast
from pathlib import Path

import attrs

#: The layers, bottom to top: a module may import from its own layer and
#: those below, never from above.  Names are module paths below ``kol_trust``
#: (a package stands for all its modules).
LAYERS: tuple[tuple[str, ...], ...] = (
    (
        "accel",
        "errors",
        "checks",
        "codegen",
        "fieldtypes",
        "interrupts",
        "numbers",
        "tables",
        "version",
        "words",
    ),  # field checks, words, backend
    ("model", "rubric", "assessment"),  # documents
    ("canonical",),  # RFC 8785 bytes, digests, fingerprint
    ("engine",),  # algorithm 1, pure
    ("wire",),  # converter, paths, text
    ("registry", "cases"),
    (
        "authoring",
        "certification",
        "credentials",
        "improvement",
        "report",
        "batch",
        "pack",
        "synth",
        "dask",
        "schema",
        "testing",
    ),
    ("cli",),
    ("__init__", "__main__"),
)

#: Standard-library modules the pure engine may not import: I/O, the clock,
#: randomness, processes, the wire format.
ENGINE_FORBIDDEN = frozenset(
    {
        "json", "io", "os", "sys", "pathlib", "time", "random", "secrets", "socket", "subprocess",
        "tempfile", "shutil", "glob", "urllib", "http", "threading", "multiprocessing", "concurrent",
        "logging", "importlib", "pickle", "tomllib", "argparse",
    }
)  # fmt: skip
#: Calls the engine may not make: I/O and the clock.
ENGINE_FORBIDDEN_CALLS = frozenset({"open", "print", "input", "now", "today", "utcnow", "time", "perf_counter"})
#: Only this module turns text into code.
CODEGEN = "kol_trust.codegen"


@attrs.frozen
class Violation:
    rule: str
    module: str
    line: int
    detail: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line}: [{self.rule}] {self.detail}"


@attrs.frozen
class _Import:
    target: str  # a kol_trust module, or a top-level third-party / stdlib module
    names: tuple[str, ...]  # names imported from it (from-imports)
    line: int
    in_function: bool


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_package(root: Path, module: str) -> bool:
    return (root.parent / Path(*module.split(".")) / "__init__.py").exists()


def _exists(root: Path, module: str) -> bool:
    base = root.parent / Path(*module.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def _from_target(node: ast.ImportFrom, package: str) -> str:
    """The module a ``from … import`` names, relative imports resolved against *package*."""
    if not node.level:
        return node.module or ""
    base = package.split(".")
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _imports(root: Path, path: Path, module: str) -> list[_Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[_Import] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.Import):
                for alias in child.names:
                    found.append(_Import(alias.name, (), child.lineno, in_function))
            elif isinstance(child, ast.ImportFrom):
                target = _from_target(child, package)
                names = tuple(a.name for a in child.names)
                # ``from . import model``: an import of the module kol_trust.model.
                subs = [n for n in names if _exists(root, f"{target}.{n}")] if target.startswith("kol_trust") else []
                for n in subs:
                    found.append(_Import(f"{target}.{n}", (), child.lineno, in_function))
                rest = tuple(n for n in names if n not in subs)
                if rest or not subs:
                    found.append(_Import(target, rest, child.lineno, in_function))
            visit(child, nested)

    visit(tree, False)
    return found


def layer_of(module: str) -> int:
    rel = module.removeprefix("kol_trust").lstrip(".") or "__init__"
    for rank, names in enumerate(LAYERS):
        for name in names:
            if rel == name or rel.startswith(name + "."):
                return rank
    raise LookupError(f"{module} is in no layer: add it to LAYERS")


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def check(root: Path) -> list[Violation]:
    """Every violation of the rules in the package at *root* (the ``kol_trust`` folder)."""
    out: list[Violation] = []
    graph: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.py")):
        module = _module_name(root, path)
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source, str(path))
        try:
            rank = layer_of(module)
        except LookupError as e:
            out.append(Violation("layer", module, 1, str(e)))
            continue
        is_engine = module == "kol_trust.engine" or module.startswith("kol_trust.engine.")
        edges = graph.setdefault(module, set())
        for imp in _imports(root, path, module):
            top = imp.target.split(".")[0]
            if top != "kol_trust":
                if is_engine and top in ENGINE_FORBIDDEN:
                    out.append(Violation("pure-engine", module, imp.line, f"imports {imp.target}"))
                continue
            if imp.in_function:
                out.append(Violation("function-import", module, imp.line, f"imports {imp.target} inside a function"))
            target_rank = layer_of(imp.target) if imp.target != "kol_trust" else len(LAYERS) - 1
            if target_rank > rank:
                out.append(
                    Violation(
                        "layer", module, imp.line, f"imports {imp.target}, a layer above (layer {target_rank} > {rank})"
                    )
                )
            last = imp.target.rsplit(".", 1)[-1]
            if _private(last) and imp.target != module:
                out.append(Violation("private-name", module, imp.line, f"imports the private module {imp.target}"))
            for name in imp.names:
                if _private(name) and imp.target != module:
                    out.append(Violation("private-name", module, imp.line, f"imports {imp.target}.{name}"))
            if imp.target != module and not module.startswith(
                imp.target + "."
            ):  # a package's own __init__ is not a cycle
                edges.add(imp.target)
        aliases = _module_aliases(root, tree, module)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and _private(node.attr)
            ):
                out.append(Violation("private-name", module, node.lineno, f"uses {aliases[node.value.id]}.{node.attr}"))
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                if name in {"eval", "__import__", "import_module"} or (name == "exec" and module != CODEGEN):
                    out.append(Violation("no-eval", module, node.lineno, f"calls {name}()"))
                if is_engine and name in ENGINE_FORBIDDEN_CALLS:
                    out.append(Violation("pure-engine", module, node.lineno, f"calls {name}()"))
    out.extend(_cycles(graph))
    return out


def _module_aliases(root: Path, tree: ast.Module, module: str) -> dict[str, str]:
    """Local names bound to kol_trust modules (``from . import checks as c``)."""
    package = module if _is_package(root, module) else module.rpartition(".")[0]
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            target = _from_target(node, package)
            for a in node.names:
                if _exists(root, f"{target}.{a.name}"):
                    aliases[a.asname or a.name] = f"{target}.{a.name}"
    return aliases


def _cycles(graph: dict[str, set[str]]) -> list[Violation]:
    """Import cycles between modules (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[Violation] = []
    counter = 0

    def strongconnect(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in graph:
                continue
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(Violation("cycle", v, 1, "import cycle: " + " → ".join(sorted(component))))

    for v in sorted(graph):
        if v not in index:
            strongconnect(v)
    return found
