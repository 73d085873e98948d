"""System checks for the vendor patches (cms/base/vendor): each runs only on a version it was
tested on, and no code outside that package reaches a private name of another library."""

import ast
from importlib.metadata import version
from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Info, Tags, register

from . import vendor

#: The packages held to it (tests may look inside what they test).
APPLICATION = ("cms", "campaigns", "signatures", "insights", "reporting")
#: Underscored names that are public by their library's own documentation: a model's
#: `_meta`, `_state` and `_base_manager` (Django's model reference) and `os._exit` (for a
#: child process after a fork).
DOCUMENTED = {"_meta", "_state", "_base_manager", "_exit"}


def installed(library: str) -> tuple[int, int]:
    major, minor, *_rest = version(library).split(".")
    return int(major), int(minor)


@register()
def patches_are_tested_here(app_configs, **kwargs):
    """cms.E001: a patch on a version of its library it was not tested on stops start-up."""
    errors = []
    for patch in vendor.patches():
        found = installed(patch.LIBRARY)
        if found not in patch.TESTED:
            tested = ", ".join(f"{major}.{minor}" for major, minor in patch.TESTED)
            errors.append(
                Error(
                    f"cms/base/vendor/{_name(patch)}.py was written for {patch.LIBRARY} {tested}, "
                    f"not the installed {found[0]}.{found[1]}.",
                    hint=f"See whether {patch.UPSTREAM} still needs it; test it on this "
                    "version and add it to TESTED, or remove the patch.",
                    id="cms.E001",
                )
            )
    return errors


@register(Tags.compatibility, deploy=True)
def patches_in_force(app_configs, **kwargs):
    """cms.I001, with --deploy: what is patched, on which version, answering what."""
    return [
        Info(
            f"{_name(patch)}: {patch.LIBRARY} {'.'.join(map(str, installed(patch.LIBRARY)))} "
            f"patched ({patch.UPSTREAM}).",
            id="cms.I001",
        )
        for patch in vendor.patches()
        if installed(patch.LIBRARY) in patch.TESTED
    ]


def _name(patch) -> str:
    return patch.__name__.rsplit(".", 1)[-1]


@register(Tags.compatibility, deploy=True)
def private_names_stay_in_vendor(app_configs, **kwargs):
    """cms.E002: an underscored attribute of something not Clarion's own, outside
    cms/base/vendor (a private part of Django, Wagtail, kombu or redis-py)."""
    return [
        Error(
            f"{path}:{line} reaches the private name {name!r} outside cms/base/vendor.",
            hint="Use a public API, or move the access into a module of cms/base/vendor with its "
            "upstream reference and the versions it was tested on.",
            id="cms.E002",
        )
        for path, line, name in private_accesses(Path(settings.BASE_DIR))
    ]


def private_accesses(base: Path) -> list[tuple[str, int, str]]:
    """(file, line, name) of each underscored attribute used in APPLICATION outside
    cms/base/vendor that no module of APPLICATION defines (a method, a class or module name,
    an attribute its own classes set on `self`)."""
    trees = {
        path: ast.parse(path.read_text(), str(path))
        for package in APPLICATION
        for path in sorted((base / package).rglob("*.py"))
        if "migrations" not in path.parts
    }
    own = set().union(*(_defined(tree) for tree in trees.values())) | DOCUMENTED
    vendor = base / "cms" / "base" / "vendor"
    return [
        (str(path.relative_to(base)), line, name)
        for path, tree in trees.items()
        if vendor not in path.parents
        for line, name in _used(tree)
        if name not in own
    ]


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _defined(tree) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Store)
            and isinstance(node.value, ast.Name)
            and node.value.id in ("self", "cls")
        ):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return {name for name in names if _private(name)}


def _used(tree) -> list[tuple[int, str]]:
    used = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            used.append((node.lineno, node.attr))
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            used += [(node.lineno, alias.name) for alias in node.names if _private(alias.name)]
        elif (  # getattr(x, "_name"), hasattr(...), setattr(...)
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "hasattr", "setattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and _private(node.args[1].value)
        ):
            used.append((node.lineno, node.args[1].value))
    return used
