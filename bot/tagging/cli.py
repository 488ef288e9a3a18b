"""`siyu tag`: what tags a message would get, and why; bulk mode for scripts."""

from __future__ import annotations

import argparse
import contextlib
import gc
import itertools
import json
import multiprocessing
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from bot.tagging.keywords import KeywordTagger
from bot.tagging.matches import TagMatch
from bot.tagging.model import TagModel, added_reason, model_json, vetoed_reason
from bot.tagging.model_tags import judged_by
from bot.tagging.patterns import save_patterns
from bot.tagging.rules import RulesError, load_rules
from bot.tagging.training import Options, TrainingError, read_manifest, train, train_manifest


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = sub.add_parser("tag", help="show the tags a message would get, with reasons; `siyu tag train`",
                            usage="%(prog)s [options] [text]\n"
                                  "       %(prog)s train --out FILE [options] DATA.jsonl ...\n"
                                  "       %(prog)s train --manifest FILE.toml --out FILE")
    parser.add_argument("text", nargs="?", help="the customer message (or `train`: train the learned check)")
    parser.add_argument("--rules", help="tag rules file (default: [bot] tag_rules)")
    parser.add_argument("--stdin", action="store_true", help="read one message per line from standard input")
    parser.add_argument("--json", action="store_true", help="one JSON line per message")
    parser.add_argument("--check", action="store_true", help="only validate the rules file")
    parser.add_argument(
        "--jobs", type=int, default=0,
        help="worker processes for a large piped --stdin (default: one per CPU; 1 = this process only)",
    )
    train = parser.add_argument_group("siyu tag train: a learned check ([model]) from labelled JSON lines files")
    train.add_argument("data", nargs="*", metavar="DATA.jsonl", help='{"text": ..., "tags": [...]} a line')
    train.add_argument("--out", type=Path, help="the model file to write")
    train.add_argument("--manifest", type=Path, help="a model's recipe (rules/tags.model.toml): options, tags, "
                       "and what each group of data files is labelled for; instead of DATA files and options")
    defaults = Options()
    train.add_argument("--C", type=float, default=defaults.C, help=f"inverse regularisation (default {defaults.C:g})")
    train.add_argument("--ngrams", type=int, default=defaults.ngrams,
                       help="longest character n-gram (default %(default)s)")
    train.add_argument("--min-df", type=int, default=defaults.min_df,
                       help="an n-gram must be in this many messages (default %(default)s)")
    train.add_argument("--min-examples", type=int, default=defaults.min_examples,
                       help="a tag needs this many example messages to get a model (default %(default)s)")
    parser.set_defaults(func=run, more_positionals=True)


def run(args: argparse.Namespace) -> int:
    if args.text == "train" and not args.stdin:
        return run_train(args)
    if args.data or args.out or args.extra:
        print("siyu tag: give one message (DATA files and --out are for `siyu tag train`)", file=sys.stderr)
        return 2
    path = Path(args.rules) if args.rules else _default_rules(args)
    with _long_lived():
        try:
            rules = load_rules(path)
        except RulesError as exc:
            print(str(exc), file=sys.stderr)
            return 1
        if args.check:
            print(f"{path}: {len(rules.keyword_rules)} keyword rules, {len(rules.behaviour_rules)} behaviour rules, ok")
            return 0
        if not args.stdin and not args.text:
            print("siyu tag: give a message, or --stdin", file=sys.stderr)
            return 2
        tagger = KeywordTagger(rules)
    save_patterns()  # the next `siyu tag` reads the tagger's regexes compiled (bot/tagging/patterns.py)
    texts = (line.rstrip("\n") for line in sys.stdin) if args.stdin else iter([args.text])
    # Typed at a terminal, each answer shows at once; piped, output is buffered (one write per
    # block, not per line), which is most of the cost of a bulk run after the tagging itself.
    interactive = args.stdin and sys.stdin.isatty()
    jobs = args.jobs or os.cpu_count() or 1
    if args.stdin and not interactive and jobs > 1:
        first = list(itertools.islice(texts, WORKERS_FROM))
        if len(first) == WORKERS_FROM:  # a long input: worth the workers
            _tag_in_workers(tagger, args.json, itertools.chain(first, texts), jobs)
            return 0
        texts = iter(first)
    write = sys.stdout.write
    for line in (_rendered(tagger, args.json, texts) if args.json or args.stdin else _explained(tagger, texts)):
        write(line)
        if interactive:
            sys.stdout.flush()
    save_patterns()  # and those that some messages needed
    return 0


