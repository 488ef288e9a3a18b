"""Pydantic models of a playbook file: trigger, audience, exit, steps and caps.

Validation is complete on its own: durations are parsed, cron expressions checked, templates
compiled and conditions parsed here, so a model that validates can be scheduled and rendered.
The same models serve the file loader, the CLI and (later) the web editor.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import time, timedelta
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from apscheduler.triggers.cron import CronTrigger
from jinja2 import Template
from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator,
    model_validator)
from pydantic_core import PydanticCustomError

from bot.playbooks.templates import Condition, compile_condition, compile_template, sample_evaluate, sample_render
from bot.playbooks.timing import DEFAULT_TZ, parse_duration

logger = logging.getLogger(__name__)

CHANNELS = ("kf", "mp_custom", "mp_template", "wecom_mass", "guide_task")
# What the console and the CLI call each channel.
CHANNEL_LABELS = {"kf": "微信客服", "mp_custom": "公众号客服消息", "mp_template": "公众号模板消息",
                  "wecom_mass": "企业微信群发", "guide_task": "导购任务"}
# The longest text (UTF-8 bytes) each channel takes: kf, Official Account and app messages 2048,
# enterprise mass messages 4000. Template messages carry fields, not the text.
CHANNEL_TEXT_BYTES = {"kf": 2048, "mp_custom": 2048, "wecom_mass": 4000, "guide_task": 2048}
# Validation context key: render every template for a sample customer (check, import, editor);
# stored versions are parsed without it, so a bad one fails alone at send time.
SAMPLE_RENDER = "sample_render"
TRIGGER_KINDS = ("event", "tag_added", "stage_changed", "keyword", "contact_added",
                 "subscribed", "inactive_days", "schedule", "feedback")
# Feedback buttons under a step (互动反馈): the options, their default labels, and the channels
# that carry them (kf as a menu message, the Official Account and mass messages as tracked links).
FEEDBACK_OPTIONS = ("interested", "not_interested")
FEEDBACK_LABELS = {"interested": "想了解更多", "not_interested": "不感兴趣"}
FEEDBACK_CHANNELS = ("kf", "mp_custom", "wecom_mass")
KF_MENU_HEAD_BYTES = 1024  # a kf menu message's head_content
FEEDBACK_LABEL_BYTES = 128  # a kf menu item's content
FEEDBACK_LINKS_BYTES = 400  # room kept under an Official Account or mass text for the feedback links

_SLUG = r"^[a-z0-9][a-z0-9_-]*$"
_ATTRIBUTE = r"^[A-Za-z_][A-Za-z0-9_]*$"


def _duration(value: object) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if not isinstance(value, str):
        raise ValueError('expected a duration like "3d"')
    return parse_duration(value)


def _time_of_day(value: object) -> time:
    if isinstance(value, time):  # TOML's own local-time literal: at = 10:00:00
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{1,2}:\d{2}", value.strip()):
        hour, minute = (int(part) for part in value.strip().split(":"))
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise ValueError('expected a time of day like "10:00"')


def _sampling(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get(SAMPLE_RENDER))


def _template(value: str, info: ValidationInfo) -> str:
    compile_template(value)
    if _sampling(info):
        sample_render(value)
    return value


def _condition(value: str, info: ValidationInfo) -> str:
    compile_condition(value)
    if _sampling(info):
        sample_evaluate(value)
    return value


Duration = Annotated[timedelta, BeforeValidator(_duration)]
TimeOfDay = Annotated[time, BeforeValidator(_time_of_day)]
# Kept as source text (so export and hashing see what the operator wrote), compiled to check.
TemplateSource = Annotated[str, AfterValidator(_template)]
ConditionSource = Annotated[str, AfterValidator(_condition)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Schedule(_Model):
    """A cron trigger: at each fire, customers matching `audience` enter the playbook."""

    cron: str
    audience: ConditionSource | None = None

    @field_validator("cron")
    @classmethod
    def _check_cron(cls, value: str) -> str:
        try:
            CronTrigger.from_crontab(value, timezone=DEFAULT_TZ)
        except ValueError as error:
            raise ValueError(f'expected a crontab like "0 10 * * *" ({error})') from None
        return value

    def cron_trigger(self, tz: Any = DEFAULT_TZ) -> CronTrigger:
        return CronTrigger.from_crontab(self.cron, timezone=tz)

    @property
    def audience_condition(self) -> Condition | None:
        return compile_condition(self.audience) if self.audience else None


class Trigger(_Model):
    """Exactly one kind of trigger; `from`, `state` and `playbook` refine stage_changed,
    contact_added and feedback."""

    event: str | None = None
    tag_added: str | None = None
    stage_changed: str | None = None
    from_stage: str | None = Field(default=None, alias="from")
    # A string names a tag the tagger assigns by keyword; a list is raw keywords to match.
    keyword: str | list[Annotated[str, Field(min_length=1)]] | None = None
    contact_added: Literal[True] | None = None
    state: str | None = None
    subscribed: Literal[True] | None = None
    inactive_days: Annotated[int, Field(ge=1)] | None = None
    schedule: Schedule | None = None
    # A customer clicked a feedback button: "interested" or "not_interested", optionally only
    # under the steps of one playbook.
    feedback: Literal["interested", "not_interested"] | None = None
    playbook: Annotated[str, Field(pattern=_SLUG)] | None = None

    @model_validator(mode="after")
    def _exactly_one_kind(self) -> Trigger:
        kinds = [kind for kind in TRIGGER_KINDS if getattr(self, kind) is not None]
        if len(kinds) != 1:
            found = f"found {' and '.join(kinds)}" if kinds else "found none"
            raise ValueError(f"set exactly one trigger kind ({', '.join(TRIGGER_KINDS)}); {found}")
        if self.from_stage is not None and self.stage_changed is None:
            raise ValueError('"from" only applies to a stage_changed trigger')
        if self.state is not None and self.contact_added is None:
            raise ValueError('"state" only applies to a contact_added trigger')
        if self.playbook is not None and self.feedback is None:
            raise ValueError('"playbook" only applies to a feedback trigger')
        if self.keyword == []:
            raise ValueError("keyword list is empty")
        return self

    @property
    def kind(self) -> str:
        """The trigger kind, one of TRIGGER_KINDS."""
        return next(kind for kind in TRIGGER_KINDS if getattr(self, kind) is not None)

    @property
    def value(self) -> Any:
        """The kind's value: event type, tag, stage, keyword(s), True, days or Schedule."""
        return getattr(self, self.kind)


