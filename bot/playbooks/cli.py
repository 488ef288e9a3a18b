"""`siyu playbook check|import|export|list|preview|dispatch`."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.config import Config


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = sub.add_parser("playbook", help="check, import, export, list and preview playbooks")
    commands = parser.add_subparsers(dest="playbook_command", required=True)

    check = commands.add_parser("check", help="validate playbook files (and tags.toml); non-zero exit on errors")
    check.add_argument("paths", nargs="*", help="files or directories (default: [bot] playbooks_dir)")
    check.set_defaults(func=cmd_check)

    load = commands.add_parser("import", help="store changed playbook files as new versions")
    load.add_argument("--dir", help="playbook directory (default: [bot] playbooks_dir)")
    load.set_defaults(func=cmd_import)

    export = commands.add_parser("export", help="write the current versions back to files")
    export.add_argument("--dir", help="target directory (default: [bot] playbooks_dir)")
    export.set_defaults(func=cmd_export)

    listing = commands.add_parser("list", help="playbooks in the database with versions and counts")
    listing.set_defaults(func=cmd_list)

    preview = commands.add_parser("preview", help="the timeline a customer or a sample event would get")
    preview.add_argument("playbook_id")
    preview.add_argument("--customer", type=int, help="a customer id from the database")
    preview.add_argument("--event", help='the trigger event as JSON: {"type": ..., "data": {...}, "at": ISO}')
    preview.add_argument("--at", help="trigger time, ISO 8601 (default: now, or the event's at)")
    preview.set_defaults(func=cmd_preview)

    whatif = commands.add_parser("whatif", help="who would enter now, when each step goes out, over which channel")
    whatif.add_argument("playbook_id")
    whatif.add_argument("--json", action="store_true", help="one JSON object")
    whatif.set_defaults(func=cmd_whatif)

    dispatch = commands.add_parser("dispatch", help="send every due delivery once, then exit")
    dispatch.add_argument("--batch", type=int, help="deliveries claimed at a time (default 200)")
    dispatch.add_argument("--lease-seconds", type=float, default=300)
    dispatch.add_argument("--worker-id")
    dispatch.set_defaults(func=cmd_dispatch)


def _config(args: argparse.Namespace) -> Config:
    from bot.cli import config_from

    return config_from(args)


def _database(config: Config):  # type: ignore[no-untyped-def]
    from bot.clock import Clock
    from bot.db import Database

    return Database(config.database.url, Clock())


# --- check ---------------------------------------------------------------------------------------

def _files(paths: list[Path]) -> Iterator[Path]:
    from bot.playbooks.loader import playbook_files

    for path in paths:
        if path.is_dir():
            yield from playbook_files(path)
            for extra in ("tags.toml", "scripts.toml"):
                if (path / extra).is_file():
                    yield path / extra
        else:
            yield path


def check_paths(paths: list[Path]) -> list[str]:
    """Every problem in these files, one `file:line: key: message` line each."""
    from bot.playbooks.loader import PlaybookError, load_playbook_file

    problems: list[str] = []
    seen: dict[str, Path] = {}
    for path in _files(paths):
        if not path.exists():
            problems.append(f"{path}: no such file or directory")
        elif path.name == "tags.toml":
            problems.extend(_check_rules(path))
        elif path.name == "scripts.toml":
            from bot.guides.cli import check_scripts

            problems.extend(check_scripts(path))
        else:
            try:
                playbook = load_playbook_file(path)
            except PlaybookError as error:
                problems.append(str(error))
                continue
            if playbook.id in seen:
                problems.append(f"{path}: id: playbook id {playbook.id!r} is already used by {seen[playbook.id]}")
            seen.setdefault(playbook.id, path)
    return problems


def check_warnings(paths: list[Path]) -> list[str]:
    """What valid playbooks send that WeChat will not show (template message fields), `file: step: ...`."""
    from bot.playbooks.channels import template_step_warnings
    from bot.playbooks.loader import PlaybookError, load_playbook_file

    warnings: list[str] = []
    for path in _files(paths):
        if not path.exists() or path.name == "tags.toml":
            continue
        try:
            playbook = load_playbook_file(path)
        except PlaybookError:
            continue
        for step in playbook.steps:
            warnings.extend(f"{path}: steps.{step.id}.{line}" for line in template_step_warnings(step.template_data))
    return warnings


def _check_rules(path: Path) -> list[str]:
    try:
        from bot.tagging.rules import RulesError, load_rules
    except ImportError:
        return []
    try:
        load_rules(path)
    except RulesError as error:
        return [line if line.startswith(str(path)) else f"{path}: {line}" for line in error.errors]
    return []


def cmd_check(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.paths] or [Path(_config(args).bot.playbooks_dir)]
    problems = check_paths(paths)
    for problem in problems:
        print(problem, file=sys.stderr)
    for warning in check_warnings(paths):
        print(f"warning: {warning}", file=sys.stderr)
    checked = len(list(_files([p for p in paths if p.exists()])))
    print(f"{checked} file(s) checked, {len(problems)} problem(s)")
    return 1 if problems else 0


# --- import / export / list ------------------------------------------------------------------

def cmd_import(args: argparse.Namespace) -> int:
    from bot.playbooks.registry import import_directory

    config = _config(args)
    directory = args.dir or config.bot.playbooks_dir
    with _database(config).session() as session:
        report = import_directory(session, directory)
    for label, ids in (("new", report.created), ("changed", report.updated), ("unchanged", report.unchanged)):
        if ids:
            print(f"{label}: {', '.join(ids)}")
    for message in report.errors.values():
        print(f"not imported (the last good version stays): {message}", file=sys.stderr)
    return 0 if report.ok else 1


def cmd_export(args: argparse.Namespace) -> int:
    from bot.playbooks.registry import export_directory

    config = _config(args)
    with _database(config).session() as session:
        written = export_directory(session, args.dir or config.bot.playbooks_dir)
    for path in written:
        print(f"wrote {path}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from bot.models import Delivery, Enrolment, PlaybookRecord

    with _database(_config(args)).session() as session:
        records = list(session.scalars(select(PlaybookRecord).order_by(PlaybookRecord.id)))
        active = dict(session.execute(select(Enrolment.playbook_id, func.count()).where(
            Enrolment.status == "active").group_by(Enrolment.playbook_id)).all())
        sent = dict(session.execute(select(Delivery.playbook_id, func.count()).where(
            Delivery.status == "sent").group_by(Delivery.playbook_id)).all())
        scheduled = dict(session.execute(select(Delivery.playbook_id, func.count()).where(
            Delivery.status == "scheduled").group_by(Delivery.playbook_id)).all())
    print(f"{'id':<28} {'ver':>3} {'on':<3} {'active':>6} {'sched':>6} {'sent':>6}  name")
    for record in records:
        flag = "yes" if record.enabled else "no"
        print(f"{record.id:<28} {record.current_version:>3} {flag:<3} {active.get(record.id, 0):>6} "
              f"{scheduled.get(record.id, 0):>6} {sent.get(record.id, 0):>6}  {record.name}"
              + ("  [file has errors: run `siyu playbook check`]" if record.last_error else ""))
    return 0


# --- what-if (the console's page, in the terminal) ----------------------------------------------

def cmd_whatif(args: argparse.Namespace) -> int:
    from bot.analytics.whatif import CHANNEL_LABELS, what_if, whatif_json
    from bot.clock import Clock

    config = _config(args)
    try:
        with _database(config).session() as session:
            result = whatif_json(what_if(session, config, args.playbook_id, Clock().now()), config.scheduler.tz)
    except LookupError as error:
        print(f"siyu playbook whatif: {error}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    print(f"{result['playbook']}: {result['entering']} would enter now "
          f"(of {result['candidates']} the trigger could reach; {result['seconds']} s)")
    for reason, count in result["excluded"].items():
        print(f"  excluded, {reason}: {count}")
    for step in result["steps"]:
        channels = ", ".join(f"{CHANNEL_LABELS.get(c, c)} {n}" for c, n in step["channels"].items())
        print(f"  {step['step']}: {step['due'] or step['note']}  {channels}"
              + (f"  ({step['over_cap']} over the daily cap, a day later)" if step["over_cap"] else ""))
    return 0


# --- preview ---------------------------------------------------------------------------------

def cmd_preview(args: argparse.Namespace) -> int:
    from bot.clock import Clock
    from bot.playbooks.preview import preview_lines

    config = _config(args)
    event = json.loads(args.event) if args.event else {}
    if not isinstance(event, dict):
        print("siyu: --event must be a JSON object", file=sys.stderr)
        return 2
    at = datetime.fromisoformat(args.at) if args.at else None
    try:
        lines = preview_lines(config, _database(config), Clock(), args.playbook_id, customer_id=args.customer,
                              event=event, at=at)
    except LookupError as error:
        print(f"siyu: {error.args[0]}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


# --- dispatch --------------------------------------------------------------------------------

def cmd_dispatch(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from bot.inbound.routing import load_routers
    from bot.playbooks.feature import outbox_for
    from bot.playbooks.outbox import DispatchStats
    from bot.runtime import build_runtime

    config = _config(args)
    runtime = build_runtime(config, load_routers(config.bot.handlers))
    options: dict[str, Any] = {"lease": timedelta(seconds=args.lease_seconds)}
    if args.batch:
        options["batch_size"] = args.batch
    if args.worker_id:
        options["worker_id"] = args.worker_id
    try:
        outbox, stats = outbox_for(runtime, **options), DispatchStats()
        while True:
            run = outbox.dispatch_due()
            stats.add(run)
            if not run.released:
                break
            time.sleep(0.05)  # another worker was deciding those customers: it takes milliseconds
    finally:
        runtime.close()
    print(json.dumps({"claimed": stats.claimed, "sent": stats.sent, "retried": stats.retried,
                      "failed": stats.failed, "skipped": stats.skipped, "deferred": stats.deferred,
                      "by_channel": stats.by_channel}))
    return 0
