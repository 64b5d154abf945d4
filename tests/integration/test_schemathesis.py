"""schemathesis against a live server's OpenAPI schema: no input may produce a 5xx, and every
response conforms to the schema (status code, content type, headers, body).

Runs in CI's PostgreSQL pass (a live server needs a real multi-connection database), as the
public, an NGO member, an NGO admin and an official, each with a token. It grows with every
endpoint the apps add.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MAX_EXAMPLES = os.environ.get("TONGZHOU_SCHEMATHESIS_EXAMPLES", "8")
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)


@pytest.mark.parametrize("persona", ["anonymous", "ngo_member", "ngo_admin", "official"])
def test_generated_requests_get_no_server_error_and_conforming_responses(
    live_server, request, persona
):
    headers = []
    if persona != "anonymous":
        user = request.getfixturevalue(persona)
        token, _ = Token.objects.get_or_create(user=user)
        headers = ["-H", f"Authorization: Token {token.key}"]
    cli = Path(sys.executable).with_name("schemathesis")
    result = subprocess.run(
        [
            str(cli),
            "run",
            f"{live_server.url}/api/schema/",
            "--checks",
            CHECKS,
            "--hypothesis-max-examples",
            MAX_EXAMPLES,
            "--hypothesis-derandomize",
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
    out = result.stdout
    failures = out[out.find("FAILURES") :] if "FAILURES" in out else out[-6000:]
    assert result.returncode == 0, failures[:12000] + result.stderr[-2000:]
