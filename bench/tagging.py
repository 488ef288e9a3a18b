"""Benchmark the keyword tagger against the plain substring baseline.

    .venv/bin/python bench/tagging.py [--n 50000] [--corpus PATH] [--rules PATH] [--repeat 3]
                                      [--baseline GIT-REF] [--skip SET ...]

Prints throughput (single process, the dev corpus repeated to N messages, messages per CPU
second of this process, best of --repeat runs after a warm-up) and micro-averaged
precision / recall / F1 over (message, tag) pairs for both taggers; the same figures on the
held-out sets of tests/data (clinic and school sentences written before tuning, and a gym's,
a dental clinic chain's, a pet hospital chain's, an auto care chain's, a postpartum care
centre's, an optical centre chain's, a home-cleaning service's, a physiotherapy studio's, a
homestay chain's, a moving company's, a children's dance studio's, an elder-care provider's, a
study-abroad consultancy's, a children's sports chain's, a baby store chain's, a real-estate
agency's, a wine store chain's, a pest-control service's, a pick-your-own farm's, a TCM clinic
chain's, a music school's, a domestic-staff agency's, a milk delivery service's, a camp organiser's,
a matchmaking agency's, a health check-up centre's, an insurance agency's, a paid self-study room
chain's, a climbing gym chain's, a tattoo studio chain's, an aquarium shop chain's, a rooftop solar
installer's, a visa agency's, a rental apartment brand's and a property-management company's messages with rules an
operator wrote once); and
`siyu tag --json --stdin` on N lines as a user runs it, start-up included, --repeat times,
with the default --jobs (a worker per CPU) and with --jobs 1, alternately. With --baseline, the same command of that
commit (a temporary git worktree, same interpreter and packages) runs alternately with this
one, so a busy shared machine slows both alike and their ratio holds. --skip heldout4 (or any
set's name) leaves that set unread, for whoever must not see it while working on the engine.
Then one JSON line with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"
sys.path.insert(0, str(REPO))  # run as a plain script from any directory

from bot.tagging import KeywordTagger, SubstringTagger, TagMatch, load_rules  # noqa: E402


class Tagger(Protocol):
    def tag(self, text: str) -> list[TagMatch]: ...


def default_rules() -> Path:
    """The rules the shipped configuration names (`[bot] tag_rules`), wherever they live."""
    from bot.config import load_config

    path = load_config(REPO / "config.example.toml").bot.tag_rules_path
    return path if path.is_absolute() else REPO / path


def load_corpus(path: Path) -> list[tuple[str, frozenset[str]]]:
    rows = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                row = json.loads(line)
                rows.append((row["text"], frozenset(row["tags"])))
    return rows


def accuracy(tagger: Tagger, corpus: Sequence[tuple[str, frozenset[str]]]) -> dict[str, float]:
    """Micro-averaged precision, recall and F1 over (message, tag) pairs."""
    true_pos = false_pos = false_neg = 0
    for text, gold in corpus:
        got = {match.tag for match in tagger.tag(text)}
        true_pos += len(got & gold)
        false_pos += len(got - gold)
        false_neg += len(gold - got)
    precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else 1.0
    recall = true_pos / (true_pos + false_neg) if true_pos + false_neg else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def throughput(tagger: Tagger, messages: Sequence[str], repeat: int) -> float:
    """Messages per CPU second on one core, best of `repeat` passes.

    CPU time rather than wall time so that other work on a shared machine does not count
    against the tagger; the best pass is the one least disturbed by cache and frequency noise.
    """
    for text in messages[:1000]:
        tagger.tag(text)
    best = 0.0
    for _ in range(repeat):
        started = time.process_time()
        for text in messages:
            tagger.tag(text)
        best = max(best, len(messages) / max(time.process_time() - started, 1e-9))
    return round(best)


def cli_speed(rules: Path, messages: Sequence[str], checkout: Path = REPO, options: Sequence[str] = ()
              ) -> dict[str, float]:
    """`siyu tag --json --stdin` over `messages`, start-up included: messages per second of wall
    time and of the child's CPU time (the figure that a busy shared machine does not distort).
    `checkout` is the source tree whose `bot` package runs (this one, or a baseline's); CPU time
    includes the worker processes of `--jobs`."""
    with tempfile.TemporaryFile("w+b") as lines:
        lines.write("\n".join(messages).encode("utf-8") + b"\n")
        lines.seek(0)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot.cli", "tag", "--json", "--stdin", "--rules", str(rules.resolve()),
                        *options],
                       stdin=lines, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, cwd=checkout,
                       env={**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(checkout)})
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"cli_msgs_per_wall_s": round(len(messages) / wall), "cli_msgs_per_cpu_s": round(len(messages) / cpu)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50_000, help="messages to time (corpus repeated)")
    parser.add_argument("--corpus", type=Path, default=DATA / "tagging_dev.jsonl")
    parser.add_argument("--rules", type=Path, default=None, help="default: [bot] tag_rules of config.example.toml")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes; the best counts")
    parser.add_argument("--no-cli", action="store_true", help="skip timing `siyu tag --stdin`")
    parser.add_argument("--baseline", help="a git ref whose `siyu tag` is timed alternately with this tree's")
    parser.add_argument("--skip", action="extend", nargs="+", default=[], metavar="SET",
                        help="leave out a held-out set (heldout5, pet...), e.g. while it must stay unseen")
    args = parser.parse_args(argv)
    args.rules = args.rules or default_rules()

    corpus = load_corpus(args.corpus)
    rules = load_rules(args.rules)
    texts = [text for text, _ in corpus]
    messages = (texts * (args.n // len(texts) + 1))[: args.n]
    print(f"corpus {args.corpus} ({len(corpus)} messages), rules {args.rules} (version {rules.version})")
    print(f"timing {len(messages)} messages, single process, CPU time, best of {args.repeat}")

    started = time.perf_counter()
    keyword = KeywordTagger(rules)
    build_s = time.perf_counter() - started
    figures: dict[str, float] = {"n": len(messages), "keyword_build_s": round(build_s, 2)}
    for name, tagger in (("keyword", keyword), ("substring", SubstringTagger(rules))):
        scores = accuracy(tagger, corpus)
        speed = throughput(tagger, messages, args.repeat)
        print(
            f"{name:>9}: {speed:>9,.0f} msgs/s  precision {scores['precision']:.3f}"
            f"  recall {scores['recall']:.3f}  F1 {scores['f1']:.3f}"
        )
        figures[f"{name}_msgs_per_s"] = speed
        figures.update({f"{name}_{key}": value for key, value in scores.items()})
    held_out = (
        ("heldout", DATA / "tagging_heldout.jsonl", None),
        ("heldout2", DATA / "tagging_heldout2.jsonl", None),
        ("heldout3", DATA / "tagging_heldout3.jsonl", None),
        ("heldout4", DATA / "tagging_heldout4.jsonl", None),
        ("dev3", DATA / "tagging_dev3.jsonl", None),
        ("gym", DATA / "gym_heldout.jsonl", DATA / "gym_tags.toml"),
        ("dental", DATA / "dental_heldout.jsonl", DATA / "dental_tags.toml"),
        ("heldout5", DATA / "tagging_heldout5.jsonl", None),
        ("pet", DATA / "pet_heldout.jsonl", DATA / "pet_tags.toml"),
        ("heldout6", DATA / "tagging_heldout6.jsonl", None),
        ("auto", DATA / "auto_heldout.jsonl", DATA / "auto_tags.toml"),
        ("heldout7", DATA / "tagging_heldout7.jsonl", None),
        ("postnatal", DATA / "postnatal_heldout.jsonl", DATA / "postnatal_tags.toml"),
        ("dev2", DATA / "tagging_dev2.jsonl", None),
        ("vet", DATA / "vet_dev.jsonl", DATA / "vet_tags.toml"),
        ("dev4", DATA / "tagging_dev4.jsonl", None),
        ("dev5", DATA / "tagging_dev5.jsonl", None),
        ("dev6", DATA / "tagging_dev6.jsonl", None),
        ("salon", DATA / "salon_dev.jsonl", DATA / "salon_tags.toml"),
        ("laundry", DATA / "laundry_dev.jsonl", DATA / "laundry_tags.toml"),
        ("photo", DATA / "photo_dev.jsonl", DATA / "photo_tags.toml"),
        ("dev7", DATA / "tagging_dev7.jsonl", None),
        ("driving", DATA / "driving_dev.jsonl", DATA / "driving_tags.toml"),
        ("heldout8", DATA / "tagging_heldout8.jsonl", None),
        ("optical", DATA / "optical_heldout.jsonl", DATA / "optical_tags.toml"),
        ("cleaning", DATA / "cleaning_heldout.jsonl", DATA / "cleaning_tags.toml"),
        ("dev8p", DATA / "tagging_dev8_precision.jsonl", None),
        ("swim", DATA / "swim_dev.jsonl", DATA / "swim_tags.toml"),
        ("repair", DATA / "repair_dev.jsonl", DATA / "repair_tags.toml"),
        ("dev9f", DATA / "tagging_dev9_families.jsonl", None),
        ("dev9p", DATA / "tagging_dev9_precision.jsonl", None),
        ("heldout9", DATA / "tagging_heldout9.jsonl", None),
        ("physio", DATA / "physio_heldout.jsonl", DATA / "physio_tags.toml"),
        ("homestay", DATA / "homestay_heldout.jsonl", DATA / "homestay_tags.toml"),
        ("heldout10", DATA / "tagging_heldout10.jsonl", None),
        ("reno", DATA / "reno_heldout.jsonl", DATA / "reno_tags.toml"),
        ("bakery", DATA / "bakery_heldout.jsonl", DATA / "bakery_tags.toml"),
        ("florist", DATA / "florist_dev.jsonl", DATA / "florist_tags.toml"),
        ("fruit", DATA / "fruit_dev.jsonl", DATA / "fruit_tags.toml"),
        ("furniture", DATA / "furniture_dev.jsonl", DATA / "furniture_tags.toml"),
        ("tea", DATA / "tea_dev.jsonl", DATA / "tea_tags.toml"),
        ("wedding", DATA / "wedding_dev.jsonl", DATA / "wedding_tags.toml"),
        ("aftercare", DATA / "aftercare_dev.jsonl", DATA / "aftercare_tags.toml"),
        ("mystery", DATA / "mystery_dev.jsonl", DATA / "mystery_tags.toml"),
        ("heldout11", DATA / "tagging_heldout11.jsonl", None),
        ("moving", DATA / "moving_heldout.jsonl", DATA / "moving_tags.toml"),
        ("dance", DATA / "dance_heldout.jsonl", DATA / "dance_tags.toml"),
        ("tailor", DATA / "tailor_dev.jsonl", DATA / "tailor_tags.toml"),
        ("print", DATA / "print_dev.jsonl", DATA / "print_tags.toml"),
        ("coding", DATA / "coding_dev.jsonl", DATA / "coding_tags.toml"),
        ("yoga", DATA / "yoga_dev.jsonl", DATA / "yoga_tags.toml"),
        ("diner", DATA / "diner_dev.jsonl", DATA / "diner_tags.toml"),
        ("broadband", DATA / "broadband_dev.jsonl", DATA / "broadband_tags.toml"),
        ("windows", DATA / "windows_dev.jsonl", DATA / "windows_tags.toml"),
        ("bento", DATA / "bento_dev.jsonl", DATA / "bento_tags.toml"),
        ("curtain", DATA / "curtain_dev.jsonl", DATA / "curtain_tags.toml"),
        ("art", DATA / "art_dev.jsonl", DATA / "art_tags.toml"),
        ("weiqi", DATA / "weiqi_dev.jsonl", DATA / "weiqi_tags.toml"),
        ("phone", DATA / "phone_dev.jsonl", DATA / "phone_tags.toml"),
        ("carcare", DATA / "carcare_dev.jsonl", DATA / "carcare_tags.toml"),
        ("heldout12", DATA / "tagging_heldout12.jsonl", None),
        ("eldercare", DATA / "eldercare_heldout.jsonl", DATA / "eldercare_tags.toml"),
        ("studyabroad", DATA / "studyabroad_heldout.jsonl", DATA / "studyabroad_tags.toml"),
        ("heldout13", DATA / "tagging_heldout13.jsonl", None),
        ("kidsport", DATA / "kidsport_heldout.jsonl", DATA / "kidsport_tags.toml"),
        ("babystore", DATA / "babystore_heldout.jsonl", DATA / "babystore_tags.toml"),
        ("estate", DATA / "estate_heldout.jsonl", DATA / "estate_tags.toml"),
        ("wine", DATA / "wine_heldout.jsonl", DATA / "wine_tags.toml"),
        ("pest", DATA / "pest_heldout.jsonl", DATA / "pest_tags.toml"),
        ("farm", DATA / "farm_heldout.jsonl", DATA / "farm_tags.toml"),
        ("heldout14", DATA / "tagging_heldout14.jsonl", None),
        ("tcm", DATA / "tcm_heldout.jsonl", DATA / "tcm_tags.toml"),
        ("music", DATA / "music_heldout.jsonl", DATA / "music_tags.toml"),
        ("nanny", DATA / "nanny_heldout.jsonl", DATA / "nanny_tags.toml"),
        ("milk", DATA / "milk_heldout.jsonl", DATA / "milk_tags.toml"),
        ("camp", DATA / "camp_heldout.jsonl", DATA / "camp_tags.toml"),
        ("matchmaking", DATA / "matchmaking_heldout.jsonl", DATA / "matchmaking_tags.toml"),
        ("heldout15", DATA / "tagging_heldout15.jsonl", None),
        ("checkup2", DATA / "checkup2_heldout.jsonl", DATA / "checkup2_tags.toml"),
        ("insurance", DATA / "insurance_heldout.jsonl", DATA / "insurance_tags.toml"),
        ("studyroom", DATA / "studyroom_heldout.jsonl", DATA / "studyroom_tags.toml"),
        ("heldout16", DATA / "tagging_heldout16.jsonl", None),
        ("climbing", DATA / "climbing_heldout.jsonl", DATA / "climbing_tags.toml"),
        ("tattoo", DATA / "tattoo_heldout.jsonl", DATA / "tattoo_tags.toml"),
        ("heldout17", DATA / "tagging_heldout17.jsonl", None),
        ("aquarium", DATA / "aquarium_heldout.jsonl", DATA / "aquarium_tags.toml"),
        ("solar", DATA / "solar_heldout.jsonl", DATA / "solar_tags.toml"),
        ("heldout18", DATA / "tagging_heldout18.jsonl", None),
        ("visa", DATA / "visa_heldout.jsonl", DATA / "visa_tags.toml"),
        ("rental", DATA / "rental_heldout.jsonl", DATA / "rental_tags.toml"),
        ("heldout19", DATA / "tagging_heldout19.jsonl", None),
        ("property", DATA / "property_heldout.jsonl", DATA / "property_tags.toml"),
        ("travel", DATA / "travel_dev.jsonl", DATA / "travel_tags.toml"),
        ("lash", DATA / "lash_dev.jsonl", DATA / "lash_tags.toml"),
        ("carrental", DATA / "carrental_dev.jsonl", DATA / "carrental_tags.toml"),
        ("hearing", DATA / "hearing_dev.jsonl", DATA / "hearing_tags.toml"),
        ("gardening", DATA / "gardening_dev.jsonl", DATA / "gardening_tags.toml"),
        ("massage", DATA / "massage_dev.jsonl", DATA / "massage_tags.toml"),
        ("karaoke", DATA / "karaoke_dev.jsonl", DATA / "karaoke_tags.toml"),
        ("hotel", DATA / "hotel_dev.jsonl", DATA / "hotel_tags.toml"),
        ("tutorhome", DATA / "tutorhome_dev.jsonl", DATA / "tutorhome_tags.toml"),
        ("appliance", DATA / "appliance_dev.jsonl", DATA / "appliance_tags.toml"),
        ("kidsplay", DATA / "kidsplay_dev.jsonl", DATA / "kidsplay_tags.toml"),
        ("carsales", DATA / "carsales_dev.jsonl", DATA / "carsales_tags.toml"),
        ("exam", DATA / "exam_dev.jsonl", DATA / "exam_tags.toml"),
        ("coffee", DATA / "coffee_dev.jsonl", DATA / "coffee_tags.toml"),
        ("clothing", DATA / "clothing_dev.jsonl", DATA / "clothing_tags.toml"),
        ("jewelry", DATA / "jewelry_dev.jsonl", DATA / "jewelry_tags.toml"),
        ("pharmacy", DATA / "pharmacy_dev.jsonl", DATA / "pharmacy_tags.toml"),
        ("spa", DATA / "spa_dev.jsonl", DATA / "spa_tags.toml"),
        ("electronics", DATA / "electronics_dev.jsonl", DATA / "electronics_tags.toml"),
        ("cinema", DATA / "cinema_dev.jsonl", DATA / "cinema_tags.toml"),
        ("bookstore", DATA / "bookstore_dev.jsonl", DATA / "bookstore_tags.toml"),
        ("english", DATA / "english_dev.jsonl", DATA / "english_tags.toml"),
        ("golf", DATA / "golf_dev.jsonl", DATA / "golf_tags.toml"),
        ("purifier", DATA / "purifier_dev.jsonl", DATA / "purifier_tags.toml"),
        ("hairloss", DATA / "hairloss_dev.jsonl", DATA / "hairloss_tags.toml"),
        ("nursery", DATA / "nursery_dev.jsonl", DATA / "nursery_tags.toml"),
        ("esports", DATA / "esports_dev.jsonl", DATA / "esports_tags.toml"),
        ("sportsgoods", DATA / "sportsgoods_dev.jsonl", DATA / "sportsgoods_tags.toml"),
        ("ticketing", DATA / "ticketing_dev.jsonl", DATA / "ticketing_tags.toml"),
        ("seafood", DATA / "seafood_dev.jsonl", DATA / "seafood_tags.toml"),
        ("chauffeur", DATA / "chauffeur_dev.jsonl", DATA / "chauffeur_tags.toml"),
        ("dev15w", DATA / "tagging_dev15_week.jsonl", None),
        ("dev15n", DATA / "tagging_dev15_near.jsonl", None),
        ("locksmith", DATA / "locksmith_dev.jsonl", DATA / "locksmith_tags.toml"),
        ("shoecare", DATA / "shoecare_dev.jsonl", DATA / "shoecare_tags.toml"),
        ("luxury", DATA / "luxury_dev.jsonl", DATA / "luxury_tags.toml"),
        ("bedding", DATA / "bedding_dev.jsonl", DATA / "bedding_tags.toml"),
        ("ski", DATA / "ski_dev.jsonl", DATA / "ski_tags.toml"),
        ("boxing", DATA / "boxing_dev.jsonl", DATA / "boxing_tags.toml"),
        ("framing", DATA / "framing_dev.jsonl", DATA / "framing_tags.toml"),
        ("fishing", DATA / "fishing_dev.jsonl", DATA / "fishing_tags.toml"),
        ("dev16", DATA / "tagging_dev16.jsonl", None),
        ("escape", DATA / "escape_dev.jsonl", DATA / "escape_tags.toml"),
        ("dogtrain", DATA / "dogtrain_dev.jsonl", DATA / "dogtrain_tags.toml"),
    )
    for name, path, own_rules in held_out:
        if name in args.skip:
            continue  # a set kept unseen while the engine is worked on is not even read
        tagger = KeywordTagger(load_rules(own_rules)) if own_rules else keyword
        scores = accuracy(tagger, load_corpus(path))
        kind = "development" if name in _DEVELOPMENT else "held out"
        print(f"{name:>9}: {kind} ({path.name})  precision {scores['precision']:.3f}"
              f"  recall {scores['recall']:.3f}  F1 {scores['f1']:.3f}")
        figures.update({f"{name}_{key}": value for key, value in scores.items()})
    if not args.no_cli:
        figures.update(cli_figures(args.rules, messages, args.repeat, args.baseline))
    print(json.dumps(figures, ensure_ascii=False))
    return 0


# Sets written before a round of engine work and then worked on: figures, not a held-out measure.
# heldout4, 6, 7, auto and postnatal were held out until session 22, which read their misses;
# heldout8, optical, dental and homestay until session 23, which did the same; heldout9 and physio
# until session 24. florist, fruit, furniture and tea were written by session 24's vocab helper as its own
# development sets (rules first, messages labelled before the tagger ran); wedding, aftercare and
# mystery by session 25's second writer, blind (no engine or shipped rules read), for its engine helpers;
# tailor, coding, diner, windows, bento, art and phone (written before) and print, yoga, broadband, curtain,
# weiqi and carcare (written after) by session 25's recall helper for the job-chasing forms, gapped keywords
# naming their group, complaint idioms, more of the shared groups' words, someone else's child referred and a
# measure after 有, rules first. travel, lash, carrental, hearing and gardening (session 26's trades writer) and
# massage, karaoke, hotel, tutorhome, appliance and kidsplay (its second), written blind, rules first: development and
# training data of the learned check; and session 27's twenty (carsales to chauffeur), measured once when they
# landed (tests/data/README.md), training data since; session 28's dev15 week and near sets (read by its precision
# helper, never trained on) and its eight trades (locksmith to fishing), measured once when they landed,
# development data since; session 30's dev16 (clinic and school) and two trades (escape, dogtrain), written blind
# and measured when they landed, then read by its helpers.
_DEVELOPMENT = frozenset({"dev2", "dev3", "vet", "dev4", "dev5", "dev6", "salon", "laundry", "photo", "dev7",
                          "driving", "heldout4", "heldout6", "heldout7", "auto", "postnatal", "dev8p",
                          "swim", "repair", "dev9f", "dev9p", "heldout8", "optical", "dental",
                          "homestay", "heldout9", "physio", "florist", "fruit", "furniture", "tea",
                          "wedding", "aftercare", "mystery", "tailor", "print", "coding",
                          "yoga", "diner", "broadband", "windows", "bento", "curtain", "art",
                          "weiqi", "phone", "carcare", "travel", "lash", "carrental", "hearing", "gardening",
                          "massage", "karaoke", "hotel", "tutorhome", "appliance", "kidsplay",
                          "carsales", "exam", "coffee", "clothing", "jewelry", "pharmacy", "spa", "electronics",
                          "cinema", "bookstore", "english", "golf", "purifier", "hairloss", "nursery", "esports",
                          "sportsgoods", "ticketing", "seafood", "chauffeur", "dev15w", "dev15n", "locksmith",
                          "shoecare", "luxury", "bedding", "ski", "boxing", "framing", "fishing", "dev16",
                          "escape", "dogtrain"})


def cli_figures(rules: Path, messages: Sequence[str], repeat: int, baseline: str | None) -> dict[str, float]:
    """`siyu tag` timed `repeat` times (best counts) with its default `--jobs` (one worker per CPU)
    and with `--jobs 1`, alternating with each other and with the baseline's if any."""
    runs: dict[str, list[dict[str, float]]] = {"cli": [], "cli_jobs1": []}
    options = {"cli": (), "cli_jobs1": ("--jobs", "1"), "baseline_cli": ()}
    with tempfile.TemporaryDirectory() as scratch:
        trees = {"cli": REPO, "cli_jobs1": REPO}
        if baseline:
            tree = Path(scratch) / "baseline"
            subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(tree), baseline],
                           check=True)
            trees["baseline_cli"], runs["baseline_cli"] = tree, []
        try:
            for _ in range(repeat):
                for name, tree in trees.items():
                    runs[name].append(cli_speed(_own_rules(rules, tree), messages, tree, options[name]))
        finally:
            if baseline:
                subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(trees["baseline_cli"])],
                               check=False)
    figures: dict[str, float] = {"cpus": os.cpu_count() or 1, "load_average_1m": round(os.getloadavg()[0], 1)}
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs after the runs")
    for name, timings in runs.items():
        label = {"cli": "cli", "cli_jobs1": "--jobs 1"}.get(name, f"baseline ({baseline})")
        for run in timings:
            print(f"{label:>9}: siyu tag --json --stdin, {len(messages)} lines with start-up:"
                  f" {run['cli_msgs_per_cpu_s']:>7,} msgs per CPU second,"
                  f" {run['cli_msgs_per_wall_s']:>7,} per wall second")
        for key in ("cli_msgs_per_cpu_s", "cli_msgs_per_wall_s"):
            prefix = {"cli": "", "cli_jobs1": "jobs1_"}.get(name, "baseline_")
            figures[prefix + key] = max(run[key] for run in timings)
    if baseline:
        ratio = figures["cli_msgs_per_cpu_s"] / figures["baseline_cli_msgs_per_cpu_s"]
        print(f"    ratio: {ratio:.2f}x the baseline's best, per CPU second (best of {repeat} each, alternating)")
        figures["cli_cpu_ratio_to_baseline"] = round(ratio, 2)
    wall_ratio = figures["cli_msgs_per_wall_s"] / figures["jobs1_cli_msgs_per_wall_s"]
    print(f"    default jobs / --jobs 1, per wall second: {wall_ratio:.2f}x (best of {repeat} each, alternating)")
    figures["jobs_wall_ratio"] = round(wall_ratio, 2)
    return figures


def _own_rules(rules: Path, tree: Path) -> Path:
    """The rules file as `tree` has it: a baseline commit reads its own version of a rules file kept in the
    repository (today's may use moods its engine does not know); a file outside the repository is shared."""
    try:
        relative = rules.resolve().relative_to(REPO)
    except ValueError:
        return rules
    own = tree / relative
    return own if own.exists() else rules


if __name__ == "__main__":
    sys.exit(main())
