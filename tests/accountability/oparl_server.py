"""A small OParl server for the tests, on 127.0.0.1 and an ephemeral port, in a thread.

Routes map a path (without the query) to a response: a JSON object (served with
`https://oparl.example.org` rewritten to the server's own address), raw bytes with a status, a
function of the query that returns one of these, or BLOCK: a page that never answers until the test
ends (for timeouts; no sleeps).
"""

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

EXAMPLE_BASE = "https://oparl.example.org"
BLOCK = object()


@dataclass
class Raw:
    status: int
    body: bytes
    content_type: str = "application/json"


class OParlServer:
    def __init__(self):
        self.routes = {}
        self.requests = []  # every path with its query, in the order asked
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                parts = urlsplit(self.path)
                route = server.routes.get(parts.path)
                if callable(route):
                    route = route(parse_qs(parts.query))
                if route is BLOCK:
                    server.release.wait(30)
                    return
                if route is None:
                    route = Raw(
                        404, b'{"type": "https://schema.oparl.org/1.1/Error", "message": "not found"}'
                    )
                elif not isinstance(route, Raw):
                    text = json.dumps(route, ensure_ascii=False).replace(EXAMPLE_BASE, server.base_url)
                    route = Raw(200, text.encode())
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        host, port = self.httpd.server_address[:2]
        self.base_url = f"http://{host}:{port}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    def url(self, path: str) -> str:
        return self.base_url + path

    def paths(self):
        """The requested paths with their queries, rewritten back to the example host."""
        return [EXAMPLE_BASE + path for path in self.requests]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(10)
