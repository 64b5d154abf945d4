"""The repository stands on its own: standards data vendored, docs that point only inside it."""

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
STANDARDS = ROOT / "standards"
SKIPPED_DIRS = {".venv", ".git", "node_modules", "build", "staticfiles", "private_media"}


def _project_files(*suffixes: str):
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        for name in sorted(files):
            if Path(name).suffix in suffixes:
                yield Path(folder) / name


def test_the_vendored_standards_are_the_published_bytes():
    listed = {}
    for line in (STANDARDS / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        listed[name] = digest
    for name, digest in listed.items():
        assert hashlib.sha256((STANDARDS / name).read_bytes()).hexdigest() == digest, name
    assert {
        "CAP-v1.2.xsd",
        "ocds-1.1.5/release-package-schema.json",
        "ocds-1.1.5/release-schema.json",
        "ocds-1.1.5/versioned-release-validation-schema.json",
        "ocds-1.1.5/codelists/tenderStatus.csv",
    } <= set(listed)
    data = {
        p.relative_to(STANDARDS).as_posix()
        for p in STANDARDS.rglob("*")
        if p.is_file() and p.suffix in {".xsd", ".json", ".csv"}
    }
    assert data == set(listed), "every vendored schema file is listed in SHA256SUMS"
    assert (STANDARDS / "CAP-v1.2.NOTICE").exists() and (STANDARDS / "ocds-1.1.5/LICENSE").exists()


def test_the_standards_setting_defaults_to_the_vendored_folder():
    env = {k: v for k, v in os.environ.items() if k != "TONGZHOU_STANDARDS_DIR"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from config import settings; print(settings.TONGZHOU_STANDARDS_DIR)",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert Path(result.stdout.strip()) == STANDARDS


def test_no_file_refers_to_a_folder_beside_the_repository():
    outside = re.compile(r"\.\./shared|shared/(design|standards)")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in _project_files(".md", ".py", ".toml", ".cfg", ".yml", ".yaml")
        if path != Path(__file__)
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if outside.search(line)
    ]
    assert offenders == []


def test_every_document_the_docs_name_exists_in_the_repository():
    link = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
    # Files named in code spans: `docs/API.md`, `core/api.py`, `tests/alerts/conftest.py` ...
    code = re.compile(r"`([\w.-]+\.md|[\w.-]+(?:/[\w.-]+)+\.(?:py|md|json|xsd|csv|toml))`")
    missing = []
    docs = [ROOT / "README.md", ROOT / "standards" / "README.md", *sorted(ROOT.glob("docs/*.md"))]
    for doc in docs:
        text = doc.read_text(encoding="utf-8")
        targets = [t for t in link.findall(text) if not re.match(r"[a-z]+:", t)]
        targets += code.findall(text)
        for target in targets:
            if not ((doc.parent / target).exists() or (ROOT / target).exists()):
                missing.append(f"{doc.relative_to(ROOT)} -> {target}")
    assert missing == []
