"""Settings of one simulated WeCom corp and one Official Account."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

# Demo values: public on purpose, they only ever unlock the simulator.
DEMO_CORP_ID = "wwSIM0000000000001"
DEMO_CORP_SECRET = "sim-corp-secret"
DEMO_AGENT_ID = 1000002
DEMO_TOKEN = "simtoken"
DEMO_ENCODING_AES_KEY = "SiyuSimulatorWeComEncodingAesKey0123456789a"
DEMO_MP_APP_ID = "wxSIM00000000001"
DEMO_MP_SECRET = "sim-mp-secret"
DEMO_MP_TOKEN = "simmptoken"
DEMO_MP_ENCODING_AES_KEY = "SiyuSimulatorMpEncodingAesKey0123456789abcd"
DEMO_GUIDES = [("guide_li", "李导购"), ("guide_wang", "王导购")]


class ConfigError(ValueError):
    """The simulator settings cannot work; the message says which one to fix."""


@dataclass
class SimulatorConfig:
    corp_id: str = DEMO_CORP_ID
    corp_secret: str = DEMO_CORP_SECRET
    agent_id: int = DEMO_AGENT_ID
    token: str = DEMO_TOKEN
    encoding_aes_key: str = DEMO_ENCODING_AES_KEY
    open_kfid: str = "wkSIM0001"
    kf_name: str = "思域客服"
    # kf/send_msg outside the 48 h window or over 5 messages: "async" (the default, the worse case)
    # takes it (errcode 0) and reports msg_send_fail later through kf/sync_msg (fail_type 4 or 6);
    # "sync" refuses with 45015 at once. WeChat documents only the later event, so both are
    # plausible and the bot handles both.
    kf_window_errors: str = "async"
    # Mass messages a customer may receive (the corp admin's setting): "month" (as many as the month
    # has days, the default), "week" (7) or "day" (1). The members' own mass messages count too.
    mass_quota: str = "month"
    # More kf accounts the app manages (open_kfid, name): `kf/sync_msg` without open_kfid mixes them all.
    extra_kf_accounts: list[tuple[str, str]] = field(default_factory=lambda: [("wkSIM0002", "思域售后")])
    mp_app_id: str = DEMO_MP_APP_ID
    mp_secret: str = DEMO_MP_SECRET
    mp_token: str = DEMO_MP_TOKEN
    mp_encoding_aes_key: str = DEMO_MP_ENCODING_AES_KEY
    # The account's original id (gh_...): ToUserName of every Official Account push.
    mp_original_id: str = "gh_sim000000001"
    bot_work_url: str = "http://127.0.0.1:5000/wechat/work"
    bot_mp_url: str = "http://127.0.0.1:5000/wechat/mp"
    # The app's chat-toolbar page (聊天工具栏), opened inside the guide chat window.
    sidebar_url: str = "http://127.0.0.1:5000/sidebar/"
    token_ttl: int = 7200
    # WeCom gives up on a callback after 5 s; so does the simulator.
    push_timeout: float = 5.0
    guides: list[tuple[str, str]] = field(default_factory=lambda: list(DEMO_GUIDES))

    def __post_init__(self) -> None:
        for name in ("encoding_aes_key", "mp_encoding_aes_key"):
            if len(getattr(self, name)) != 43:
                raise ConfigError(f"{name} must be 43 characters, as WeChat generates it")
        self.agent_id = int(self.agent_id)
        if self.mass_quota not in ("month", "week", "day"):
            raise ConfigError("mass_quota must be \"month\", \"week\" or \"day\"")
        if self.kf_window_errors not in ("sync", "async"):
            raise ConfigError("kf_window_errors must be \"sync\" or \"async\"")

    def all_kf_accounts(self) -> list[tuple[str, str]]:
        return [(self.open_kfid, self.kf_name), *self.extra_kf_accounts]

    @classmethod
    def for_bot(cls, bot_url: str, **overrides: object) -> SimulatorConfig:
        """Settings whose push URLs are the bot's default routes under `bot_url`."""
        base = bot_url.rstrip("/")
        overrides.setdefault("bot_work_url", f"{base}/wechat/work")
        overrides.setdefault("bot_mp_url", f"{base}/wechat/mp")
        overrides.setdefault("sidebar_url", f"{base}/sidebar/")
        return cls(**overrides)  # type: ignore[arg-type]


ENV_NAMES = {
    "corp_id": "WECOM_CORP_ID",
    "corp_secret": "WECOM_SECRET",
    "agent_id": "WECOM_AGENT_ID",
    "token": "WECOM_TOKEN",
    "encoding_aes_key": "WECOM_ENCODING_AES_KEY",
    "open_kfid": "WECOM_OPEN_KFID",
    "mp_app_id": "MP_APP_ID",
    "mp_secret": "MP_SECRET",
    "mp_token": "MP_TOKEN",
    "mp_encoding_aes_key": "MP_ENCODING_AES_KEY",
}


def overrides_from_env(environ: dict[str, str] | None = None) -> dict[str, str]:
    """Config fields set in the environment (names in `ENV_NAMES`)."""
    env = os.environ if environ is None else environ
    return {field_name: env[var] for field_name, var in ENV_NAMES.items() if env.get(var)}
