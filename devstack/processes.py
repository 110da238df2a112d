"""Child processes of the local stack: each in its own process group, so that stopping
one stops everything it started, and each told by the kernel to stop if `run` dies."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

_PR_SET_PDEATHSIG = 1
_libc: Any = None
with contextlib.suppress(OSError, TypeError):
    _libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


def _stop_with_parent() -> None:
    # Runs in the child before exec: if `run` is SIGKILLed, the kernel sends SIGTERM.
    if _libc is not None and sys.platform.startswith("linux"):
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(
    argv: Sequence[str], env: Mapping[str, str], cwd: Path, output: IO[Any] | int | None = None
) -> subprocess.Popen[bytes]:
    """Start `argv` as the leader of a new session and process group, stdin closed."""
    return subprocess.Popen(  # noqa: S603 - our own modules, no shell
        list(argv),
        env=dict(env),
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=output,
        stderr=subprocess.STDOUT if output is not None else None,
        start_new_session=True,
        preexec_fn=_stop_with_parent,  # noqa: PLW1509 - only prctl, no locks taken
    )


def signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


def stop_all(processes: Sequence[subprocess.Popen[bytes]], grace_s: float = 5.0) -> None:
    """SIGTERM every group at once, wait up to `grace_s`, then SIGKILL what is left."""
    for process in processes:
        signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        # The leader may be gone while a grandchild lives on: kill the group regardless.
        signal_group(process, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=2.0)


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """True if something listens on (host, port), or the port cannot be bound."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.2)
        if probe.connect_ex((host, port)) == 0:
            return True
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as binder:
        # Servers here set SO_REUSEADDR too, so a port in TIME_WAIT counts as free.
        binder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            binder.bind((host, port))
        except OSError:
            return True
    return False


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as binder:
        binder.bind((host, 0))
        return int(binder.getsockname()[1])


def accepts_connections(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.2)
        return probe.connect_ex((host, port)) == 0
