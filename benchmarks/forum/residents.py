"""Simulated residents (stdlib only): each a thread, logged in with its own session, keeping a ledger.

A resident supports, withdraws, rates and browses through one or more app servers on loopback. After
every answer about a support or rating it writes down what it was told (the state the returned button
shows: aria-pressed, the value). When a request fails (connection refused or reset, timeout, 5xx) the
state is unknown until the resident has looked again at the proposal's page; that look is recorded as
"observed". At the end `check_ledgers` compares every ledger entry with the Support table.
"""

from __future__ import annotations

import http.client
import random
import re
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import quote_plus

OWN_VALUE = re.compile(rb'value="(-?\d+)" aria-pressed="true"')
UNKNOWN = "unknown"


@dataclass
class Event:
    t: float  # seconds since the run started (request start)
    action: str
    ms: float
    status: int  # HTTP status, or 0 for a connection error / timeout
    port: int
    error: str = ""
    connected: float = 0.0  # when the connection used was opened (seconds since the run started)


@dataclass
class Resident:
    uid: int
    session: str
    csrf: str
    ports: list[int]
    slug: str
    numbers: list[int]  # proposal numbers this resident acts on
    values: list[int]  # the values the round accepts (support: [1])
    weights: dict[str, float]  # action -> weight: support, withdraw, browse_list, browse_detail
    seed: int
    timeout: float = 30.0
    ledger: dict[int, int | None | str] = field(default_factory=dict)  # number -> value, None, UNKNOWN
    told: dict[int, str] = field(default_factory=dict)  # number -> "told" or "observed"
    events: list[Event] = field(default_factory=list)
    down_until: dict[int, float] = field(default_factory=dict)
    comments_told: list[str] = field(default_factory=list)  # texts the server said it published

    def __post_init__(self):
        self.rng = random.Random(self.seed)
        self.conns: dict[int, http.client.HTTPConnection] = {}
        self.connected: dict[int, float] = {}  # when each kept connection was opened
        self.cookie = f"sessionid={self.session}; csrftoken={self.csrf}"

    # --- HTTP --------------------------------------------------------------------------------------

    def _port(self) -> int:
        now = time.monotonic()
        up = [p for p in self.ports if self.down_until.get(p, 0) <= now]
        return self.rng.choice(up or self.ports)

    def _request(self, t0: float, action: str, method: str, path: str, body: str | None = None):
        port = self._port()
        headers = (
            {"Cookie": self.cookie, "HX-Request": "true"} if method == "POST" else {"Cookie": self.cookie}
        )
        if method == "POST":
            headers["X-CSRFToken"] = self.csrf
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.monotonic()
        try:
            conn = self.conns.get(port)
            if conn is None:
                conn = self.conns[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=self.timeout)
                self.connected[port] = start - t0
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            status = response.status
            error = ""
        except (OSError, http.client.HTTPException) as exc:
            self.conns.pop(port, None)
            conn.close()
            self.down_until[port] = time.monotonic() + 1.0  # try the other server for a second
            status, data, error = 0, b"", type(exc).__name__
        ms = (time.monotonic() - start) * 1000
        self.events.append(Event(start - t0, action, ms, status, port, error, self.connected.get(port, 0.0)))
        return status, data

    # --- actions -----------------------------------------------------------------------------------

    def _rate_path(self, number):
        return f"/runden/{self.slug}/vorschlaege/{number}/bewerten/"

    def _observe(self, t0, number) -> None:
        """Look at the proposal's page until it answers; the button there shows the own state."""
        for _ in range(20):
            status, data = self._request(t0, "resync", "GET", f"/runden/{self.slug}/vorschlaege/{number}/")
            if status == 200:
                match = OWN_VALUE.search(data)
                self.ledger[number] = int(match.group(1)) if match else None
                self.told[number] = "observed"
                return
            time.sleep(0.5)
        self.ledger[number] = UNKNOWN

    def _write(self, t0, action, number, body) -> None:
        status, data = self._request(t0, action, "POST", self._rate_path(number), body)
        if status == 200 and b'class="rating"' in data:
            match = OWN_VALUE.search(data)
            self.ledger[number] = int(match.group(1)) if match else None
            self.told[number] = "told"
        else:
            self.ledger[number] = UNKNOWN
            self._observe(t0, number)

    def step(self, t0: float) -> None:
        action = self.rng.choices(list(self.weights), weights=list(self.weights.values()))[0]
        number = self.rng.choice(self.numbers)
        if action == "support":
            self._write(t0, "support", number, f"value={self.rng.choice(self.values)}")
        elif action == "withdraw":
            self._write(t0, "withdraw", number, "withdraw=1")
        elif action == "comment":
            text = f"bench {self.uid} {len(self.events)} {self.rng.random():.12f}"
            status, data = self._request(
                t0,
                "comment",
                "POST",
                f"/runden/{self.slug}/vorschlaege/{number}/kommentare/",
                "body=" + quote_plus(text),
            )
            if status == 200 and b"message--success" in data:
                self.comments_told.append(text)
        elif action == "browse_list":
            sort = self.rng.choice(["top", "top", "new", "random"])
            page = self.rng.randint(1, 20)
            self._request(t0, "list", "GET", f"/runden/{self.slug}/vorschlaege/?sort={sort}&page={page}")
        else:
            self._request(t0, "detail", "GET", f"/runden/{self.slug}/vorschlaege/{number}/")

    def run(self, t0: float, deadline: float, max_requests: int, stop: threading.Event) -> None:
        n = 0
        while time.monotonic() < deadline and n < max_requests and not stop.is_set():
            self.step(t0)
            n += 1
        for conn in self.conns.values():
            conn.close()


