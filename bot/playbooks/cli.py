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

    check = commands.add_parser("check", help="validate playbook files, tag rules and 话术; non-zero exit on errors")
    check.add_argument("paths", nargs="*", help="files or directories (default: [bot] playbooks_dir, tag_rules "
                                                "and scripts)")
    check.set_defaults(func=cmd_check)

    load = commands.add_parser("import", help="store changed playbook files as new versions")
    load.add_argument("paths", nargs="*", help="files or directories (default: [bot] playbooks_dir)")
    load.add_argument("--dir", help="playbook directory (the same as giving it as a path)")
    load.set_defaults(func=cmd_import)

    export = commands.add_parser("export", help="write the current versions back to files")
    export.add_argument("--dir", help="target directory (default: [bot] playbooks_dir)")
    export.set_defaults(func=cmd_export)

    listing = commands.add_parser("list", help="playbooks in the database with versions and counts")
    listing.set_defaults(func=cmd_list)

    preview = commands.add_parser("preview", help="the timeline a customer or a sample event would get")
    preview.add_argument("playbook_id", help="a playbook id, or the path of a playbook file")
    preview.add_argument("--customer", help="a customer id from the database")
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
    from bot.cli.common import config_from

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
            for extra in ("tags.toml", "scripts.toml"):  # e.g. `siyu playbook check rules`
                if (path / extra).is_file():
                    yield path / extra
        else:
            yield path


def _kind(path: Path, config: Config | None) -> str:
    """"rules", "scripts" or "playbook": by the config's paths, else by the file's name."""
    if (config is not None and _same(path, config.bot.tag_rules_path)) or path.name == "tags.toml":
        return "rules"
    if (config is not None and _same(path, config.bot.scripts_path)) or path.name == "scripts.toml":
        return "scripts"
    return "playbook"


def _same(path: Path, other: Path) -> bool:
    return path.resolve() == other.resolve()


def default_check_paths(config: Config) -> list[Path]:
    """What `siyu playbook check` checks with no paths: the playbooks, the tag rules, the 话术 library."""
    bot = config.bot
    return [Path(bot.playbooks_dir), *(path for path in (bot.tag_rules_path, bot.scripts_path) if path.exists())]


def check_paths(paths: list[Path], config: Config | None = None) -> list[str]:
    """Every problem in these files, one `file:line: key: message` line each (warnings say so)."""
    errors, warnings = check_report(paths, config)
    return errors + warnings


def check_report(paths: list[Path], config: Config | None = None) -> tuple[list[str], list[str]]:
    """(errors, warnings) of these files and folders, each a `file:line: key: message` line."""
    from bot.playbooks.attributes import setter_findings
    from bot.playbooks.channels import template_step_warnings
    from bot.playbooks.lint import lint_together
    from bot.playbooks.loader import PlaybookError, Problem, check_text, format_key_path, key_lines, line_for

    errors: list[str] = []
    warnings: list[str] = []
    attributes = config.bot.customer_attributes if config else []
    loaded: dict[str, tuple[Path, str, Any]] = {}
    for path in _files(paths):
        if not path.exists():
            errors.append(f"{path}: no such file or directory")
            continue
        kind = _kind(path, config)
        if kind != "playbook":
            unread = _not_read_by_the_bot(path, kind, config)
            if unread:
                warnings.append(unread)
        if kind == "rules":
            errors.extend(_check_rules(path))
            continue
        if kind == "scripts":
            from bot.guides.cli import check_scripts

            errors.extend(check_scripts(path, config.bot.tag_rules_path if config else None))
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            errors.append(f"{path}: cannot read file: {error}")
            continue
        playbook, problems = check_text(text, str(path), attributes=attributes)
        report = PlaybookError(str(path), problems)
        for problem in problems:
            (warnings if problem.severity == "warning" else errors).append(report.format(problem))
        if playbook is None:
            continue
        first = next((where for where, (_, _, other) in loaded.items() if other.id == playbook.id), None)
        if first is not None:
            errors.append(f"{path}:{key_lines(text).get(('id',), 1)}: id: playbook id {playbook.id!r} "
                          f"is already used by {first}")
            continue
        loaded[str(path)] = (path, text, playbook)
        lines = key_lines(text)
        if config is not None:
            for finding in setter_findings(playbook, config):  # attributes nothing here sets
                problem = Problem(format_key_path(finding.path), finding.message, line_for(finding.path, lines),
                                  severity=finding.severity)
                warnings.append(report.format(problem))
        for index, step in enumerate(playbook.steps):
            for line in template_step_warnings(step.template_data):  # what WeChat will not show
                key, _, message = line.partition(": ")
                at = ("steps", index, *key.split(".", 1))
                warnings.append(f"{path}:{line_for(at, lines)}: steps[{index}].{key}: warning: {message}")
    together = lint_together({where: playbook for where, (_, _, playbook) in loaded.items()},
                             config.bot.business_events if config else ())
    for where, findings in together.items():
        lines = key_lines(loaded[where][1])
        for finding in findings:
            problem = Problem(format_key_path(finding.path), finding.message, line_for(finding.path, lines),
                              severity=finding.severity)
            found = warnings if finding.severity == "warning" else errors
            found.append(PlaybookError(where, [problem]).format(problem))
    return errors, warnings


