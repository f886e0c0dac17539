"""Python client of the go-harness helper (Go's real ``internal/trace`` parser).

:class:`GoHelper` keeps one ``gotraceoracle serve`` process and sends it
length-prefixed requests (protocol in ``go-harness/serve.go``), so a property
test can ask Go thousands of questions per second. It supervises the process:
a request that outlives its timeout kills it, and a process that dies
mid-request (a Go fatal error, OOM, a signal) is reported as a crash; either
way the next request starts a fresh process.

:func:`run_once` runs a one-shot mode in a subprocess instead, which is slower
but needs no protocol (useful for debugging and for checking serve itself).
"""

from __future__ import annotations

import json
import math
import os
import selectors
import signal
import struct
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Literal

from oracle.harness import toolchain

__all__ = [
    "DEFAULT_TIMEOUT",
    "GoHelper",
    "HelperError",
    "HelperResult",
    "HelperStream",
    "drain_tail",
    "Outcome",
    "helper_for",
    "parse_json_lines",
    "run_once",
]

Outcome = Literal["ok", "panic", "crash", "timeout"]

DEFAULT_TIMEOUT: Final = 10.0
"""Seconds a request may take before the helper is considered hung."""

_STDERR_TAIL: Final = 64 * 1024
_CHUNK: Final = 1 << 20


class HelperError(RuntimeError):
    """The helper broke the protocol (a bug in the helper or this client)."""


@dataclass(frozen=True)
class HelperResult:
    """The answer to one request.

    ``outcome``: ``ok`` (the mode ran; ``exit`` is its exit status), ``panic``
    (a panic escaped the mode and was recovered; ``panic``/``stack`` say
    where), ``crash`` (the process died; ``stderr`` holds its last words,
    ``exit`` its exit status, negative for a signal), or ``timeout``.
    ``output`` is what the mode wrote to stdout (on a panic: up to the panic).
    """

    outcome: Outcome
    output: bytes
    exit: int | None
    panic: str | None = None
    stack: str | None = None
    stderr: str = ""


def helper_for(version: str | None = None, *, cover: bool = False) -> Path:
    """Path of the helper built with Go ``version`` (None: the pinned Go),
    installing the toolchain and building the helper if needed."""
    return toolchain.build_helper(toolchain.ensure(version), cover=cover)


def parse_json_lines(output: bytes) -> list[dict[str, Any]]:
    """Decode the JSON Lines output of the ``parse``/``raw`` modes."""
    return [json.loads(line) for line in output.split(b"\n") if line.strip()]


def _helper_env(extra: Mapping[str, str] | None) -> dict[str, str]:
    # TZ=UTC: Event.String() prints wall-clock times in the local zone.
    return {**os.environ, "TZ": "UTC", **(extra or {})}


def run_once(
    binary: Path | str,
    mode: str,
    payload: bytes,
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    env: Mapping[str, str] | None = None,
) -> HelperResult:
    """Run one-shot ``binary MODE -`` with ``payload`` on stdin.

    Exit statuses 0-3 are the mode's own; a ``panic:`` report from the helper
    (exit 3 with a panic trace on stderr) gives outcome ``panic``; death by a
    signal or a Go fatal error (``fatal error:`` on stderr) gives ``crash``.
    """
    try:
        proc = subprocess.run(
            [str(binary), mode, "-"], input=payload, capture_output=True,
            env=_helper_env(env), timeout=timeout, check=False,
        )
    except subprocess.TimeoutExpired as e:
        return HelperResult("timeout", e.stdout or b"", None, stderr=_decode(e.stderr or b""))
    return _exited(proc.returncode, proc.stdout, _decode(proc.stderr))


def _exited(rc: int, stdout: bytes, stderr: str) -> HelperResult:
    """How a one-shot or stream run that exited with ``rc`` ended (see :func:`run_once`)."""
    if rc < 0 or "fatal error: " in stderr or rc not in (0, 1, 2, 3):
        return HelperResult("crash", stdout, rc, stderr=stderr)
    if rc == 3 and (at := _find_panic(stderr)) >= 0:
        # The helper prints "panic: <msg>\n\n<debug.Stack()>" after the mode's stderr.
        msg, _, stack = stderr[at + len("panic: "):].partition("\n\ngoroutine ")
        return HelperResult("panic", stdout, rc, panic=msg, stack="goroutine " + stack,
                            stderr=stderr[:at])
    return HelperResult("ok", stdout, rc, stderr=stderr)


def _find_panic(stderr: str) -> int:
    if stderr.startswith("panic: "):
        return 0
    at = stderr.rfind("\npanic: ")
    return at + 1 if at >= 0 else -1


def _decode(b: bytes) -> str:
    return b.decode("utf-8", "replace")


