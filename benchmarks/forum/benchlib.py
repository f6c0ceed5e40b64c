"""Shared helpers of the forum and faults benchmarks: database, servers, sessions, statistics, machine.

Loopback only. Everything started here is started in its own process group and stopped by its id.
"""

from __future__ import annotations

import contextlib
import datetime
import http.client
import io
import json
import os
import platform
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = str(ROOT / ".venv" / "bin" / "python")
# The code under test: the working tree, or a snapshot of a commit (use_snapshot) when the shared
# working tree is in the middle of someone's change (e.g. a migration whose parent is not written yet).
CODE = ROOT
HELLO_VIEW = '''

def hello(request):
    """A bare view for the benchmarks' baseline (benchmarks/forum): the whole middleware stack, no
    database, no template. Routed only when BENCHMARK_HELLO=true (allmende/urls.py)."""
    return HttpResponse(b"hello", content_type="text/plain")
'''
HELLO_ROUTE = """
_hello_env = os.environ.get("BENCHMARK_HELLO", "").lower() in {"1", "true", "yes", "on"}
if getattr(settings, "BENCHMARK_HELLO", _hello_env):
    urlpatterns.append(path("bench/hello", hello, name="bench-hello"))
"""


def use_snapshot(ref: str = "HEAD") -> str:
    """Benchmark `git archive <ref>` (plus the hello view, if that commit lacks it) instead of the tree."""
    global CODE
    commit = subprocess.run(["git", "rev-parse", "--short", ref], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.strip()  # fmt: skip
    target = Path(f"/tmp/allmende-bench/src-{commit}")
    if not (target / "manage.py").exists():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
        views = target / "allmende/ops/views.py"
        text = views.read_text()
        if "def hello(" not in text:
            text = text.replace(
                "from django.http import JsonResponse", "from django.http import HttpResponse, JsonResponse"
            )
            views.write_text(text.rstrip("\n") + "\n" + HELLO_VIEW)
            urls = target / "allmende/urls.py"
            text = urls.read_text().replace(
                "from allmende.ops.views import healthz", "from allmende.ops.views import healthz, hello"
            )
            urls.write_text("import os\n\n" + text.rstrip("\n") + "\n" + HELLO_ROUTE)
        for mo in ROOT.glob("locale*/*/LC_MESSAGES/*.mo"):
            dest = target / mo.relative_to(ROOT)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(mo.read_bytes())
    CODE = target
    return commit


PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
SECRET_KEY = "benchmark-only-secret-key-" + "x" * 40  # the servers and the session maker must agree
# A database of its own: the benchmark empties it (FLUSHDB), and tests use 14 (tests/conftest.py) or, in
# .ci/run, 15 under per-process prefixes, so a benchmark beside a test run never wipes the tests' keys.
REDIS_URL = "redis://127.0.0.1:6379/13"


def db_url(dbname: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{dbname}"


def server_env(dbname: str, workdir: Path, **extra) -> dict:
    """The production environment of one app server (docs/configuration.md), plus the hello view."""
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        REDIS_URL=REDIS_URL,
        DATABASE_URL=db_url(dbname),
        STATIC_ROOT=str(workdir / "static"),
        MEDIA_ROOT=str(workdir / "media"),
        ALLMENDE_VAR_DIR=str(workdir / "var"),
        BENCHMARK_HELLO="true",
        # A few thousand simulated residents share a handful of accounts here: lift the per-person limits
        # (a real person never toggles hundreds of times a minute).
        RATE_LIMIT_RATE="1000000/60",
        RATE_LIMIT_COMMENT="1000000/60",
        RATE_LIMIT_REPORT="1000000/60",
        # check --deploy refuses the file mail backend; nothing here sends mail, and never off loopback.
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT="2525",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        WEB_WORKERS="2",
        LOG_LEVEL="WARNING",  # one JSON line per request would cost the 2 cores more than the view
        PYTHONUNBUFFERED="1",
        PYTHON=PY,  # scripts/serve-prod.sh, also when it runs from a snapshot without its own .venv
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def django_setup(dbname: str, workdir: Path | None = None) -> None:
    """Set up Django in this process against the benchmark database (for sessions and query checks).

    With a workdir, static files are collected there first (DEBUG off needs the manifest)."""
    if workdir is not None:
        env = server_env(dbname, workdir)
        subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=CODE, env=env, check=True)
        os.environ["STATIC_ROOT"] = env["STATIC_ROOT"]
    os.environ.update(
        DJANGO_SETTINGS_MODULE="allmende.settings",
        DEBUG="false",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,testserver",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=db_url(dbname),
        REDIS_URL=REDIS_URL,
        LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(CODE))
    import django

    django.setup()


# --- servers -------------------------------------------------------------------------------------


class Server:
    """scripts/serve-prod.sh (check --deploy, collectstatic, migrate, granian) on one loopback port."""

    def __init__(self, dbname: str, port: int, workdir: Path, log: Path, **extra):
        self.port = port
        self.env = server_env(dbname, workdir, PORT=port, HOST="127.0.0.1", **extra)
        self.log = log
        self.balancing: str | None = None  # what allmende/ops/balance.py said at the start
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> float:
        # The workers bind with SO_REUSEPORT: a server left over from an interrupted run would quietly
        # share the port (and the load) with this one.
        with contextlib.suppress(OSError):
            http_get(self.port, "/healthz", timeout=1)
            raise RuntimeError(
                f"port {self.port} is served already (a server left over from an earlier run?)"
            )
        _stop_servers_on_sigterm()
        started = time.monotonic()
        offset = self.log.stat().st_size if self.log.exists() else 0
        self.balancing = None
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                ["sh", "scripts/serve-prod.sh"],
                cwd=CODE,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killed by its id, with its workers
            )
        while time.monotonic() - started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server on port {self.port} exited; see {self.log}")
            with contextlib.suppress(OSError):
                status, _ = http_get(self.port, "/healthz", timeout=2)
                if status == 200:
                    up = time.monotonic() - started
                    self._await_balancing(offset)
                    return up
            time.sleep(0.2)
        raise RuntimeError(f"server on port {self.port} did not answer /healthz within {timeout}s")

    def _await_balancing(self, offset: int, timeout: float = 10) -> None:
        """Wait for the line of allmende/ops/balance.py (started by serve-prod.sh beside granian),
        so that no scenario's connections arrive before the workers' connections are dealt in turn;
        keep it in `balancing`. A version without the balancer, or a server started with
        BALANCE_CONNECTIONS=false, has no such line."""
        if not (CODE / "allmende" / "ops" / "balance.py").exists() or self.env.get(
            "BALANCE_CONNECTIONS", "true"
        ) not in ("true", "1", "yes", "on"):
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.log, "rb") as log:
                log.seek(offset)
                for line in log.read().decode(errors="replace").splitlines():
                    if line.startswith("allmende.ops.balance:"):
                        self.balancing = line.split(": ", 2)[-1]
                        return
            time.sleep(0.05)
        raise RuntimeError(f"the connection balancer of port {self.port} wrote nothing; see {self.log}")

    def worker_pids(self) -> list[int]:
        if not self.proc:
            return []
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True, text=True
        ).stdout
        return [int(p) for p in out.split()]

    def connections_per_worker(self) -> list[int]:
        """Established client connections each worker holds, largest first. Each worker listens on the
        port itself (SO_REUSEPORT). With allmende/ops/balance.py attached (serve-prod.sh starts it; it
        needs CAP_BPF) the connections are dealt in turn, 8/8; without it the kernel hands a new
        connection to one of them by a hash of its addresses, so a load tool's 16 keep-alive connections
        split 8/8 in only a fifth of the runs (binomial), 11/5 or worse in a fifth. Both workers get
        about the same CPU, so the clients of the fuller worker wait longer."""
        out = subprocess.run(
            ["ss", "-tnpH", "state", "established", f"( sport = :{self.port} )"],
            capture_output=True, text=True,
        ).stdout  # fmt: skip
        held = [int(pid) for pid in re.findall(r"pid=(\d+)", out)]
        return sorted((held.count(pid) for pid in self.worker_pids()), reverse=True)

    def kill(self) -> None:
        """SIGKILL the whole server (granian and its workers), no goodbye."""
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def _stop_servers_on_sigterm() -> None:
    """`kill` (SIGTERM) of a benchmark ends it like Ctrl-C: the `finally` blocks stop its servers. By
    default SIGTERM ends Python at once and leaves the servers running."""
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, signal.default_int_handler)


