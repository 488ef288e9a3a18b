"""Misconfigurations the simulator can be told to play, as WeChat answers them (for `siyu doctor`).

Unlike a fault, which answers the next few calls, a misconfiguration lasts until a reset: it is a
setting in the WeCom admin console that is wrong, not a passing failure.
"""

from __future__ import annotations

from typing import Any

# name -> what it stands for in the WeCom / Official Account consoles
MISCONFIGURATIONS = {
    "invalid_secret": "gettoken answers 40001: the secret is not this app's",
    "secret_wrong_kind": "customer-contact APIs answer 48009: the app may not call them",
    "untrusted_ip": "every WeCom API but gettoken answers 60020: the caller's IP is not a trusted IP",
    "wrong_aes_key": "callbacks are encrypted with another EncodingAESKey than the bot's",
    "kf_unbound": "kf/account/list does not list the configured 微信客服 account",
    "mp_untrusted_ip": "the Official Account's token API answers 40164: the IP is not whitelisted",
}
# A key of the right shape that is not the configured one.
WRONG_AES_KEY = "WrongKeyWrongKeyWrongKeyWrongKeyWrongKey012"
SIMULATED_CALLER_IP = "203.0.113.7"


def misconfigured_answer(api: str, active: set[str]) -> tuple[int, str, dict[str, Any]] | None:
    """(errcode, errmsg, data) WeChat gives `api` under the active misconfigurations, or None."""
    if api.startswith("mp/"):
        if "mp_untrusted_ip" in active and api == "mp/token":
            return 40164, f"invalid ip {SIMULATED_CALLER_IP} ipv6 ::ffff:{SIMULATED_CALLER_IP}, not in whitelist", {}
        return None
    if "invalid_secret" in active and api == "gettoken":
        return 40001, "invalid credential", {}
    if "untrusted_ip" in active and api != "gettoken":
        return 60020, (f"not allow to access from your ip, hint: [sim], from ip: {SIMULATED_CALLER_IP}, "
                       "more info at https://open.work.weixin.qq.com/devtool/query?e=60020"), {}
    if "secret_wrong_kind" in active and api.startswith("externalcontact/"):
        return 48009, "api forbidden for this secret, hint: [sim]", {}
    if "kf_unbound" in active and api == "kf/account/list":
        return 0, "ok", {"account_list": []}
    return None
