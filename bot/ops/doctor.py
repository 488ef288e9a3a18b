"""`siyu doctor`: check a configuration against the database and WeChat, and say what to fix.

Every check answers in plain Chinese what is wrong and how to fix it, the way an ops person
reads it beside the WeCom admin console. Checks never send a message to anyone, and the
Official Account token is taken from (and left in) the shared store, so a running bot keeps its
token.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import requests
import xmltodict
from sqlalchemy.exc import SQLAlchemyError
from wechatpy.exceptions import WeChatClientException
from wechatpy.work.crypto import WeChatCrypto as WorkCrypto

from bot.clock import Clock
from bot.config import Config
from bot.db import Database
from bot.ops import rejections
from bot.ops.heartbeat import live_workers
from bot.wechat.clients import MpClient, WeComClient
from bot.wechat.tokens import SharedTokenStorage

logger = logging.getLogger(__name__)

Level = Literal["ok", "warning", "error"]
LABELS = {"ok": "通过", "warning": "提醒", "error": "错误"}


@dataclass(frozen=True)
class Finding:
    level: Level
    area: str
    message: str
    fix: str = ""


class _Stop(Exception):
    """A check found an error that makes its following steps meaningless."""


class Doctor:
    def __init__(self, config: Config, timeout: float = 5.0) -> None:
        self.config = config
        self.timeout = timeout
        self.findings: list[Finding] = []
        self.db: Database | None = None
        self.schema_current = False

    def run(self) -> list[Finding]:
        """All checks, in the order an operator would fix things."""
        for check in (self.check_database, self.check_scheduler, self.check_settings, self.check_wecom, self.check_kf,
                      self.check_callbacks, self.check_refused_pushes, self.check_mp):
            try:
                check()
            except _Stop:
                continue
        if self.db is not None:
            self.db.dispose()
        return self.findings

    @property
    def ok(self) -> bool:
        return not any(f.level == "error" for f in self.findings)

    def _add(self, level: Level, area: str, message: str, fix: str = "") -> None:
        self.findings.append(Finding(level, area, message, fix))

    def _fail(self, area: str, message: str, fix: str) -> None:
        self._add("error", area, message, fix)
        raise _Stop

    # -- database and scheduler --------------------------------------------------------------------

    def check_database(self) -> None:
        from bot.schema import current_revision, head_revision

        db = Database(self.config.database.url, Clock())
        where = db.url.render_as_string(hide_password=True)
        try:
            db.ping()
            current, head = current_revision(db), head_revision(db)
        except SQLAlchemyError as exc:
            db.dispose()
            self._fail("数据库", f"连不上数据库 {where}（{exc.__class__.__name__}）。",
                       "检查 [database] url（或环境变量 SIYU_DATABASE__URL）、数据库是否在运行、用户名密码是否正确。")
        self.db = db
        self.schema_current = current == head
        if current != head:
            self._add("error", "数据库", f"数据库结构落后：当前版本 {current or '空库'}，程序需要 {head}。",
                      "运行 `siyu init` 执行迁移（可重复运行，已有数据不会丢）；升级程序后都要先做这一步。")
        else:
            self._add("ok", "数据库", f"可以连接 {where}，结构是最新的（{head}）。")

    def check_scheduler(self) -> None:
        if self.db is None:
            return
        try:
            with self.db.session() as session:
                workers = live_workers(session)
        except SQLAlchemyError:
            return  # the schema check above already says what is wrong
        if not workers:
            self._add("error", "调度器", "没有任何调度器在运行：定时剧本、欢迎语补发和待办任务都不会执行。",
                      "启动 `siyu worker`（或不带 --no-scheduler 的 `siyu serve`）；docker compose 里是 worker 服务。"
                      "已经启动的话，看它的日志里有没有报错，以及它连的是不是同一个数据库。")
        else:
            where = "、".join(sorted(f"{w.host} (pid {w.pid})" for w in workers))
            self._add("ok", "调度器", f"{len(workers)} 个调度器在运行：{where}。")

    def check_settings(self) -> None:
        console = getattr(self.config, "console", None)
        if console is not None and not console.secret_key.get_secret_value():
            self._add("warning", "运营后台", "没有设置 [console] secret_key：每个网页进程各用一个随机密钥，"
                      "gunicorn 多进程时登录会时有时无，重启后所有人都要重新登录。",
                      "生成一个长随机值（python3 -c \"import secrets; print(secrets.token_urlsafe(32))\"），"
                      "填进 [console] secret_key（或 SIYU_CONSOLE__SECRET_KEY），所有网页进程用同一个。")

    # -- WeCom -------------------------------------------------------------------------------------

    def _token_storage(self) -> SharedTokenStorage | None:
        """The bot's shared token store; without it (schema behind) tokens stay in this process."""
        return SharedTokenStorage(self.db) if self.db is not None and self.schema_current else None

    def _wecom_client(self) -> WeComClient:
        wecom = self.config.wecom
        storage = self._token_storage()
        return WeComClient(wecom.corp_id, wecom.secret.get_secret_value(), wecom.api_base_url, session=storage,
                           timeout=self.timeout)

    @contextmanager
    def _wechat_call(self, area: str, what: str, explain: Callable[[int, str], tuple[str, str] | None]
                     ) -> Iterator[None]:
        """Turn a refusal or a network error of one WeChat call into a finding (and stop)."""
        try:
            yield
        except WeChatClientException as exc:
            errcode, errmsg = int(exc.errcode or -1), str(exc.errmsg or "")
            explained = explain(errcode, errmsg) or common_errcode(errcode, errmsg)
            message, fix = explained or (f"{what}失败：errcode {errcode} {errmsg}",
                                         "按 errcode 在企业微信开发者中心“错误码查询”里查原因。")
            self._fail(area, message, fix)
        except requests.RequestException as exc:
            self._fail(area, f"{what}时连不上微信接口（{exc.__class__.__name__}）。",
                       "检查这台机器能否访问外网和 api_base_url 是否写对；有代理的话检查 HTTPS_PROXY。")

    def check_wecom(self) -> None:
        wecom = self.config.wecom
        if not wecom.corp_id or not wecom.secret.get_secret_value():
            self._add("warning", "企业微信",
                      "没有配置企业微信（[wecom] corp_id、secret），企业微信相关功能都不会工作。",
                      "在企业微信管理后台“我的企业”找到企业ID，"
                      "在“应用管理 → 自建应用”找到 AgentId 和 Secret，填进配置。")
            raise _Stop
        client = self._wecom_client()
        with self._wechat_call("企业微信", "获取 access_token", _explain_gettoken):
            client._fetch_new_token()
        with self._wechat_call("企业微信", "调用客户联系接口", _explain_customer_contact):
            client.post("externalcontact/get_corp_tag_list", data={})
        self._add("ok", "企业微信",
                  f"企业 {wecom.corp_id} 的应用 Secret 正确，可以调用客户联系接口，调用 IP 是可信的。")

    def check_kf(self) -> None:
        wecom = self.config.wecom
        if not wecom.open_kfid or not wecom.corp_id or not wecom.secret.get_secret_value():
            return
        if any(f.area == "企业微信" and f.level == "error" for f in self.findings):
            return  # the same credentials would fail the same way
        with self._wechat_call("微信客服", "读取微信客服账号列表", _explain_kf):
            answer = self._wecom_client().post("kf/account/list", data={"offset": 0, "limit": 100})
        accounts = {a.get("open_kfid"): a.get("name", "") for a in answer.get("account_list") or []}
        if wecom.open_kfid not in accounts:
            self._fail("微信客服", f"微信客服账号 {wecom.open_kfid} 没有交给本应用管理，收不到也发不出客服消息。",
                       "在企业微信管理后台“应用管理 → 微信客服 → API”里，把“可调用接口的应用”设为本自建应用，"
                       "并把这个客服账号分配给它；或把 [wecom] open_kfid 改成本应用能管理的账号："
                       + ("、".join(accounts) if accounts else "目前一个也没有") + "。")
        self._add("ok", "微信客服", f"微信客服账号 {wecom.open_kfid}（{accounts[wecom.open_kfid]}）由本应用管理。")

    # -- callbacks ---------------------------------------------------------------------------------

    def check_callbacks(self) -> None:
        base = self.config.bot.public_url.rstrip("/")
        if self.config.wecom.configured:
            if not self.config.wecom.encoding_aes_key.get_secret_value():
                self._add("error", "回调", "企业微信回调没有配置 EncodingAESKey（[wecom] encoding_aes_key）。",
                          "在应用的“接收消息 → 设置API接收”页面随机获取 EncodingAESKey，同时填进配置和后台。")
            else:
                self._verify_wecom_url(f"{base}/wechat/work")
        if self.config.mp.configured:
            self._verify_mp_url(f"{base}/wechat/mp")

    def _verify_wecom_url(self, url: str) -> None:
        wecom = self.config.wecom
        crypto = WorkCrypto(wecom.token.get_secret_value(), wecom.encoding_aes_key.get_secret_value(), wecom.corp_id)
        echo = f"siyu-doctor-{secrets.token_hex(6)}"
        nonce, timestamp = secrets.token_hex(8), str(int(time.time()))
        sealed = xmltodict.parse(crypto.encrypt_message(echo, nonce, timestamp))["xml"]
        params = {"msg_signature": sealed["MsgSignature"], "timestamp": timestamp, "nonce": nonce,
                  "echostr": sealed["Encrypt"]}
        self._verify_url("企业微信", url, params, echo, "应用的“接收消息 → 设置API接收”")

    def _verify_mp_url(self, url: str) -> None:
        token = self.config.mp.token.get_secret_value()
        echo = f"siyu-doctor-{secrets.token_hex(6)}"
        nonce, timestamp = secrets.token_hex(8), str(int(time.time()))
        signature = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()
        self._verify_url("公众号", url, {"signature": signature, "timestamp": timestamp, "nonce": nonce,
                                        "echostr": echo}, echo, "公众号后台“设置与开发 → 基本配置 → 服务器配置”")

    def _verify_url(self, channel: str, url: str, params: dict[str, str], echo: str, console: str) -> None:
        """The GET WeChat sends when the admin saves the callback URL, sent by us to our own URL."""
        area = f"{channel}回调"
        try:
            response = requests.get(url, params=params, timeout=self.timeout)
        except requests.RequestException as exc:
            self._add("error", area, f"回调地址 {url} 访问不到（{exc.__class__.__name__}）。",
                      "检查 [bot] public_url 是不是外网能访问的地址（域名、端口、https 证书、反向代理），"
                      f"以及 Siyu 的网页服务是否在运行；{console}里填的 URL 也要是它。")
            return
        if response.status_code == 200 and response.text == echo:
            keys = "Token 和 EncodingAESKey" if "msg_signature" in params else "Token"
            self._add("ok", area, f"回调地址 {url} 验证通过：{keys}与线上运行的一致。")
            return
        if response.status_code == 403:
            message = f"回调地址 {url} 拒绝了签名：线上运行的 Siyu 用的 Token（或企业 ID/AppID）和这份配置不一样。"
        elif response.status_code == 400:
            message = f"回调地址 {url} 解不开加密的 echostr：线上运行的 Siyu 用的 EncodingAESKey 和这份配置不一样。"
        elif response.status_code == 404:
            message = (f"回调地址 {url} 返回 404：这个地址上的服务不是 Siyu，或者线上的 Siyu 没有配置{channel}。")
        else:
            message = f"回调地址 {url} 没有原样返回 echostr（HTTP {response.status_code}）：微信会判定验证失败。"
        self._add("error", area, message,
                  f"让运行中的服务和这份配置用同一组 Token / EncodingAESKey（改完重启网页服务），"
                  f"并与{console}里的完全一致；反向代理要把 /wechat/ 原样转发给 Siyu。")

    def check_refused_pushes(self) -> None:
        if self.db is None:
            return
        try:
            with self.db.session() as session:
                refused = rejections.recent(session)
        except SQLAlchemyError:
            return
        names = {"wecom": ("企业微信", "应用的“接收消息 → 设置API接收”", "[wecom]"),
                 "mp": ("公众号", "公众号后台“基本配置 → 服务器配置”", "[mp]")}
        for item in refused:
            channel, console, section = names.get(item.channel, (item.channel, "后台", f"[{item.channel}]"))
            when = item.last_at.astimezone(self.config.scheduler.tz).strftime("%m-%d %H:%M")
            if item.reason == "decrypt":
                self._add("error", f"{channel}回调",
                          f"最近有 {item.count} 条{channel}推送签名正确却解不开（最后一次 {when}）："
                          f"{console}里的 EncodingAESKey 和 {section} encoding_aes_key 不一致，这些消息都丢了。",
                          f"把{console}里的 EncodingAESKey 原样复制到 {section} encoding_aes_key（43 个字符），"
                          "重启网页服务。")
            else:
                self._add("warning", f"{channel}回调",
                          f"最近有 {item.count} 条{channel}推送签名不对（最后一次 {when}）：可能是 {section} token "
                          f"和{console}里的 Token 不一致，也可能只是有人在扫描这个地址。",
                          f"核对 {section} token 与{console}里的 Token；一致的话可以忽略。")

    # -- Official Account --------------------------------------------------------------------------

    def check_mp(self) -> None:
        mp = self.config.mp
        if not mp.app_id or not mp.secret.get_secret_value():
            return
        storage = self._token_storage()
        client = MpClient(mp.app_id, mp.secret.get_secret_value(), mp.api_base_url, session=storage,
                          timeout=self.timeout)
        with self._wechat_call("公众号", "连接公众号接口", _explain_mp):
            client.get("get_api_domain_ip")
        self._add("ok", "公众号", f"公众号 {mp.app_id} 的接口可以调用。")