class Audience(_Model):
    """Who may enter, and whether a customer may enter again."""

    when: ConditionSource | None = None
    reentry: Literal["never", "after_exit", "always"] = "never"

    @property
    def condition(self) -> Condition | None:
        return compile_condition(self.when) if self.when else None


class Goal(_Model):
    """Conversion: one of the goal events arriving within the window converts the enrolment.

    The window is `within` counted from the trigger, or from a date attribute with `from`
    (`within = "14d"`, `from = "class_at"`: up to 14 days after the class)."""

    event: Annotated[str, Field(min_length=1)] | None = None
    events: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)] | None = None
    within: Duration | None = None
    from_attribute: Annotated[str, Field(pattern=_ATTRIBUTE)] | None = Field(default=None, alias="from")

    @model_validator(mode="after")
    def _one_way_to_name_events(self) -> Goal:
        if (self.event is None) == (self.events is None):
            raise ValueError('set event = "order_paid" or events = ["order_paid", "…"], not both or neither')
        if self.from_attribute is not None and self.within is None:
            raise ValueError('"from" needs within = "14d": the window is counted from that date')
        return self

    @property
    def names(self) -> tuple[str, ...]:
        """The goal events."""
        return tuple(self.events or ()) if self.event is None else (self.event,)


class Exit(_Model):
    """Leave early when `when` becomes true or the goal is reached."""

    when: ConditionSource | None = None
    goal: Goal | None = None

    @property
    def condition(self) -> Condition | None:
        return compile_condition(self.when) if self.when else None


class Variant(_Model):
    """One arm of an A/B test; `name` defaults to A, B, C… in file order."""

    name: Annotated[str, Field(min_length=1)]
    weight: Annotated[int, Field(ge=1)]
    text: TemplateSource

    @property
    def template(self) -> Template:
        return compile_template(self.text)


def _feedback_buttons(value: object) -> object:
    """`feedback = true` means both buttons with their default labels; false means none."""
    if value is True:
        return dict(FEEDBACK_LABELS)
    return None if value is False else value


def _label(value: str) -> str:
    value = value.strip()
    if not value or "\n" in value or len(value.encode()) > FEEDBACK_LABEL_BYTES:
        raise ValueError(f"a button label is one line of 1 to {FEEDBACK_LABEL_BYTES} bytes")
    return value


