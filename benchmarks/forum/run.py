"""The forum benchmark (issue 3): one command, stops by itself, writes RESULTS.md beside it.

    .venv/bin/python benchmarks/forum/run.py [--regenerate] [--seconds 15] [--consistency-seconds 30]

1. Generates `allmende_bench` (10 000 proposals, 100 000 users, 1 000 000 supports) unless it exists
   (--regenerate forces it; generation time is kept in the database's comment).
2. In-process: SQL queries per list / detail / toggle request (CaptureQueriesContext) and EXPLAIN
   ANALYZE of the list's queries for the three variants.
3. Starts the production server (scripts/serve-prod.sh: granian, 2 workers, DEBUG=false) on
   127.0.0.1:8201 and loads it with wrk, 16 connections, each scenario for --seconds: the bare hello
   view, the list (sorted by supports; filtered by topic; page 20), the detail page, the support toggle.
4. 64 residents support and withdraw at random for --consistency-seconds; afterwards every counter
   must equal a recount and every row what the residents were told.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import benchlib  # noqa: E402
import generate  # noqa: E402
import residents as res  # noqa: E402

PORT = 8201
TARGETS_MS = {
    "list_top": 50,
    "list_topic": 50,
    "list_page20": 50,
    "detail": 30,
    "detail_popular": 30,
    "detail_warm": 30,
    "detail_user": 30,
    "toggle": 30,
}


def wrk(
    url: str,
    seconds: int,
    script: str | None,
    env: dict,
    connections: int = 16,
    threads: int = 2,
    server: benchlib.Server | None = None,
) -> dict:
    """wrk's numbers for one scenario; with `server`, also how its workers shared the connections
    (sampled halfway through)."""
    report = (HERE / "wrk" / "report.lua").read_text()
    body = ((HERE / "wrk" / script).read_text() + "\n" if script else "") + report
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(body)
    split = []
    sampler = None
    if server is not None:
        sampler = threading.Timer(seconds / 2, lambda: split.extend(server.connections_per_worker()))
        sampler.start()
    try:
        out = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                f.name,
                url,
            ],
            capture_output=True,
            text=True,
            env={**os.environ, **env},
            timeout=seconds + 60,
        )
    finally:
        os.unlink(f.name)
        if sampler is not None:
            sampler.cancel()
            sampler.join()
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result: {out.stdout}\n{out.stderr}")
    data = json.loads(line[len("WRKJSON ") :])
    secs = data["duration_us"] / 1e6
    return {
        "requests": data["requests"],
        "rps": round(data["requests"] / secs, 1),
        **{k: round(data[k] / 1000, 1) for k in ("p50", "p90", "p95", "p99", "max", "mean")},
        "errors": {
            k: data[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
        },
        **({"connections_per_worker": split} if server is not None else {}),
    }


def query_check(info: dict, slug: str, topic: str, session: str) -> dict:
    """Queries per request with Django's test client in this process, and EXPLAIN ANALYZE of the list."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    variants = {
        "list_top": f"/runden/{slug}/vorschlaege/?sort=top",
        "list_topic": f"/runden/{slug}/vorschlaege/?sort=top&topic={topic}",
        "list_page20": f"/runden/{slug}/vorschlaege/?sort=top&page=20",
        "detail": f"/runden/{slug}/vorschlaege/{info['proposals'] // 2}/",
    }
    from django.test import override_settings

    result = {"queries": {}, "explain": {}}
    off = override_settings(MICROCACHE_SECONDS=0, PAGE_CACHE_SECONDS=0)  # rendering, not a cache hit
    off.enable()
    for who, client in (("anonymous", Client()), ("logged in", Client())):
        if who == "logged in":
            client.cookies["sessionid"] = session
        for name, url in variants.items():
            client.get(url)  # warm
            with CaptureQueriesContext(connection) as ctx:
                status = client.get(url).status_code
            result["queries"].setdefault(name, {})[who] = {
                "status": status,
                "count": len(ctx.captured_queries),
            }
            if who == "anonymous":
                result["queries"][name]["sql"] = [q["sql"][:300] for q in ctx.captured_queries]
            if who == "anonymous" and name.startswith("list"):
                plans = []
                with connection.cursor() as cursor:
                    for q in ctx.captured_queries:
                        if "proposals_proposal" not in q["sql"]:
                            continue
                        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                        plan = "\n".join(row[0] for row in cursor.fetchall())
                        plans.append({"sql": q["sql"], "plan": plan})
                result["explain"][name] = plans
    # The toggle through the same view: value=1 then withdraw=1, as the htmx button sends it.
    client = Client(enforce_csrf_checks=False)
    client.cookies["sessionid"] = session
    url = f"/runden/{slug}/vorschlaege/{info['proposals'] // 3}/bewerten/"
    for body, name in (({"value": "1"}, "toggle_support"), ({"withdraw": "1"}, "toggle_withdraw")):
        with CaptureQueriesContext(connection) as ctx:
            status = client.post(url, body, headers={"HX-Request": "true"}).status_code
        result["queries"][name] = {
            "logged in": {"status": status, "count": len(ctx.captured_queries)},
            "sql": [q["sql"][:300] for q in ctx.captured_queries],
        }
    off.disable()
    return result


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="allmende_bench")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--seconds", type=int, default=15, help="per wrk scenario")
    parser.add_argument("--consistency-seconds", type=int, default=30)
    parser.add_argument(
        "--snapshot", metavar="REF", help="benchmark `git archive REF` instead of the working tree"
    )
    parser.add_argument("--output", default=str(HERE / "RESULTS.md"))
    args = parser.parse_args()
    t_start = time.monotonic()
    if args.snapshot:
        print("code: snapshot of", benchlib.use_snapshot(args.snapshot), "in", benchlib.CODE, flush=True)

    info = None if args.regenerate else generate.stored_info(args.db)
    if info is not None and "discussions" not in info:
        info = None  # made before the generator wrote discussions: made anew
    if info is None:
        print("generating", args.db, flush=True)
        cmd = [benchlib.PY, str(HERE / "generate.py"), "--db", args.db]
        subprocess.run(cmd + (["--snapshot", args.snapshot] if args.snapshot else []), check=True)
        info = generate.stored_info(args.db)
    print("data:", json.dumps(info), flush=True)

    workdir = Path(tempfile.mkdtemp(prefix="allmende-forum-"))
    benchlib.django_setup(args.db, workdir)
    import psycopg

    slug = info["rounds"][0]["slug"]
    round_id = info["rounds"][0]["id"]
    with psycopg.connect(benchlib.db_url(args.db), autocommit=True) as conn:
        # Remove what an earlier run left: its sessions; the consistency residents' supports stay
        # (they are real rows and counted), so the data drifts only by what residents did.
        conn.execute("DELETE FROM django_session")
        # What autovacuum does in production (this machine's PostgreSQL may run without it): without it
        # every earlier run's dead row versions (one per support) and the search index's pending list
        # would weigh on this one, and the list merged by whichever support fills it.
        conn.execute("VACUUM (ANALYZE) proposals_proposal, proposals_support, django_session")
        conn.execute("SELECT gin_clean_pending_list(to_regclass('proposals_search')) "
                     "WHERE to_regclass('proposals_search') IS NOT NULL")  # fmt: skip
        topic = conn.execute(
            "SELECT t.slug FROM rounds_topic t JOIN proposals_proposal p ON p.topic_id = t.id "
            "GROUP BY t.slug ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]
        user_ids = [r[0] for r in conn.execute("SELECT id FROM accounts_user WHERE username LIKE 'bench%%' "
                                                "ORDER BY id DESC LIMIT 2064")]  # fmt: skip
    toggle_uids, resident_uids = user_ids[:2000], user_ids[2000:]
    sessions = benchlib.make_sessions(args.db, user_ids)

    print("query check", flush=True)
    queries = query_check(info, slug, topic, sessions[toggle_uids[0]][0])

    session_file = workdir / "sessions.txt"
    session_file.write_text("".join(f"{sessions[u][0]} {sessions[u][1]}\n" for u in toggle_uids))
    server = benchlib.Server(args.db, PORT, workdir, workdir / "server.log")
    results, consistency, rss, startup = {}, {}, {}, float("nan")
    crawl, redis_info, cpu = {}, {}, {}
    try:
        startup = server.start()
        print(f"server up in {startup:.1f}s", flush=True)
        base = f"http://127.0.0.1:{PORT}"
        prefix = f"/runden/{slug}/vorschlaege/"
        env = {
            "BENCH_PREFIX": prefix,
            "BENCH_COUNT": str(info["proposals"]),
            "BENCH_SESSIONS": str(session_file),
            "BENCH_THREADS": "2",
        }
        scenarios = [
            ("hello", base + "/bench/hello", None),
            ("list_top", base + prefix + "?sort=top", None),
            ("list_topic", base + prefix + f"?sort=top&topic={topic}", None),
            ("list_page20", base + prefix + "?sort=top&page=20", None),
            ("detail", base + prefix, "detail.lua"),
            ("detail_popular", base + prefix, "detail_popular.lua"),
            ("detail_warm", base + prefix, "detail.lua"),
            ("detail_user", base + prefix, "detail_user.lua"),
            ("detail_discussion", base + prefix, "detail_user.lua"),
            ("toggle", base + prefix, "toggle.lua"),
        ]
        # The signed-in reader of a proposal with a discussion: the first proposals have one each.
        scenario_env = {"detail_discussion": {**env, "BENCH_COUNT": str(info["discussions"]["proposals"])}}
        for name, url, script in scenarios:  # warm every worker first
            wrk(url, 2, script, scenario_env.get(name, env))
        # Measure from an empty cache: "detail" (uniform) then shows what rendering costs, "detail_popular"
        # (Zipf) how a cache filling as readers arrive helps; "detail_warm" (uniform again) comes after
        # every page has been read once, as on a site that has been up a while.
        redis_info = _flush_cache()
        for name, url, script in scenarios:
            if name == "detail_warm":
                crawl = _crawl(prefix, info["proposals"])
                redis_info = _cache_info()
                print("crawl", json.dumps(crawl), "cache", json.dumps(redis_info), flush=True)
            before = benchlib.cpu_snapshot(server.proc.pid)
            results[name] = wrk(url, args.seconds, script, scenario_env.get(name, env), server=server)
            cpu[name] = benchlib.cpu_per_request(
                before, benchlib.cpu_snapshot(server.proc.pid), results[name]["requests"]
            )
            print(name, json.dumps(results[name]), flush=True)
        rss = {pid: _vm_hwm(pid) for pid in server.worker_pids()}

        print("consistency: 64 residents", flush=True)
        with psycopg.connect(benchlib.db_url(args.db), autocommit=True) as conn:
            hot = [r[0] for r in conn.execute(
                "SELECT number FROM proposals_proposal WHERE round_id = %s ORDER BY rank_value DESC LIMIT 20",
                [round_id])]  # fmt: skip
        residents = [
            res.Resident(
                uid=uid,
                session=sessions[uid][0],
                csrf=sessions[uid][1],
                ports=[PORT],
                slug=slug,
                numbers=hot + list(range(1, 41)),  # 20 most supported and 40 others: contention on purpose
                values=[1],
                weights={"support": 0.5, "withdraw": 0.5},
                seed=uid,
            )
            for uid in resident_uids
        ]
        t0 = res.run_residents(residents, args.consistency_seconds, max_requests=5000)
        elapsed = time.monotonic() - t0
        events = [e for r in residents for e in r.events]
        by_status = {}
        for e in events:
            by_status[str(e.status)] = by_status.get(str(e.status), 0) + 1
        writes = [e.ms for e in events if e.action in ("support", "withdraw") and e.status == 200]
        with psycopg.connect(benchlib.db_url(args.db), autocommit=True) as conn:
            consistency = res.check_ledgers(conn, residents, round_id)
        recount = subprocess.run(
            [benchlib.PY, "manage.py", "recount"],
            cwd=benchlib.CODE,
            env=benchlib.server_env(args.db, workdir),
            capture_output=True,
            text=True,
        )
        consistency.update(
            requests=len(events),
            by_status=by_status,
            latency=benchlib.summary(writes, elapsed),
            recount=recount.stdout.strip().splitlines()[-1]
            if recount.stdout.strip()
            else recount.stderr[-500:],
            recount_rc=recount.returncode,
        )
        print("consistency", json.dumps(consistency), flush=True)
    finally:
        server.stop()
    machine = benchlib.machine()
    out = {
        "data": info,
        "wrk": results,
        "cpu_ms_per_request": cpu,
        "queries": queries,
        "consistency": consistency,
        "worker_peak_rss_mb": rss,
        "machine": machine,
        "server_startup_s": round(startup, 1),
        "balancing": server.balancing,
        "crawl": crawl,
        "cache_after_crawl": redis_info,
        "topic": topic,
        "slug": slug,
        "run_s": round(time.monotonic() - t_start, 1),
        "seconds": args.seconds,
    }
    benchlib.dump_json(HERE / "results.json", out)
    Path(args.output).write_text(render(out))
    print("wrote", args.output)
    ok = consistency.get("mismatches") == 0 and consistency.get("recount_rc") == 0
    sys.exit(0 if ok else 1)


def _redis():
    import redis

    return redis.Redis.from_url(benchlib.REDIS_URL)


def _flush_cache() -> dict:
    _redis().flushdb()
    return _cache_info()


def _cache_info() -> dict:
    client = _redis()
    return {"keys": client.dbsize(), "used_memory_mb": round(client.info("memory")["used_memory"] / 2**20, 1)}


def _crawl(prefix: str, count: int, clients: int = 8) -> dict:
    """Read every proposal's page once (anonymously), as readers of a site that has been up a while have."""
    from concurrent.futures import ThreadPoolExecutor

    t0 = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        statuses = list(pool.map(lambda n: benchlib.http_get(PORT, f"{prefix}{n}/")[0], range(1, count + 1)))
    return {
        "pages": count,
        "seconds": round(time.monotonic() - t0, 1),
        "non_200": sum(1 for s in statuses if s != 200),
    }


def _vm_hwm(pid: int) -> float:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    m = re.search(r"VmHWM:\s+(\d+) kB", text)
    return round(int(m.group(1)) / 1024, 1) if m else 0.0


def render(o: dict) -> str:
    d, w, q, c, m = o["data"], o["wrk"], o["queries"], o["consistency"], o["machine"]
    spp = d["supports_per_proposal"]
    hello_rps = w["hello"]["rps"]
    lines = [
        "# Forum benchmark: results",
        "",
        "Written by `benchmarks/forum/run.py` (see README.md); the raw numbers are in `results.json`.",
        "",
        "## Machine",
        "",
        benchlib.machine_md(m),
        f"- Server: `scripts/serve-prod.sh` (granian WSGI, 2 workers × {os.environ.get('WEB_THREADS', '2')} threads, DEBUG=false, Redis cache), "
        f"up in {o['server_startup_s']} s; load: wrk 4.1, 2 threads, 16 connections, {o['seconds']} s per "
        "scenario after a 2 s warm-up; server and load tool share the 2 cores. Connections to the workers: "
        f"{o.get('balancing') or 'no balancer (the kernel hashes them onto the workers)'} (allmende/ops/balance.py).",
        "",
        "## Data",
        "",
        f"{d['proposals']:,} proposals in one round in its rating phase (`{o['slug']}`, 10 topics, 12 districts), "
        f"{d['users']:,} users (unusable passwords), {d['supports']:,} supports. Supports per proposal: "
        f"min {spp['min']}, median {spp['median']}, p90 {spp['p90']}, p99 {spp['p99']}, max {spp['max']} "
        f"({spp['over_1000']} proposals with 1,000 or more).",
        "",
        f"Generation: **{d['generation_s']} s** (COPY via psycopg; steps: "
        + ", ".join(f"{k} {v} s" for k, v in d["steps_s"].items())
        + f"); `manage.py recount` afterwards: {d['recount']} ({d['recount_s']} s). Generated {d['generated_at']}.",
        "",
        "## Latency and throughput (16 concurrent clients)",
        "",
        "| scenario | requests | req/s | share of hello | p50 ms | p90 ms | p95 ms | p99 ms | max ms | target p95 | met? | errors | connections per worker |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    labels = {
        "hello": "bare hello view (`/bench/hello`)",
        "list_top": "list, sorted by supports (`?sort=top`)",
        "list_topic": f"list, filtered by topic (`?sort=top&topic={o['topic']}`)",
        "list_page20": "list, page 20 (`?sort=top&page=20`)",
        "detail": "detail page, anonymous, uniform over 10,000, from an empty cache (nearly every page rendered)",
        "detail_popular": "detail page, anonymous, Zipf(1) over 10,000 (how readers spread), cache filling",
        "detail_warm": "detail page, anonymous, uniform over 10,000, every page read once before (steady state)",
        "detail_user": "detail page, logged in, uniform over 10,000, after the crawl (rendered for each reader around the kept text, facts and timeline)",
        "detail_discussion": "detail page with a discussion of {each} comments, logged in, uniform over the {n} proposals that have one (not among the issue's scenarios)".format(
            n=d["discussions"]["proposals"], each=d["discussions"]["comments_each"]
        ),
        "toggle": "support toggle (POST value=1 / withdraw=1, HX-Request, logged in)",
    }
    for name, r in w.items():
        target = TARGETS_MS.get(name)
        met = "" if target is None else ("yes" if r["p95"] <= target else "**no**")
        errs = sum(r["errors"].values())
        lines.append(
            f"| {labels[name]} | {r['requests']:,} | {r['rps']} | {round(100 * r['rps'] / hello_rps)} % | {r['p50']} | "
            f"{r['p90']} | {r['p95']} | {r['p99']} | {r['max']} | {target or '–'} | {met} | {errs} | "
            f"{'/'.join(map(str, r.get('connections_per_worker', []))) or '–'} |"
        )
    lines += [
        "",
        "Targets met: "
        + ", ".join(f"{k} {'yes' if w[k]['p95'] <= t else 'NO'}" for k, t in TARGETS_MS.items() if k in w)
        + ". What dominates where a target is missed: see `README.md`, section Findings (py-spy profile and query "
        "plans). Note the load average in the Machine section: the 2 cores were shared with other sessions' processes.",
        "",
        "**Where the CPU goes**, in milliseconds of CPU per request, by kind of process (from `/proc` before "
        "and after each scenario; `other` is everything else on the machine, other people's work included; "
        "`idle` is unused time of both cores). With 16 clients each waiting for its answer, p50 ≈ 16 / "
        "throughput, and the throughput is about 2 cores / (CPU per request, all kinds together): a p95 of "
        "30 ms needs roughly 2–2.5 ms all in.",
        "",
        "| scenario | app server | PostgreSQL | Redis | load tool (wrk) | other | all | idle |",
        "|---|---|---|---|---|---|---|---|",
        *(
            f"| {name} | {c['app']} | {c['postgres']} | {c['redis']} | {c['load_tool']} | {c['other']} | "
            f"{round(c['app'] + c['postgres'] + c['redis'] + c['load_tool'] + c['other'], 2)} | {c['idle']} |"
            for name, c in o.get("cpu_ms_per_request", {}).items()
        ),
        "",
        "Latencies are wrk's, measured at the client (no coordinated-omission correction); "
        "`errors` counts connect/read/write errors, timeouts and non-2xx/3xx answers.",
        "",
        "Peak RSS of the app workers after the wrk scenarios (VmHWM): "
        + ", ".join(f"{v} MB" for v in o["worker_peak_rss_mb"].values()),
        "",
        f"Before `detail_warm`, every one of the {o['crawl'].get('pages')} proposal pages was read once by 8 "
        f"clients in {o['crawl'].get('seconds')} s ({o['crawl'].get('non_200')} answers other than 200); the "
        f"cache (Redis) then held {o['cache_after_crawl'].get('keys')} keys in "
        f"{o['cache_after_crawl'].get('used_memory_mb')} MB (pages are stored compressed).",
        "",
        "",
        "## SQL queries per request",
        "",
        "Counted in-process with `CaptureQueriesContext` through Django's test client on the same database.",
        "",
        "| request | anonymous | logged in |",
        "|---|---|---|",
    ]
    for name, r in q["queries"].items():
        lines.append(
            f"| {name} | {r.get('anonymous', {}).get('count', '–')} | {r.get('logged in', {}).get('count', '–')} |"
        )
    lines += ["", "Queries of one anonymous list request (`list_top`), abbreviated:", "", "```"]
    lines += list(q["queries"]["list_top"]["sql"])
    lines += ["```", "", "Queries of one anonymous detail request, abbreviated:", "", "```"]
    lines += list(q["queries"]["detail"]["sql"])
    lines += ["```", "", "Queries of one toggle (support), abbreviated:", "", "```"]
    lines += list(q["queries"]["toggle_support"]["sql"])
    lines += ["```", "", "## EXPLAIN ANALYZE of the list queries", ""]
    for name, plans in q["explain"].items():
        lines += [f"### {name}", ""]
        for p in plans:
            lines += ["```sql", p["sql"], "```", "", "```", p["plan"], "```", ""]
    lines += [
        "## Consistency: 64 residents supporting and withdrawing",
        "",
        f"64 logged-in residents (own sessions), each sequentially, for the set time, on 60 proposals "
        f"(the 20 most supported and 40 others, so that they collide). Requests: {c.get('requests')}, "
        f"by status: {c.get('by_status')}. Write latency (200s): {c.get('latency')}.",
        "",
        f"- Ledger entries checked against the Support table: {c.get('entries_checked')} "
        f"({c.get('told')} as told by the answer, {c.get('observed_after_error')} observed after a failed request, "
        f"{c.get('unknown')} unknown); **mismatches: {c.get('mismatches')}**; duplicate (user, proposal) rows: "
        f"{c.get('duplicate_rows')}.",
        f"- `manage.py recount` afterwards: **{c.get('recount')}** (exit {c.get('recount_rc')}).",
        "",
        f"Whole run: {o['run_s']} s.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