# -- what WeChat's errcodes mean here ---------------------------------------------------------------

IP_FIX = ("在企业微信管理后台“应用管理 → 本自建应用 → 企业可信IP”里加入这台服务器的出口 IP{ip}；"
          "出口 IP 会变的话（云函数、家用宽带），换成固定 IP 或经固定 IP 的代理出网。")


def _ip_from(errmsg: str) -> str:
    marker = "from ip:"
    if marker not in errmsg:
        return ""
    return "（微信看到的是 " + errmsg.split(marker, 1)[1].split(",")[0].strip() + "）"


def common_errcode(errcode: int, errmsg: str) -> tuple[str, str] | None:
    """Refusals any WeCom call can get."""
    if errcode == 60020:
        return ("调用 IP 不在企业可信 IP 里（errcode 60020），企业微信拒绝了本服务的所有接口调用。",
                IP_FIX.format(ip=_ip_from(errmsg)))
    if errcode in (45009, 45033):
        return (f"接口调用太频繁（errcode {errcode}），稍后再运行体检。",
                "过几分钟重试；如果一直这样，看看有没有别的程序在用同一个应用。")
    return None


def _explain_gettoken(errcode: int, errmsg: str) -> tuple[str, str] | None:
    if errcode == 40001:
        return ("Secret 不对（errcode 40001 invalid credential）：[wecom] secret 不是这个企业里本自建应用的 Secret。"
                "常见原因是填了“通讯录同步”或“客户联系”的 Secret，或别的应用的 Secret。",
                "在企业微信管理后台“应用管理 → 自建应用 → 本应用 → Secret 查看”取得 Secret（发送到管理员企业微信），"
                "填进 [wecom] secret；同时确认 [wecom] corp_id 是“我的企业 → 企业ID”。")
    if errcode in (40013, 40091):
        return (f"企业 ID 不对（errcode {errcode}）：[wecom] corp_id 不是一个有效的企业ID。",
                "在企业微信管理后台“我的企业 → 企业信息”最下面复制企业ID（ww 开头）。")
    return None


