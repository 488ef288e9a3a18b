"""`siyu user add|list`: console accounts from the command line (the first admin starts here)."""

from __future__ import annotations

import argparse
import getpass
import sys

from bot.models.console import ROLES


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = sub.add_parser("user", help="console accounts: add, list")
    users = parser.add_subparsers(dest="user_command", required=True)
    add = users.add_parser("add", help="create a console account")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--wecom-userid", help="the WeCom member this account is (required for guides)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.add_argument("--no-password", action="store_true", help="WeCom login only (needs --wecom-userid)")
    add.set_defaults(func=cmd_add)
    listing = users.add_parser("list", help="list console accounts")
    listing.set_defaults(func=cmd_list)


def _password(args: argparse.Namespace) -> str:
    if args.no_password:
        return ""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("密码: ")
    if getpass.getpass("再输入一次: ") != first:
        raise SystemExit("siyu user add: the two passwords differ")
    return first


def cmd_add(args: argparse.Namespace) -> int:
    from bot.clock import Clock
    from bot.cli.common import config_from
    from bot.console.accounts import AccountError, AccountService
    from bot.db import Database

    config = config_from(args)
    password = _password(args)
    db = Database(config.database.url, Clock())
    try:
        with db.session() as session:
            accounts = AccountService(session, db.clock, config.console)
            user = accounts.add(args.name, args.role, password, args.wecom_userid)
            accounts.audit.record(None, "user_add", user.username, {"role": user.role, "via": "cli"})
    except AccountError as error:
        print(f"siyu user add: {error}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    print(f"created {args.role} {args.name}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from bot.clock import Clock
    from bot.cli.common import config_from
    from bot.console.accounts import AccountService
    from bot.db import Database

    config = config_from(args)
    db = Database(config.database.url, Clock())
    try:
        with db.session() as session:
            for user in AccountService(session, db.clock, config.console).listing():
                state = "" if user.active else " (disabled)"
                print(f"{user.username}\t{user.role}\t{user.wecom_userid or '-'}{state}")
    finally:
        db.dispose()
    return 0
