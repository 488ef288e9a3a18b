"""The console's audit log: who changed what, when."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.models import AuditEntry

if TYPE_CHECKING:
    from bot.console.accounts import Identity

logger = logging.getLogger(__name__)

ACTION_LABELS = {
    "login": "登录", "login_wecom": "企业微信登录", "login_failed": "登录失败", "login_throttled": "登录被限制",
    "logout": "退出", "user_add": "新建用户", "user_update": "修改用户", "customer_update": "修改客户资料",
    "customer_tag": "打标签", "customer_untag": "移除标签", "customer_event": "记录事件",
    "bulk_tag": "批量打标签", "export": "导出", "enrolment_pause": "暂停剧本",
    "playbook_save": "保存剧本", "playbook_enable": "启用剧本", "playbook_disable": "停用剧本",
    "playbook_rollback": "回滚剧本", "import": "导入", "time_travel": "快进演示时间",
    "channel_create": "创建渠道活码", "channel_update": "修改渠道活码", "channel_delete": "删除渠道活码",
    "rules_save": "保存标签规则", "rules_rollback": "回滚标签规则", "scripts_save": "保存话术库",
    "scripts_rollback": "回滚话术库",
}


class AuditLog:
    def __init__(self, session: Session, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    def record(self, who: Identity | None, action: str, target: str = "", detail: dict[str, Any] | None = None,
               remote_addr: str = "") -> AuditEntry:
        entry = AuditEntry(user_id=who.id if who else None, username=who.username if who else "", action=action,
                           target=target[:128], detail=detail or {}, remote_addr=remote_addr[:64],
                           created_at=self.clock.now())
        self.session.add(entry)
        self.session.flush()
        logger.info("console audit: %s %s %s", who.username if who else "-", action, target)
        return entry

    def page(self, *, limit: int, offset: int, action: str | None = None,
             username: str | None = None) -> tuple[list[AuditEntry], int]:
        query = select(AuditEntry)
        if action:
            query = query.where(AuditEntry.action == action)
        if username:
            query = query.where(AuditEntry.username == username)
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self.session.scalars(query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
                                    .limit(limit).offset(offset))
        return list(rows), total
