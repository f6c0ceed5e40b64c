"""allmende/ops/balance.py: the production server's connections dealt to its workers in turn, on real
sockets, and the real scripts/serve-prod.sh with two granian workers."""

import contextlib
import errno
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from allmende.ops import balance

from .test_production import production_env

ROOT = Path(__file__).resolve().parents[2]


# Loading the program needs CAP_BPF, and one test switches users: root. CI runs as root and runs
# them all; tests/conftest.py leaves them out for another user outside CI.
pytestmark = pytest.mark.root


def listener(port: int = 0) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(64)
    sock.setblocking(False)
    return sock


def group(n: int) -> list[socket.socket]:
    first = listener()
    return [first] + [listener(first.getsockname()[1]) for _ in range(n - 1)]


def accepted(socks: list[socket.socket], clients: int) -> list[int]:
    """Open `clients` connections to the group's port; how many each listener got."""
    port = socks[0].getsockname()[1]
    opened = [socket.create_connection(("127.0.0.1", port)) for _ in range(clients)]
    counts = []
    for sock in socks:
        n = 0
        with contextlib.suppress(BlockingIOError):
            while True:
                conn, _ = sock.accept()
                conn.close()
                n += 1
        counts.append(n)
    for conn in opened:
        conn.close()
    return counts


def test_connections_are_dealt_to_the_listeners_in_turn():
    for workers, clients in ((2, 16), (3, 15), (2, 7)):
        socks = group(workers)
        port = socks[0].getsockname()[1]
        balance.attach("127.0.0.1", port, workers)
        # the socket that carried the program is gone again: only the workers listen
        assert balance.listening(port) == workers
        # every connection reached a worker (none was left with the closed socket), in turn
        counts = accepted(socks, clients)
        assert sum(counts) == clients
        assert max(counts) - min(counts) <= 1, counts
        for sock in socks:
            sock.close()


def test_a_worker_started_again_gets_its_turns():
    first, second = group(2)
    port = first.getsockname()[1]
    balance.attach("127.0.0.1", port, 2)
    second.close()  # a worker dies; granian starts another, which listens again
    again = listener(port)
    assert accepted([first, again], 16) == [8, 8]
    first.close()
    again.close()


def test_nothing_listening_is_an_error_and_leaves_no_socket():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(OSError) as raised:
        balance.attach("127.0.0.1", port, 2)
    assert raised.value.errno == errno.EINVAL
    assert balance.listening(port) == 0


def test_main_waits_for_the_workers_then_deals(capsys):
    first = listener()
    port = first.getsockname()[1]
    result = []
    waiting = threading.Thread(
        target=lambda: result.append(balance.main(["--port", str(port), "--workers", "2", "--timeout", "30"]))
    )
    waiting.start()
    second = listener(port)
    waiting.join(timeout=30)
    assert result == [0]
    assert "connections are dealt to the 2 workers in turn" in capsys.readouterr().err
    assert accepted([first, second], 16) == [8, 8]
    first.close()
    second.close()


def test_main_gives_up_on_missing_workers(capsys):
    first = listener()
    port = first.getsockname()[1]
    assert balance.main(["--port", str(port), "--workers", "2", "--timeout", "0.2"]) == 1
    assert "fewer than 2 workers listen; nothing attached" in capsys.readouterr().err
    assert balance.listening(port) == 1
    first.close()


def test_without_the_capability_the_hash_stays_and_it_says_so(monkeypatch, capsys):
    def refused(command, attr):
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(balance, "_bpf", refused)
    socks = group(2)
    port = socks[0].getsockname()[1]
    assert balance.main(["--port", str(port), "--workers", "2"]) == 0
    err = capsys.readouterr().err
    assert "connections stay assigned by the kernel's hash" in err and "needs CAP_BPF" in err
    assert balance.listening(port) == 2
    assert sum(accepted(socks, 16)) == 16
    for sock in socks:
        sock.close()


def test_one_worker_needs_no_program(monkeypatch):
    monkeypatch.setattr(balance, "listening", lambda port: pytest.fail("one worker: nothing to wait for"))
    assert balance.main(["--port", "1", "--workers", "1"]) == 0
    with pytest.raises(ValueError):
        balance.round_robin_program(3, 0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_prod_deals_the_connections_to_its_two_workers(tmp_path):
    port = free_port()
    env = {**production_env(tmp_path), "HOST": "127.0.0.1", "PORT": str(port), "WEB_WORKERS": "2",
           "PYTHON": sys.executable}  # fmt: skip
    log = tmp_path / "server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            ["sh", "scripts/serve-prod.sh"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    clients = []
    try:
        deadline = time.monotonic() + 120
        while "allmende.ops.balance:" not in log.read_text(errors="replace"):
            assert server.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.05)
        assert "dealt to the 2 workers in turn" in log.read_text(errors="replace")
        for _ in range(16):
            conn = socket.create_connection(("127.0.0.1", port))
            conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: beteiligung.example.org\r\n\r\n")
            assert conn.recv(12).startswith(b"HTTP/1.1 "), "answered: so a worker holds it"
            clients.append(conn)
        held = subprocess.run(
            ["ss", "-tnpH", "state", "established", f"( sport = :{port} )"], capture_output=True, text=True
        ).stdout
        per_worker = sorted(
            re.findall(r"pid=(\d+)", held).count(pid) for pid in set(re.findall(r"pid=(\d+)", held))
        )
        assert per_worker == [8, 8], held
    finally:
        for conn in clients:
            conn.close()
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


WORKERS_AS_NOBODY = """
import contextlib, os, pwd, socket, sys
nobody = pwd.getpwnam("nobody")
os.setgroups([])
os.setgid(nobody.pw_gid)
os.setuid(nobody.pw_uid)
socks = []
for i in range(2):
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", socks[0].getsockname()[1] if socks else 0))
    sock.listen(64)
    sock.setblocking(False)
    socks.append(sock)
print(socks[0].getsockname()[1], flush=True)
sys.stdin.readline()
counts = []
for sock in socks:
    n = 0
    with contextlib.suppress(BlockingIOError):
        while sock.accept():
            n += 1
    counts.append(n)
print(counts, flush=True)
"""


def test_root_loads_the_program_then_attaches_it_as_the_workers_user():
    """The systemd unit's way: the workers run as the service's user, the balancer starts as root."""
    workers = subprocess.Popen(
        [sys.executable, "-c", WORKERS_AS_NOBODY], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        port = workers.stdout.readline().strip()
        command = [sys.executable, "-m", "allmende.ops.balance", "--port", port, "--workers", "2"]
        # as root without --user the socket cannot join another user's group
        alone = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert "stay assigned by the kernel's hash" in alone.stderr, alone.stderr
        done = subprocess.run(
            command + ["--user", "nobody"], cwd=ROOT, capture_output=True, text=True, timeout=60
        )
        assert "dealt to the 2 workers in turn" in done.stderr, done.stderr
        clients = [socket.create_connection(("127.0.0.1", int(port))) for _ in range(16)]
        out, _ = workers.communicate("go\n", timeout=30)
        assert out.strip() == "[8, 8]"
        for conn in clients:
            conn.close()
    finally:
        workers.kill()
        workers.wait()
