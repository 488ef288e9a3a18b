"""`siyu script check` (the 话术 library) and `siyu guide transfer FROM TO [--customer ...]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.guides.scripts import ScriptsError, load_scripts, rule_tags

if TYPE_CHECKING:
    from bot.config import BotConfig


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    script = sub.add_parser("script", help="the 话术 library ([bot] scripts, rules/scripts.toml)")
    script_commands = script.add_subparsers(dest="script_command", required=True)
    check = script_commands.add_parser("check", help="validate the library; non-zero exit on errors")
    check.add_argument("path", nargs="?", help="the library file (default: [bot] scripts)")
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


def check_scripts(path: Path, rules_path: Path | None = None) -> list[str]:
    """Every problem in a library file, one line each; tags are checked against `rules_path`
    (default: tags.toml beside the library)."""
    try:
        load_scripts(path, rule_tags(rules_path or path.parent / "tags.toml"))
    except ScriptsError as error:
        return error.errors
    return []


def run_check(args: argparse.Namespace) -> int:
    bot = _bot_config(args)
    if bot is None:
        from bot.config import BotConfig

        bot = BotConfig()  # no usable config: the default places
    path = Path(args.path) if args.path else bot.scripts_path
    if not path.exists():
        print(f"{path}: no such file", file=sys.stderr)
        return 1
    problems = check_scripts(path, None if args.path else bot.tag_rules_path)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print(f"{path}: {len(load_scripts(path).scripts)} scripts, ok")
    return 0


def _bot_config(args: argparse.Namespace) -> BotConfig | None:
    """The [bot] section naming the library and the tag rules (None without a usable config)."""
    from bot.config import ConfigError, load_config

    try:
        return load_config(args.config).bot
    except ConfigError:
        return None


def run_transfer(args: argparse.Namespace) -> int:
    """Request the transfers and make the WeCom calls now; results arrive later (the worker polls)."""
    from bot.app import create_app
    from bot.config import load_config
    from bot.inbound.routing import load_routers

    config = load_config(args.config)
    runtime = create_app(config, load_routers(config.bot.handlers)).extensions["siyu"]
    try:
        code, message = transfer_customers(runtime, args.from_guide, args.to_guide, args.customer, args.resigned)
    finally:
        runtime.close()
    print(message, file=sys.stderr if code else sys.stdout)
    return code


def transfer_customers(runtime: Any, from_guide: str, to_guide: str, customers: list[str],
                       resigned: bool) -> tuple[int, str]:
    """`siyu guide transfer`: (exit code, what to print)."""
    from bot.guides.lookup import GuideError, find_customer
    from bot.guides.transfer import customers_of, staff_named, transfer_many

    with runtime.db.session() as session:
        old, new = staff_named(session, from_guide), staff_named(session, to_guide)
        if old is None or new is None:
            return 1, f"siyu guide transfer: no staff member {from_guide if old is None else to_guide!r}"
        try:
            chosen = ([find_customer(session, old, query) for query in customers] if customers
                      else customers_of(session, old))
        except GuideError as error:
            return 1, f"siyu guide transfer: {error}"
        requested = transfer_many(session, runtime.clock, chosen, old, new, resigned=True if resigned else None,
                                  requested_by="cli")
        old_userid, new_userid = old.userid, new.userid
    runtime.tasks.run_due()
    return 0, (f"{requested} of {len(chosen)} customers requested from {old_userid} to {new_userid}; WeCom reports "
               "each result within 24 h (the customer may refuse), the worker polls for it.")
