"""Operator configuration: a TOML file, overridable key by key from the environment.

`SIYU_WECOM__SECRET=...` overrides `[wecom] secret`. The file is chosen by `siyu --config PATH`
or `SIYU_CONFIG`; without either, `config.toml` in the working directory is used if present.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from datetime import time
from ipaddress import ip_network
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

ENV_PREFIX = "SIYU_"
DEFAULT_CONFIG_FILE = "config.toml"


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file and key."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DatabaseConfig(_Section):
    url: str = "sqlite:///var/siyu.db"
    echo: bool = False


class WeComConfig(_Section):
    # false: run without WeCom (an Official Account only); `serve` and `worker` otherwise refuse
    # to start while corp_id or secret is empty.
    enabled: bool = True
    corp_id: str = ""
    agent_id: int = 0
    secret: SecretStr = SecretStr("")
    token: SecretStr = SecretStr("")
    encoding_aes_key: SecretStr = SecretStr("")
    api_base_url: str = "https://qyapi.weixin.qq.com/cgi-bin/"
    # A call WeChat has not answered by then counts as failed and is retried later with backoff.
    timeout_seconds: float = Field(default=10, gt=0)
    open_kfid: str = ""
    # What kf/send_msg answers for a msgid it has already taken (WeChat does not document the number):
    # a retry that gets one of these was delivered by an earlier attempt.
    kf_duplicate_msgid_errcodes: list[int] = Field(default_factory=lambda: [40058])
    # WeCom's web authorisation page (OAuth2) and the JS-SDK script: the sidebar and the console
    # login use them; the demo and the tests point them at the simulator's stand-ins.
    oauth_base_url: str = "https://open.weixin.qq.com/connect/oauth2/authorize"
    jssdk_url: str = "https://res.wx.qq.com/open/js/jweixin-1.2.0.js"

    @field_validator("encoding_aes_key")
    @classmethod
    def _aes_key_length(cls, value: SecretStr) -> SecretStr:
        if value.get_secret_value() and len(value.get_secret_value()) != 43:
            raise ValueError("must be the 43-character EncodingAESKey from the WeCom console")
        return value

    @property
    def configured(self) -> bool:
        return bool(self.corp_id and self.token.get_secret_value())


class MpConfig(_Section):
    app_id: str = ""
    secret: SecretStr = SecretStr("")
    token: SecretStr = SecretStr("")
    encoding_aes_key: SecretStr = SecretStr("")
    api_base_url: str = "https://api.weixin.qq.com/cgi-bin/"
    timeout_seconds: float = Field(default=10, gt=0)
    # With an AES key set, plaintext pushes are refused (their signature does not cover the body);
    # true accepts them anyway, for an account switched to 兼容模式 during a migration.
    allow_plaintext: bool = False

    _aes_key_length = field_validator("encoding_aes_key")(WeComConfig._aes_key_length.__func__)

    @property
    def configured(self) -> bool:
        return bool(self.app_id and self.token.get_secret_value())


class ApiConfig(_Section):
    tokens: list[SecretStr] = Field(default_factory=list)


DEFAULT_ACTIVITY_EVENTS = ("link_clicked", "feedback_clicked", "purchase", "treatment_completed", "class_attended",
                           "check_in", "order_paid", "order_completed")


class SchedulerConfig(_Section):
    timezone: str = "Asia/Shanghai"
    enabled: bool = True
    dispatch_interval_seconds: float = Field(default=5, gt=0)
    quiet_hours: tuple[str, str] = ("21:30", "08:30")
    dormant_days: int = Field(default=14, ge=1)
    churn_risk_days: int = Field(default=30, ge=1)
    lost_days: int = Field(default=60, ge=1)
    # Events besides messages that count as the customer being active (last_active_days, lifecycle).
    activity_events: list[str] = Field(default_factory=lambda: list(DEFAULT_ACTIVITY_EVENTS))
    # Every playbook together sends one customer at most this much; a playbook's [caps] can only lower it.
    cap_per_day: int = Field(default=3, ge=1)
    cap_per_week: int = Field(default=10, ge=1)
    # Local time each guide gets the list of their open follow-up tasks; "" sends none.
    guide_digest_at: str = "09:00"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}, expected a name like Asia/Shanghai") from None
        return value

    @field_validator("guide_digest_at")
    @classmethod
    def _digest_time(cls, value: str) -> str:
        value = value.strip()
        if value:
            _clock_time(value)
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def guide_digest_time(self) -> time | None:
        """When the morning digest goes out (local time), or None when it is switched off."""
        return _clock_time(self.guide_digest_at) if self.guide_digest_at else None


def _clock_time(value: str) -> time:
    hour, sep, minute = value.partition(":")
    try:
        if not sep or len(minute) != 2:
            raise ValueError
        return time(int(hour), int(minute))
    except ValueError:
        raise ValueError(f"expected a local time like \"09:00\", got {value!r}") from None


class WebhookConfig(_Section):
    max_body_bytes: int = Field(default=256 * 1024, gt=0)
    # Pushes whose signed timestamp is further than this from now are refused (replays); 0 = no check.
    max_timestamp_age_seconds: int = Field(default=300, ge=0)


DEFAULT_CRAWLERS = [
    r"bot\b", "spider", "crawl", "slurp", "preview", "facebookexternalhit", "WhatsApp", "TelegramBot",
    "Slackbot", "Discordbot", "SkypeUriPreview", "Bytespider",
]


class LinksConfig(_Section):
    # A click from a User-Agent matching one of these (regular expressions, case-insensitive) is
    # recorded but not counted as the customer's: link previews, crawlers, security scanners.
    ignore_user_agents: list[str] = Field(default_factory=lambda: list(DEFAULT_CRAWLERS))
    # A second hit on the same link within this many seconds is a reload or a prefetch, not a click.
    repeat_seconds: int = Field(default=10, ge=0)

    @field_validator("ignore_user_agents")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a regular expression: {exc}") from None
        return patterns


class FeedbackConfig(_Section):
    """Feedback buttons under playbook steps (想了解更多 / 不感兴趣)."""

    # The tags a click puts on the customer; one replaces the other (the latest answer holds).
    interested_tag: str = Field(default="反馈:想了解", min_length=1, max_length=64)
    not_interested_tag: str = Field(default="反馈:不感兴趣", min_length=1, max_length=64)
    # After "not interested", every playbook together sends the customer at most this many
    # messages a week, for this many days (the [scheduler] caps still apply on top).
    not_interested_cap_per_week: int = Field(default=1, ge=1)
    not_interested_cap_days: int = Field(default=30, ge=0)
    # The page a feedback link on the Official Account shows after the click.
    thanks_text: str = "感谢您的反馈！"
    not_interested_text: str = "已收到，我们会减少此类消息的推送。"


class InboundConfig(_Section):
    """Processing stored callbacks: retries with backoff, then the dead letter."""

    max_attempts: int = Field(default=5, ge=1)
    retry_base_seconds: float = Field(default=2, gt=0)  # then x4 per attempt: 2 s, 8 s, 32 s, 128 s
    batch_size: int = Field(default=100, ge=1)
    sqlite_batch_seconds: float = Field(default=0.05, gt=0)  # a batch holds SQLite's write lock this long...
    sqlite_batch_max_seconds: float = Field(default=0.4, gt=0)  # ...or up to this long while callbacks wait
    poll_seconds: float = Field(default=0.5, gt=0)  # how often an idle processor looks for work
    # Where stored pushes are routed. "child": `siyu serve` runs the processor (and the scheduler)
    # in a child process it restarts when it dies, so routing never holds the web threads' GIL;
    # any other web process routes in a thread. "thread": in a thread of the web process.
    # "worker": never in a web process, only in `siyu worker` (gunicorn: the web workers only ack).
    processing: Literal["child", "thread", "worker"] = "child"
    # PostgreSQL: `siyu worker` routes in this many child processes of its own (restarted when they
    # die) and runs the scheduler's jobs (sends, settling) itself, so neither waits on the other's
    # GIL; several children split the pushes (one customer at a time, in order). 0: route in the
    # worker's own process. SQLite (one writer) always routes in the worker itself.
    worker_processors: int = Field(default=2, ge=0)
    # No longer used (the ack never waits for processing); still accepted so old configs start.
    passive_reply_wait_seconds: float = Field(default=3.0, ge=0, le=4.5)


class MetricsConfig(_Section):
    enabled: bool = True
    # When set, /metrics needs `Authorization: Bearer <token>` from every address.
    token: SecretStr = SecretStr("")
    # Without a token, only these client addresses (IPs or networks) may read /metrics.
    allow_from: list[str] = Field(default_factory=lambda: ["127.0.0.1", "::1"])
    # `siyu worker` serves its own counters (jobs, sends, tokens) on this host:port; "" serves none.
    # No token there: bind it to an address only Prometheus reaches.
    worker_bind: str = ""

    @field_validator("allow_from")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or network like 10.0.0.0/8") from None
        return value


    @field_validator("worker_bind")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if value and (not sep or not host or not port.isdigit() or not 0 < int(port) < 65536):
            raise ValueError(f"expected host:port like 127.0.0.1:9108, got {value!r}")
        return value


class LoggingConfig(_Section):
    # "json": one JSON object per line (for Loki, ELK...); "text": for people.
    format: Literal["text", "json"] = "text"
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class ChannelsConfig(_Section):
    # Channels with no idempotency key at WeChat (mp_custom, mp_template, wecom_mass, guide_task) are
    # sent at most once: after a timeout the outcome is recorded as unknown and not sent again.
    # Channels named here are sent again instead (at least once: the customer may get it twice).
    resend_after_timeout: list[str] = Field(default_factory=list)
    # An enterprise mass message (wecom_mass) the guide has not confirmed after this many hours is
    # cancelled and the step falls back to its next channel.
    mass_confirm_hours: float = Field(default=24, gt=0)


# What can set a customer attribute ([bot] customer_attributes as a table).
ATTRIBUTE_SOURCES = {
    "api": "PATCH /api/customers/<id> from a business system",
    "import": "a column of a CSV import (siyu import customers, 导入)",
    "console": "edited by hand on 客户详情",
}


class BotConfig(_Section):
    handlers: str = "handlers"
    playbooks_dir: str = "playbooks"
    # The tag rule pack, apart from the playbooks (its 状态:退订 opt-out rule is required to start).
    tag_rules: str = "rules/tags.toml"
    # The 话术 library guides send from (not a playbook either).
    scripts: str = "rules/scripts.toml"
    # Jinja2 (sandboxed) with `guide` and `customer.name`.
    welcome_text: str = "您好，我是您的专属顾问{{ guide }}，很高兴为您服务！有任何问题随时联系我～"
    subscribe_text: str = "感谢关注！回复任意问题，我们的顾问会尽快回复您。回复 TD 可退订消息推送。"
    public_url: str = "http://127.0.0.1:5000"
    # What `siyu playbook check` checks names against: the customer attributes business systems
    # set (customer.attributes.<name>; empty: not checked) and the events they post to /api/events.
    # As a table, each attribute also says what sets it in this installation ("api": PATCH
    # /api/customers/<id>, "import": a CSV column, "console": edited by hand), and `check` warns
    # when a playbook relies on one nothing sets (bot.playbooks.attributes).
    customer_attributes: list[str] | dict[str, list[str]] = []
    business_events: list[str] = ["order_paid", "order_completed", "treatment_completed", "revisit_booked",
                                  "class_scheduled"]

    @field_validator("customer_attributes")
    @classmethod
    def _attribute_sources(cls, value: list[str] | dict[str, list[str]]) -> list[str] | dict[str, list[str]]:
        for name, sources in (value.items() if isinstance(value, dict) else ()):
            unknown = [source for source in sources if source not in ATTRIBUTE_SOURCES]
            if unknown:
                raise ValueError(f"{name}: unknown source {unknown[0]!r}; sources: {', '.join(ATTRIBUTE_SOURCES)}")
        return value

    @property
    def tag_rules_path(self) -> Path:
        """Where the tag rules are read from ("" is the default place)."""
        return Path(self.tag_rules or "rules/tags.toml")

    @property
    def scripts_path(self) -> Path:
        """Where the 话术 library is read from ("" is the default place)."""
        return Path(self.scripts or "rules/scripts.toml")


class ConsoleConfig(_Section):
    # Signs console session cookies and CSRF tokens; set one long random value shared by every web process.
    # Empty: a random key per process (sessions end on restart, and differ between processes).
    secret_key: SecretStr = SecretStr("")
    # Session cookies only over HTTPS; switch off only for a console on plain http://127.0.0.1 (the demo).
    secure_cookies: bool = True
    # Login throttling: this many failed logins for one name within the window lock that name until it passes.
    max_failed_logins: int = Field(default=5, ge=1)
    failed_login_window_minutes: int = Field(default=15, ge=1)
    # The demo's 快进 (fast-forward) controls; never enable in production.
    time_travel: bool = False


class RetentionConfig(_Section):
    """How long history is kept; a scheduled job deletes what is older, a small batch at a time."""

    enabled: bool = True
    interval_minutes: float = Field(default=10, gt=0)
    # Processed callbacks (the pushes' decrypted XML); failed ones stay for inspection.
    callbacks_days: int = Field(default=30, ge=1)
    # Messages: their daily counts are kept in a rollup first, so the console's figures stay right.
    messages_days: int = Field(default=365, ge=1)
    events_days: int = Field(default=365, ge=1)
    # Events kept whatever their age: purchases (value tiers, lifetime value) and NPS answers.
    keep_event_types: list[str] = Field(default_factory=lambda: [
        "purchase", "treatment_completed", "class_attended", "order_completed", "order_paid", "nps_answered"])
    # Finished tasks and cron fires; playbook deliveries that are sent, failed, skipped or cancelled.
    tasks_days: int = Field(default=30, ge=1)
    deliveries_days: int = Field(default=180, ge=1)
    batch_size: int = Field(default=500, ge=1, le=10_000)


class GuideEventConfig(_Section):
    """A business event a guide may record with 「记录」: its name, Chinese aliases, and its keys."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    aliases: list[str] = Field(default_factory=list)
    keys: dict[str, list[str]] = Field(default_factory=dict)  # data key -> Chinese aliases


