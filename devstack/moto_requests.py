"""What every request to the local moto server paid for before its own work, cut down.
Measured on an empty GetItem, this overhead was most of moto's CPU per request (2.6 of
~3 ms; a conditional PutItem costs ~4). None of it changes an answer
(tests/integration/test_moto_requests.py compares them with and without).

- moto finds a request's handler method by listing the handler class's methods with
  `inspect.getmembers`, on every request (5% of moto's samples); the methods of a class
  do not change while the server runs, so the list is made once per class.
- moto's Flask apps run in debug mode, where Flask defines a new class for every request
  that has no form files, only to word a KeyError for a mistyped HTML form; nothing
  reads a form here.
- werkzeug's threaded server starts a thread for every connection (it closes each after
  one request), and its accept loop waits until that thread runs, which under load is
  a wait for the GIL. Here a fixed set of threads takes the connections in turn.

And one fix: moto's request recorder (`make load` counts requests with it) appends each
entry through a buffered file from whichever thread serves the request; an entry over
the 8 KB buffer (a PutEvents of ten events) went out in pieces, interleaved with another
thread's, and the recording no longer parsed. Entries are now recorded one at a time.
"""

from __future__ import annotations

import functools
import queue
import socket
import threading
from collections.abc import Callable
from typing import Any

from werkzeug.serving import ThreadedWSGIServer

# Enough for every long poll the stack and its tests hold at once (each SQS receive may
# wait up to 20 s on a thread), with room for the requests around them.
REQUEST_THREADS = 64


def install() -> Callable[[], None]:
    """Patch moto and Flask in this process; return what undoes it (for tests)."""
    import flask.debughelpers
    import moto.core.responses
    from moto.moto_api._internal.recorder.models import Recorder

    from devstack.moto_speedups import replace_attribute, undo_all

    return undo_all(
        [
            # moto's responses module calls the name it imported from moto.core.utils
            replace_attribute(moto.core.responses, "method_names_from_class", _method_names),
            replace_attribute(flask.debughelpers, "attach_enctype_error_multidict", _no_form_hint),
            replace_attribute(Recorder, "_record_request", _one_at_a_time(Recorder._record_request)),
        ]
    )


def _one_at_a_time(record: Callable[..., None]) -> Callable[..., None]:
    lock = threading.Lock()

    @functools.wraps(record)
    def record_whole(*args: Any, **kwargs: Any) -> None:
        with lock:
            record(*args, **kwargs)

    return record_whole


@functools.cache
def _method_names(handler_class: type) -> frozenset[str]:
    from moto.core.utils import method_names_from_class

    return frozenset(method_names_from_class(handler_class))


def _no_form_hint(request: Any) -> None:
    return None


class PooledWSGIServer(ThreadedWSGIServer):
    """werkzeug's threaded server, with its connections served by REQUEST_THREADS threads
    started once. They are daemons, as werkzeug's are, so the server exits at once even
    while a long poll waits."""

    def __init__(self, *args: Any, threads: int = REQUEST_THREADS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._connections: queue.SimpleQueue[tuple[socket.socket, Any]] = queue.SimpleQueue()
        for number in range(threads):
            threading.Thread(target=self._serve_connections, daemon=True, name=f"moto-request-{number}").start()

    def process_request(self, request: Any, client_address: Any) -> None:
        self._connections.put((request, client_address))

    def _serve_connections(self) -> None:
        while True:
            request, client_address = self._connections.get()
            self.process_request_thread(request, client_address)  # handles errors and closes the connection
