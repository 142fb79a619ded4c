"""A command run on a pseudo-terminal, as a person at a keyboard would run it."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Mapping, Sequence


def run_on_terminal(
    command: Sequence[str],
    env: Mapping[str, str],
    *,
    answers: Sequence[str] = (),
    size: tuple[int, int] | None = None,
    timeout: float = 60,
) -> tuple[int, str]:
    """Run ``command`` with a pseudo-terminal (of ``size`` rows and columns, when given) as its
    stdin, stdout and stderr, typing each answer when a prompt (a line ending in ":") waits.
    Returns its exit code and everything it showed."""
    leader, follower = pty.openpty()
    if size is not None:
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", *size, 0, 0))
    process = subprocess.Popen(list(command), stdin=follower, stdout=follower, stderr=follower, env=env, close_fds=True)
    os.close(follower)
    screen, pending, deadline = b"", list(answers), time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            screen += chunk
            if pending and screen.rstrip().endswith(b":"):
                os.write(leader, (pending.pop(0) + "\n").encode())
        elif process.poll() is not None:
            break
    process.wait(timeout=10)
    os.close(leader)
    return process.returncode, screen.decode("utf-8", "replace")


def balita_on_terminal(
    args: Sequence[str], env: Mapping[str, str], *, answers: Sequence[str] = (), timeout: float = 60
) -> tuple[int, str]:
    """``python -m balita_cli <args>`` on a pseudo-terminal (see ``run_on_terminal``)."""
    return run_on_terminal([sys.executable, "-m", "balita_cli", *args], env, answers=answers, timeout=timeout)
