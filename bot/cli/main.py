"""The `siyu` command: its parser and the core sub-commands (init, serve, worker, doctor, demo)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from apscheduler.schedulers.base import BaseScheduler

    from bot.config import Config
    from bot.runtime import Runtime

from bot.cli.common import config_from, configure_cli_logging

logger = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser(_command_in(sys.argv[1:] if argv is None else argv))
    args, extra = parser.parse_known_args(argv)
    if extra and not getattr(args, "more_positionals", False):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    # argparse leaves positionals after an option unread (`siyu tag train --out F a.jsonl b.jsonl`);
    # a command that takes a list of them (set_defaults(more_positionals=True)) gets them in `args.extra`.
    args.extra = extra
    configure_cli_logging(args)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        # bot.config is imported where it is used (`siyu tag` in a pipeline does without it), so
        # a configuration error can only come from a command that imported it.
        config = sys.modules.get("bot.config")
        if config is not None and isinstance(exc, config.ConfigError):
            print(f"siyu: configuration error: {exc}", file=sys.stderr)
            return 2
        raise


def _command_in(argv: Sequence[str]) -> str | None:
    """The sub-command named in `argv`, if any, before the parser is built."""
    head = argparse.ArgumentParser(add_help=False)
    head.add_argument("--config")
    head.add_argument("-v", "--verbose", action="store_true")
    head.add_argument("command", nargs="?")
    try:
        known, _ = head.parse_known_args(argv)
    except SystemExit:  # the real parser reports the problem
        return None
    return known.command


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="siyu", description="思域 Siyu: private-domain operations on WeCom")
    parser.add_argument("--config", help="config file (default: $SIYU_CONFIG or ./config.toml)")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command")

    init = sub.add_parser("init", help="create or upgrade the database (idempotent)")
    init.set_defaults(func=cmd_init)

    serve = sub.add_parser("serve", help="web app, with the processor and scheduler in a child process")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5000)
    serve.add_argument("--threads", type=int, default=8)
    serve.add_argument("--no-scheduler", action="store_true", help="web only (scheduler runs in `siyu worker`)")
    serve.add_argument("--connection-limit", type=int, default=1000,
                       help="open connections waitress serves at once (more wait unanswered)")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="scheduler and processor, for scaled deployments")
    worker.add_argument("--no-scheduler", action="store_true", help="route stored pushes only")
    worker.add_argument("--serve-child", action="store_true", help=argparse.SUPPRESS)  # started by `siyu serve`
    worker.add_argument("--tasks-elsewhere", action="store_true", help=argparse.SUPPRESS)  # started by `siyu worker`
    worker.set_defaults(func=cmd_worker)

    doctor = sub.add_parser("doctor", help="check the configuration against the database and WeChat")
    doctor.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for each WeChat call")
    doctor.set_defaults(func=cmd_doctor)

    demo = sub.add_parser("demo", help="run the bot against the WeChat simulator on SQLite")
    demo.add_argument("--port", type=int, default=5000)
    demo.add_argument("--sim-port", type=int, default=8800)
    demo.add_argument("--once", action="store_true", help="set up, show the welcome flow, and exit")
    demo.set_defaults(func=cmd_demo)

    for register in _feature_commands(command):
        register(sub)
    return parser


def _feature_commands(command: str | None = None) -> list:  # type: ignore[type-arg]
    from bot.cli import commands

    return commands.registrars(command)



def cmd_init(args: argparse.Namespace) -> int:
    from bot.clock import Clock
    from bot.db import Database
    from bot.schema import upgrade

    config = config_from(args)
    db = Database(config.database.url, Clock())
    revision = upgrade(db)
    db.analyze(full=True)
    print(f"database ready at revision {revision} ({db.url.render_as_string(hide_password=True)})")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from bot.cli.child import ProcessingChild, child_command, share_metrics

    config = config_from(args)
    # Before bot.app brings prometheus-client in: serve and its child count into one directory.
    if config.inbound.processing == "child":
        share_metrics()
    import waitress

    from bot.app import create_app
    from bot.jobs.scheduler import build_scheduler
    from bot.ops.heap import freeze_start_up_heap

    _check_schema(config)
    app = create_app(config)  # refuses a config it must not start with (bot.startup)
    runtime = app.extensions["siyu"]
    wants_scheduler = config.scheduler.enabled and not args.no_scheduler
    scheduler = child = None
    if config.inbound.processing == "child":
        # Routing (and the scheduler) in a process of its own: the web threads keep the GIL for acks.
        child = ProcessingChild(child_command(args.config, args.verbose, wants_scheduler))
        child.start()
        runtime.processor_waker = child.kick
    elif wants_scheduler:
        scheduler = build_scheduler(runtime)
        scheduler.start()
    freeze_start_up_heap()
    logger.info("serving on http://%s:%s", args.host, args.port)
    # SIGTERM (systemd, docker stop) stops serve as Ctrl-C does, so the child is stopped with it.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        waitress.serve(app, host=args.host, port=args.port, threads=args.threads, ident="siyu",
                       connection_limit=args.connection_limit, asyncore_use_poll=True)
    finally:
        if child is not None:
            child.stop()
        if scheduler is not None:
            scheduler.shutdown(wait=False)
            _stop_heartbeat(runtime)
        runtime.close()
    return 0


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def cmd_worker(args: argparse.Namespace) -> int:
    from bot.assembly import build_runtime
    from bot.inbound.routing import load_routers
    from bot.jobs.scheduler import build_scheduler
    from bot.ops.heap import freeze_start_up_heap

    config = config_from(args)
    _check_schema(config)
    children = _processor_count(config, args)
    if children:  # before prometheus-client is loaded: the worker and its children count into one directory
        from bot.cli.child import share_metrics

        share_metrics()
    runtime = build_runtime(config, load_routers(config.bot.handlers))  # refuses as serve does
    freeze_start_up_heap()
    if args.serve_child:  # Ctrl-C reaches serve's whole group: serve stops this child itself
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    if runtime.db.is_postgres and not children:  # woken by the web processes' commits, not only by the poll
        from bot.inbound.wakeup import listen_for_pushes

        listen_for_pushes(runtime.db, runtime.processor.kick, threading.Event())  # a daemon: ends with us
    if args.tasks_elsewhere:  # a worker's processor child: the worker runs the sends a batch queued
        from bot.inbound.wakeup import notify_tasks_queued

        runtime.processor.wake_tasks = lambda: notify_tasks_queued(runtime.db)
    if args.no_scheduler:  # serve's processing child without the scheduler: the processor alone
        return _process_only(runtime, args.serve_child)
    scheduler = build_scheduler(runtime, blocking=True)
    stop = _stopper(scheduler)
    signal.signal(signal.SIGTERM, lambda *_: stop())
    if args.serve_child:
        from bot.cli.child import follow_parent

        follow_parent(runtime.processor.kick, stop)
    if config.metrics.worker_bind:
        from bot.ops.metrics import serve_events

        serve_events(config.metrics.worker_bind)
    logger.info("worker started: %s", ", ".join(job.id for job in scheduler.get_jobs()))
    if children:
        from bot.cli.child import start_processor_children

        processors = start_processor_children(runtime, scheduler, children, args.config, args.verbose)
    else:
        processors = []
        runtime.processor.start()  # routes stored pushes in batches beside the scheduler's jobs
    try:
        scheduler.start()
    finally:
        for child in processors:
            child.stop()
    _stop_heartbeat(runtime)
    runtime.close()
    return 0


def _processor_count(config: Config, args: argparse.Namespace) -> int:
    """How many processor children this `siyu worker` starts: [inbound] worker_processors on
    PostgreSQL (several processes route at once only there), none for serve's child or on SQLite."""
    if args.serve_child or args.no_scheduler or not config.database.url.startswith("postgresql"):
        return 0
    return config.inbound.worker_processors


