"""No module but ``index/whoosh_internals.py`` reaches below Whoosh's public API.

Whoosh's private names change between versions without notice; the fence module is written for
one version and refuses any other, so everything the project does with them must stay inside
it. This scans the source of ``index/``, ``search/`` and ``web/`` (the fence module excepted) for
any way of reaching past Whoosh's public API:

- importing a Whoosh module outside ``PUBLIC_MODULES`` (the codec, the structured files, the
  writer's internals, the utilities and automata), or a private name from any Whoosh module;
- reading, writing or calling an attribute whose name is one of Whoosh's private names (any
  ``_name`` its source defines or uses), as ``searcher._ix`` or ``getattr(reader, "_segment")``,
  or passing one as a keyword argument (``SegmentWriter(ix, _lk=False)``). ``self._name`` and
  ``super()._name`` are the project's own in a class of its own, and so is ``other._name`` where
  the module's own classes define ``_name``; in a class derived from a Whoosh class they are
  Whoosh's, and so is a method or class attribute of such a name there.

The names are those of the installed Whoosh, read from its source, so a private name that a
module of the project happens to share is caught too; the way out is a name of its own.
"""

import ast
import importlib
import importlib.util
import warnings
from functools import cache
from pathlib import Path

import pytest
import whoosh

ROOT = Path(__file__).resolve().parent.parent
FENCE = ROOT / "index" / "whoosh_internals.py"
SCANNED = ("index", "search", "web")
# Whoosh's modules for applications: opening and storing indexes, schemas, analysis, queries,
# searching, scoring, matching (to write a query class), collecting, sorting, correcting.
PUBLIC_MODULES = {
    "whoosh",
    "whoosh.analysis",
    "whoosh.collectors",
    "whoosh.fields",
    "whoosh.filedb.filestore",
    "whoosh.formats",
    "whoosh.highlight",
    "whoosh.idsets",
    "whoosh.index",
    "whoosh.lang",
    "whoosh.matching",
    "whoosh.qparser",
    "whoosh.query",
    "whoosh.reading",
    "whoosh.scoring",
    "whoosh.searching",
    "whoosh.sorting",
    "whoosh.spelling",
    "whoosh.support.charset",
}
ACCESSORS = {"getattr", "hasattr", "setattr", "delattr"}


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


@cache
def whoosh_private_names() -> frozenset[str]:
    """Every private name Whoosh's source defines or uses: functions, classes, attributes,
    variables and parameters."""
    names = set()
    for path in Path(whoosh.__file__).parent.rglob("*.py"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)  # Whoosh's own invalid escapes
            warnings.simplefilter("ignore", DeprecationWarning)
            tree = ast.parse(path.read_bytes())
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = node.name
            elif isinstance(node, ast.Attribute):
                name = node.attr
            elif isinstance(node, ast.Name):
                name = node.id
            elif isinstance(node, ast.arg):
                name = node.arg
            elif isinstance(node, ast.keyword):
                name = node.arg or ""
            else:
                continue
            if _private(name):
                names.add(name)
    return frozenset(names)


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def _project_class_derives_from_whoosh(module: str, name: str) -> bool:
    found = getattr(importlib.import_module(module), name, None)
    return isinstance(found, type) and any(c.__module__.split(".")[0] == "whoosh" for c in found.__mro__[1:])


