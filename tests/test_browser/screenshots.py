"""Regenerate docs/screenshots/<page>-desktop.png and <page>-phone.png for every public page.

    python -m tests.test_browser.screenshots [--base-url URL] [--only NAME ...]

By default it builds a throwaway SQLite database with the seed corpus and a demo analyst (for the
admin), serves it with `manage.py runserver` on a free port, and photographs each page of
public_pages.PUBLIC_PAGES in Debian's Chromium (1280 × 900 and 390 × 844, the first screen and a
little more: at most SCREEN_HEIGHTS). With --base-url it photographs a running server instead (its
admin login must be analyst / analyst).
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
# How much of the page each picture shows: the first screen and a bit more, so the PNGs stay small.
SCREEN_HEIGHTS = {"desktop": 1100, "phone": 1300}


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve_seeded(env):
    """Migrate and seed a throwaway database, start runserver; (process, base URL)."""
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "-v0"], ["load_seeds", "-v0"], ["create_demo_analyst"]):
        subprocess.run(manage + command, env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    port = _free_port()
    server = subprocess.Popen(manage + ["runserver", f"127.0.0.1:{port}", "--noreload"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            return server, base
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("runserver did not start")


def _paths(env):
    """{page name: path} with the seed ids filled in, read through Django from the same database."""
    code = (
        "import django, json; django.setup();"
        "from tests.test_browser.public_pages import PUBLIC_PAGES, page_path;"
        "print(json.dumps({p.name: [page_path(p), p.login] for p in PUBLIC_PAGES}))"
    )
    env = {**env, "DJANGO_SETTINGS_MODULE": "config.settings"}
    output = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    import json

    return json.loads(output.stdout)


def take(base, paths, only=None):
    """Photograph each page at both widths into docs/screenshots/."""
    from playwright.sync_api import sync_playwright

    from tests.test_browser.conftest import CHROMIUM, CHROMIUM_ARGS

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for kind, viewport in VIEWPORTS.items():
            context = browser.new_context(viewport=viewport)
            tab = context.new_page()
            tab.goto(f"{base}/admin/login/")
            tab.fill("#id_username", "analyst")
            tab.fill("#id_password", "analyst")
            tab.click("input[type=submit]")
            for name, (path, login) in paths.items():
                if only and name not in only:
                    continue
                tab.goto(base + path)
                height = min(tab.evaluate("document.documentElement.scrollHeight"), SCREEN_HEIGHTS[kind])
                target = OUT / f"{name}-{kind}.png"
                tab.screenshot(path=str(target), clip={"x": 0, "y": 0, "width": viewport["width"], "height": height},
                               full_page=True)
                print(f"{target.relative_to(ROOT)}  {target.stat().st_size // 1024} kB")
            context.close()
        browser.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="photograph this running server instead of a fresh seeded one")
    parser.add_argument("--only", nargs="*", help="page names (public_pages.PUBLIC_PAGES) to photograph")
    args = parser.parse_args()
    # conftest (the Chromium settings) reads Django's settings: development ones, nothing else is used.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{folder}/screenshots.sqlite3"}
        if args.base_url:
            env.pop("DATABASE_URL")
            take(args.base_url.rstrip("/"), _paths(env), args.only)
            return
        server, base = _serve_seeded(env)
        try:
            take(base, _paths(env), args.only)
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
