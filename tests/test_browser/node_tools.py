"""The browser tests' node tools (axe-core, html-validate), installed by `npm ci --prefix tests/test_browser`.

Without them the checks are skipped with the command to run, except in CI (CI=true), where a
missing tool is a failure: CI must never pass by skipping the accessibility checks.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"
AXE_SCRIPT = NODE_MODULES / "axe-core" / "axe.min.js"
HTML_VALIDATE = NODE_MODULES / ".bin" / "html-validate"
HTML_VALIDATE_CONFIG = HERE / ".htmlvalidate.json"
INSTALL = "npm ci --prefix tests/test_browser"


def in_ci():
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes", "on")


def require(path):
    """Skip (or, in CI, fail) the test when a node tool is missing."""
    if path.exists() and shutil.which("node"):
        return
    reason = f"{path.relative_to(HERE.parent.parent)} is missing (or node is): run `{INSTALL}`"
    if in_ci():
        pytest.fail(f"CI=true: {reason}")
    pytest.skip(reason)


def html_errors(html, config=HTML_VALIDATE_CONFIG):
    """html-validate's errors for a document, as 'line:column rule: message' strings (empty when valid)."""
    require(HTML_VALIDATE)
    result = subprocess.run(
        ["node", str(HTML_VALIDATE), "--config", str(config), "--formatter", "json", "--stdin"],
        input=html, capture_output=True, text=True, timeout=60, check=False,
    )
    if result.returncode not in (0, 1) or not result.stdout.strip():
        raise RuntimeError(f"html-validate failed: {result.stderr or result.stdout}")
    return [
        f"{message['line']}:{message['column']} {message['ruleId']}: {message['message']}"
        for report in json.loads(result.stdout) for message in report["messages"] if message["severity"] == 2
    ]


def axe_violations(tab, impacts=("serious", "critical")):
    """axe-core's violations of these impacts on the page open in a Playwright tab: [(rule, impact, [targets])].

    axe is evaluated in the page from node_modules (no CDN; page.evaluate is not subject to the
    page's content security policy, which allows no inline script).
    """
    require(AXE_SCRIPT)
    tab.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    results = tab.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .map(v => [v.id, v.impact, v.nodes.slice(0, 5).map(n => n.target.join(" ")), v.help])"""
    )
    return [tuple(violation) for violation in results if violation[1] in impacts]
