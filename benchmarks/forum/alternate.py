"""Two versions of the server side by side: the working tree against `git archive REF`, in alternating
rounds, so that a machine whose speed drifts within minutes affects both alike (medians).

    .venv/bin/python benchmarks/forum/alternate.py --ref 7907cb2 [--ref-threads 4] [--rounds 4] [--seconds 8]
                                                   [--ref-db allmende_bench_old]

Needs the database that `run.py` generates. For each round and version: start `scripts/serve-prod.sh`
of that version (its own WEB_THREADS default unless --ref-threads/--threads say otherwise), then wrk
with 16 connections on the support toggle, the signed-in detail page and the list sorted by supports,
with CPU per request by process. Each version gets sessions naming its own sign-in backend (a session
naming a backend the server does not know is anonymous, and the toggle would only redirect).
With --ref-db, REF's server uses that database: to compare migrations (indexes, columns), make a copy
of the benchmark database before migrating it (`CREATE DATABASE allmende_bench_old TEMPLATE
allmende_bench` and its comment, which generate.py reads). Prints every round and the medians; writes
nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import benchlib  # noqa: E402
import generate  # noqa: E402
import run  # noqa: E402


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ref", required=True)
    parser.add_argument("--ref-threads", default=None, help="WEB_THREADS for REF's server")
    parser.add_argument("--threads", default=None, help="WEB_THREADS for the working tree's server")
    parser.add_argument("--db", default="allmende_bench")
    parser.add_argument(
        "--ref-db",
        default=None,
        help="the database REF's server uses (default: --db); a copy of --db at REF's migrations compares schemas",
    )
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=8)
    args = parser.parse_args()
    info = generate.stored_info(args.db)
    if info is None:
        sys.exit(f"no benchmark database {args.db}: run benchmarks/forum/run.py first")
    benchlib.use_snapshot(args.ref)
    snapshot, benchlib.CODE = benchlib.CODE, benchlib.ROOT
    workdir = Path(tempfile.mkdtemp(prefix="allmende-alternate-"))
    benchlib.django_setup(args.db, workdir)
    import psycopg
    from django.conf import settings

    with psycopg.connect(benchlib.db_url(args.db), autocommit=True) as conn:
        uids = [r[0] for r in conn.execute("SELECT id FROM accounts_user WHERE username LIKE 'bench%%' "
                                           "ORDER BY id DESC LIMIT 2000")]  # fmt: skip
    ref_backend = benchlib.subprocess.run(
        [benchlib.PY, "-c", "from allmende import settings; print(settings.AUTHENTICATION_BACKENDS[0])"],
        cwd=snapshot, capture_output=True, text=True, check=True,
        env={**benchlib.server_env(args.db, workdir), "PYTHONPATH": str(snapshot)},
    ).stdout.strip()  # fmt: skip
    files = {}
    databases = {"ref": args.ref_db or args.db, "tree": args.db}
    for name, backend in (("ref", ref_backend), ("tree", settings.AUTHENTICATION_BACKENDS[0])):
        sessions = benchlib.make_sessions(databases[name], uids, backend)
        files[name] = workdir / f"sessions-{name}.txt"
        files[name].write_text("".join(f"{sessions[u][0]} {sessions[u][1]}\n" for u in uids))
    prefix = f"/runden/{info['rounds'][0]['slug']}/vorschlaege/"
    scenarios = [
        ("toggle", prefix, "toggle.lua"),
        ("detail_user", prefix, "detail_user.lua"),
        ("list_top", prefix + "?sort=top", None),
    ]
    versions = [("ref", snapshot, args.ref_threads), ("tree", benchlib.ROOT, args.threads)]
    results = {}
    for r in range(args.rounds):
        for version, code, threads in versions if r % 2 == 0 else versions[::-1]:
            benchlib.CODE = code
            env = {"BENCH_PREFIX": prefix, "BENCH_COUNT": str(info["proposals"]),
                   "BENCH_SESSIONS": str(files[version]), "BENCH_THREADS": "2"}  # fmt: skip
            extra = {"WEB_THREADS": threads} if threads else {}
            server = benchlib.Server(databases[version], 8211, workdir, workdir / "server.log", **extra)
            try:
                server.start()
                for name, path, script in scenarios:
                    url = "http://127.0.0.1:8211" + path
                    run.wrk(url, 2, script, env)
                    before = benchlib.cpu_snapshot(server.proc.pid)
                    res = run.wrk(url, args.seconds, script, env, server=server)
                    cpu = benchlib.cpu_per_request(
                        before, benchlib.cpu_snapshot(server.proc.pid), res["requests"]
                    )
                    results.setdefault((name, version), []).append((res["rps"], res["p50"], res["p95"], cpu))
                    print(
                        f"round {r} {name} {version}: {res['rps']} req/s, p95 {res['p95']} ms, CPU {cpu}, "
                        f"connections per worker {'/'.join(map(str, res['connections_per_worker']))}",
                        flush=True,
                    )
            finally:
                server.stop()
                benchlib.CODE = benchlib.ROOT
    print(f"\nmedians of {args.rounds} rounds ({args.ref} against the working tree):\n")
    print("| scenario | version | req/s | p50 ms | p95 ms | app CPU ms | PostgreSQL CPU ms | other CPU ms |")
    print("|---|---|---|---|---|---|---|---|")
    for (name, version), rows in sorted(results.items()):
        med = [statistics.median(row[i] for row in rows) for i in range(3)]
        cpu = {k: statistics.median(row[3][k] for row in rows) for k in ("app", "postgres", "other")}
        label = args.ref if version == "ref" else "working tree"
        print(f"| {name} | {label} | {med[0]:.0f} | {med[1]:.1f} | {med[2]:.1f} | {cpu['app']:.2f} | "
              f"{cpu['postgres']:.2f} | {cpu['other']:.2f} |")  # fmt: skip
    print(f"\n{benchlib.machine_md(benchlib.machine())}")


if __name__ == "__main__":
    os.chdir(benchlib.ROOT)
    main()
