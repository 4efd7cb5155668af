"""The engine is pure Python: it imports without Django and never reaches the network."""

import ast
import pathlib
import subprocess
import sys

import forecasts.suggest

PACKAGE = pathlib.Path(forecasts.suggest.__file__).parent
FORBIDDEN = {"django", "rest_framework", "requests", "urllib", "http", "socket", "sources"}


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_no_module_of_the_engine_imports_django_or_network_code():
    offenders = {
        f"{path.name}: {module}"
        for path in PACKAGE.glob("*.py")
        for module in imported_modules(path)
        if module.split(".")[0] in FORBIDDEN or (module.startswith("forecasts.") and not module.startswith("forecasts.suggest"))
    }
    assert offenders == set()


def test_engine_runs_with_django_unimportable():
    script = (
        "import sys, datetime\n"
        "sys.modules['django'] = None\n"  # any `import django` now raises ImportError
        "from forecasts.suggest import suggest_claims\n"
        "from forecasts.suggest import seed_reader\n"
        "found = suggest_claims('Russia will ease sanctions by 2020.', published=datetime.date(2019, 4, 19), hedges={'will': 0.9})\n"
        "assert found[0].deadline == datetime.date(2020, 12, 31), found\n"
        "assert not any(name == 'django' or name.startswith('django.') for name in sys.modules if sys.modules[name]), 'django loaded'\n"
        "print('ok')\n"
    )
    root = PACKAGE.parent.parent
    result = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