@contextlib.contextmanager
def _long_lived() -> Iterator[None]:
    """For building what lives as long as the command (rules, dictionary, model): the cyclic collector
    is off meanwhile (it walked the growing heap again and again, 5 % of start-up), and what was built
    is frozen after (`gc.freeze`), so that later collections, the one at exit and the forked workers'
    leave it alone (a worker's pages stay shared). Only cycles made before it could outlive their use."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def run_train(args: argparse.Namespace) -> int:
    """`siyu tag train --out FILE DATA.jsonl ...`: write a model file for a rules file's `[model]`."""
    data = [*args.data, *getattr(args, "extra", [])]
    if args.manifest is not None:
        if not args.out or data:
            print("siyu tag train: with --manifest give --out FILE and no DATA files (the manifest names them)",
                  file=sys.stderr)
            return 2
        try:
            model = train_manifest(read_manifest(args.manifest))
        except TrainingError as exc:
            print(f"siyu tag train: {exc}", file=sys.stderr)
            return 1
        return _written(args.out, model)
    if not args.out or not data or any(name.startswith("-") for name in data):
        print("siyu tag train: give --out FILE and one or more DATA.jsonl files"
              + "".join(f"; unknown option {name}" for name in data if name.startswith("-")), file=sys.stderr)
        return 2
    if args.C <= 0 or min(args.ngrams, args.min_df, args.min_examples) < 1:
        print("siyu tag train: --C must be above 0; --ngrams, --min-df and --min-examples at least 1", file=sys.stderr)
        return 2
    options = Options(C=args.C, ngrams=args.ngrams, min_df=args.min_df, min_examples=args.min_examples)
    try:
        model = train([Path(name) for name in data], options)
    except TrainingError as exc:
        print(f"siyu tag train: {exc}", file=sys.stderr)
        return 1
    return _written(args.out, model)


def _written(out: Path, model: TagModel) -> int:
    text = model_json(model)
    out.write_text(text, encoding="utf-8")
    weights = sum(weight != 0.0 for row in model.rows.values() for weight in row[1:])
    print(f"{out}: {len(model.tags)} tags ({', '.join(model.tags)}), {len(model.rows)} n-grams, "
          f"{weights} weights, {len(text.encode()) / 1e6:.2f} MB; from {model.training['messages']} messages; "
          f"pruning and rounding move a training message's probability by at most "
          f"{model.training['largest_change']:.4f}")
    return 0


WORKERS_FROM = 2000  # lines: fewer are tagged in this process, sooner than workers start
# Lines a worker tags per task: large enough that the pipes cost little (a task's round trip is
# well under a millisecond), small enough that at the end of the input no worker waits long for
# the last to finish its task (50,000 lines in tasks of 2,000 left one worker idle for a whole
# task at the end, 4 % of the run on two cores).
CHUNK_LINES = 500


def _rendered(tagger: KeywordTagger, as_json: bool, texts: Iterable[str]) -> Iterator[str]:
    """Each message's output, newline included."""
    json_line = _JsonLines().line
    for text in texts:
        matches = tagger.tag(text)
        yield (json_line(text, matches) if as_json else _as_lines(text, matches)) + "\n"


# The tagger the workers inherit: set before the fork, so a worker starts with the rules, the
# dictionary and the segmenter's tables already built, and nothing is pickled but the lines.
_worker_tagger: tuple[KeywordTagger, bool] | None = None


