"""A real HTTP receiver on loopback, standing in for the organisation's CRM."""

from .loopback import LoopbackServer, QuietHandler


class Receiver(LoopbackServer):
    """Records every POST; answers with the next status of `statuses` (then 200)."""

    def __init__(self, statuses=()):
        self.requests = []
        self.statuses = list(statuses)
        receiver = self

        class Handler(QuietHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        super().__init__(Handler)
        self.url = f"{self.origin}/crm/hook"
