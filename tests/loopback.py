"""A real HTTP server on loopback for tests: a partner's page, a CRM's webhook receiver."""

import http.server
import threading


class LoopbackServer:
    """Serves `handler` (a BaseHTTPRequestHandler class) on 127.0.0.1 while in a `with` block."""

    def __init__(self, handler: type[http.server.BaseHTTPRequestHandler]):
        # Port 0: the system picks a free one, so parallel runs never collide.
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class QuietHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass  # keep the test output readable
