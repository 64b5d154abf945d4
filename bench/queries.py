"""SQL queries per request of each public list endpoint at page sizes 10 and 200."""

import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

ENDPOINTS = [
    "/api/v1/organizations/",
    "/api/v1/incidents/",
    "/api/v1/procurements/",
    "/api/v1/ledger/entries/",
    "/api/v1/alerts/",
    "/api/v1/people/",
]


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    out = {}
    for path in ENDPOINTS:
        counts = {}
        for size in (10, 200):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path, {"page_size": size})
            if response.status_code != 200:
                break
            counts[str(size)] = len(ctx.captured_queries)
        if len(counts) == 2:
            out[path] = counts
    print(json.dumps(out))


if __name__ == "__main__":
    main()
