"""`siyu import customers|events FILE [--dry-run]`: the console's import from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = sub.add_parser("import", help="import customers or events from a CSV file")
    parser.add_argument("kind", choices=("customers", "events"))
    parser.add_argument("file", type=Path)
    parser.add_argument("--dry-run", action="store_true", help="check every row and report, change nothing")
    parser.set_defaults(func=cmd_import)


def cmd_import(args: argparse.Namespace) -> int:
    from bot.cli.common import config_from
    from bot.imports.service import ImportFileError, importer_for
    from bot.inbound.routing import load_routers
    from bot.assembly import build_runtime

    try:
        data = args.file.read_bytes()
    except OSError as error:
        print(f"siyu import: {args.file}: {error.strerror}", file=sys.stderr)
        return 2
    config = config_from(args)
    runtime = build_runtime(config, load_routers(config.bot.handlers))
    total = max(data.count(b"\n") - 1, 1)

    def progress(done: int) -> None:
        width = 30
        filled = min(width, width * done // total)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} 行")
        sys.stderr.flush()

    try:
        report = importer_for(runtime).run(args.kind, data, dry_run=args.dry_run, progress=progress)
    except ImportFileError as error:
        print(f"\nsiyu import: {args.file}: {error}", file=sys.stderr)
        return 2
    finally:
        runtime.close()
    sys.stderr.write("\n")
    verb = "would be" if report.dry_run else "were"
    print(f"{args.file}: {report.rows} rows; {report.created} {verb} created, {report.updated} updated, "
          f"{report.unchanged} unchanged; {len(report.errors)} bad")
    for error in report.errors:
        print(f"{args.file}:{error.line}: {error.field}: {error.message}")
    return 1 if report.errors else 0