def violations(label: str, source: str, package: str = "") -> list[str]:
    """Each reach below Whoosh's public API in one module's ``source`` (``package``: the
    module's package, for its relative imports)."""
    tree = ast.parse(source)
    private = whoosh_private_names()
    out = []

    def report(node, what):
        out.append(f"{label}:{node.lineno}: {what}")

    # Names bound to Whoosh (imported from it), and names imported from the project's modules.
    from_whoosh: set[str] = set()
    from_project: dict[str, tuple[str, str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "whoosh":
                    from_whoosh.add((alias.asname or alias.name).split(".")[0])
                    if alias.name not in PUBLIC_MODULES:
                        report(node, f"imports {alias.name}, below Whoosh's public API")
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{module}" if module else base
            for alias in node.names:
                bound = alias.asname or alias.name
                if module.split(".")[0] == "whoosh":
                    from_whoosh.add(bound)
                    full = f"{module}.{alias.name}"
                    imported = full if _is_module(full) else module
                    if _private(alias.name):
                        report(node, f"imports {full}, private to Whoosh")
                    elif imported not in PUBLIC_MODULES:
                        report(node, f"imports {full} from {module}, below Whoosh's public API")
                elif module.split(".")[0] in SCANNED:
                    from_project[bound] = (module, alias.name)

    # Classes derived from Whoosh's: a base bound to Whoosh, a project class derived from one
    # (imported, or defined earlier in the module).
    derived: set[str] = set()
    classes = [node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    for node in sorted(classes, key=lambda n: n.lineno):
        for base in node.bases:
            root = base
            while isinstance(root, ast.Attribute):
                root = root.value
            if not isinstance(root, ast.Name):
                continue
            if (
                root.id in from_whoosh
                or root.id in derived
                or (root.id in from_project and _project_class_derives_from_whoosh(*from_project[root.id]))
            ):
                derived.add(node.name)

    # The private names the module's own classes define (methods, class attributes, attributes
    # set on self): its code may use them on any of its objects (``other._counts``).
    own_names: set[str] = set()
    for node in classes:
        if node.name in derived:
            continue
        for item in ast.walk(node):
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                own_names.add(item.name)
            elif (
                isinstance(item, ast.Attribute)
                and isinstance(item.ctx, ast.Store)
                and isinstance(item.value, ast.Name)
                and item.value.id in ("self", "cls")
            ):
                own_names.add(item.attr)
            elif isinstance(item, ast.Name) and isinstance(item.ctx, ast.Store):
                own_names.add(item.id)

    def visit(node, in_class: ast.ClassDef | None):
        whoosh_class = in_class is not None and in_class.name in derived
        if isinstance(node, ast.ClassDef):
            if node.name in derived:
                for item in node.body:
                    names = (
                        [item.name]
                        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                        else [
                            t.id
                            for t in getattr(item, "targets", [getattr(item, "target", None)])
                            if isinstance(t, ast.Name)
                        ]
                    )
                    for name in names:
                        if name in private:
                            report(item, f"{node.name}.{name} overrides Whoosh's private {name}")
            for child in ast.iter_child_nodes(node):
                visit(child, node)
            return
        own = (not whoosh_class) and in_class is not None
        if isinstance(node, ast.Attribute) and node.attr in private:
            base = node.value
            on_self = (
                isinstance(base, ast.Name)
                and base.id in ("self", "cls")
                or (isinstance(base, ast.Call) and isinstance(base.func, ast.Name) and base.func.id == "super")
            )
            if not (own and on_self) and not (node.attr in own_names and not whoosh_class):
                report(node, f"{ast.unparse(node)} uses Whoosh's private {node.attr}")
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in ACCESSORS and len(node.args) >= 2:
                target, name = node.args[0], node.args[1]
                on_self = isinstance(target, ast.Name) and target.id in ("self", "cls")
                if (
                    isinstance(name, ast.Constant)
                    and name.value in private
                    and not (own and on_self)
                    and not (name.value in own_names and not whoosh_class)
                ):
                    report(node, f"{ast.unparse(node)} uses Whoosh's private {name.value}")
            for keyword in node.keywords:
                if keyword.arg in private:
                    report(node, f"{ast.unparse(func)}({keyword.arg}=...) passes Whoosh's private {keyword.arg}")
        for child in ast.iter_child_nodes(node):
            visit(child, in_class)

    visit(tree, None)
    return out


def scanned_modules():
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path != FENCE:
                yield path


def _package(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).parent.parts)


def test_no_module_but_the_fence_reaches_below_whoosh_public_api():
    found = []
    for path in scanned_modules():
        found += violations(str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"), _package(path))
    assert not found, "reach index/whoosh_internals.py's functions instead:\n" + "\n".join(found)


def test_the_fence_module_is_where_the_reach_is():
    """The check sees what the fence module does: it would see it anywhere else."""
    found = violations("index/whoosh_internals.py", FENCE.read_text(encoding="utf-8"), "index")
    text = "\n".join(found)
    for expected in (
        "whoosh.codec.whoosh3",
        "._terms",
        "._perdoc",
        "._segment",
        "_lk=",
        "overrides Whoosh's private _flush_segment",
        "overrides Whoosh's private _suggestions",
        "._colfiles",
        "whoosh.writing",
    ):
        assert expected in text, expected


# Regressions: each put into a real module, where the check must find it.
REGRESSIONS = {
    "search/engine.py": [
        "\n\ndef _index_of(snap):\n    return snap.searcher._ix\n",
        "\n\ndef _segment(reader):\n    return getattr(reader, '_segment', None)\n",
        "\nfrom whoosh.codec.whoosh3 import W3Codec\n",
        "\nfrom whoosh.util.numeric import byte_to_length\n",
        "\nimport whoosh.codec.whoosh3\n",
        "\nfrom whoosh.codec.whoosh3 import _lenfield\n",
        "\nfrom whoosh import writing\n",
        "\n\ndef _b(weighting, name):\n    return weighting._field_B.get(name)\n",
    ],
    "search/scoring.py": [
        "\n\nclass Faster(wq.Or):\n    def _matcher(self, subs, searcher, context):\n        return None\n",
        "\n\nclass Remembered(wq.Term):\n    def remember(self):\n        self._fieldname = self.fieldname\n",
    ],
    "index/segments.py": [
        "\n\ndef _new(ix):\n    return BulkSegmentWriter(ix, _lk=False)\n",
        "\n\nclass Quiet(BulkSegmentWriter):\n    def write_postings(self):\n        self._check_state()\n",
        "\n\ndef _commit(writer):\n    writer._commit_toc([])\n",
    ],
    "search/spelling.py": [
        "\n\nclass Other(VocabularyCorrector):\n"
        "    def _suggestions(self, text, maxdist, prefix):\n        return []\n",
    ],
}


@pytest.mark.parametrize("module,regression", [(m, r) for m, rs in REGRESSIONS.items() for r in rs])
def test_the_check_finds_a_reach_put_back_into_a_module(module, regression):
    path = ROOT / module
    source = path.read_text(encoding="utf-8")
    assert not violations(module, source, _package(path))
    assert violations(module, source + regression, _package(path)), regression
