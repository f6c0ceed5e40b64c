"""Load and faults (issue 7): one command, about two minutes, stops by itself, writes RESULTS.md.

    .venv/bin/python benchmarks/faults/run.py [--seconds 60] [--snapshot HEAD]

Two production servers (scripts/serve-prod.sh: granian, 2 workers each) on 127.0.0.1:8301 and :8302
against one PostgreSQL (a fresh `allmende_faults` database: 2,000 proposals in two rounds, one in the
support mode and one rated on the −2…+2 scale, 20,000 users, 100,000 supports) and one Redis.
64 residents, each logged in with its own session, support, withdraw, rate and browse through both
servers. At 1/3 of the time server 1 is killed with SIGKILL (its whole process group) and restarted;
at 0.6 of the time PostgreSQL is restarted (pg_ctlcluster … restart). Afterwards every write a resident
was told about must be in the database (none twice), every counter must equal a recount, and every
5xx or failed connection must fall into a fault window. PostgreSQL is started again at the end
whatever happens. Residents also comment; every comment they were told was published must be stored once.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "forum"))
import benchlib  # noqa: E402
import generate  # noqa: E402
import residents as res  # noqa: E402

DB = "allmende_faults"
PORTS = (8301, 8302)
PG_CLUSTER = ["15", "main"]


def pg_ctl(action: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            "pg_ctlcluster",
            "--skip-systemctl-redirect",
            *PG_CLUSTER,
            action,
            *(["-m", "fast"] if action != "start" else []),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def pg_running() -> bool:
    return subprocess.run(["pg_ctlcluster", *PG_CLUSTER, "status"], capture_output=True).returncode == 0


def ensure_pg_running() -> None:
    if not pg_running():
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", *PG_CLUSTER, "start"], timeout=120)
    for _ in range(60):
        try:
            benchlib.psql("SELECT 1")
            return
        except subprocess.CalledProcessError:
            time.sleep(0.5)


def vm_hwm_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--residents", type=int, default=64)
    parser.add_argument(
        "--snapshot", metavar="REF", help="benchmark `git archive REF` instead of the working tree"
    )
    parser.add_argument("--output", default=str(HERE / "RESULTS.md"))
    args = parser.parse_args()
    t_run = time.monotonic()
    if args.snapshot:
        print("code: snapshot of", benchlib.use_snapshot(args.snapshot), flush=True)
    ensure_pg_running()
    cmd = [benchlib.PY, str(HERE.parent / "forum" / "generate.py"), "--db", DB, "--proposals", "2000",
           "--users", "20000", "--supports", "100000", "--modes", "support,scale"]  # fmt: skip
    subprocess.run(
        cmd + (["--snapshot", args.snapshot] if args.snapshot else []), check=True, stdout=subprocess.DEVNULL
    )
    info = generate.stored_info(DB)
    print("data generated in", info["generation_s"], "s", flush=True)

    benchlib.django_setup(DB)
    import psycopg
    from django.urls import reverse

    with psycopg.connect(benchlib.db_url(DB), autocommit=True) as conn:
        uids = [
            r[0]
            for r in conn.execute("SELECT id FROM accounts_user ORDER BY id DESC LIMIT %s", [args.residents])
        ]
    sessions = benchlib.make_sessions(DB, uids)
    profile_url = reverse("accounts:profile")

    workdirs = [Path(tempfile.mkdtemp(prefix=f"allmende-faults-{p}-")) for p in PORTS]
    servers = [
        benchlib.Server(DB, PORTS[0], workdirs[0], workdirs[0] / "server.log", MIGRATE_ON_START="true"),
        benchlib.Server(DB, PORTS[1], workdirs[1], workdirs[1] / "server.log", MIGRATE_ON_START="false"),
    ]
    timeline: dict[str, float] = {}
    out: dict = {"data": info}
    peak_rss: dict[str, float] = {}
    rss_stop = threading.Event()

    def sample_rss():
        while not rss_stop.is_set():
            for i, s in enumerate(servers):
                for pid in s.worker_pids():
                    key = f"server {i + 1} worker {pid}"
                    peak_rss[key] = max(peak_rss.get(key, 0), vm_hwm_mb(pid))
            rss_stop.wait(1)

    try:
        out["startup_s"] = [round(s.start(), 1) for s in servers]
        # Sessions live in the database: one made for port 1 must work on port 2, and a toggle through
        # one server must show on the other.
        key, csrf = sessions[uids[0]]
        cookie = {"Cookie": f"sessionid={key}; csrftoken={csrf}"}
        shared = {
            f"profile with session via :{p}": benchlib.http_get(p, profile_url, cookie)[0] for p in PORTS
        } | {f"profile without session via :{p}": benchlib.http_get(p, profile_url)[0] for p in PORTS}
        out["shared_session"] = shared
        print("shared session:", shared, flush=True)

        rounds = {r["mode"]: r for r in info["rounds"]}
        residents = []
        for i, uid in enumerate(uids):
            mode = "support" if i % 2 == 0 else "scale"
            residents.append(
                res.Resident(
                    uid=uid,
                    session=sessions[uid][0],
                    csrf=sessions[uid][1],
                    ports=list(PORTS),
                    slug=rounds[mode]["slug"],
                    numbers=list(range(1, 41)),  # 40 proposals per round: the residents collide
                    values=[1] if mode == "support" else [-2, -1, 0, 1, 2],
                    weights={
                        "support": 0.3,
                        "withdraw": 0.2,
                        "comment": 0.08,
                        "browse_list": 0.2,
                        "browse_detail": 0.22,
                    },
                    seed=uid,
                )
            )
        t0 = time.monotonic()
        load = threading.Thread(target=res.run_residents, args=(residents, args.seconds, 100_000, t0))
        sampler = threading.Thread(target=sample_rss, daemon=True)
        sampler.start()
        load.start()

        def at(fraction):
            time.sleep(max(0.0, t0 + args.seconds * fraction - time.monotonic()))

        at(1 / 3)
        timeline["server 1 SIGKILL"] = time.monotonic() - t0
        servers[0].kill()
        servers[0].env["MIGRATE_ON_START"] = "false"
        servers[0].start(timeout=120)
        timeline["server 1 answering again"] = time.monotonic() - t0
        at(0.6)
        timeline["PostgreSQL restart begins"] = time.monotonic() - t0
        restart = pg_ctl("restart")
        timeline["PostgreSQL restart returned"] = time.monotonic() - t0
        out["pg_restart"] = {"rc": restart.returncode, "output": (restart.stdout + restart.stderr)[-500:]}
        load.join(timeout=args.seconds + 180)
        timeline["load ended"] = time.monotonic() - t0
        rss_stop.set()
        out["peak_rss_mb"] = peak_rss
    finally:
        rss_stop.set()
        ensure_pg_running()
        for s in servers:
            s.stop()
    out["pg_running_at_end"] = pg_running()
    out["timeline_s"] = {k: round(v, 2) for k, v in timeline.items()}

    # --- verdicts ---------------------------------------------------------------------------------
    with psycopg.connect(benchlib.db_url(DB), autocommit=True) as conn:
        out["ledger"] = {
            mode: res.check_ledgers(
                conn, [r for r in residents if r.slug == rounds[mode]["slug"]], rounds[mode]["id"]
            )
            for mode in rounds
        }
        out["comments"] = res.check_comments(conn, residents)
    recount = subprocess.run([benchlib.PY, "manage.py", "recount"], cwd=benchlib.CODE,
                             env=benchlib.server_env(DB, workdirs[1]), capture_output=True, text=True)  # fmt: skip
    out["recount"] = {"rc": recount.returncode, "last": (recount.stdout.strip().splitlines() or [""])[-1]}

    kill, back = timeline["server 1 SIGKILL"], timeline["server 1 answering again"]
    pg_a, pg_b = timeline["PostgreSQL restart begins"], timeline["PostgreSQL restart returned"]
    grace = 3.0  # after the restart returned: connections that were open are found dead on first use
    events = [e for r in residents for e in r.events]

    def window(e):
        """A request belongs to a fault window if it was in flight during it (start to answer), or if it
        failed on a kept connection to the killed server that was opened before the kill: such a
        connection is found dead at its first use, whenever that is (a resident that used the other
        server meanwhile)."""
        start, end = e.t, e.t + e.ms / 1000
        if e.port == PORTS[0] and start <= back and end >= kill:
            return "server 1 killed"
        if e.port == PORTS[0] and e.status == 0 and e.connected <= kill <= start:
            return "server 1 killed"
        if start <= pg_b + grace and end >= pg_a:
            return "PostgreSQL restart"
        if start < kill:
            return "before"
        return "after"

    failures = {}
    for e in events:
        if e.status == 0 or e.status >= 500:
            kind = f"{'connection error ' + e.error if e.status == 0 else 'HTTP ' + str(e.status)}"
            where = window(e)
            if where in ("before", "after"):
                where = "outside any fault window"
                out.setdefault("outside_examples", []).append(
                    {
                        "t": round(e.t, 2),
                        "ms": round(e.ms, 1),
                        "port": e.port,
                        "action": e.action,
                        "status": e.status,
                        "error": e.error,
                    }  # fmt: skip
                )
            failures.setdefault(where, {}).setdefault(kind, 0)
            failures[where][kind] += 1
    out["failures"] = failures
    statuses = {}
    for e in events:
        statuses[str(e.status)] = statuses.get(str(e.status), 0) + 1
    out["statuses"] = statuses

    phases = {
        "before faults": (0, kill),
        "during faults": (kill, pg_b + grace),
        "after faults": (pg_b + grace, args.seconds),
    }
    table = {}
    for phase, (a, b) in phases.items():
        for action in ("support", "withdraw", "list", "detail", "resync"):
            ok = [e.ms for e in events if e.action == action and a <= e.t < b and 200 <= e.status < 400]
            if ok:
                table.setdefault(phase, {})[action] = benchlib.summary(ok, b - a)
        ok_all = [e.ms for e in events if a <= e.t < b and 200 <= e.status < 400]
        table.setdefault(phase, {})["all"] = benchlib.summary(ok_all, b - a)
    out["phases"] = table
    out["phase_bounds_s"] = {k: [round(v[0], 1), round(v[1], 1)] for k, v in phases.items()}
    out["machine"] = benchlib.machine()
    out["run_s"] = round(time.monotonic() - t_run, 1)
    benchlib.dump_json(HERE / "results.json", out)
    Path(args.output).write_text(render(out, args))
    print(
        json.dumps(
            {
                k: out.get(k)
                for k in (
                    "timeline_s",
                    "ledger",
                    "comments",
                    "recount",
                    "failures",
                    "statuses",
                    "outside_examples",
                )
            },
            default=str,
        )
    )
    ok = (
        all(v["mismatches"] == 0 and v["duplicate_rows"] == 0 for v in out["ledger"].values())
        and out["recount"]["rc"] == 0
        and out["comments"]["missing"] == 0
        and out["comments"]["duplicates"] == 0
        and "outside any fault window" not in failures
        and out["pg_running_at_end"]
    )
    print("OK" if ok else "FAILED", "- wrote", args.output)
    sys.exit(0 if ok else 1)


def render(o: dict, args) -> str:
    d = o["data"]
    lines = [
        "# Load and faults: results",
        "",
        "Written by `benchmarks/faults/run.py` (see README.md); raw numbers in `results.json`.",
        "",
        "## Machine",
        "",
        benchlib.machine_md(o["machine"]),
        "",
        "## Set-up",
        "",
        f"- Two production servers (`scripts/serve-prod.sh`, granian WSGI, 2 workers × 2 threads each, DEBUG=false) "
        f"on 127.0.0.1:{PORTS[0]} and :{PORTS[1]}, started in {o.get('startup_s')} s, one PostgreSQL, one Redis "
        "(cache, rate limits).",
        f"- Data (`{DB}`, fresh each run, {d['generation_s']} s): {d['proposals']:,} proposals in two rounds in their "
        f"rating phase (support mode; −2…+2 scale), {d['users']:,} users, {d['supports']:,} supports.",
        f"- {args.residents} residents, each a thread with its own logged-in session, for {args.seconds} s, every request "
        "to a random one of the two servers (after a failed connection the other one for 1 s). Half of them in the "
        "support round (support / withdraw), half in the scale round (rate −2…+2 / withdraw); all browse lists and "
        "detail pages and comment. Mix: 30 % support or rate, 20 % withdraw, 8 % comment, 20 % list, 22 % detail, on "
        "40 proposals per round so that they collide.",
        "- After an answer about a write each resident writes down the state the returned button shows; after a "
        "failed request it looks at the proposal's page (`resync`) and writes down what it sees there.",
        f"- Shared sessions: {o.get('shared_session')} (a session made once works on both servers; without it the "
        "profile redirects to the login).",
        "",
        "## Faults (seconds since the load started)",
        "",
    ]
    lines += [f"- {k}: {v}" for k, v in o["timeline_s"].items()]
    lines += [
        f"- PostgreSQL restart: exit {o.get('pg_restart', {}).get('rc')}; PostgreSQL running at the end: "
        f"{o['pg_running_at_end']}",
        "",
        "## Verdicts",
        "",
    ]
    for mode, v in o["ledger"].items():
        lines.append(
            f"- {mode} round: {v['entries_checked']} ledger entries checked ({v['told']} told by an answer, "
            f"{v['observed_after_error']} observed after a failure, {v['unknown']} unknown): **{v['mismatches']} "
            f"mismatches**, {v['duplicate_rows']} duplicate (user, proposal) rows."
        )
    lines += [
        f"- `manage.py recount`: **{o['recount']['last']}** (exit {o['recount']['rc']}); it checks the comment "
        "counts too.",
        f"- Comments: {o['comments']['told']} that residents were told were published, {o['comments']['in_db']} "
        f"in the database, **{o['comments']['missing']} missing, {o['comments']['duplicates']} twice**.",
        f"- Answers by status (0 = connection refused/reset): {o['statuses']}",
        "- Failures (5xx and failed connections) by window:",
    ]
    for where, kinds in o["failures"].items():
        lines.append(f"  - {where}: {kinds}")
    if not o["failures"]:
        lines.append("  - none")
    if o.get("outside_examples"):
        lines.append(f"- Failures outside the windows (first 20): {o['outside_examples'][:20]}")
    lines += [
        "",
        "## Throughput and latency per action (successful answers; ms)",
        "",
        f"Phase bounds (s): {o['phase_bounds_s']}.",
        "",
        "| phase | action | n | req/s | p50 | p95 | p99 | max |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for phase, actions in o["phases"].items():
        for action, s in actions.items():
            lines.append(
                f"| {phase} | {action} | {s['n']} | {s['rps']} | {s['p50']} | {s['p95']} | {s['p99']} | {s['max']} |"
            )
    lines += [
        "",
        "## Memory",
        "",
        "Peak RSS (VmHWM, sampled every second) of each app worker under this load: "
        + ", ".join(f"{k}: {v} MB" for k, v in o.get("peak_rss_mb", {}).items()),
        "",
        f"Whole run: {o['run_s']} s.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