def run_residents(residents: list[Resident], seconds: float, max_requests: int = 100_000, t0=None):
    """Run every resident in its own thread for `seconds` (bounded by max_requests each)."""
    t0 = t0 or time.monotonic()
    deadline = time.monotonic() + seconds
    stop = threading.Event()
    threads = [
        threading.Thread(target=r.run, args=(t0, deadline, max_requests, stop), daemon=True)
        for r in residents
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    stop.set()
    return t0


def check_ledgers(conn, residents: list[Resident], round_id: int) -> dict:
    """Compare each resident's ledger with the Support table (psycopg connection)."""
    uids = [r.uid for r in residents]
    rows = conn.execute(
        "SELECT s.user_id, p.number, s.value FROM proposals_support s JOIN proposals_proposal p ON p.id = "
        "s.proposal_id WHERE p.round_id = %s AND s.user_id = ANY(%s)",
        [round_id, uids],
    ).fetchall()
    in_db = {(uid, number): value for uid, number, value in rows}
    checked = told = observed = unknown = 0
    mismatches = []
    for r in residents:
        for number, state in r.ledger.items():
            if state == UNKNOWN:
                unknown += 1
                continue
            checked += 1
            if r.told.get(number) == "told":
                told += 1
            else:
                observed += 1
            actual = in_db.get((r.uid, number))
            if actual != state:
                mismatches.append(
                    {
                        "user": r.uid,
                        "number": number,
                        "ledger": state,
                        "db": actual,
                        "how": r.told.get(number),
                    }
                )
    duplicates = conn.execute(
        "SELECT count(*) FROM (SELECT user_id, proposal_id FROM proposals_support WHERE user_id IS NOT NULL "
        "GROUP BY user_id, proposal_id HAVING count(*) > 1) d"
    ).fetchone()[0]
    return {
        "entries_checked": checked,
        "told": told,
        "observed_after_error": observed,
        "unknown": unknown,
        "mismatches": len(mismatches),
        "mismatch_examples": mismatches[:10],
        "duplicate_rows": duplicates,
    }


def check_comments(conn, residents: list[Resident]) -> dict:
    """Every comment a resident was told was published is in the database exactly once."""
    rows = conn.execute(
        "SELECT body, count(*) FROM comments_comment WHERE body LIKE 'bench %%' GROUP BY body"
    ).fetchall()
    in_db = dict(rows)
    told = [text for r in residents for text in r.comments_told]
    missing = [text for text in told if text not in in_db]
    return {
        "told": len(told),
        "in_db": sum(in_db.values()),
        "missing": len(missing),
        "missing_examples": missing[:5],
        "duplicates": sum(1 for n in in_db.values() if n > 1),
    }
