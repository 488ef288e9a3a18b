"""`SimulatorClient`: drive the simulator from Python so a test reads like a chat transcript.

    sim.add_customer("小美", userid="guide_li", state="store_sh")
    sim.kf_message(customer, "有优惠吗？")
    assert sim.sent(api="kf/send_msg", to=customer)[-1]["text"] == "..."
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests


class SimulatorError(RuntimeError):
    """The simulator refused a control call; the message carries its explanation."""


class SimulatorClient:
    def __init__(self, base_url: str, session: requests.Session | None = None, timeout: float = 15) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = session or requests.Session()
        self.timeout = timeout

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None,
              params: dict[str, str] | None = None) -> Any:
        response = self._http.request(method, f"{self.base_url}{path}", json=body, params=params,
                                      timeout=self.timeout)
        if response.status_code >= 400:
            try:
                message = response.json().get("error", response.text)
            except ValueError:
                message = response.text
            raise SimulatorError(f"{method} {path}: HTTP {response.status_code}: {message}")
        return response.json()

    def _post(self, path: str, **body: Any) -> Any:
        return self._call("POST", path, {k: v for k, v in body.items() if v is not None})

    # --- customers (WeCom external contacts and 微信客服) --------------------------------------

    def existing_customers(self, customers: list[dict[str, str]]) -> dict[str, Any]:
        """Contacts from before the bot ({external_userid, name, userid}): no callback, not in the page's pickers."""
        return self._post("/sim/customers/existing", customers=customers)

    def add_customer(self, name: str, userid: str | None = None, state: str | None = None,
                     external_userid: str | None = None, unionid: str | None = None,
                     config_id: str | None = None, other_app_sending_seconds: float | None = None) -> dict[str, Any]:
        """The customer adds guide `userid` (or scans channel code `config_id`, which picks the member
        and the state); returns external_userid, userid, state, welcome_code, status, reply.
        `other_app_sending_seconds`: another app holds the welcome code that long (41096 meanwhile)."""
        return self._post("/sim/customers/add", name=name, userid=userid, state=state,
                          external_userid=external_userid, unionid=unionid, config_id=config_id,
                          other_app_sending_seconds=other_app_sending_seconds)

    def contact_way(self, config_id: str) -> dict[str, Any]:
        """A channel code as the bot created it (members, state, scans so far)."""
        return self._call("GET", f"/sim/contact_ways/{config_id}")

    def oauth_code(self, userid: str, redirect_uri: str = "http://127.0.0.1/callback") -> str:
        """Member `userid` opens an OAuth link: the single-use code WeCom would redirect back with."""
        overview = self.overview()
        response = self._http.get(f"{self.base_url}/connect/oauth2/authorize", allow_redirects=False, params={
            "appid": overview["corp_id"], "redirect_uri": redirect_uri, "response_type": "code",
            "scope": "snsapi_base", "state": "", "agentid": overview["agent_id"], "userid": userid,
        }, timeout=self.timeout)
        if response.status_code != 302:
            raise SimulatorError(f"authorize for {userid}: HTTP {response.status_code}")
        return parse_qs(urlsplit(response.headers["Location"]).query)["code"][0]

    def edit_customer(self, external_userid: str, userid: str | None = None, name: str | None = None,
                      remark: str | None = None, add_tags: list[str] | None = None,
                      remove_tags: list[str] | None = None) -> dict[str, Any]:
        """The guide edits the contact in WeCom (name, remark, corp tags by name)."""
        return self._post(f"/sim/customers/{external_userid}/edit", userid=userid, name=name, remark=remark,
                          add_tags=add_tags, remove_tags=remove_tags)

    def contact_tags(self, external_userid: str, userid: str) -> list[str]:
        """The corp tag names the contact carries for that guide, as the WeCom sidebar shows them."""
        return self._call("GET", f"/sim/customers/{external_userid}/tags", params={"userid": userid})

    def delete_guide(self, external_userid: str, userid: str | None = None) -> dict[str, Any]:
        """The customer deletes the guide (del_follow_user: churn)."""
        return self._post(f"/sim/customers/{external_userid}/delete_guide", userid=userid)

    def removed_by_guide(self, external_userid: str, userid: str | None = None) -> dict[str, Any]:
        return self._post(f"/sim/customers/{external_userid}/removed_by_guide", userid=userid)

    def kf_message(self, external_userid: str, text: str, open_kfid: str | None = None) -> dict[str, Any]:
        """The customer writes to customer service; opens the 48 h window."""
        return self._post(f"/sim/customers/{external_userid}/kf_message", text=text, open_kfid=open_kfid)

    def kf_menu_click(self, external_userid: str, msgid: str, menu_id: str,
                      open_kfid: str | None = None) -> dict[str, Any]:
        """The customer taps an item of a menu message they received: its reply carries the `menu_id`."""
        return self._post(f"/sim/customers/{external_userid}/kf_menu_click", msgid=msgid, menu_id=menu_id,
                          open_kfid=open_kfid)

    def kf_servicer_takes(self, external_userid: str, servicer_userid: str,
                          open_kfid: str | None = None) -> dict[str, Any]:
        """A human servicer takes the customer's kf session in WeCom (state 3): the API may not send."""
        return self._post(f"/sim/customers/{external_userid}/kf_session", state=3,
                          servicer_userid=servicer_userid, open_kfid=open_kfid)

    def kf_refuse(self, external_userid: str, open_kfid: str | None = None) -> dict[str, Any]:
        """The customer refuses the kf account's messages (sends then fail with fail_type 10)."""
        return self._post(f"/sim/customers/{external_userid}/kf_refuse", open_kfid=open_kfid)

    def kf_enter(self, external_userid: str, scene: str | None = None, open_kfid: str | None = None) -> dict[str, Any]:
        """The customer opens the kf chat: an enter_session event with its welcome_code."""
        return self._post(f"/sim/customers/{external_userid}/kf_enter", scene=scene, open_kfid=open_kfid)

    def kf_servicer_reply(self, external_userid: str, text: str, open_kfid: str | None = None) -> dict[str, Any]:
        """The servicer holding the session answers in WeCom (origin 5 in kf/sync_msg)."""
        return self._post(f"/sim/customers/{external_userid}/kf_servicer_reply", text=text, open_kfid=open_kfid)

    def kf_end_session(self, external_userid: str, open_kfid: str | None = None) -> dict[str, Any]:
        """The servicer ends the customer's kf session (state 4)."""
        return self._post(f"/sim/customers/{external_userid}/kf_session", state=4, open_kfid=open_kfid)
    def refuse_transfer(self, external_userid: str) -> dict[str, Any]:
        """The customer refuses the transfer waiting for them (within its 24 h)."""
        return self._post(f"/sim/transfers/{external_userid}/refuse")

    def resign(self, userid: str) -> dict[str, Any]:
        """The member leaves the company; their customers await 离职继承."""
        return self._post(f"/sim/guides/{userid}/resign")

    def transfers(self) -> list[dict[str, Any]]:
        """Every transfer WeCom knows of, with its status (1 done, 2 waiting, 3 refused, 4 limit)."""
        return self._call("GET", "/sim/transfers")

    # --- Official Account followers -------------------------------------------------------------

    def mp_subscribe(self, openid: str, scene: str | None = None, nickname: str | None = None,
                     unionid: str | None = None) -> dict[str, Any]:
        return self._post(f"/sim/mp/{openid}/subscribe", scene=scene, nickname=nickname, unionid=unionid)

    def mp_unsubscribe(self, openid: str) -> dict[str, Any]:
        return self._post(f"/sim/mp/{openid}/unsubscribe")

    def mp_text(self, openid: str, text: str) -> dict[str, Any]:
        return self._post(f"/sim/mp/{openid}/text", text=text)

    def mp_click(self, openid: str, key: str) -> dict[str, Any]:
        return self._post(f"/sim/mp/{openid}/click", key=key)

    def mp_scan(self, openid: str, scene: str) -> dict[str, Any]:
        """A follower scans a parameter QR code: like a click, 3 custom messages within a minute."""
        return self._post(f"/sim/mp/{openid}/scan", scene=scene)

    # --- staff ----------------------------------------------------------------------------------

    def staff_text(self, userid: str, text: str) -> dict[str, Any]:
        """A guide writes to the self-built app."""
        return self._post(f"/sim/staff/{userid}/text", text=text)

    def add_guide(self, userid: str, name: str | None = None) -> list[dict[str, str]]:
        return self._post("/sim/guides", userid=userid, name=name)

    # --- raw pushes, logs, clock, faults ---------------------------------------------------------

    def push_work_xml(self, xml: str, repeat: int = 1) -> dict[str, Any]:
        return self._post("/sim/push/work", xml=xml, repeat=repeat)

    def push_mp_xml(self, xml: str, repeat: int = 1) -> dict[str, Any]:
        return self._post("/sim/push/mp", xml=xml, repeat=repeat)

    def sent(self, api: str | None = None, to: str | None = None) -> list[dict[str, Any]]:
        """Everything the bot sent (refused calls too, with their errcode), oldest first."""
        params = {k: v for k, v in {"api": api, "to": to}.items() if v is not None}
        return self._call("GET", "/sim/sent", params=params)

    def delivered(self, api: str | None = None, to: str | None = None) -> list[str]:
        """Texts that actually reached `to`, oldest first."""
        return [r["text"] for r in self.sent(api=api, to=to) if r["delivered"]]

    def misconfigure(self, name: str) -> dict[str, Any]:
        """Play a wrong console setting (see bot.simulator.misconfig) until the next reset."""
        return self._call("POST", "/sim/misconfig", {"name": name})

    def inbound(self) -> list[dict[str, Any]]:
        return self._call("GET", "/sim/inbound")

    def overview(self) -> dict[str, Any]:
        return self._call("GET", "/sim/overview")

    def pending_pushes(self) -> int:
        """Callbacks the simulator will push a moment from now (a kf msg_send_fail after the answer)."""
        return int(self._call("GET", "/sim/pending")["pushes"])

    def reset(self) -> None:
        self._post("/sim/reset")

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        return self._post("/sim/clock/advance", seconds=seconds)

    def fault(self, api: str, errcode: int | None = None, http_status: int | None = None, times: int = 1,
              errmsg: str | None = None, delay_seconds: float = 0) -> dict[str, Any]:
        """Make the next `times` calls to `api` (e.g. "kf/send_msg", "mp/message/custom/send") fail,
        or answer only after `delay_seconds` (then fail if told to, else succeed late)."""
        return self._post("/sim/faults", api=api, errcode=errcode, http_status=http_status, times=times,
                          errmsg=errmsg, delay_seconds=delay_seconds)

    def mass_tasks(self) -> list[dict[str, Any]]:
        return self._call("GET", "/sim/mass")

    def member_mass_send(self, userid: str, external_userids: list[str], text: str) -> dict[str, Any]:
        """A member sends a mass message from the WeCom client (counts against the customers' quota)."""
        return self._post(f"/sim/staff/{userid}/mass_send", external_userids=external_userids, text=text)

    def settings(self, **values: str) -> dict[str, Any]:
        """Corp settings: mass_quota ("month", "week", "day"), kf_window_errors ("sync", "async")."""
        return self._post("/sim/settings", **values)

    def confirm_mass(self, msgid: str) -> dict[str, Any]:
        """The guide confirms an add_msg_template task; returns the delivered records."""
        return self._post(f"/sim/mass/{msgid}/confirm")
