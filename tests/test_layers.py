"""The apps keep their layers (docs/architecture.md): the import-linter contracts of pyproject.toml, run by
`make lint` too, so that the suite itself fails on an import cycle between apps or an import upward."""

from pathlib import Path

import grimp
import pytest
from importlinter import configuration
from importlinter.application.use_cases import lint_imports, read_user_options
from importlinter.contracts.layers import LayersContract

configuration.configure()  # what the lint-imports command does first: how to read options and build the graph
PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def _layers_contract() -> LayersContract:
    options = read_user_options(str(PYPROJECT))
    (contract,) = [c for c in options.contracts_options if c["type"] == "layers"]
    return LayersContract(name=contract["name"], session_options=options.session_options,
                          contract_options=contract)


@pytest.fixture
def import_graph() -> grimp.ImportGraph:
    return grimp.build_graph(*read_user_options(str(PYPROJECT)).session_options["root_packages"], cache_dir=None)


def test_the_apps_import_only_the_layers_below_them(capsys):
    kept = lint_imports(config_filename=str(PYPROJECT), cache_dir=None, no_logo=True)
    assert kept, capsys.readouterr().out


@pytest.mark.parametrize(("importer", "imported"), [
    ("apps.ledger.services", "apps.eod.seal"),  # upward, through a function-level import as well
    ("apps.customers.services", "apps.kyc.services"),  # the cycle customers <-> kyc
    ("apps.outbox.services", "apps.idempotency.models"),  # two apps of one layer
])
def test_the_layer_contract_refuses_an_upward_import(import_graph, importer, imported):
    # given the apps' import graph, with one import that breaks the layers added to it
    import_graph.add_import(importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}")
    # when the contract checks it / then it is broken
    assert not _layers_contract().check(import_graph, verbose=False).kept


def test_a_new_app_breaks_the_contract_until_it_is_given_its_layer(import_graph):
    # given an app the layers do not name yet
    import_graph.add_module("apps.loyalty")
    import_graph.add_import(importer="apps.loyalty", imported="apps.money", line_number=1,
                            line_contents="import apps.money")
    # when the contract checks it / then it is broken (exhaustive)
    assert not _layers_contract().check(import_graph, verbose=False).kept