_TICK = os.sysconf("SC_CLK_TCK")


def cpu_snapshot(server_pgid: int | None) -> dict:
    """CPU seconds used so far by kind of process: the app server (its process group), PostgreSQL,
    Redis, everything else on the machine ("other": other people's work too), the load tool (this
    process's finished children: wrk), and the machine's idle time (all cores)."""
    per_pid = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        seconds = (int(fields[11]) + int(fields[12])) / _TICK
        if server_pgid is not None and int(fields[2]) == server_pgid:
            kind = "app"
        elif name.startswith("postgres"):
            kind = "postgres"
        elif name.startswith("redis"):
            kind = "redis"
        else:
            kind = "other"
        per_pid[int(entry)] = (kind, seconds)
    children = os.times()
    idle = int(Path("/proc/stat").read_text().split()[4]) / _TICK
    return {"per_pid": per_pid, "load_tool": children.children_user + children.children_system, "idle": idle}


def cpu_per_request(before: dict, after: dict, requests: int) -> dict:
    """Milliseconds of CPU per request by kind between two snapshots (processes that ended in between are
    missed; the server's, PostgreSQL's and Redis's live on)."""
    used = {"app": 0.0, "postgres": 0.0, "redis": 0.0, "other": 0.0}
    for pid, (kind, seconds) in after["per_pid"].items():
        old = before["per_pid"].get(pid)
        used[kind] += seconds - (old[1] if old and old[0] == kind else 0.0)
    used["load_tool"] = after["load_tool"] - before["load_tool"]
    used["idle"] = after["idle"] - before["idle"]
    return {k: round(1000 * v / max(requests, 1), 2) for k, v in used.items()}