def _explain_customer_contact(errcode: int, errmsg: str) -> tuple[str, str] | None:
    if errcode in (48009, 48002):
        return (f"Secret 的类型不对（errcode {errcode}）：这个 Secret 能换到 access_token，但不能调用客户联系接口。"
                "自建应用要先被授权使用客户联系。",
                "在企业微信管理后台“客户与上下游 → 客户联系 → API → 可调用应用”里勾选本自建应用；"
                "并确认 [wecom] secret 是这个自建应用的 Secret，不是“通讯录同步”的。")
    return None


def _explain_kf(errcode: int, errmsg: str) -> tuple[str, str] | None:
    if errcode in (48002, 95000, 95001, 95004):
        return (f"本应用没有微信客服的接口权限（errcode {errcode}）。",
                "在企业微信管理后台“应用管理 → 微信客服 → API”里把本自建应用设为可调用接口的应用。")
    return None


def _explain_mp(errcode: int, errmsg: str) -> tuple[str, str] | None:
    if errcode in (40001, 40125):
        return (f"公众号 AppSecret 不对（errcode {errcode}）：[mp] secret 与公众号后台的不一致（重置过就要重新填）。",
                "在公众号后台“设置与开发 → 基本配置”重置或查看 AppSecret，填进 [mp] secret。")
    if errcode == 40013:
        return ("公众号 AppID 不对（errcode 40013）。",
                "在公众号后台“设置与开发 → 基本配置”复制开发者ID(AppID)，填进 [mp] app_id。")
    if errcode == 40164:
        ip = errmsg.split("invalid ip", 1)[1].split()[0] if "invalid ip" in errmsg else ""
        return (f"调用 IP{(' ' + ip) if ip else ''} 不在公众号的 IP 白名单里（errcode 40164），公众号接口都调不了。",
                "在公众号后台“设置与开发 → 基本配置 → IP白名单”加入这台服务器的出口 IP。")
    return None


def render(findings: list[Finding], source: str) -> str:
    """The report as the terminal shows it."""
    lines = [f"思域 Siyu 体检（配置：{source}）", ""]
    for finding in findings:
        lines.append(f"[{LABELS[finding.level]}] {finding.area}：{finding.message}")
        if finding.fix and finding.level != "ok":
            lines.append(f"       怎么改：{finding.fix}")
    errors = sum(f.level == "error" for f in findings)
    warnings = sum(f.level == "warning" for f in findings)
    lines.append("")
    lines.append("结论：一切正常。" if not errors and not warnings else f"结论：{errors} 个错误，{warnings} 个提醒。")
    return "\n".join(lines)


def run_doctor(config: Config, **options: Any) -> tuple[list[Finding], bool]:
    doctor = Doctor(config, **options)
    findings = doctor.run()
    return findings, doctor.ok
