#!/usr/bin/env python
"""Screenshots of the demo for docs/screenshots/ and the README (zh-Hans, desktop and phone).

usage (from the repository root, with the test extras installed and Debian's chromium):
    .venv/bin/python scripts/take_screenshots.py            # seeds a fresh SQLite demo itself
    .venv/bin/python scripts/take_screenshots.py --base http://127.0.0.1:8000   # a running demo

It seeds the demo data into a temporary SQLite database, runs the development server on a spare
port, signs in as the demo people and saves PNGs under docs/screenshots/.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_demo() -> tuple[str, subprocess.Popen]:
    db = Path(tempfile.mkdtemp()) / "demo.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    env.pop("REDIS_URL", None)
    py = sys.executable
    for args in (["migrate", "--noinput"], ["compile_translations"], ["seed_demo"]):
        subprocess.run([py, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)
    port = spare_port()
    proc = subprocess.Popen(
        [py, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return base, proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the demo server did not start")


def login(page, base: str, username: str) -> None:
    from core.management.commands.seed_demo import DEMO_PASSWORD

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form:has(input[name=password]) [type=submit]")
    page.wait_for_load_state("networkidle")


def shoot(browser, base: str, name: str, path: str, *, user: str | None = None, phone=False):
    context = browser.new_context(
        locale="zh-CN", viewport=PHONE if phone else DESKTOP, device_scale_factor=1
    )
    page = context.new_page()
    if user:
        login(page, base, user)
    page.goto(base + path)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(600)  # charts and map tiles settle
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=not phone)
    context.close()
    print("saved", OUT / f"{name}.png")


def incident_path(base: str) -> str:
    """The first active incident of the demo (its page carries the map)."""
    import json
    import urllib.request

    with urllib.request.urlopen(f"{base}/api/v1/incidents/?format=json") as r:  # noqa: S310 (http only)
        data = json.load(r)
    rows = data.get("results", data)
    return f"/incidents/{rows[0]['id']}/"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", help="a running demo; default: start one")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from playwright.sync_api import sync_playwright

    proc = None
    base = args.base
    if not base:
        base, proc = start_demo()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox"]
            )
            shoot(browser, base, "ledger", "/ledger/")
            shoot(browser, base, "incident-map", incident_path(base))
            shoot(browser, base, "ngo-home-phone", "/", user="ngo", phone=True)
            shoot(browser, base, "official-home", "/", user="bureau")
            browser.close()
    finally:
        if proc:
            proc.terminate()


if __name__ == "__main__":
    main()