def _stopper(scheduler: BaseScheduler) -> Callable[[], None]:
    """Stop the scheduler, also when asked before it started (it then stops as it starts)."""
    from apscheduler.events import EVENT_SCHEDULER_START

    lock, asked = threading.RLock(), threading.Event()  # reentrant: SIGTERM may land inside `started`

    def stop() -> None:
        with lock:
            asked.set()
            if scheduler.running:
                scheduler.shutdown(wait=False)

    def started(_event: object) -> None:
        with lock:
            if asked.is_set() and scheduler.running:
                scheduler.shutdown(wait=False)

    scheduler.add_listener(started, EVENT_SCHEDULER_START)
    return stop


def _process_only(runtime: Runtime, serve_child: bool) -> int:
    """Route stored pushes until SIGTERM (or, as serve's child, until serve is gone)."""
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    if serve_child:
        from bot.cli.child import follow_parent

        follow_parent(runtime.processor.kick, stopped.set)
    logger.info("processor started")
    runtime.processor.start()
    try:
        while not stopped.wait(1.0):
            pass
    finally:
        runtime.close()
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    """Print what is wrong with the configuration and how to fix it; 1 when anything is an error."""
    from bot.ops.doctor import render, run_doctor

    config = config_from(args)
    findings, ok = run_doctor(config, timeout=args.timeout)
    print(render(findings, config.source))
    return 0 if ok else 1


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo import run_demo
    from bot.startup import check_opt_out_rule

    config = config_from(args)
    bot = config.bot  # the demo honours [bot] playbooks_dir, tag_rules and scripts
    check_opt_out_rule(bot.tag_rules_path, config)  # before the simulator takes its port
    return run_demo(port=args.port, sim_port=args.sim_port, once=args.once,
                    bot={"playbooks_dir": bot.playbooks_dir, "tag_rules": bot.tag_rules, "scripts": bot.scripts})


def _stop_heartbeat(runtime: object) -> None:
    """A clean stop removes this scheduler's heartbeat at once (a crash lets it expire)."""
    from sqlalchemy.exc import SQLAlchemyError

    heartbeat = getattr(runtime, "features", {}).get("heartbeat")
    if heartbeat is not None:
        try:
            heartbeat.stop()
        except SQLAlchemyError:
            logger.warning("could not remove this scheduler's heartbeat; it expires by itself")


def _check_schema(config: Config) -> None:
    """Refuse to start on a database `siyu init` has not brought to the current schema."""
    from bot.clock import Clock
    from bot.config import ConfigError
    from bot.db import Database
    from bot.schema import current_revision, head_revision

    db = Database(config.database.url, Clock())
    try:
        if current_revision(db) != head_revision(db):
            raise ConfigError(f"{db.url.render_as_string(hide_password=True)}: database schema is not current; "
                              "run `siyu init`")
    finally:
        db.dispose()


if __name__ == "__main__":
    sys.exit(main())
