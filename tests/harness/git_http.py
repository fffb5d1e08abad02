"""``git http-backend`` behind a small threaded HTTP server on 127.0.0.1 that wants a token,
as a hosted git server does for ``https://`` clones with an access token.

A request without the expected ``Authorization`` header is answered 401 and counted, so a
test can tell that a wrong credential was really sent and really refused.
"""

from __future__ import annotations

import base64
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def basic_authorization(token: str) -> str:
    """The header value git sends for a token (``x-access-token`` as the user name, as
    GitHub and GitLab accept it)."""
    return "Basic " + base64.b64encode(f"x-access-token:{token}".encode()).decode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path, authorization: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.root = root
        self.authorization = authorization
        self.refused = 0


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self._backend()

    def do_POST(self) -> None:
        self._backend()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test's output is the daemon's."""

    def _backend(self) -> None:
        if self.headers.get("Authorization") != self.server.authorization:
            self.server.refused += 1
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="git"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path, _, query = self.path.partition("?")
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        env = {
            "PATH": os.environ["PATH"],
            "GIT_PROJECT_ROOT": str(self.server.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "REQUEST_METHOD": self.command,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
            "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
            "REMOTE_ADDR": "127.0.0.1",
        }
        result = subprocess.run(
            ["git", "http-backend"], input=body, env=env, capture_output=True, timeout=60
        )
        out = result.stdout  # CGI: header lines, a blank line, the body
        end = out.find(b"\r\n\r\n")
        head, payload = (out[:end], out[end + 4 :]) if end >= 0 else out.partition(b"\n\n")[::2]
        headers = [line.partition(b":") for line in head.splitlines() if line]
        status = next((v.strip() for k, _, v in headers if k.lower() == b"status"), b"200")
        self.send_response(int(status.split()[0]))
        for key, _, value in headers:
            if key.lower() != b"status":
                self.send_header(key.decode(), value.strip().decode())
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class TokenGitHttp:
    """Serves every repository under ``root`` at ``http://127.0.0.1:PORT/<name>``."""

    def __init__(self, root: Path, token: str) -> None:
        self._server = _Server(root, basic_authorization(token))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def refused(self) -> int:
        return self._server.refused

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
