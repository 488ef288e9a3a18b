"""The `siyu` command: its parser and the core sub-commands (init, serve, worker, doctor, demo)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Config

from bot.cli.common import config_from, configure_cli_logging

logger = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser(_command_in(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
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

    serve = sub.add_parser("serve", help="web app and scheduler in one process")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5000)
    serve.add_argument("--threads", type=int, default=8)
    serve.add_argument("--no-scheduler", action="store_true", help="web only (scheduler runs in `siyu worker`)")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="scheduler only, for scaled deployments")
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
    import waitress

    from bot.app import create_app
    from bot.jobs.scheduler import build_scheduler

    config = config_from(args)
    _check_schema(config)
    app = create_app(config)  # refuses a config it must not start with (bot.startup)
    runtime = app.extensions["siyu"]
    scheduler = None
    if config.scheduler.enabled and not args.no_scheduler:
        scheduler = build_scheduler(runtime)
        scheduler.start()
    logger.info("serving on http://%s:%s", args.host, args.port)
    try:
        waitress.serve(app, host=args.host, port=args.port, threads=args.threads, ident="siyu")
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
            _stop_heartbeat(runtime)
        runtime.close()
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from bot.assembly import build_runtime
    from bot.inbound.routing import load_routers
    from bot.jobs.scheduler import build_scheduler

    config = config_from(args)
    _check_schema(config)
    runtime = build_runtime(config, load_routers(config.bot.handlers))  # refuses as serve does
    scheduler = build_scheduler(runtime, blocking=True)
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    if config.metrics.worker_bind:
        from bot.ops.metrics import serve_events

        serve_events(config.metrics.worker_bind)
    logger.info("worker started: %s", ", ".join(job.id for job in scheduler.get_jobs()))
    runtime.processor.start()  # routes stored pushes in batches beside the scheduler's jobs
    scheduler.start()
    _stop_heartbeat(runtime)
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
