"""Which rule of a file takes what several of its rules could: a concept group two rules name, a move.

An operator who splits one intent into two tags (意向:到店 and 咨询:档期, 意向:预约 and 预约:改期) writes
each rule's words with the other in mind; the shipped vocabulary must not undo that by handing both
rules the same group. A group goes to the rule that names most of its words, and a word one rule
names as its own keyword is never brought to another by a group. A rule built on the words of moving
an arrangement (改期, 换个时间, 推迟) is the one a move belongs to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

# A rule with this many own keywords that are or hold a `reschedule` marker is about moving an arrangement.
MOVE_REACH = 2
MOVED_MOOD = "rescheduled"
MOVED = f"mood:{MOVED_MOOD}"  # the mood as a rule's cue
CHANGED = "mood:changed"  # what was arranged swapped for another (能调成连座吗): the moving rule's too


def names_moves(keywords: Iterable[str], markers: Iterable[str]) -> bool:
    """Whether MOVE_REACH of `keywords` are or hold a marker of `[language] reschedule` (改期, 改时间,
    换个时间, 推迟): such a rule weighs the `rescheduled` mood as a cue of its own (see rules.py)."""
    plain = tuple(marker for marker in markers if "*" not in marker)
    return sum(any(marker in keyword for marker in plain) for keyword in dict.fromkeys(keywords)) >= MOVE_REACH


def lost_groups(counts: Sequence[Mapping[str, int] | None]) -> list[frozenset[str]]:
    """Per rule, the groups another rule names more own keywords of (`counts`: each rule's keywords per
    group, None for a rule that does not expand). On a tie both rules keep the group."""
    most: dict[str, int] = {}
    for named in counts:
        for name, count in (named or {}).items():
            most[name] = max(most.get(name, 0), count)
    return [frozenset(name for name, count in (named or {}).items() if count < most[name]) for named in counts]


def taken_elsewhere(own: Sequence[Iterable[str]]) -> list[frozenset[str]]:
    """Per rule, the words another rule of the file names as its own keywords and this one does not."""
    sets = [frozenset(words) for words in own]
    every = frozenset().union(*sets)
    return [every - words for words in sets]
