"""Instructions per request, counted by callgrind: repeatable whatever else the machine is doing, where
seconds on a shared 2-core VM are not.

    .venv/bin/python benchmarks/forum/callgrind.py [--scenario toggle|detail|detail_user|detail_discussion]
                                                   [--requests N] [--ref REF]

Runs this script in its `--drive` mode twice under `valgrind --tool=callgrind`: once driving the WSGI
application in-process (the servers' settings, the whole middleware stack, no HTTP) with N requests after
a warm-up, once with none; (difference) / N is what one request costs the app in user-space instructions.
Kernel time is not counted (a saved round trip to PostgreSQL or Redis saves more than it shows here).

- `toggle`: support and withdraw in turn (HX-Request, as the page's button sends them), signed in;
- `detail`: a proposal's page for an anonymous reader, each a different proposal after the page cache
  was emptied (every page rendered);
- `detail_user`: a proposal's page for a signed-in resident, each a different proposal after the cache was
  emptied (the page is always rendered for its reader; here its text, facts and timeline too);
- `detail_discussion`: the page of a proposal with a discussion of 40 comments for a signed-in
  resident, after each such page was read once (its comments rendered for the reader every time).

`--ref REF` measures `git archive REF` instead of the working tree. Needs the database that `run.py`
generates and valgrind (apt package `valgrind`); a few minutes per run. Prints one line; writes nothing
but callgrind's files in a temporary directory.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import benchlib  # noqa: E402
import generate  # noqa: E402


def drive(args):
    if args.ref:
        benchlib.use_snapshot(args.ref)
    info = generate.stored_info(args.db)
    app, sessions = benchlib.in_process_app(args.db, "allmende-callgrind-")
    from django.core.cache import cache

    slug, count = info["rounds"][0]["slug"], info["proposals"]
    warm_up = 50

    def toggle(i):
        benchlib.toggle_support(app, sessions, slug, count, i)

    numbers = list(range(1, count + 1))
    random.Random(1).shuffle(numbers)  # the same pages in the same order in both runs

    def detail(i):
        benchlib.wsgi_call(app, "GET", f"/runden/{slug}/vorschlaege/{numbers[i]}/")

    def detail_user(i):
        session = sessions[i % len(sessions)]
        benchlib.wsgi_call(app, "GET", f"/runden/{slug}/vorschlaege/{numbers[i]}/", session=session)

    discussions = info["discussions"]["proposals"]  # the first proposals have 40 comments each

    def detail_discussion(i):
        session = sessions[i % len(sessions)]
        benchlib.wsgi_call(app, "GET", f"/runden/{slug}/vorschlaege/{i % discussions + 1}/", session=session)

    if args.scenario in ("detail", "detail_user"):
        cache.clear()  # every page (and its kept text) rendered, also where an earlier run kept it
        step, per_step = (detail if args.scenario == "detail" else detail_user), 1
    elif args.scenario == "detail_discussion":
        step, per_step = detail_discussion, 1
        warm_up = discussions  # each discussion read once, as after run.py's crawl
    else:
        step, per_step = toggle, 2
    for i in range(warm_up):
        step(i)
    for i in range(warm_up, warm_up + args.count // per_step):
        step(i)


def instructions(args, count: int, workdir: Path) -> int:
    out = workdir / f"callgrind.{count}.out"
    command = [sys.executable, __file__, "--drive", "--count", str(count), "--scenario", args.scenario,
               "--db", args.db] + (["--ref", args.ref] if args.ref else [])  # fmt: skip
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    subprocess.run(command, env=env, check=True, capture_output=True)  # compiles the .pyc files first
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *command],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(re.search(r"Collected : (\d+)", done.stderr).group(1))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scenario", choices=["toggle", "detail", "detail_user", "detail_discussion"], default="toggle"
    )
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--ref", default=None, help="measure `git archive REF` instead of the working tree")
    parser.add_argument("--db", default="allmende_bench")
    parser.add_argument("--drive", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        return drive(args)
    if generate.stored_info(args.db) is None:
        sys.exit(f"no benchmark database {args.db}: run benchmarks/forum/run.py first")
    workdir = Path(tempfile.mkdtemp(prefix="allmende-callgrind-"))
    base = instructions(args, 0, workdir)
    full = instructions(args, args.requests, workdir)
    per = (full - base) / args.requests
    print(f"{args.scenario} ({args.ref or 'working tree'}): {per / 1e6:.2f} M instructions per request "
          f"({args.requests} requests; {full:,} - {base:,})")  # fmt: skip


if __name__ == "__main__":
    main()