def http_get(port: int, path: str, headers: dict | None = None, timeout: float = 10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# --- database ------------------------------------------------------------------------------------


def psql(sql: str, dbname: str = "postgres") -> str:
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", dbname, "-Atqc", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def make_sessions(dbname: str, user_ids: list[int], backend: str | None = None) -> dict[int, tuple[str, str]]:
    """Logged-in Django sessions written straight into django_session: {user id: (session key, csrf)}.

    Needs django_setup(dbname) first. The session carries what django.contrib.auth's login() stores,
    so the servers accept it like one made by the login form.
    """
    import psycopg
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from allmende.accounts.models import User

    store = SessionStore()
    expire = timezone.now() + datetime.timedelta(days=1)
    sessions = {}
    with psycopg.connect(db_url(dbname)) as conn:
        passwords = dict(
            conn.execute("SELECT id, password FROM accounts_user WHERE id = ANY(%s)", [user_ids])
        )
        with conn.cursor().copy(
            "COPY django_session (session_key, session_data, expire_date) FROM STDIN"
        ) as cp:
            for uid in user_ids:
                user = User(id=uid, password=passwords[uid])
                data = {
                    "_auth_user_id": str(uid),
                    # the sign-in backend of the code under test (a server that does not know it
                    # treats the session as anonymous)
                    "_auth_user_backend": backend or settings.AUTHENTICATION_BACKENDS[0],
                    "_auth_user_hash": user.get_session_auth_hash(),
                }
                key = secrets.token_hex(16)
                cp.write_row((key, store.encode(data), expire))
                sessions[uid] = (key, secrets.token_hex(16))  # a 32-character CSRF secret
    return sessions


def in_process_app(dbname: str, prefix: str):
    """The WSGI application in this process with the servers' settings, and 50 signed-in sessions
    [(session key, csrf secret)] of the benchmark's residents."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    for key, value in server_env(dbname, workdir).items():
        if key in ("RATE_LIMIT_RATE", "BENCHMARK_HELLO", "STATIC_ROOT", "MEDIA_ROOT", "ALLMENDE_VAR_DIR"):
            os.environ[key] = value
    django_setup(dbname, workdir)
    import psycopg
    from django.core.wsgi import get_wsgi_application

    with psycopg.connect(db_url(dbname), autocommit=True) as conn:
        uids = [r[0] for r in conn.execute("SELECT id FROM accounts_user WHERE username LIKE 'bench%%' "
                                            "ORDER BY id LIMIT 50")]  # fmt: skip
    return get_wsgi_application(), list(make_sessions(dbname, uids).values())


def wsgi_call(app, method: str, path: str, body: bytes = b"", session=None, headers=None) -> bytes:
    """One request through the WSGI application in this process (no HTTP): its body; raises unless the
    status is 200. `session`: (session key, csrf secret) from make_sessions, or None (anonymous)."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "REMOTE_ADDR": "127.0.0.1",
        **(headers or {}),
    }
    if session is not None:
        environ["HTTP_COOKIE"] = f"sessionid={session[0]}; csrftoken={session[1]}"
    status = []
    content = b"".join(app(environ, lambda s, h, e=None: status.append(s)))
    if not status[0].startswith("200"):
        raise RuntimeError(f"{method} {path}: {status[0]}")
    return content


