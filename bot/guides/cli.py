"""`siyu script check` (the 话术 library) and `siyu guide transfer FROM TO [--customer ...]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.guides.scripts import FILE_NAME, ScriptsError, load_scripts, rule_tags


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    script = sub.add_parser("script", help="the 话术 library (playbooks/scripts.toml)")
    script_commands = script.add_subparsers(dest="script_command", required=True)
    check = script_commands.add_parser("check", help="validate the library; non-zero exit on errors")
    check.add_argument("path", nargs="?", help=f"the library file (default: <playbooks_dir>/{FILE_NAME})")
    check.set_defaults(func=run_check)

    guide = sub.add_parser("guide", help="guides: transfer customers between them")
    guide_commands = guide.add_subparsers(dest="guide_command", required=True)
    transfer = guide_commands.add_parser("transfer", help="hand customers from one guide to another "
                                                          "(在职转接, or 离职继承 with --resigned)")
    transfer.add_argument("from_guide", metavar="FROM", help="userid of the guide who hands over")
    transfer.add_argument("to_guide", metavar="TO", help="userid of the guide who takes over")
    transfer.add_argument("--customer", action="append", default=[],
                          help="only this customer (#A12, external_userid or name); repeatable; default: all")
    transfer.add_argument("--resigned", action="store_true", help="FROM has left the company (离职继承)")
    transfer.set_defaults(func=run_transfer)


def check_scripts(path: Path) -> list[str]:
    """Every problem in a library file, one line each."""
    try:
        load_scripts(path, rule_tags(path.parent))
    except ScriptsError as error:
        return error.errors
    return []


def run_check(args: argparse.Namespace) -> int:
    path = Path(args.path) if args.path else _default_path(args)
    if not path.exists():
        print(f"{path}: no such file", file=sys.stderr)
        return 1
    problems = check_scripts(path)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print(f"{path}: {len(load_scripts(path).scripts)} scripts, ok")
    return 0


def _default_path(args: argparse.Namespace) -> Path:
    from bot.config import ConfigError, load_config

    try:
        return Path(load_config(args.config).bot.playbooks_dir) / FILE_NAME
    except ConfigError:
        return Path("playbooks") / FILE_NAME


def run_transfer(args: argparse.Namespace) -> int:
    """Request the transfers and make the WeCom calls now; results arrive later (the worker polls)."""
    from bot.app import create_app
    from bot.config import load_config
    from bot.guides.lookup import GuideError, find_customer
    from bot.guides.transfer import customers_of, staff_named, transfer_many
    from bot.inbound.routing import load_routers

    config = load_config(args.config)
    runtime = create_app(config, load_routers(config.bot.handlers)).extensions["siyu"]
    try:
        with runtime.db.session() as session:
            old, new = staff_named(session, args.from_guide), staff_named(session, args.to_guide)
            if old is None or new is None:
                missing = args.from_guide if old is None else args.to_guide
                print(f"siyu guide transfer: no staff member {missing!r}", file=sys.stderr)
                return 1
            try:
                customers = ([find_customer(session, old, query) for query in args.customer] if args.customer
                             else customers_of(session, old))
            except GuideError as error:
                print(f"siyu guide transfer: {error}", file=sys.stderr)
                return 1
            requested = transfer_many(session, runtime.clock, customers, old, new,
                                      resigned=True if args.resigned else None, requested_by="cli")
        runtime.tasks.run_due()
        print(f"{requested} of {len(customers)} customers requested from {old.userid} to {new.userid}; "
              "WeCom reports each result within 24 h (the customer may refuse); the worker polls for it.")
        return 0
    finally:
        runtime.close()
