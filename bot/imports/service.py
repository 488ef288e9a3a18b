"""Importing customers and events from CSV through the same services as the API and the console."""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import Customer, Event
from bot.services.customers import CustomerService, ProfileError

logger = logging.getLogger(__name__)

MATCH_KEYS = ("external_userid", "openid", "unionid", "phone")
CUSTOMER_FIELDS = {*MATCH_KEYS, "name", "birthday", "tags"}
EVENT_FIELDS = {"customer_id", *MATCH_KEYS, "type", "at", "amount"}
EVENT_TYPE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MAX_ROWS = 200_000
BATCH = 500
SOURCE = "import"


class ImportFileError(Exception):
    """The file as a whole cannot be read (encoding, no header, a required column missing)."""


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    message: str


@dataclass
class ImportReport:
    kind: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def good(self) -> int:
        return self.created + self.updated + self.unchanged


class RowInvalid(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def read_csv(data: bytes) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """Header and (line number, row) pairs; UTF-8 (with or without BOM) or GB18030 from Excel."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError("文件编码无法识别：请另存为 UTF-8 的 CSV")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        raise ImportFileError("文件是空的，或缺少表头行")
    header = [name.strip() for name in reader.fieldnames]
    reader.fieldnames = header

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for row in reader:
            values = {k: (v or "").strip() for k, v in row.items() if k is not None}
            if any(values.values()):
                yield reader.line_num, values
    return header, rows()


class Importer:
    """Imports one file; commits good rows batch by batch (a dry run rolls everything back)."""

    def __init__(self, new_session: Callable[[], Session], customers: Callable[[Session], CustomerService],
                 tagging: Callable[[Session], Any] | None, tz: Any) -> None:
        self.new_session = new_session
        self.customers = customers
        self.tagging = tagging
        self.tz = tz

    def run(self, kind: str, data: bytes, dry_run: bool = False,
            progress: Callable[[int], None] | None = None) -> ImportReport:
        header, rows = read_csv(data)
        if kind == "customers":
            if not set(header) & set(MATCH_KEYS):
                raise ImportFileError(f"缺少用来匹配客户的列：至少要有 {', '.join(MATCH_KEYS)} 之一")
            handle = self._customer_row
        elif kind == "events":
            missing = {"type", "at"} - set(header)
            if missing:
                raise ImportFileError(f"缺少列：{', '.join(sorted(missing))}")
            if not set(header) & {"customer_id", *MATCH_KEYS}:
                raise ImportFileError("缺少用来匹配客户的列：customer_id、external_userid、openid、unionid 或 phone")
            handle = self._event_row
        else:
            raise ImportFileError(f"不认识的导入类型 {kind!r}（customers 或 events）")
        report = ImportReport(kind, dry_run)
        session = self.new_session()
        try:
            for line, row in rows:
                report.rows += 1
                if report.rows > MAX_ROWS:
                    raise ImportFileError(f"一次最多导入 {MAX_ROWS} 行")
                savepoint = session.begin_nested()
                try:
                    outcome = handle(session, row)
                except RowInvalid as invalid:
                    savepoint.rollback()
                    report.errors.append(RowError(line, invalid.field, invalid.message))
                    continue
                savepoint.commit()
                setattr(report, outcome, getattr(report, outcome) + 1)
                if report.rows % BATCH == 0:
                    if not dry_run:
                        session.commit()
                    if progress:
                        progress(report.rows)
            if dry_run:
                session.rollback()
            else:
                session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
        if progress:
            progress(report.rows)
        logger.info("import %s%s: %s rows, %s created, %s updated, %s unchanged, %s bad", kind,
                    " (dry run)" if dry_run else "", report.rows, report.created, report.updated, report.unchanged,
                    len(report.errors))
        return report

    # -- customers ------------------------------------------------------------------------------

    def _find(self, session: Session, row: dict[str, str]) -> Customer | None:
        for key in ("external_userid", "openid", "unionid"):
            if row.get(key):
                found = session.scalar(select(Customer).where(getattr(Customer, key) == row[key]))
                if found is not None:
                    return found
        if row.get("phone"):
            return session.scalar(select(Customer).where(Customer.attributes["phone"].as_string() == row["phone"])
                                  .order_by(Customer.id).limit(1))
        if row.get("customer_id"):
            if not row["customer_id"].isdigit():
                raise RowInvalid("customer_id", f"应为客户 ID（数字），而不是 {row['customer_id']!r}")
            return session.get(Customer, int(row["customer_id"]))
        return None

    def _customer_row(self, session: Session, row: dict[str, str]) -> str:
        if not any(row.get(key) for key in MATCH_KEYS):
            raise RowInvalid("external_userid", f"至少要填 {', '.join(MATCH_KEYS)} 之一")
        for key in ("external_userid", "openid", "unionid"):
            if len(row.get(key, "")) > 64:
                raise RowInvalid(key, "最多 64 个字符")
        if row.get("phone") and not re.fullmatch(r"\+?[0-9][0-9 -]{4,19}", row["phone"]):
            raise RowInvalid("phone", f"手机号格式不对：{row['phone']!r}")
        birthday: date | None | bool = False
        if row.get("birthday"):
            try:
                birthday = date.fromisoformat(row["birthday"].replace("/", "-"))
            except ValueError:
                raise RowInvalid("birthday", f"生日格式应为 YYYY-MM-DD，而不是 {row['birthday']!r}") from None
        tags = [t.strip() for t in re.split(r"[;；|]", row.get("tags", "")) if t.strip()]
        for tag in tags:
            if len(tag) > 64:
                raise RowInvalid("tags", f"标签最多 64 个字符：{tag[:20]}…")
        attributes: dict[str, Any] = {k: v for k, v in row.items() if k not in CUSTOMER_FIELDS - {"phone"} and v}
        service = self.customers(session)
        customer = self._find(session, row)
        created = customer is None
        if created:
            identity = {k: row[k] for k in ("external_userid", "openid", "unionid") if row.get(k)}
            customer = service.create(**identity)
        else:
            for key in ("external_userid", "openid", "unionid"):
                current = getattr(customer, key)
                if row.get(key) and current and current != row[key]:
                    raise RowInvalid(key, f"与已匹配客户 #{customer.id} 的 {key}（{current}）不一致")
                if row.get(key) and not current:
                    setattr(customer, key, row[key])
        try:
            changes = service.update_profile(customer, name=row.get("name") or None, birthday=birthday,
                                             attributes=attributes)
        except ProfileError as error:
            raise RowInvalid(error.field.removeprefix("attributes."), error.message) from None
        added = False
        if tags and self.tagging is not None:
            tagging = self.tagging(session)
            for tag in tags:
                added |= bool(tagging.add(customer, tag, source="manual", reason="CSV 导入"))
        return "created" if created else "updated" if changes or added else "unchanged"

    # -- events ---------------------------------------------------------------------------------

    def _event_row(self, session: Session, row: dict[str, str]) -> str:
        event_type = row.get("type", "")
        if not EVENT_TYPE.match(event_type):
            raise RowInvalid("type", f"事件类型只能是小写字母、数字和下划线，以字母开头，而不是 {event_type!r}")
        at = self._moment(row.get("at", ""))
        data: dict[str, Any] = {}
        if row.get("amount"):
            try:
                data["amount"] = float(row["amount"].replace(",", "").lstrip("¥￥"))
            except ValueError:
                raise RowInvalid("amount", f"金额应为数字，而不是 {row['amount']!r}") from None
        data.update({k: v for k, v in row.items() if k not in EVENT_FIELDS and v})
        customer = self._find(session, row)
        if customer is None:
            raise RowInvalid("customer", "找不到这位客户（按 customer_id / external_userid / openid / unionid / "
                                         "phone 匹配）")
        duplicate = session.scalar(select(Event.id).where(Event.customer_id == customer.id, Event.type == event_type,
                                                          Event.occurred_at == at, Event.source == SOURCE).limit(1))
        if duplicate is not None:
            return "unchanged"
        self.customers(session).record_event(customer, event_type, at, data, source=SOURCE)
        return "created"

    def _moment(self, raw: str) -> datetime:
        if not raw:
            raise RowInvalid("at", "缺少时间")
        try:
            value = datetime.fromisoformat(raw.replace("/", "-"))
        except ValueError:
            try:
                value = datetime.combine(date.fromisoformat(raw.replace("/", "-")), time())
            except ValueError:
                raise RowInvalid("at", f"时间格式应为 2026-11-20 或 2026-11-20T10:00:00+08:00，而不是 {raw!r}") \
                    from None
        return value if value.tzinfo else value.replace(tzinfo=self.tz)


def importer_for(runtime: Any) -> Importer:
    """An importer writing through the runtime's customer and tagging services."""
    tagging = runtime.features.get("tagging")
    return Importer(runtime.db.new_session, runtime.customers, tagging.service if tagging else None,
                    runtime.config.scheduler.tz)