def toggle_support(app, sessions, slug: str, count: int, i: int) -> None:
    """Step i of the in-process toggle: resident i (of `sessions`) supports a proposal of the round
    `slug` and takes it back, as the page's htmx button sends both (HX-Request, X-CSRFToken)."""
    session = sessions[i % len(sessions)]
    path = f"/runden/{slug}/vorschlaege/{(i * 7919) % count + 1}/bewerten/"
    headers = {"HTTP_X_CSRFTOKEN": session[1], "HTTP_HX_REQUEST": "true"}
    wsgi_call(app, "POST", path, b"value=1", session, headers)
    wsgi_call(app, "POST", path, b"withdraw=1", session, headers)


# --- statistics ----------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(latencies_ms: list[float], seconds: float) -> dict:
    return {
        "n": len(latencies_ms),
        "rps": round(len(latencies_ms) / seconds, 1) if seconds else 0,
        "p50": round(percentile(latencies_ms, 50), 1),
        "p95": round(percentile(latencies_ms, 95), 1),
        "p99": round(percentile(latencies_ms, 99), 1),
        "max": round(max(latencies_ms), 1) if latencies_ms else float("nan"),
    }


# --- machine -------------------------------------------------------------------------------------


def machine() -> dict:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_kb = int(line.split()[1])
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True)
    if CODE != ROOT:
        dirty.stdout = ""
        commit.stdout = commit.stdout.strip() + f" (snapshot by `git archive` in {CODE}, plus the hello view)"
    granian = subprocess.run(
        [PY, "-m", "granian", "--version"], capture_output=True, text=True
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "postgresql": psql("SHOW server_version"),
        "pg_settings": psql(
            "SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ', ' ORDER BY name) FROM pg_settings "
            "WHERE name IN ('shared_buffers','work_mem','synchronous_commit','autovacuum','max_connections','jit')"
        ),
        "python": platform.python_version(),
        "granian": granian,
        "os": platform.platform(),
        "loadavg": Path("/proc/loadavg").read_text().split()[:3],
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit.stdout.strip()
        + (" (working tree, with uncommitted changes)" if dirty.stdout.strip() else ""),
    }


def machine_md(m: dict) -> str:
    return "\n".join(
        [
            f"- CPU: {m['cpu']}, {m['cores']} cores; RAM {m['ram_gb']} GB; {m['os']}",
            f"- PostgreSQL {m['postgresql']} on 127.0.0.1 ({m['pg_settings']})",
            f"- Python {m['python']}, {m['granian']}, Redis cache on 127.0.0.1:6379",
            f"- Date: {m['date']}; commit {m['commit']}",
            f"- Load average when the results were written (1/5/15 min): {' / '.join(m['loadavg'])} "
            "(the machine is shared with other sessions; anything above ~1 is someone else's work)",
        ]
    )


def dump_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
