"""schemathesis against a live server's OpenAPI schema: no input may produce a 5xx, and every
response conforms to the schema (documented status code, content type, headers and body).

Runs in CI's PostgreSQL pass (a live server needs a real multi-connection database), over the
demo scenario (so lists and details return real objects whose shape is checked), as the public,
an NGO admin, an NGO member and an official of 雅安市, each with a token. It grows with every
endpoint the apps add. One test runs the four personas over one seeded database (seeding takes a
while, and the whole run must stay within about five minutes on CI); failures are reported per
persona.

Stateful: the schema declares OpenAPI links (core.schema.add_links: a created object to its
detail and actions, a page to its first row's detail) and schemathesis follows them
(``--stateful=links``), so objects it creates are then read and acted on in the same run.
"""

import io
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MAX_EXAMPLES = os.environ.get("TONGZHOU_SCHEMATHESIS_EXAMPLES", "8")
PERSONAS = ["anonymous", "ngo_admin", "ngo_member", "official"]
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)


def run_schemathesis(schema: Path, url: str, headers: list[str]) -> subprocess.CompletedProcess:
    cli = Path(sys.executable).with_name("schemathesis")
    return subprocess.run(
        [
            str(cli),
            "run",
            str(schema),
            "--base-url",
            url,
            "--checks",
            CHECKS,
            "--hypothesis-max-examples",
            MAX_EXAMPLES,
            "--hypothesis-derandomize",
            "--stateful",
            "links",
            "--hypothesis-suppress-health-check",
            "all",
            "--no-color",
            *headers,
        ],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
    )


def fetch_schema(url: str, into: Path) -> Path:
    """The schema is generated once (the same for every persona) with a generous timeout: under
    load, generating it can take longer than schemathesis' own 10 s schema-loading timeout."""
    with urllib.request.urlopen(f"{url}/api/schema/", timeout=120) as response:  # noqa: S310
        into.write_bytes(response.read())
    return into


def test_generated_requests_get_no_server_error_and_conforming_responses(
    live_server, request, tmp_path
):
    call_command("seed_demo", force=True, stdout=io.StringIO())
    schema = fetch_schema(live_server.url, tmp_path / "schema.yaml")
    failed = []
    for persona in PERSONAS:
        headers = []
        if persona != "anonymous":
            user = request.getfixturevalue(persona)
            token, _ = Token.objects.get_or_create(user=user)
            headers = ["-H", f"Authorization: Token {token.key}"]
        result = run_schemathesis(schema, live_server.url, headers)
        if result.returncode != 0:
            out = result.stdout
            failures = out[out.find("FAILURES") :] if "FAILURES" in out else out[-6000:]
            failed.append(f"===== as {persona} =====\n{failures[:12000]}{result.stderr[-2000:]}")
    assert not failed, "\n".join(failed)
