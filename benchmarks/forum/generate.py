"""Fill a dedicated PostgreSQL database with a city's worth of proposals, users and supports.

    .venv/bin/python benchmarks/forum/generate.py [--db allmende_bench] [--proposals 10000]
        [--users 100000] [--supports 1000000] [--modes support]

Drops and recreates the database, migrates it, then loads everything with COPY (no ORM row by row):
topics and districts, one round per rating mode in --modes (all in their rating phase), users with
unusable passwords, proposals and supports, and a discussion of 40 comments (a third of them replies)
under each of the first 100 proposals. Supports per proposal follow a log-normal distribution
(median about 50, the most supported a few thousand, as in real rounds), each from distinct users.
Counters are computed while generating, then checked with `manage.py recount` (0 drift asserted).
The time taken is stored as the database's comment and printed.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import math
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

TOPICS = ["Bildung", "Verkehr", "Umwelt", "Kultur", "Sport", "Soziales", "Wirtschaft", "Sicherheit",
          "Gesundheit", "Verwaltung"]  # fmt: skip
DISTRICTS = ["Altstadt", "Neustadt", "Nordviertel", "Südstadt", "Westend", "Ostpark", "Hafen", "Bergheim",
             "Talblick", "Rheinau", "Mühlenberg", "Lindenhof"]  # fmt: skip
WORDS = ["Radweg", "Spielplatz", "Bibliothek", "Schwimmbad", "Bäume", "Beleuchtung", "Buslinie", "Schule", "Kita", "Parkbank", "Brunnen", "Sportplatz", "Jugendzentrum", "Seniorentreff", "Gehweg", "Ampel", "Fahrradständer", "Grünfläche", "Müllvermeidung", "Solaranlage", "Musikschule", "Stadtteilfest", "Sanierung", "Barrierefreiheit", "Wohnungen", "Mobilität"]  # fmt: skip
SUPPORT_VALUES = {
    "support": [1],
    "pro_contra": [1, 1, 1, -1],
    "scale": [2, 1, 1, 0, -1, -2],
    "points": [1, 2, 3],
}


def supports_per_proposal(rng: random.Random, n: int, total: int, n_users: int) -> list[int]:
    """Log-normal counts (median ≈ mean / 2), scaled to sum exactly to `total`, capped at n_users."""
    sigma = math.sqrt(2 * math.log(2))  # mean = 2 × median
    raw = [rng.lognormvariate(0, sigma) for _ in range(n)]
    scale = total / sum(raw)
    counts = [min(n_users, max(0, int(x * scale))) for x in raw]
    missing = total - sum(counts)
    order = sorted(range(n), key=lambda i: -counts[i])
    i = 0
    while missing > 0:  # hand out the rounding remainder, one each, to the largest
        if counts[order[i % n]] < n_users:
            counts[order[i % n]] += 1
            missing -= 1
        i += 1
    return counts


def _text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def model_defaults(table: str, columns: list[str]) -> tuple[list[str], list]:
    """Columns of the table's model that the caller does not set, with the model's Python default.

    Other engineers add fields while this benchmark exists; this keeps COPY working for any new
    NOT NULL field that has a default (a db_default the database fills in by itself)."""
    from django.apps import apps
    from django.db import connection

    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    extra_cols, extra_vals = [], []
    for field in model._meta.concrete_fields:
        if field.column in columns or field.null or field.has_db_default() or field.primary_key:
            continue
        if not (field.has_default() or field.empty_strings_allowed):
            continue  # a new required field without default: COPY will say which
        extra_cols.append(field.column)
        extra_vals.append(field.get_db_prep_save(field.get_default(), connection))
    return extra_cols, extra_vals


def copy_rows(cur, table: str, columns: list[str], rows) -> None:
    extra_cols, extra_vals = model_defaults(table, columns)
    with cur.copy(f"COPY {table} ({', '.join(columns + extra_cols)}) FROM STDIN") as cp:
        buf = io.StringIO()
        for n, row in enumerate(rows, 1):
            buf.write("\t".join(_text(v) for v in (*row, *extra_vals)) + "\n")
            if n % 50000 == 0:
                cp.write(buf.getvalue())
                buf = io.StringIO()
        cp.write(buf.getvalue())


def make_rounds(modes: list[str], now: datetime.datetime):
    from allmende.rounds.models import District, Phase, Round, Topic

    day = datetime.timedelta(days=1)
    topics = [
        Topic.objects.update_or_create(slug=name.lower(), defaults={"name": name})[0] for name in TOPICS
    ]
    districts = [
        District.objects.update_or_create(
            slug=name.lower().replace("ü", "ue").replace("ö", "oe"), defaults={"name": name}
        )[0]
        for name in DISTRICTS
    ]
    rounds = []
    for n, mode in enumerate(modes):
        round_ = Round.objects.create(
            title=f"Benchmark-Haushalt ({mode})",
            slug=f"bench-{mode.replace('_', '-')}",
            reference_prefix=f"BM{n}",
            rating_mode=mode,
            support_during_proposals=False,
        )
        for kind, start, end in [
            ("information", -90, -60),
            ("proposals", -60, -30),
            ("rating", -30, 30),
            ("answers", 30, 60),
            ("closed", 60, 400),
        ]:
            Phase.objects.create(
                round=round_, kind=kind, starts_at=now + start * day, ends_at=now + end * day
            )
        round_.topics.set(topics)
        round_.districts.set(districts)
        rounds.append((round_.pk, mode, round_.slug))
    return rounds, [t.pk for t in topics], [d.pk for d in districts]


# Sentences of the generated comments (Markdown as residents write it).
SENTENCES = [
    "Das finde ich eine gute Idee.",
    "Wir brauchen **mehr Radwege** in der Innenstadt, vor allem an den Schulen.",
    "Wer bezahlt das am Ende, und was fällt dafür weg?",
    "Die Kosten scheinen mir zu niedrig geschätzt.",
    "Siehe auch den [Radverkehrsplan](https://example.org/radverkehr) der Stadt.",
    "Ich wohne dort und sehe das jeden Tag.\n\n- morgens Stau\n- abends kein Licht",
    "Danke für den Vorschlag! Vielleicht ließe sich das mit dem Spielplatz verbinden.",
    "Im letzten Haushalt stand dafür schon *einmal* Geld bereit.",
]


def discussion_rows(rng: random.Random, proposal_ids: list[int], each: int, user_ids: list[int], now):
    """`each` comments for every proposal in `proposal_ids`: every third a reply to an earlier one of
    the first level, by residents drawn at random, one an hour up to now. Rows for comments_comment:
    (id, proposal, parent, depth, author, body, official, created_at)."""
    cid = 0
    for pid in proposal_ids:
        roots = []
        for k in range(each):
            cid += 1
            parent = rng.choice(roots) if roots and k % 3 == 2 else None
            body = " ".join(rng.sample(SENTENCES, k=rng.randint(1, 4)))
            created = now - datetime.timedelta(hours=each - k)
            yield (cid, pid, parent, 1 if parent else 0, rng.choice(user_ids), body, "", created)
            if parent is None:
                roots.append(cid)


def generate(
    db: str,
    n_proposals: int,
    n_users: int,
    n_supports: int,
    modes: list[str],
    seed: int = 42,
    n_discussions: int = 100,
    comments_each: int = 40,
) -> dict:
    import psycopg

    rng = random.Random(seed)
    t0 = time.monotonic()
    timings = {}
    benchlib.psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    benchlib.psql(f'CREATE DATABASE "{db}"')
    env = benchlib.server_env(db, Path("/tmp"))
    subprocess.run(
        [benchlib.PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=benchlib.CODE, env=env, check=True
    )
    timings["create+migrate"] = time.monotonic() - t0

    now = datetime.datetime.now(datetime.UTC)
    day = datetime.timedelta(days=1)
    # Import the app's own rank function, so the generated counters mean what services.py means.
    benchlib.django_setup(db)
    from allmende.markup import stored_markdown
    from allmende.proposals.services import rank_value

    with psycopg.connect(benchlib.db_url(db), autocommit=False) as conn, conn.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        t = time.monotonic()
        # The few rows of set-up go through the ORM (so new fields get their defaults); bulk rows use COPY.
        rounds, topic_ids, district_ids = make_rounds(modes, now)
        # Users: ids 1..n, unusable passwords ("!" + random, as make_password(None) writes).
        cur.execute("SELECT coalesce(max(id), 0) FROM accounts_user")
        first_uid = cur.fetchone()[0] + 1
        user_ids = list(range(first_uid, first_uid + n_users))
        joined = now - 120 * day
        copy_rows(
            cur,
            "accounts_user",
            [
                "id",
                "password",
                "is_superuser",
                "first_name",
                "last_name",
                "is_staff",
                "is_active",
                "date_joined",
                "username",
                "email",
            ],  # fmt: skip
            (
                (uid, "!" + rng.randbytes(20).hex(), "f", "", "", "f", "t", joined, f"bench{uid}", "")
                for uid in user_ids
            ),  # fmt: skip
        )
        timings["users"] = time.monotonic() - t

        # Supports: decide the counts, draw distinct supporters per proposal, sum the counters.
        t = time.monotonic()
        counts = supports_per_proposal(rng, n_proposals, n_supports, n_users)
        proposals, supports = [], []
        sid = 0
        for i in range(n_proposals):
            pid = i + 1
            round_id, mode, _slug = rounds[i % len(rounds)]
            number = i // len(rounds) + 1
            values = SUPPORT_VALUES[mode]
            supporters = rng.sample(user_ids, counts[i])
            total = pros = contras = 0
            created = now - 60 * day + datetime.timedelta(seconds=i * 30)
            for uid in supporters:
                v = values[rng.randrange(len(values))]
                sid += 1
                supports.append((sid, v, created + datetime.timedelta(days=31), pid, uid))
                total += v
                pros += v > 0
                contras += v < 0
            words = rng.sample(WORDS, 4)
            title = f"{words[0]} für {rng.choice(DISTRICTS)}: {words[1]} und {words[2]}"[:120]
            summary = f"Wir schlagen vor, {words[0]} und {words[3]} zu verbessern. " * 3
            description = (
                f"## Worum geht es?\n\n{' '.join(rng.sample(WORDS, 12))}.\n\n"
                f"Die Stadt soll **{words[1]}** fördern, damit {' '.join(rng.sample(WORDS, 8))}.\n\n"
                "- erstens\n- zweitens\n- drittens\n"
            )
            proposals.append(
                (
                    pid,
                    round_id,
                    number,
                    title,
                    summary.strip()[:500],
                    description,
                    stored_markdown(description),  # as saving does (allmende.markup)
                    rng.choice(["more", "less", "saving"]),
                    topic_ids[rng.randrange(len(topic_ids))],
                    rng.choice(district_ids + [None]),
                    rng.randrange(1, 2000) * 100000,
                    "once",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "published",
                    created,
                    created,
                    counts[i],
                    pros,
                    contras,
                    total,
                    rank_value(mode, counts[i], total),
                    0,
                    rng.randrange(2**31),
                    rng.choice(user_ids),
                )  # fmt: skip
            )
        timings["draw"] = time.monotonic() - t
        t = time.monotonic()
        copy_rows(
            cur,
            "proposals_proposal",
            [
                "id",
                "round_id",
                "number",
                "title",
                "summary",
                "description",
                "description_html",
                "direction",
                "topic_id",
                "district_id",
                "cost_cents",
                "cost_period",
                "cost_note",
                "image",
                "image_thumbnail",
                "image_alt",
                "image_caption",
                "image_credit",
                "state",
                "created_at",
                "updated_at",
                "support_count",
                "pro_count",
                "contra_count",
                "score_sum",
                "rank_value",
                "comment_count",
                "random_key",
                "author_id",
            ],  # fmt: skip
            proposals,
        )
        timings["copy proposals"] = time.monotonic() - t
        t = time.monotonic()
        copy_rows(cur, "proposals_support", ["id", "value", "created_at", "proposal_id", "user_id"], supports)
        timings["copy supports"] = time.monotonic() - t
        t = time.monotonic()
        discussed = [pid for (pid,) in cur.execute(
            "SELECT id FROM proposals_proposal WHERE number <= %s ORDER BY round_id, number", [n_discussions]
        )]  # fmt: skip
        comments = list(discussion_rows(rng, discussed, comments_each, user_ids, now))
        copy_rows(
            cur,
            "comments_comment",
            ["id", "proposal_id", "parent_id", "depth", "author_id", "body", "official", "created_at"],
            comments,
        )
        cur.execute(
            "UPDATE proposals_proposal SET comment_count = %s WHERE id = ANY(%s)", [comments_each, discussed]
        )
        timings["copy comments"] = time.monotonic() - t
        for table in ("accounts_user", "proposals_proposal", "proposals_support", "comments_comment"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        conn.commit()
    t = time.monotonic()
    # Autovacuum may be off (it is on the development machine): statistics and the visibility map by hand.
    with psycopg.connect(benchlib.db_url(db), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    timings["vacuum analyze"] = time.monotonic() - t
    generated_s = time.monotonic() - t0

    t = time.monotonic()
    out = subprocess.run(
        [benchlib.PY, "manage.py", "recount"], cwd=benchlib.CODE, env=env, capture_output=True, text=True
    )
    timings["recount"] = time.monotonic() - t
    assert out.returncode == 0 and out.stdout.strip().endswith(
        "0 proposal(s) with drifting counters found."
    ), out.stdout[-2000:] + out.stderr[-2000:]
    ordered = sorted(counts)
    info = {
        "db": db,
        "proposals": n_proposals,
        "users": n_users,
        "supports": n_supports,
        # Proposals 1..proposals (by number) each have a discussion of comments_each comments.
        "discussions": {"proposals": n_discussions, "comments_each": comments_each},
        "rounds": [{"id": r, "mode": m, "slug": s} for r, m, s in rounds],
        "supports_per_proposal": {
            "min": ordered[0],
            "median": ordered[len(ordered) // 2],
            "p90": ordered[int(len(ordered) * 0.9)],
            "p99": ordered[int(len(ordered) * 0.99)],
            "max": ordered[-1],
            "over_1000": sum(c >= 1000 for c in ordered),
        },
        "generation_s": round(generated_s, 1),
        "recount_s": round(timings["recount"], 1),
        "recount": out.stdout.strip().splitlines()[-1],
        "steps_s": {k: round(v, 1) for k, v in timings.items()},
        "generated_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    benchlib.psql(f"COMMENT ON DATABASE \"{db}\" IS '{json.dumps(info)}'")
    return info


def stored_info(db: str) -> dict | None:
    """What generate() wrote into the database's comment, or None if the database is missing."""
    try:
        raw = benchlib.psql(
            f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{db}'"
        )
    except subprocess.CalledProcessError:
        return None
    return json.loads(raw) if raw else None


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="allmende_bench")
    parser.add_argument("--proposals", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--supports", type=int, default=1_000_000)
    parser.add_argument(
        "--snapshot", metavar="REF", help="benchmark `git archive REF` instead of the working tree"
    )
    parser.add_argument("--modes", default="support", help="comma-separated rating modes, one round each")
    args = parser.parse_args()
    if args.snapshot:
        benchlib.use_snapshot(args.snapshot)
    info = generate(args.db, args.proposals, args.users, args.supports, args.modes.split(","))
    print(json.dumps(info, indent=2))


if __name__ == "__main__":
    main()
