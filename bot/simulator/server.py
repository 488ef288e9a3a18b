"""Serve any WSGI app on a real port in a background thread (tests, demo)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from werkzeug.serving import BaseWSGIServer, make_server

logger = logging.getLogger(__name__)


@dataclass
class RunningServer:
    server: BaseWSGIServer
    thread: threading.Thread
    host: str
    port: int
    _stopped: bool = field(default=False, repr=False)

    @property
    def url(self) -> str:
        """Base URL without a trailing slash, e.g. http://127.0.0.1:54321."""
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
        logger.debug("stopped server on %s", self.url)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def serve_in_thread(app: object, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    """Start `app` (any WSGI callable) threaded; port 0 picks a free port."""
    server = make_server(host, port, app, threaded=True)  # type: ignore[arg-type]
    # A short poll interval makes stop() quick, which adds up over hundreds of test fixtures.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name=f"wsgi-{server.port}", daemon=True)
    thread.start()
    running = RunningServer(server=server, thread=thread, host=host, port=server.port)
    logger.debug("serving on %s", running.url)
    return running