def _not_read_by_the_bot(path: Path, kind: str, config: Config | None) -> str:
    """A warning for a tag-rules or 话术 file the config does not point at (e.g. left in playbooks/)."""
    if config is None:
        return ""
    key, used = ("tag_rules", config.bot.tag_rules_path) if kind == "rules" else ("scripts", config.bot.scripts_path)
    if _same(path, used):
        return ""
    return f"{path}: warning: the bot does not read this file: [bot] {key} is {used}"


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


def _optional_config(args: argparse.Namespace) -> Config | None:
    from bot.config import ConfigError

    try:
        return _config(args)
    except ConfigError:  # check works on files without any config
        return None


def cmd_check(args: argparse.Namespace) -> int:
    config = _optional_config(args)
    if not args.paths and config is None:
        print("siyu: no paths given and no config to find [bot] playbooks_dir", file=sys.stderr)
        return 2
    paths = [Path(p) for p in args.paths] or default_check_paths(config)  # type: ignore[arg-type]
    errors, warnings = check_report(paths, config)
    for line in errors + warnings:
        print(line, file=sys.stderr)
    checked = len(list(_files([p for p in paths if p.exists()])))
    print(f"{checked} file(s) checked: {len(errors)} error(s), {len(warnings)} warning(s)")
    return 1 if errors else 0


# --- import / export / list ------------------------------------------------------------------

