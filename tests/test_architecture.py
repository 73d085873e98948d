"""The import contracts in pyproject.toml (run by `make check` as `lint-imports`) hold, and
each one fails when an import breaks it.

The code's real import graph is checked as it is, then with one import added, as if a
module had written it (at the top or inside a function: both are edges of the graph).
"""

import copy
import tomllib
from pathlib import Path

import pytest
from importlinter.adapters.building import GraphBuilder
from importlinter.application import use_cases
from importlinter.application.app_config import settings as linter_settings
from importlinter.configuration import configure

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


_real_graphs = {}


class _GraphWithOneMoreImport(GraphBuilder):
    def __init__(self, importer: str | None, imported: str | None):
        self.importer, self.imported = importer, imported

    def build(self, **arguments):
        key = repr(sorted(arguments.items()))
        if key not in _real_graphs:
            _real_graphs[key] = super().build(**arguments)
        graph = copy.deepcopy(_real_graphs[key])
        if self.importer:
            graph.add_import(
                importer=self.importer,
                imported=self.imported,
                line_number=1,
                line_contents=f"from {self.imported} import something",
            )
        return graph


def broken_contracts(importer: str | None = None, imported: str | None = None) -> set[str]:
    configure()
    linter_settings.configure(GRAPH_BUILDER=_GraphWithOneMoreImport(importer, imported))
    options = use_cases.read_user_options(str(PYPROJECT))
    use_cases._register_contract_types(options)  # as lint-imports does before checking
    report = use_cases.create_report(options, cache_dir=None)
    assert not report.could_not_run, report.invalid_contract_options
    return {
        contract.contract_options["id"]
        for contract, check in report.get_contracts_and_checks()
        if not check.kept
    }


def test_the_code_keeps_every_contract():
    assert broken_contracts() == set()


@pytest.mark.parametrize(
    ("importer", "imported", "broken"),
    [
        # A service importing a task: up a layer, past the outbox, a cycle (tasks import the
        # services), and the form's view would reach the tasks through it.
        (
            "signatures.services.signing",
            "signatures.tasks",
            {"signatures-layers", "services-enqueue-by-name", "no-cycles", "entry-points"},
        ),
        # A service publishing to Celery itself rather than through the outbox.
        ("signatures.services.delivery", "celery", {"services-enqueue-by-name"}),
        # One entry point using another: a shared read belongs in a lower layer.
        ("signatures.api", "campaigns.api", {"entry-points"}),
        ("signatures.tasks", "signatures.admin.listing", {"signatures-layers", "entry-points"}),
        ("campaigns.api", "campaigns.target_admin", {"campaigns-layers", "entry-points"}),
        # A model reaching up for a service.
        (
            "signatures.models.signature",
            "signatures.services.moderation",
            {"signatures-layers", "no-cycles"},
        ),
        # Two services importing each other: same layer, but a cycle.
        ("signatures.services.mailer", "signatures.services.delivery", {"no-cycles"}),
        # The apps run one way: campaigns knows nothing of the actions taken on it (it asks
        # for them through campaigns.page_parts), nor insights of signatures.
        ("campaigns.models.page", "signatures.forms", {"layers"}),
        ("campaigns.api", "insights.sources", {"layers"}),
        ("insights.sources", "signatures.supporter_fields", {"layers"}),
        # Statistics read signatures and insights, which never read them: a signatures screen
        # links to them by URL name, and hands them their place by hook name.
        ("signatures.admin.listing", "reporting.figures", {"layers"}),
        ("insights.page_views", "reporting.figures", {"layers"}),
        # Inside reporting: the figures know nothing of the screens that show them, and a
        # module in no layer fails until it is placed.
        ("reporting.figures", "reporting.views", {"reporting-layers", "no-cycles"}),
        ("reporting.unplaced", "django.conf", {"reporting-layers"}),
        # A directory's import asks for the letters owed through campaigns.directory_hooks.
        ("campaigns.directory_import.refresh", "signatures.models", {"layers"}),
        # A model reaching up for the import that writes it.
        (
            "campaigns.models.directories",
            "campaigns.directory_import",
            {"campaigns-layers", "no-cycles"},
        ),
        # The site-wide base imports no app, and nothing of the project's wiring.
        ("cms.base.models", "campaigns.models", {"layers"}),
        ("cms.base.headless", "cms.request_logs", {"layers", "cms-wiring"}),
        # A module at cms's top, or in an app, that is in no layer.
        ("cms.unplaced", "django.conf", {"cms-wiring"}),
        ("signatures.unplaced", "django.conf", {"signatures-layers"}),
        ("campaigns.unplaced", "django.conf", {"campaigns-layers"}),
    ],
)
def test_an_import_against_the_design_breaks_its_contract(importer, imported, broken):
    assert broken_contracts(importer, imported) == broken


def test_every_package_of_the_project_is_in_the_layers():
    """A new app is checked from its first module: the contracts name every package."""
    config = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
    layered = {
        name.split(".")[0]
        for contract in config["contracts"]
        if contract["id"] == "layers"
        for layer in contract["layers"]
        for name in layer.replace("|", ":").split(":")
    }
    ours = {
        path.parent.name
        for path in PYPROJECT.parent.glob("*/__init__.py")
        if path.parent.name not in {"tests", "bench"}
    }
    assert ours == set(config["root_packages"]) == {name.strip() for name in layered}


#: Module names Django and Wagtail give every app (or require, as a database backend's base).
CONVENTIONAL_NAMES = {"api", "apps", "base", "forms", "models", "tasks", "urls", "views"}
CONVENTIONAL_NAMES |= {"wagtail_hooks"}
#: Inside one app, a feature's model, service and admin screen share its name, each in its
#: layer's folder (signatures/models/updates.py, services/updates.py, admin/updates.py).
LAYER_FOLDERS = {"models", "services", "admin"}


def test_no_two_modules_share_a_name_unless_django_or_a_layer_names_them():
    root = PYPROJECT.parent
    packages = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["root_packages"]
    places: dict[str, list[Path]] = {}
    for package in packages:
        for module in (root / package).rglob("*.py"):
            if module.name != "__init__.py" and "migrations" not in module.parts:
                places.setdefault(module.stem, []).append(module.relative_to(root))
    shared = {
        name: sorted(str(path) for path in paths)
        for name, paths in places.items()
        if len(paths) > 1
        and name not in CONVENTIONAL_NAMES
        and not (
            len({path.parts[0] for path in paths}) == 1
            and len({path.parent.name for path in paths}) == len(paths)
            and {path.parent.name for path in paths} <= LAYER_FOLDERS
        )
    }
    assert shared == {}
