"""Pages timed in-process through the Flask test client (issue 18), beside the wrk run of
``run.py``: on a shared machine wall-clock load tests swing, CPU time per request does not.

``python bench/bench_pages.py DATABASE_URL [--requests N]``: the database must hold a park made
by ``generate.py`` (``run.py`` makes one; ``--generate`` makes one here into an empty, migrated
database). For each page: the first request (computed: an empty cache) and the mean of the next
N (served while the data does not change), in milliseconds of wall time and of process CPU.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

PAGES = [
    ("/account (signed in)", "/account"),
    ("dashboard", "/?period={period}"),
    ("register, unfiltered", "/projects?period={period}"),
    ("register, filtered", "/projects?period={period}&level=市重点&light=red&sort=rate"),
    ("register, one level", "/projects?period={period}&level=省重点"),
    ("issue list", "/issues"),
    ("wall chart", "/milestones"),
    ("wall chart, filtered", "/milestones?level=市重点&status=逾期"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--generate", type=int, default=0, help="projects to generate first")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.url
    from generate import BENCH_PASSWORD, generate, last_completed_month

    from tracker import create_app
    from tracker.http import park_today

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url})
    with app.app_context():
        if args.generate:
            generate(projects=args.generate, issues=args.generate * 5)
        year, month = last_completed_month(park_today())
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    client.post("/login", data={"login": "bench-super", "password": BENCH_PASSWORD,
                                "csrf_token": token})
    print("| page | first request ms | then, each ms (wall) | each ms (CPU) | KB |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, url in PAGES:
        full = url.format(period=f"{year}-{month:02d}")
        t = time.perf_counter()
        first = client.get(full)
        cold = (time.perf_counter() - t) * 1000
        assert first.status_code == 200, (full, first.status_code)
        t, c = time.perf_counter(), time.process_time()
        for _ in range(args.requests):
            client.get(full)
        wall = (time.perf_counter() - t) * 1000 / args.requests
        cpu = (time.process_time() - c) * 1000 / args.requests
        print(f"| {label} | {cold:.0f} | {wall:.1f} | {cpu:.1f} | {len(first.data) / 1024:.0f} |")


if __name__ == "__main__":
    main()