def cmd_import(args: argparse.Namespace) -> int:
    from bot.playbooks.registry import import_paths

    config = _config(args)
    paths = list(args.paths) + ([args.dir] if args.dir else []) or [config.bot.playbooks_dir]
    missing = [path for path in paths if not Path(path).exists()]
    if missing:
        print(f"siyu: no such file or directory: {', '.join(missing)}", file=sys.stderr)
        return 2
    with _database(config).session() as session:
        report = import_paths(session, paths)
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
    from bot.playbooks.loader import load_playbook_dir, load_playbook_paths

    config = _config(args)
    with _database(config).session() as session:
        records = list(session.scalars(select(PlaybookRecord).order_by(PlaybookRecord.id)))
        journeys: dict[str, dict[str, int]] = {}
        for playbook_id, status, count in session.execute(select(Enrolment.playbook_id, Enrolment.status, func.count())
                                                          .group_by(Enrolment.playbook_id, Enrolment.status)):
            journeys.setdefault(playbook_id, {})[status] = count
        deliveries: dict[str, dict[str, int]] = {}
        for playbook_id, status, count in session.execute(select(Delivery.playbook_id, Delivery.status, func.count())
                                                          .group_by(Delivery.playbook_id, Delivery.status)):
            deliveries.setdefault(playbook_id, {})[status] = count
    # Broken files are read now, so a fixed file shows no stale flag: the playbooks folder (a file
    # that never imported still shows) and every file a playbook was imported from, wherever it is.
    folder = [config.bot.playbooks_dir] if Path(config.bot.playbooks_dir).is_dir() else []
    imported = {record.source_path for record in records if record.source_path and Path(record.source_path).is_file()
                and not (folder and Path(record.source_path).resolve().parent == Path(folder[0]).resolve())}
    broken = {**load_playbook_dir(folder[0]).errors} if folder else {}
    broken.update(load_playbook_paths(sorted(imported)).errors)
    broken_paths = {str(path) for path in broken}
    print(f"{'id':<28} {'ver':>3} {'on':<3} {'entered':>7} {'active':>6} {'conv':>5} {'exited':>6} "
          f"{'done':>5} {'sched':>6} {'sent':>6} {'skip':>5} {'fail':>5}  name")
    for record in records:
        j, d = journeys.get(record.id, {}), deliveries.get(record.id, {})
        flag = "  [file has errors: run `siyu playbook check`]" if record.source_path in broken_paths else ""
        print(f"{record.id:<28} {record.current_version:>3} {'yes' if record.enabled else 'no':<3} "
              f"{sum(j.values()):>7} {j.get('active', 0):>6} {j.get('converted', 0):>5} {j.get('exited', 0):>6} "
              f"{j.get('completed', 0):>5} {d.get('scheduled', 0):>6} {d.get('sent', 0):>6} {d.get('skipped', 0):>5} "
              f"{d.get('failed', 0):>5}  {record.name}{flag}")
    for path, error in sorted(broken.items()):
        print(f"broken file {path}: {len(error.problems)} error(s), first: {error.format(error.problems[0])}")
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
        if "best_hours" in step:  # at = "best": the due time above is the fallback's
            own = ", ".join(f"{hour} {count}" for hour, count in step["best_hours"].items()) or "none"
            print(f"    at each customer's best hour: {own}; {step['fallback']} with too little history"
                  f" at the fallback ({step['due']})")
    best = [c for c in result["sample"] if "best_at" in c]
    if best:
        print("  sample, best hour: " + ", ".join(
            f"#{c['id']} {c['name'] or ''} {c['best_at'] or 'fallback'}".replace("  ", " ") for c in best))
    return 0


# --- preview ---------------------------------------------------------------------------------

def cmd_preview(args: argparse.Namespace) -> int:
    from bot.clock import Clock
    from bot.playbooks.preview import preview_lines

    config = _config(args)
    try:
        event = json.loads(args.event) if args.event else {}
    except json.JSONDecodeError as error:
        return _fail(f'--event is not JSON ({error.msg} at character {error.pos}); '
                     'expected {"type": "...", "data": {...}, "at": "2026-03-12T19:00"}')
    if not isinstance(event, dict):
        return _fail("--event must be a JSON object")
    try:
        at = datetime.fromisoformat(args.at) if args.at else None
    except ValueError:
        return _fail(f"--at {args.at!r} is not an ISO 8601 time like 2026-03-12T19:00")
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=config.scheduler.tz)
    customer = None
    if args.customer is not None:
        if not args.customer.isdigit() or len(args.customer) > 18:
            return _fail(f"--customer {args.customer!r} is not a customer id (a number)")
        customer = int(args.customer)
    try:
        lines = preview_lines(config, _database(config), Clock(), args.playbook_id, customer_id=customer,
                              event=event, at=at)
    except LookupError as error:
        return _fail(str(error.args[0]))
    print("\n".join(lines))
    return 0


def _fail(message: str) -> int:
    print(f"siyu: {message}", file=sys.stderr)
    return 1


# --- dispatch --------------------------------------------------------------------------------

def cmd_dispatch(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from bot.inbound.routing import load_routers
    from bot.playbooks.feature import outbox_for
    from bot.playbooks.outbox import DispatchStats
    from bot.assembly import build_runtime

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
