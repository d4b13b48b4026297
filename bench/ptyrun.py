"""The app's start-up as a user sees it: measured from outside, through a pseudo-terminal.

``first_paint(cmd, key)`` spawns ``cmd`` on a fresh pseudo-terminal of a fixed
size with TERM=xterm-256color, reads what the app writes to the terminal and
notes when the card ``key`` (a card at the top of the board's first column)
shows up in that stream. It then waits until the sprint figures are drawn as
well, reads the process's peak memory (VmHWM) from /proc, presses ``q`` and
checks that the process exits.
"""

from __future__ import annotations

import errno
import fcntl
import os
import pty
import re
import select
import signal
import struct
import termios
import time
from dataclasses import dataclass

# CSI … final byte, OSC … BEL/ST, two-byte escapes, and other C0 controls
_ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|[\x00-\x08\x0e-\x1f]")


class PtyError(RuntimeError):
    pass


@dataclass
class PaintResult:
    first_paint_s: float  # spawn → the card's key is on the screen
    complete_s: float | None  # spawn → the sprint figures are on the screen too
    rss_mb: float | None  # VmHWM of the app process, read before quitting
    quit_s: float  # q pressed → process gone


def _screen_text(raw: bytes) -> bytes:
    return _ESCAPES.sub(b"", raw)


def _vm_hwm_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def first_paint(cmd: list[str], key: str, *, env: dict[str, str] | None = None, cols: int = 120,
                rows: int = 36, done_marker: str | None = "committed pts", timeout: float = 120.0) -> PaintResult:
    # the key must be followed by something that is not a digit: SAL-1 is not SAL-12
    card = re.compile(re.escape(key.encode()) + rb"(?![0-9])")
    marker = done_marker.encode() if done_marker else None
    child_env = dict(os.environ if env is None else env)
    child_env.update(TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows))
    t0 = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: set the terminal size, then become the app
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            os.execvpe(cmd[0], cmd, child_env)
        finally:
            os._exit(127)
    raw = bytearray()
    seen = 0  # how much of `raw` was searched already (escape sequences may span reads)
    painted: float | None = None
    complete: float | None = None
    exited: int | None = None

    def read(wait: float) -> bool:
        """Read what is there; False when the terminal closed."""
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            return True
        try:
            chunk = os.read(fd, 65536)
        except OSError as err:  # EIO: the child closed its side
            if err.errno == errno.EIO:
                return False
            raise
        if not chunk:
            return False
        raw.extend(chunk)
        return True

    def reap(block: bool = False) -> int | None:
        nonlocal exited
        if exited is None:
            got, status = os.waitpid(pid, 0 if block else os.WNOHANG)
            if got == pid:
                exited = os.waitstatus_to_exitcode(status)
        return exited

    try:
        deadline = t0 + timeout
        open_ = True
        while painted is None or (marker is not None and complete is None):
            if time.perf_counter() > deadline:
                raise PtyError(f"{key} did not show up within {timeout:.0f} s; "
                               f"screen ends with {_screen_text(bytes(raw[-400:]))!r}")
            open_ = read(0.05)
            now = time.perf_counter()
            text = _screen_text(bytes(raw[max(0, seen - 200):]))
            seen = len(raw)
            if painted is None and card.search(text):
                painted = now - t0
            if marker is not None and complete is None and marker in text:
                complete = now - t0
            if not open_ or reap() is not None:
                raise PtyError(f"the app ended before {key} showed up (exit {exited}); "
                               f"output ends with {_screen_text(bytes(raw[-600:]))!r}")
        time.sleep(0.2)  # let it settle; the peak memory is what it reached until now
        rss = _vm_hwm_mb(pid)
        tq = time.perf_counter()
        os.write(fd, b"q")
        quit_deadline = tq + 15
        while reap() is None:
            if time.perf_counter() > quit_deadline:
                raise PtyError("the app did not exit within 15 s of pressing q")
            if not read(0.02):
                reap(block=True)  # terminal closed: the process is ending
                break
        quit_s = time.perf_counter() - tq
        if exited != 0:
            raise PtyError(f"the app exited with status {exited} after q")
        return PaintResult(painted, complete, rss, quit_s)
    finally:
        if reap() is None:
            os.kill(pid, signal.SIGKILL)
            reap(block=True)
        os.close(fd)
