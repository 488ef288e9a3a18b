"""`siyu serve`'s processing child: routing in a process of its own, beside the web threads.

In one process the batch processor and the web threads share the GIL, and a batch that routes
for 50 ms keeps every ack waiting behind it. So `siyu serve` ([inbound] processing = "child")
starts `siyu worker --serve-child` (the processor, and the scheduler unless --no-scheduler),
restarts it when it dies, and stops it with itself. The web process wakes it through the child's
stdin, one byte per stored push; the child takes end-of-file on stdin as its parent being gone
and stops, so no child outlives a serve killed with SIGKILL.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from apscheduler.schedulers.base import BaseScheduler

    from bot.runtime import Runtime

logger = logging.getLogger(__name__)

RESTART_PAUSE = 1.0  # seconds before starting a child that died, doubled while it keeps dying young
MAX_RESTART_PAUSE = 30.0
HEALTHY_AFTER = 30.0  # a child that ran this long died of something new: start again at once
# The child yields the CPU to serve's web threads when both want it: an ack is due within WeChat's
# 5 s, routing only adds to the lag. On an idle machine this changes nothing.
NICENESS = 5
STOP_WAIT = 20.0  # seconds a child gets to finish its batch after SIGTERM, then SIGKILL


class ProcessingChild:
    """Runs `command` as a child process for as long as serve runs, restarted when it dies."""

    def __init__(self, command: Sequence[str], env: dict[str, str] | None = None) -> None:
        self.command = list(command)
        self.env = env
        self.restarts = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        self._spawn()
        self._watcher = threading.Thread(target=self._watch, name="siyu-processing-child", daemon=True)
        self._watcher.start()

    def _spawn(self) -> None:
        with self._lock:
            if self._process is not None and self._process.stdin is not None:
                self._process.stdin.close()  # the dead child's end of the wake-up pipe
            self._process = subprocess.Popen(self.command, stdin=subprocess.PIPE, env=self.env)
            assert self._process.stdin is not None
            os.set_blocking(self._process.stdin.fileno(), False)  # a kick never waits for a busy child
        logger.info("processing child started (pid %s)", self._process.pid)

    def kick(self) -> None:
        """A push was stored: wake the child's processor (dropped when a wake-up is already pending)."""
        process = self._process
        if process is None or process.stdin is None:
            return
        try:
            os.write(process.stdin.fileno(), b"k")
        except (BlockingIOError, BrokenPipeError, ValueError, OSError):
            pass  # the pipe is full (it will wake anyway), or the child is being restarted (it polls)

    def _watch(self) -> None:
        pause = RESTART_PAUSE
        while not self._stopping.is_set():
            process = self._process
            assert process is not None
            started = time.monotonic()
            code = process.wait()
            if self._stopping.is_set():
                return
            logger.error("processing child (pid %s) exited with %s; starting it again in %.0f s",
                         process.pid, code, pause)
            pause = RESTART_PAUSE if time.monotonic() - started > HEALTHY_AFTER else pause
            if self._stopping.wait(pause):
                return
            pause = min(pause * 2, MAX_RESTART_PAUSE)
            self.restarts += 1
            try:
                self._spawn()
            except OSError:
                logger.exception("could not start the processing child")

    def stop(self) -> None:
        """Stop the child as `siyu worker` stops on SIGTERM (it finishes its batch), and wait for it."""
        self._stopping.set()
        with self._lock:
            process = self._process
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        process.terminate()
        try:
            process.wait(timeout=STOP_WAIT)
        except subprocess.TimeoutExpired:
            logger.error("processing child (pid %s) did not stop within %.0f s: killed", process.pid, STOP_WAIT)
            process.kill()
            process.wait()


def share_metrics() -> str | None:
    """Give serve and its child one prometheus-client multiprocess directory, so that serve's /metrics
    adds the child's counters (routing, sends, jobs) to its own (acks). Returns the directory made,
    removed when serve exits; None when the operator set one (the deploy kit does) or when it is
    too late (prometheus-client chose its value class at import, before any metric existed)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir"):
        return None
    if "prometheus_client.values" in sys.modules:
        logger.warning("/metrics shows serve's own counters only: prometheus-client was loaded before "
                       "serve could share a directory with its processing child")
        return None
    directory = tempfile.mkdtemp(prefix="siyu-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory  # inherited by the child
    atexit.register(shutil.rmtree, directory, True)
    return directory


def child_command(config_path: str | None, verbose: bool, scheduler: bool) -> list[str]:
    """`siyu worker --serve-child` with serve's own --config and -v."""
    command = [sys.executable, "-m", "bot.cli"]
    if config_path:
        command += ["--config", config_path]
    if verbose:
        command.append("-v")
    command += ["worker", "--serve-child"]
    if not scheduler:
        command.append("--no-scheduler")
    return command


def start_processor_children(runtime: Runtime, scheduler: BaseScheduler, count: int,
                             config_path: str | None, verbose: bool) -> list[ProcessingChild]:
    """`siyu worker` on PostgreSQL: route in `count` processor-only children (each woken by the
    web workers' NOTIFY, restarted when it dies) and keep the scheduler's jobs in the worker, whose
    task runner the children wake after a batch queued sends. The worker's own processor stays idle:
    the children poll, so the scheduler's recover_callbacks job is not needed here."""
    from bot.inbound.wakeup import TASKS_CHANNEL, listen_for_pushes

    listen_for_pushes(runtime.db, runtime.tasks.kick, threading.Event(), channel=TASKS_CHANNEL)
    scheduler.remove_job("recover_callbacks")
    command = child_command(config_path, verbose, scheduler=False) + ["--tasks-elsewhere"]
    children = [ProcessingChild(command) for _ in range(count)]
    for child in children:
        child.start()
    return children


def follow_parent(wake: Callable[[], None], stop: Callable[[], None]) -> threading.Thread:
    """In the child: wake the processor for each byte on stdin; stop when stdin ends (serve is gone).
    Also lowers the child's priority below serve's (NICENESS)."""
    try:
        os.nice(NICENESS)
    except OSError:
        logger.warning("could not lower the processing child's priority")

    def read() -> None:
        fd = sys.stdin.fileno()
        while True:
            try:
                data = os.read(fd, 4096)
            except OSError:
                data = b""
            if not data:
                logger.info("serve closed the processing child's stdin: stopping")
                stop()
                return
            wake()

    thread = threading.Thread(target=read, name="siyu-parent", daemon=True)
    thread.start()
    return thread
