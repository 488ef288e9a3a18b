"""Console accounts: creating users, checking passwords with throttling, the identity a request carries."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from flask_login import UserMixin
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from bot.clock import Clock
from bot.config import ConsoleConfig
from bot.console.audit import AuditLog
from bot.models import AuditEntry, ConsoleUser, Staff
from bot.models.console import ROLES

logger = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 8
# Checked when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("siyu-no-such-user")


class AccountError(Exception):
    """An account cannot be created or changed; the message says why, in words for the operator."""


class LoginThrottled(Exception):
    """Too many failed logins for this name recently."""


@dataclass(frozen=True)
class Identity(UserMixin):
    """Who is logged in, as Flask-Login keeps it: a snapshot, not a live ORM object."""

    id: int
    username: str
    role: str
    staff_id: int | None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_guide(self) -> bool:
        return self.role == "guide"

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


ROLE_LABELS = {"admin": "管理员", "operator": "运营", "guide": "导购"}


def identity_of(user: ConsoleUser) -> Identity:
    return Identity(user.id, user.username, user.role, user.staff_id)


class AccountService:
    def __init__(self, session: Session, clock: Clock, config: ConsoleConfig) -> None:
        self.session = session
        self.clock = clock
        self.config = config
        self.audit = AuditLog(session, clock)

    def add(self, username: str, role: str, password: str = "", wecom_userid: str | None = None) -> ConsoleUser:
        """A new account; a guide needs the WeCom userid their customers are assigned by."""
        username = username.strip()
        if not 0 < len(username) <= 64:
            raise AccountError("用户名不能为空，最多 64 个字符")
        if role not in ROLES:
            raise AccountError(f"角色必须是 {', '.join(ROLES)} 之一，而不是 {role!r}")
        if self.session.scalar(select(ConsoleUser).where(ConsoleUser.username == username)):
            raise AccountError(f"用户 {username} 已存在")
        if password and len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"密码至少 {MIN_PASSWORD_LENGTH} 位")
        if role == "guide" and not wecom_userid:
            raise AccountError("导购账号需要 --wecom-userid（企业微信 userid），才知道哪些客户是 TA 的")
        if not password and not wecom_userid:
            raise AccountError("需要密码，或企业微信 userid（用企业微信登录）")
        staff_id = None
        if wecom_userid:
            if self.session.scalar(select(ConsoleUser).where(ConsoleUser.wecom_userid == wecom_userid)):
                raise AccountError(f"企业微信 userid {wecom_userid} 已绑定其他账号")
            staff = self.session.scalar(select(Staff).where(Staff.userid == wecom_userid))
            if staff is None:
                staff = Staff(userid=wecom_userid, name=username)
                self.session.add(staff)
                self.session.flush()
            staff_id = staff.id
        user = ConsoleUser(username=username, role=role, wecom_userid=wecom_userid or None, staff_id=staff_id,
                           password_hash=generate_password_hash(password) if password else "")
        self.session.add(user)
        self.session.flush()
        return user

    def set_password(self, user: ConsoleUser, password: str) -> None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"密码至少 {MIN_PASSWORD_LENGTH} 位")
        user.password_hash = generate_password_hash(password)

    def authenticate(self, username: str, password: str, remote_addr: str = "") -> ConsoleUser | None:
        """The account if the password is right; failures are audited and throttle the name."""
        username = username.strip()[:64]
        if self.recent_failures(username) >= self.config.max_failed_logins:
            self.audit.record(None, "login_throttled", username, remote_addr=remote_addr)
            raise LoginThrottled(username)
        user = self.session.scalar(select(ConsoleUser).where(ConsoleUser.username == username))
        stored = user.password_hash if user is not None and user.active and user.password_hash else _DUMMY_HASH
        if not check_password_hash(stored, password) or stored is _DUMMY_HASH:
            self.audit.record(None, "login_failed", username, remote_addr=remote_addr)
            return None
        assert user is not None
        user.last_login_at = self.clock.now()
        self.audit.record(identity_of(user), "login", username, remote_addr=remote_addr)
        return user

    def by_wecom_userid(self, userid: str, remote_addr: str = "") -> ConsoleUser | None:
        """The active account bound to this WeCom member (WeCom OAuth2 login)."""
        user = self.session.scalar(select(ConsoleUser).where(ConsoleUser.wecom_userid == userid,
                                                             ConsoleUser.active.is_(True)))
        if user is not None:
            user.last_login_at = self.clock.now()
            self.audit.record(identity_of(user), "login_wecom", user.username, remote_addr=remote_addr)
        return user

    def recent_failures(self, username: str) -> int:
        since = self.clock.now() - timedelta(minutes=self.config.failed_login_window_minutes)
        last_success = select(func.max(AuditEntry.created_at)).where(
            AuditEntry.action == "login", AuditEntry.target == username).scalar_subquery()
        return self.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "login_failed", AuditEntry.target == username, AuditEntry.created_at >= since,
            AuditEntry.created_at > func.coalesce(last_success, since))) or 0

    def load(self, user_id: int) -> Identity | None:
        user = self.session.get(ConsoleUser, user_id)
        return identity_of(user) if user is not None and user.active else None

    def listing(self) -> list[ConsoleUser]:
        return list(self.session.scalars(select(ConsoleUser).order_by(ConsoleUser.username)))