DEFAULT_GUIDE_EVENTS = [
    {"name": "treatment_completed", "aliases": ["治疗完成", "做完项目", "完成治疗"],
     "keys": {"item": ["项目"], "doctor": ["医生"]}},
    {"name": "revisit_booked", "aliases": ["预约复诊", "已约复诊"], "keys": {"at": ["时间"]}},
    {"name": "class_scheduled", "aliases": ["约课", "排课"],
     "keys": {"class_name": ["课程"], "class_start": ["时间", "上课时间"], "teacher": ["老师"],
              "location": ["地点"]}},
    {"name": "order_completed", "aliases": ["成交", "完成订单"], "keys": {"item": ["项目", "商品"],
                                                                    "amount": ["金额"]}},
    {"name": "order_paid", "aliases": ["付款", "已付款"], "keys": {"amount": ["金额"]}},
]


class GuidesConfig(_Section):
    # Customers with no guide (wrote to 微信客服 or the Official Account first) go to these
    # members in turn; empty: to every active staff member in turn.
    default_guides: list[str] = Field(default_factory=list)
    # Members who may 转交 (transfer) customers between guides from the app.
    admins: list[str] = Field(default_factory=list)
    # Hand a 微信客服 session to the customer's guide as a human servicer (kf/service_state/trans
    # to state 3) when one is assigned; the guides must be servicers of the account.
    kf_handoff: bool = False
    # Response times count working hours only (local time); messages that are only these words
    # need no answer and are not timed.
    working_hours: tuple[str, str] = ("09:00", "21:00")
    answer_within_seconds: int = Field(default=180, gt=0)
    # An open follow-up task this long past its due time is reminded once (「稍后」 moves it).
    overdue_after_hours: float = Field(default=24, gt=0)
    exempt_words: list[str] = Field(default_factory=lambda: [
        "谢谢", "谢谢你", "感谢", "好的", "好", "嗯", "嗯嗯", "ok", "OK", "收到", "知道了", "好滴", "👌",
        "拜拜", "再见"])
    # The events 「记录 小美 治疗完成 项目=水光针」 may record, with Chinese aliases for names and keys.
    events: list[GuideEventConfig] = Field(
        default_factory=lambda: [GuideEventConfig.model_validate(e) for e in DEFAULT_GUIDE_EVENTS])

    @field_validator("working_hours")
    @classmethod
    def _hours(cls, value: tuple[str, str]) -> tuple[str, str]:
        for item in value:
            _clock_time(item)
        return value

    @property
    def working_time(self) -> tuple[time, time]:
        return _clock_time(self.working_hours[0]), _clock_time(self.working_hours[1])


