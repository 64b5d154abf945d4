"""SQL queries of a warm hit (core.public_cache) on each cached public route, at two page sizes.

Runs in real mode against the bench database and Redis, like ``bench.queries``: each path is
requested once to prime the cache, then again under ``CaptureQueriesContext``; a hit is
answered before the session, the user and the view, so it should cost none.
"""

import argparse
import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.warm_queries")
    parser.add_argument("--incident", type=int, required=True)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT="application/json")
    lists = [
        "/api/v1/organizations/",
        "/api/v1/incidents/",
        "/api/v1/procurements/",
        "/api/v1/ledger/entries/",
    ]
    pages = ["/ledger/", f"/incidents/{args.incident}/", f"/api/v1/incidents/{args.incident}/3w/"]
    out: dict = {}
    for path in lists + pages:
        counts = {}
        for size in (10, 200) if path in lists else (None,):
            query = {"page_size": size} if size else {}
            client.get(path, query)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path, query)
            if response.status_code != 200 or response.get("X-Tongzhou-Cache") != "hit":
                counts[str(size or "page")] = f"not a hit ({response.status_code})"
                continue
            counts[str(size or "page")] = len(ctx.captured_queries)
        out[path] = counts
    print(json.dumps(out))


if __name__ == "__main__":
    main()