Label = Annotated[str, AfterValidator(_label)]


class Feedback(_Model):
    """The feedback buttons under a step: each option with the label the customer sees."""

    interested: Label | None = None
    not_interested: Label | None = None

    @model_validator(mode="after")
    def _some_button(self) -> Feedback:
        if self.interested is None and self.not_interested is None:
            raise ValueError('name at least one button: interested = "想了解更多" and/or not_interested = "不感兴趣"')
        return self

    def options(self) -> list[tuple[str, str]]:
        """(option, label) in button order."""
        return [(option, label) for option in FEEDBACK_OPTIONS if (label := getattr(self, option)) is not None]


def text_limit(channel: str, feedback: bool) -> int | None:
    """The most bytes of text a channel takes for a step, less what its feedback buttons need."""
    limit = CHANNEL_TEXT_BYTES.get(channel)
    if limit is None or not feedback:
        return limit
    if channel == "kf":
        return KF_MENU_HEAD_BYTES
    return limit - FEEDBACK_LINKS_BYTES if channel in FEEDBACK_CHANNELS else limit


class Step(_Model):
    """One message of the journey, its timing, channels and content."""

    id: Annotated[str, Field(pattern=_SLUG)]
    after: Duration | None = None
    before: Duration | None = None
    of: Annotated[str, Field(pattern=_ATTRIBUTE)] | None = None
    on: Annotated[str, Field(pattern=_ATTRIBUTE)] | None = None
    at: TimeOfDay | None = None
    best: bool = False  # at = "best": the customer's own best hour, `at` holding the fallback time
    channels: Annotated[list[str], Field(min_length=1)]
    text: TemplateSource | None = None
    template_id: str | None = None
    template_data: dict[str, TemplateSource] | None = None
    variants: list[Variant] = Field(default_factory=list)
    holdout: Annotated[int, Field(ge=0, lt=100)] = 0  # percent of entrants who get nothing
    link: str | None = None
    expects_reply: Literal["nps"] | None = None
    feedback: Annotated[Feedback | None, BeforeValidator(_feedback_buttons)] = None
    # A step that quiet hours would move: "ignore" waits for them to end (the default); for a step
    # counted to a date (before/of), "before" sends it before quiet hours start, "skip" drops it.
    quiet_hours: Literal["before", "skip", "ignore"] = "ignore"
    # A customer who enters after the step's time: "send" it now, or "skip" it. Unset: sent if it
    # is less than an hour late, skipped otherwise.
    late: Literal["send", "skip"] | None = None

    @model_validator(mode="before")
    @classmethod
    def _best_hour(cls, data: Any) -> Any:
        """`at = "best"` with `fallback = "10:00"`: the customer's most active hour, else the fallback."""
        if isinstance(data, dict) and data.get("at") == "best":
            if "fallback" not in data:
                raise ValueError('at = "best" needs a fallback time for customers with too little history, '
                                 'e.g. fallback = "10:00"')
            data = {**data, "best": True, "at": data["fallback"]}
            del data["fallback"]
        return data

    @model_validator(mode="before")
    @classmethod
    def _name_variants(cls, data: Any) -> Any:
        variants = data.get("variants") if isinstance(data, dict) else None
        if isinstance(variants, list):
            named = [{"name": chr(ord("A") + i), **v} if isinstance(v, dict) and "name" not in v
                     else v for i, v in enumerate(variants)]
            data = {**data, "variants": named}
        return data

    @field_validator("channels")
    @classmethod
    def _check_channels(cls, value: list[str]) -> list[str]:
        unknown = [name for name in value if name not in CHANNELS]
        if unknown:
            raise ValueError(f"unknown channel {', '.join(map(repr, unknown))}; "
                             f"expected some of {', '.join(CHANNELS)}")
        if len(set(value)) != len(value):
            raise ValueError("a channel is listed twice")
        return value

    @field_validator("link")
    @classmethod
    def _check_link(cls, value: str | None) -> str | None:
        if value is not None:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError('expected a web address like "https://example.com/page"')
        return value

    @model_validator(mode="after")
    def _check_combinations(self) -> Step:
        timings = [name for name in ("after", "before", "on") if getattr(self, name) is not None]
        if len(timings) != 1:
            raise ValueError('set exactly one of after = "1d", before = "1h" (with of) or on')
        if self.before is not None and self.of is None:
            raise ValueError('before needs of = "<date attribute>", e.g. of = "class_start"')
        if self.on is not None and self.of is not None:
            raise ValueError("on and of cannot be combined; on already names the attribute")
        if self.quiet_hours == "before" and self.before is None:
            raise ValueError('quiet_hours = "before" only applies to a step with before = "…" and of = "…"')
        if self.text is None and not self.variants:
            raise ValueError("a step needs text or [[steps.variants]]")
        if "mp_template" in self.channels and not self.template_id:
            raise ValueError("channel mp_template needs template_id")
        if (self.template_id or self.template_data) and "mp_template" not in self.channels:
            raise ValueError("template_id/template_data only apply to channel mp_template")
        names = [variant.name for variant in self.variants]
        if len(set(names)) != len(names):
            raise ValueError("variant names must be unique")
        if self.feedback is not None and not set(self.channels) & set(FEEDBACK_CHANNELS):
            raise ValueError(f"feedback buttons need one of the channels {', '.join(FEEDBACK_CHANNELS)} "
                             "(kf sends them as a menu, the others as links)")
        return self

    @model_validator(mode="after")
    def _check_length(self, info: ValidationInfo) -> Step:
        limits = [(limit, name) for name in self.channels
                  if (limit := text_limit(name, self.feedback is not None)) is not None]
        if not _sampling(info) or not limits:
            return self
        limit, channel = min(limits)
        for index, arm in enumerate(self.arms()):
            size = len(sample_render(arm.text).encode())
            if size > limit:
                raise PydanticCustomError(
                    "text_too_long", "renders to {size} bytes for a sample customer; {channel} takes at most {limit}",
                    {"size": size, "channel": channel, "limit": limit,
                     "subpath": ("variants", index, "text") if self.variants else ("text",)})
        return self

    @property
    def template(self) -> Template | None:
        return compile_template(self.text) if self.text else None

    def arms(self) -> list[Variant]:
        """The A/B arms; a step without variants has one implicit arm named "default"."""
        if self.variants:
            return list(self.variants)
        return [Variant(name="default", weight=1, text=self.text or "")]

    def choose_variant(self, seed: str) -> Variant | None:
        """Pick an arm deterministically for `seed` (a customer and playbook); None = holdout.

        `holdout` is a percentage of entrants; the arms share the rest by their weights."""
        digest = hashlib.sha256(f"{seed}:{self.id}".encode()).digest()
        if int.from_bytes(digest[:8], "big") % 10_000 < self.holdout * 100:
            return None
        arms = self.arms()
        point = int.from_bytes(digest[8:16], "big") % sum(arm.weight for arm in arms)
        for arm in arms:
            if point < arm.weight:
                return arm
            point -= arm.weight
        raise AssertionError("unreachable: the point falls within the weights")

    def split(self) -> list[tuple[str, float]]:
        """The real shares of entrants in percent: each arm's, then "holdout" when there is one."""
        arms = self.arms()
        total = sum(arm.weight for arm in arms)
        shares = [(arm.name, (100 - self.holdout) * arm.weight / total) for arm in arms]
        return shares + ([("holdout", float(self.holdout))] if self.holdout else [])


