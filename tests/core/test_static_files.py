"""Deployment: with DEBUG off, gunicorn (the image's server) serves the CSS and JS itself.

Runs the real thing: ``collectstatic`` into a temporary STATIC_ROOT, then ``gunicorn
config.wsgi`` with DEBUG off on a free loopback port, a page, and the stylesheet it links to.
The third-party static trees (the admin, Swagger UI/ReDoc) are left out of this collectstatic to
keep the test quick; the login page links only the platform's own stylesheet.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

GUNICORN = shutil.which("gunicorn") or str(Path(sys.executable).with_name("gunicorn"))
pytestmark = pytest.mark.skipif(not Path(GUNICORN).exists(), reason="gunicorn is not installed")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, timeout: float = 5.0):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture
def production_env(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "TONGZHOU_TESTING")
    }
    env.update(
        DEBUG="false",
        SECRET_KEY="test-only-static-files-key",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    return env


def test_gunicorn_with_debug_off_serves_the_pages_css(production_env):
    base = Path(settings.BASE_DIR)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "collectstatic",
            "--noinput",
            "-v0",
            "--ignore",
            "admin",
            "--ignore",
            "drf_spectacular_sidecar",
            "--ignore",
            "rest_framework",
        ],
        cwd=base,
        env=production_env,
        check=True,
        timeout=120,
        capture_output=True,
    )
    manifest = Path(production_env["STATIC_ROOT"]) / "staticfiles.json"
    assert manifest.exists()  # the compressed manifest storage did the post-processing

    port = _free_port()
    log = Path(production_env["STATIC_ROOT"]).parent / "gunicorn.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [GUNICORN, "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=base,
            env=production_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                pytest.fail(f"gunicorn exited: {log.read_text()[-2000:]}")
            try:
                status, _, page = _get(f"{url}/accounts/login/", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not answer within 60 s: {log.read_text()[-2000:]}")
                time.sleep(0.3)
        assert status == 200, page[:500]
        links = re.findall(rb'<link rel="stylesheet" href="([^"]+)"', page)
        assert links, page[:1000]
        href = links[0].decode()
        # The manifest storage names the file by its content hash (cacheable for a year).
        assert re.fullmatch(r"/static/css/tongzhou\.[0-9a-f]{12}\.css", href), href
        status, headers, css = _get(url + href)
        assert status == 200
        assert headers["Content-Type"].startswith("text/css")
        assert css == (base / "static" / "css" / "tongzhou.css").read_bytes()
        assert "max-age=315360000" in headers.get("Cache-Control", "")

        # /favicon.ico redirects to the hashed icon (urllib follows the redirect).
        status, _, icon = _get(f"{url}/favicon.ico")
        assert status == 200
        assert icon == (base / "static" / "favicon.ico").read_bytes()
        # The vendored libraries went through the manifest storage too (leaflet.js names its
        # source map, which must be there for the post-processing to succeed).
        paths = json.loads(manifest.read_text())["paths"]
        for name in [
            "vendor/leaflet/leaflet.js",
            "vendor/echarts/echarts.min.js",
            "geo/provinces.json",
        ]:
            status, _, body = _get(f"{url}/static/{paths[name]}")
            assert status == 200, name
            # (the storage rewrites leaflet.js's source map reference to the hashed name)
            unmapped = re.compile(rb"//# sourceMappingURL=\S+")
            original = (base / "static" / name).read_bytes()
            assert unmapped.sub(b"", body) == unmapped.sub(b"", original)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)