def drain_tail(stream: Any, tail: bytearray) -> None:
    """Read ``stream`` to its end keeping only the last 64 KiB in ``tail``.

    A child's stderr pipe must be drained or a chatty child would block on it."""
    while chunk := stream.read(65536):
        tail += chunk
        if len(tail) > _STDERR_TAIL:
            del tail[: len(tail) - _STDERR_TAIL]


def _reap(proc: subprocess.Popen[bytes], *threads: threading.Thread | None) -> int:
    """Kill ``proc`` if still alive, reap it, join its pipe threads, close its pipes; return
    its exit status."""
    if proc.poll() is None:
        proc.kill()
    rc = proc.wait()
    for t in threads:
        if t is not None:
            t.join(timeout=2)
    for f in (proc.stdin, proc.stdout, proc.stderr):
        try:
            if f is not None:
                f.close()
        except OSError:
            pass
    return rc


class HelperStream:
    """One ``gotraceoracle stream MODE FILE|-`` run: the helper's output lines as it writes them.

    The trace is a file path (the helper opens and streams it) or bytes (fed to its stdin by a
    thread).  :meth:`lines` yields each output line without its newline as soon as it arrives;
    the helper blocks on a full pipe while the caller is busy, so neither process holds more
    than a pipe's worth of output.  ``idle_timeout`` bounds the wait for *new* output, not the
    whole run: a big trace that keeps advancing never times out, a helper stuck in one call
    does (it is then killed).  After :meth:`lines` is exhausted, :attr:`result` says how the
    run ended (``output`` is always empty: the lines were handed out).
    """

    def __init__(
        self,
        binary: Path | str,
        mode: str,
        source: Path | bytes,
        *,
        idle_timeout: float = DEFAULT_TIMEOUT,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.idle_timeout = idle_timeout
        feed = isinstance(source, bytes)
        arg = "-" if feed else str(source)
        self._proc = subprocess.Popen(
            [str(binary), "stream", mode, arg],
            stdin=subprocess.PIPE if feed else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_helper_env(env), bufsize=0,
        )
        proc = self._proc
        assert proc.stdout is not None and proc.stderr is not None
        self._stderr = bytearray()
        self._threads = [threading.Thread(target=drain_tail, args=(proc.stderr, self._stderr), daemon=True)]
        if isinstance(source, bytes):
            self._threads.append(threading.Thread(target=self._feed, args=(source,), daemon=True))
        for t in self._threads:
            t.start()
        self.result: HelperResult | None = None

    def _feed(self, data: bytes) -> None:
        stdin = self._proc.stdin
        assert stdin is not None
        try:
            view = memoryview(data)
            while view:  # chunked: a killed helper must not leave us blocked on a huge write
                n = stdin.write(view[:_CHUNK])
                view = view[n or 0:]
        except (BrokenPipeError, OSError):
            pass
        finally:
            try:
                stdin.close()
            except OSError:
                pass

    def lines(self) -> Iterator[bytes]:
        """The output lines; on the helper's end (or a timeout) :attr:`result` is set."""
        proc = self._proc
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        timed_out = False
        rest = b""
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while True:
                if not sel.select(None if math.isinf(self.idle_timeout) else self.idle_timeout):
                    timed_out = True
                    break
                chunk = os.read(fd, _CHUNK)
                if not chunk:
                    break
                parts = (rest + chunk).split(b"\n")
                rest = parts.pop()
                yield from parts
        if timed_out:
            proc.kill()
        rc = proc.wait()
        for t in self._threads:
            t.join(timeout=2)
        stderr = _decode(bytes(self._stderr))
        if rest:
            yield rest  # an unterminated last line: the caller sees no terminal record
        self.result = (HelperResult("timeout", b"", None, stderr=stderr) if timed_out
                       else _exited(rc, b"", stderr))

    def close(self) -> None:
        """Kill the helper if it still runs (a caller that stopped reading early) and reap it."""
        _reap(self._proc)

    def __enter__(self) -> HelperStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class GoHelper:
    """A supervised ``gotraceoracle serve`` process.

    Use as a context manager (or call :meth:`close`). Requests are serialized
    by a lock, so one instance may be shared by threads, but it answers one
    request at a time; use one instance per worker for parallelism.
    """

    def __init__(
        self,
        binary: Path | str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.binary = Path(binary) if binary is not None else helper_for()
        self.timeout = timeout
        self._env = _helper_env(env)
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._sel: selectors.BaseSelector | None = None
        self._stderr = bytearray()
        self._stderr_thread: threading.Thread | None = None
        self.starts = 0
        """How many processes this helper has started (1 + restarts)."""

    # --- lifecycle ---

    def __enter__(self) -> GoHelper:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def __del__(self) -> None:
        if self._proc is not None:
            self._kill()

    @property
    def pid(self) -> int | None:
        """Process ID of the running helper, or None if none is running."""
        return self._proc.pid if self._proc is not None else None

    def start(self) -> None:
        """Start the helper process now (otherwise the first request does)."""
        with self._lock:
            self._ensure_started()

    def close(self) -> None:
        """Stop the helper: close its stdin (it exits on EOF), then make sure."""
        with self._lock:
            proc = self._proc
            if proc is None:
                return
            try:
                assert proc.stdin is not None
                proc.stdin.close()
                proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
            self._kill()

    def _ensure_started(self) -> subprocess.Popen[bytes]:
        if self._proc is not None:
            return self._proc
        proc = subprocess.Popen(
            [str(self.binary), "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=self._env, bufsize=0,
        )
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        os.set_blocking(proc.stdin.fileno(), False)
        os.set_blocking(proc.stdout.fileno(), False)
        self._sel = selectors.DefaultSelector()
        self._sel.register(proc.stdout, selectors.EVENT_READ)
        self._stderr = bytearray()
        self._stderr_thread = threading.Thread(target=self._drain_stderr, args=(proc, self._stderr), daemon=True)
        self._stderr_thread.start()
        self._proc = proc
        self.starts += 1
        return proc

    @staticmethod
    def _drain_stderr(proc: subprocess.Popen[bytes], tail: bytearray) -> None:
        assert proc.stderr is not None
        drain_tail(proc.stderr, tail)

    def _kill(self) -> int | None:
        """Kill the process (if still alive), reap it, return its exit status."""
        proc, self._proc = self._proc, None
        if proc is None:
            return None
        rc = _reap(proc, self._stderr_thread)
        if self._sel is not None:
            self._sel.close()
            self._sel = None
        return rc

    # --- requests ---

    def request(self, mode: str, payload: bytes = b"", *, timeout: float | None = None) -> HelperResult:
        """Run ``mode`` on ``payload`` in the helper and return what happened.

        ``timeout`` (seconds; default: the instance's ``timeout``, ``math.inf``
        for none) bounds the whole exchange. Never raises for anything the
        helper does (hang, panic, death); only for a broken protocol
        (:class:`HelperError`).
        """
        if "\n" in mode:
            raise ValueError(f"bad mode name {mode!r}")
        frame = mode.encode() + b"\n" + payload
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        with self._lock:
            proc = self._ensure_started()
            try:
                self._write(proc, struct.pack(">I", len(frame)) + frame, deadline)
                (size,) = struct.unpack(">I", self._read(proc, 4, deadline))
                body = self._read(proc, size, deadline)
            except TimeoutError:
                self._kill()
                return HelperResult("timeout", b"", None, stderr=_decode(bytes(self._stderr)))
            except (EOFError, BrokenPipeError, ConnectionResetError):
                rc = self._kill()
                return HelperResult("crash", b"", rc, stderr=_decode(bytes(self._stderr)))
        line, nl, output = body.partition(b"\n")
        try:
            if not nl:
                raise ValueError("no header line")
            h = json.loads(line)
            return HelperResult(h["outcome"], output, h["exit"], h["panic"], h["stack"], h["stderr"])
        except (ValueError, KeyError, TypeError) as e:
            with self._lock:
                self._kill()
            raise HelperError(f"malformed response from {self.binary}: {body[:200]!r}") from e

    def _write(self, proc: subprocess.Popen[bytes], data: bytes, deadline: float) -> None:
        assert proc.stdin is not None
        fd = proc.stdin.fileno()
        view = memoryview(data)
        while view:
            try:
                n = os.write(fd, view[:_CHUNK])
            except BlockingIOError:
                n = 0
            view = view[n:]
            if view and n == 0:
                with selectors.DefaultSelector() as sel:
                    sel.register(fd, selectors.EVENT_WRITE)
                    if not sel.select(self._remaining(deadline)):
                        self._check_deadline(deadline)

    def _read(self, proc: subprocess.Popen[bytes], n: int, deadline: float) -> bytes:
        assert proc.stdout is not None and self._sel is not None
        fd = proc.stdout.fileno()
        buf = bytearray()
        while len(buf) < n:
            try:
                chunk = os.read(fd, min(n - len(buf), _CHUNK))
            except BlockingIOError:
                if not self._sel.select(self._remaining(deadline)):
                    self._check_deadline(deadline)
                continue
            if not chunk:
                raise EOFError
            buf += chunk
        return bytes(buf)

    @staticmethod
    def _remaining(deadline: float) -> float | None:
        if math.isinf(deadline):
            return None  # timeout=math.inf: wait forever
        return max(0.0, deadline - time.monotonic())

    @staticmethod
    def _check_deadline(deadline: float) -> None:
        if time.monotonic() >= deadline:
            raise TimeoutError

    def send_signal(self, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to the running helper (for tests of the supervisor)."""
        if self._proc is not None:
            self._proc.send_signal(sig)