class Caps(_Model):
    """Per-playbook frequency caps for one customer; over the cap, defer or skip the step."""

    per_day: Annotated[int, Field(ge=1)] | None = None
    per_week: Annotated[int, Field(ge=1)] | None = None
    over_cap: Literal["defer", "skip"] = "defer"


class Playbook(_Model):
    """One operator-edited journey (运营剧本)."""

    id: Annotated[str, Field(pattern=_SLUG)]
    name: Annotated[str, Field(min_length=1)]
    enabled: bool = True
    description: str = ""
    trigger: Trigger
    audience: Audience = Field(default_factory=Audience)
    exit: Exit = Field(default_factory=Exit)
    steps: Annotated[list[Step], Field(min_length=1)]
    caps: Caps | None = None

    @field_validator("steps")
    @classmethod
    def _unique_step_ids(cls, steps: list[Step]) -> list[Step]:
        first_index: dict[str, int] = {}
        for index, step in enumerate(steps):
            if step.id in first_index:
                # `subpath` lets the loader point at the second occurrence's line.
                raise PydanticCustomError(
                    "duplicate_step_id", "step id '{id}' is already used by steps[{first}]",
                    {"id": step.id, "first": first_index[step.id], "subpath": (index, "id")})
            first_index[step.id] = index
        return steps

    def step(self, step_id: str) -> Step:
        """The step with this id; KeyError if there is none."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)
