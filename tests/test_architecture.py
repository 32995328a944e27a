"""Imports run one way (docs/architecture.md): the project on the apps; servicedesk, benchmark
and masterclasses on monitor and not on each other; monitor on the plumbing (common), which
imports no app of ours; and no import loop inside a package. The contracts are in
pyproject.toml and checked by import-linter, also in `make lint`."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["cimolt", "common", "monitor", "servicedesk", "benchmark", "masterclasses"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (our own tool on our own files)
        [str(LINT_IMPORTS), "--no-cache", str(project / "pyproject.toml")],
        cwd=project,
        env={"PYTHONPATH": str(project), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def project_copy(tmp_path):
    """The packages' Python files and the contracts, in a folder of the test's own."""
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "templates", "static", "*.toml", "data"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_imports_of_the_project_keep_every_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "line", "named"),
    [
        # the core on an app above it, the plumbing on the core, two apps on each other, an
        # app on the project: the layers contract names the probe
        ("monitor/probe.py", "import benchmark.models\n", "monitor.probe"),
        ("common/probe.py", "from monitor import models\n", "common.probe"),
        ("benchmark/probe.py", "import masterclasses.models\n", "benchmark.probe"),
        ("servicedesk/probe.py", "from benchmark import selectors\n", "servicedesk.probe"),
        ("masterclasses/probe.py", "from cimolt import views\n", "masterclasses.probe"),
        # a loop inside monitor: views -> forms -> models_probe -> views
        (
            "monitor/models_probe.py",
            "from monitor import views\n",
            "No cycles are allowed in monitor",
        ),
    ],
)
def test_an_import_against_the_direction_fails_the_check(project_copy, module, line, named):
    if module == "monitor/models_probe.py":
        # views imports forms, which imports this probe: a loop.
        forms = project_copy / "monitor/forms.py"
        forms.write_text("from monitor import models_probe  # noqa\n" + forms.read_text())
    (project_copy / module).write_text(line)
    result = lint_imports(project_copy)
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout
    assert named in result.stdout  # broken by the probe, not by something else