class Config(_Section):
    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    wecom: WeComConfig = Field(default_factory=WeComConfig)
    mp: MpConfig = Field(default_factory=MpConfig)
    api: ApiConfig = Field(default_factory=ApiConfig)
    scheduler: SchedulerConfig = Field(default_factory=SchedulerConfig)
    webhook: WebhookConfig = Field(default_factory=WebhookConfig)
    links: LinksConfig = Field(default_factory=LinksConfig)
    channels: ChannelsConfig = Field(default_factory=ChannelsConfig)
    inbound: InboundConfig = Field(default_factory=InboundConfig)
    bot: BotConfig = Field(default_factory=BotConfig)
    metrics: MetricsConfig = Field(default_factory=MetricsConfig)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    console: ConsoleConfig = Field(default_factory=ConsoleConfig)
    retention: RetentionConfig = Field(default_factory=RetentionConfig)
    guides: GuidesConfig = Field(default_factory=GuidesConfig)
    feedback: FeedbackConfig = Field(default_factory=FeedbackConfig)
    source: str = "<defaults>"


def load_config(path: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read the config file (if any), apply `SIYU_SECTION__KEY` overrides, validate."""
    environ = os.environ if environ is None else environ
    explicit = path or environ.get("SIYU_CONFIG")
    file = Path(explicit) if explicit else Path(DEFAULT_CONFIG_FILE)
    data: dict[str, Any] = {}
    if file.exists():
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file}: {exc}") from None
        source = str(file)
    elif explicit:
        raise ConfigError(f"{file}: config file not found")
    else:
        source = "<defaults>"
    _apply_env_overrides(data, environ)
    return config_from_dict(data, source)


def config_from_dict(data: Mapping[str, Any], source: str = "<dict>") -> Config:
    try:
        return Config.model_validate({**data, "source": source})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"{source}: {problems}") from None


def _apply_env_overrides(data: dict[str, Any], environ: Mapping[str, str]) -> None:
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        section, _, key = name[len(ENV_PREFIX):].lower().partition("__")
        target = data.setdefault(section, {})
        if isinstance(target, dict):
            target[key] = _env_value(value)


def _env_value(value: str) -> Any:
    """Environment values are strings; accept TOML literals (numbers, booleans, lists) too."""
    try:
        return tomllib.loads(f"v = {value}")["v"]
    except tomllib.TOMLDecodeError:
        return value
