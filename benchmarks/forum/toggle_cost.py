"""What a support toggle costs, piece by piece: CPU per request in this process and in its PostgreSQL
backend, through the WSGI application (the production settings of the benchmark's servers, the whole
middleware stack), on the benchmark database.

    .venv/bin/python benchmarks/forum/toggle_cost.py [--db allmende_bench] [--rounds 25] [--requests 60]

Needs the database that `run.py` generates (run that first). Measures, in alternating rounds so that a
machine whose speed drifts affects all alike (medians of --rounds; each round --requests support and
withdrawal pairs after a short warm-up):

- the signed-in floor: a bare view that loads the session and the person, nothing else;
- the toggle as it is (POST value=1, then withdraw=1, HX-Request, as the page's button sends them);
- the toggle with one piece replaced by nothing at a time (the button's partial, the content-version
  renewals of the page cache, the rate limit, the proposal's query with the copy of the kept round),
  so that the difference is what that piece costs.

With 16 clients each waiting for its answer the throughput is about 2 cores / (CPU per request of app,
PostgreSQL, Redis and the load tool together), so these numbers bound what any change to the view can
reach on the benchmark's machine. Writes nothing; stops by itself.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import benchlib  # noqa: E402
import generate  # noqa: E402


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="allmende_bench")
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    info = generate.stored_info(args.db)
    if info is None:
        sys.exit(f"no benchmark database {args.db}: run benchmarks/forum/run.py first")
    # One PostgreSQL backend for the whole run, so that its CPU can be read from /proc: the servers'
    # 60 s connection age would replace it (and its pid) halfway.
    os.environ["DB_CONN_MAX_AGE"] = "86400"
    app, sessions = benchlib.in_process_app(args.db, "allmende-toggle-")
    from django.http import HttpResponse
    from django.urls import get_resolver

    from allmende import ratelimit
    from allmende.ops import pagecache
    from allmende.proposals import queries, views

    slug = info["rounds"][0]["slug"]
    count = info["proposals"]

    def toggle(i):
        benchlib.toggle_support(app, sessions, slug, count, i)

    def signed_in(i):
        benchlib.wsgi_call(app, "GET", "/bench/hello", session=sessions[i % len(sessions)])
        benchlib.wsgi_call(app, "GET", "/bench/hello", session=sessions[(i + 1) % len(sessions)])

    hello_pattern = next(p for p in get_resolver().url_patterns if getattr(p, "name", None) == "bench-hello")
    bare_hello = hello_pattern.callback

    def who(request):  # the floor: session and person loaded, nothing else
        return HttpResponse(str(request.user.pk).encode(), content_type="text/plain")

    originals = (views.rating_control_html, pagecache._renew, ratelimit.hit, queries.proposal_by_number)
    kept = {}

    def kept_proposal(round_slug, number):
        if (round_slug, number) not in kept:
            kept[round_slug, number] = originals[3](round_slug, number)
        proposal = kept[round_slug, number]
        proposal._counters_current = False
        return proposal

    variants = {
        "signed-in floor (session and person, no view work)": (signed_in, {}),
        "toggle as it is": (toggle, {}),
        "without the button's partial": (toggle, {"render": lambda *args, **kwargs: "ok"}),
        "without the page-cache version renewals": (toggle, {"renew": lambda keys: None}),
        "without the rate limit": (toggle, {"hit": lambda *a, **k: True}),
        "without the proposal's query and the round's copy": (toggle, {"proposal": kept_proposal}),
    }

    def apply(swaps):
        views.rating_control_html = swaps.get("render", originals[0])
        pagecache._renew = swaps.get("renew", originals[1])
        ratelimit.hit = swaps.get("hit", originals[2])
        queries.proposal_by_number = swaps.get("proposal", originals[3])

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = Path(f"/proc/{cursor.fetchone()[0]}/schedstat")  # its first field: ns on a CPU

    def database_ns() -> int:
        return int(backend.read_text().split()[0])

    ms = {name: [] for name in variants}
    db_ns = dict.fromkeys(variants, 0)
    i = 0
    try:
        for _round in range(args.rounds):
            for name, (func, swaps) in variants.items():
                apply(swaps)
                hello_pattern.callback = who if func is signed_in else bare_hello
                for _ in range(20):
                    func(i)
                    i += 1
                started, db_started = time.process_time(), database_ns()
                for _ in range(args.requests):
                    func(i)
                    i += 1
                ms[name].append(1000 * (time.process_time() - started) / (2 * args.requests))
                db_ns[name] += database_ns() - db_started
    finally:
        apply({})
        hello_pattern.callback = bare_hello
    full = statistics.median(ms["toggle as it is"])
    print(
        f"CPU per request in this process (median of {args.rounds} rounds of {2 * args.requests}) and in its"
    )
    print("PostgreSQL backend (all rounds together):\n")
    print("| variant | ms | difference to the toggle | PostgreSQL ms |")
    print("|---|---|---|---|")
    for name, values in ms.items():
        median = statistics.median(values)
        database = db_ns[name] / 1e6 / (2 * args.requests * args.rounds)
        print(f"| {name} | {median:.2f} | {median - full:+.2f} | {database:.3f} |")
    print(f"\n{benchlib.machine_md(benchlib.machine())}")


if __name__ == "__main__":
    main()