def _tag_chunk(texts: list[str]) -> str:
    assert _worker_tagger is not None
    tagger, as_json = _worker_tagger
    output = "".join(_rendered(tagger, as_json, texts))
    save_patterns()  # a worker's own regexes, compiled for some message (nothing to do once saved)
    return output


def _tag_in_workers(tagger: KeywordTagger, as_json: bool, texts: Iterable[str], jobs: int) -> None:
    """Chunks of lines tagged by `jobs` forked workers, written in the input order."""
    global _worker_tagger
    tagger.tag("预约")  # warm the segmenter's first tables before the fork, once for all workers
    _worker_tagger = (tagger, as_json)
    chunks = iter(lambda: list(itertools.islice(texts, CHUNK_LINES)), [])
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for output in pool.imap(_tag_chunk, chunks):
                sys.stdout.write(output)
    finally:
        _worker_tagger = None


def _default_rules(args: argparse.Namespace) -> Path:
    from bot.config import BotConfig, ConfigError, load_config

    try:
        return load_config(args.config).bot.tag_rules_path
    except ConfigError:
        return BotConfig().tag_rules_path


def _as_json(text: str, matches: list[TagMatch]) -> dict[str, Any]:
    return {"text": text, "tags": [{"name": m.tag, "rule": m.rule, "matched": list(m.matched)} for m in matches]}


class _JsonLines:
    """`json.dumps(_as_json(...), ensure_ascii=False)`, byte for byte, without building the dict
    per line: a bulk run spends as long in a general encoder as in half the tagging."""

    def __init__(self) -> None:
        self._rules: dict[tuple[str, str], str] = {}
        self._words: dict[str, str] = {}

    def line(self, text: str, matches: list[TagMatch]) -> str:
        if not matches:
            return '{"text": ' + _string(text) + ', "tags": []}'
        tags = []
        for m in matches:
            head = self._rules.get((m.tag, m.rule))
            if head is None:
                head = f'{{"name": {_string(m.tag)}, "rule": {_string(m.rule)}, "matched": ['
                self._rules[(m.tag, m.rule)] = head
            words = self._words
            tags.append(head + ", ".join(words.get(w) or words.setdefault(w, _string(w)) for w in m.matched) + "]}")
        return '{"text": ' + _string(text) + ', "tags": [' + ", ".join(tags) + "]}"


_string = json.encoder.encode_basestring  # a JSON string literal, non-ASCII kept (ensure_ascii=False)


def _explained(tagger: KeywordTagger, texts: Iterable[str]) -> Iterator[str]:
    """`_as_lines`, with the tags the learned check took back and why."""
    check = tagger.rules.model
    veto_below, add_above = (check.veto_below, check.add_above) if check is not None else (0.0, 1.0)
    # a rule checked by another model tag than its own (a concept, or its `model = "<tag>"`) says which
    by = {rule.rule_id: judged_by(rule.tag, rule.model) for rule in tagger.rules.keyword_rules}
    for text in texts:
        matches, dropped, added = tagger.tag_checked(text)
        reasons = {m.rule: added_reason(chance, add_above, m.matched) + by.get(m.rule, "") for m, chance in added}
        lines = [_as_lines(text, matches, reasons)] if matches or not dropped else [f"「{text}」:"]
        lines += [f"  ({m.tag})  ← 命中「{'、'.join(m.matched)}」，但{vetoed_reason(chance, veto_below)}"
                  f"{by.get(m.rule, '')}" for m, chance in dropped]
        yield "\n".join(lines) + "\n"


def _as_lines(text: str, matches: list[TagMatch], added: dict[str, str] | None = None) -> str:
    """`added`: rule id -> why the learned check gave its tag where no keyword did."""
    if not matches:
        return f"「{text}」: 无标签"
    lines = [f"「{text}」:"]
    for m in matches:
        if added and m.rule in added:
            lines.append(f"  {m.tag}  ← {added[m.rule]}（规则 {m.rule}，学习模型复核）")
        else:
            lines.append(f"  {m.tag}  ← 命中「{'、'.join(m.matched)}」（规则 {m.rule}，分句「{m.clause}」）")
    return "\n".join(lines)
