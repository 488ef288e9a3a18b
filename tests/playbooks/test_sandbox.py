"""Templates render under limits: hostile templates are refused by check and, forced into the
database, fail alone at send time while healthy deliveries go out (issue 10 point 2)."""

from __future__ import annotations

import threading
import uuid
import time
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.models import PlaybookRecord, PlaybookVersion
from bot.playbooks.loader import playbook_content_hash
from bot.playbooks import sandbox
from bot.playbooks.sandbox import RENDER_SECONDS
from bot.playbooks.templates import SAMPLE_CUSTOMER, RenderRefused, compile_template, render, sample_context
from tests.playbooks.support import simple_playbook

# The hostile templates of issue 10 and their relatives: endless loops, huge constants, huge
# outputs, Python object text, sandbox internals.
HOSTILE = {
    "lipsum": "{{ lipsum(1000000000) }}",
    "range": "{% for i in range(1000000000) %}x{% endfor %}",
    "nested_range": "{% for a in range(9999) %}{% for b in range(9999) %}{% for c in range(9999) %}"
                    "{% endfor %}{% endfor %}{% endfor %}",
    "nested_strings": "{% for a in 'x' * 9999 %}{% for b in 'x' * 9999 %}{% endfor %}{% endfor %}",
    "huge_constant": "{{ 'x' * 10**9 }}",
    "huge_literal": "{{ 'x' * 1000000000 }}",
    "huge_power": "{{ 10**10**10 }}",
    "center": "{{ 'x' | center(500000000) }}",
    "percent": "{{ '%500000000s' % 'x' }}",
    "str_format": "{{ '{:>500000000}'.format('x') }}",
    "doubling": "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
    "replace": "{{ ('x' * 9000) | replace('', 'y' * 9000) }}",
    "recursion": "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(1) }}",
    "customer": "{{ customer }}",
    "format_map": "{{ customer.name.format_map }}",
    "attributes": "{{ customer.attributes }}",
    "string_filter": "{{ customer | string }}",
    "concat": "{{ customer ~ '' }}",
    "mro": "{{ customer.__class__.__mro__ }}",
    "attr_filter": "{{ customer.name | attr('__class__') }}",
    "long_text": "{{ '长' * 1000 }}",  # 3000 bytes: more than kf takes
}


def hostile_playbook(source: str, playbook_id: str = "bad") -> str:
    text = source.replace("\\", "\\\\").replace('"', '\\"')
    return simple_playbook(playbook_id, steps=f"""
[[steps]]
id = "hello"
after = "1h"
channels = ["kf"]
text = "{text}"
""")


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_check_refuses_each_hostile_template_with_file_step_and_key(name: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"{name}.toml"
    path.write_text(hostile_playbook(HOSTILE[name]), encoding="utf-8")
    started = time.monotonic()
    assert main(["playbook", "check", str(path)]) == 1
    assert time.monotonic() - started < 10 * RENDER_SECONDS  # nothing is computed at compile time
    err = capsys.readouterr().err
    line = path.read_text(encoding="utf-8").splitlines().index(
        next(line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("text ="))) + 1
    assert f"{path}:{line}: steps[0].text: " in err, err


def test_a_condition_under_limits_too(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "cond.toml"
    path.write_text(simple_playbook(extra='[audience]\nwhen = "(range(99999) | list | length) > 1"\n'),
                    encoding="utf-8")
    assert main(["playbook", "check", str(path)]) == 1
    assert "audience.when: " in capsys.readouterr().err


def test_what_a_template_may_print() -> None:
    context = sample_context()
    text = ("{{ customer.name }}|{{ customer.tags }}|{{ customer.guide }}|{{ today }}|{{ 2 * 21 }}|"
            "{{ customer.tags | join('/') }}|{% for t in customer.tags %}{{ loop.index }}{{ t }}{% endfor %}|"
            "{{ (customer.attributes.city or '本地') ~ '店' }}|{{ customer.name | replace('示例', '') }}")
    assert render(compile_template(text), **context) == (
        f"示例客户|示例标签|示例导购|{context['today']}|42|示例标签|1示例标签|本地店|客户")
    assert SAMPLE_CUSTOMER.tags == ("示例标签",)
    for source in ("{{ customer }}", "{{ customer.name.format_map }}", "{{ event.data }}"):
        with pytest.raises(RenderRefused):
            render(compile_template(source), **context)


def _force_version(h, playbook_id: str, text: str) -> None:  # type: ignore[no-untyped-def]
    """Store a playbook version without `check`, as an old release or a hand-edited database would."""
    with h.db.session() as session:
        session.add(PlaybookRecord(id=playbook_id, name=playbook_id, current_version=1, enabled=True))
        session.flush()
        session.add(PlaybookVersion(playbook_id=playbook_id, version=1, content=text,
                                    content_hash=playbook_content_hash(text)))


@pytest.mark.parametrize("name", ["nested_range", "huge_constant", "customer", "long_text"])
def test_a_hostile_template_in_the_database_fails_alone(journey, name: str) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": simple_playbook("care")})
    _force_version(h, "bad", hostile_playbook(HOSTILE[name]))
    customers = [h.kf_customer(f"客户{i}") for i in range(3)]
    for customer in customers:
        h.event(customer, "treatment_completed")                      # enters both playbooks
    h.advance(hours=1)
    stats = h.dispatch()
    assert (stats.sent, stats.failed) == (3, 3)
    for customer in customers:
        assert h.delivered(customer) == [f"客户{customers.index(customer)}您好，这是第一条关怀消息"]
        bad = next(d for d in h.deliveries(customer) if d.playbook_id == "bad")
        assert bad.status == "failed" and bad.last_error
    errors = {d.last_error for d in h.deliveries() if d.playbook_id == "bad"}
    expected = {"nested_range": "budget", "huge_constant": "size limit", "customer": "Python object",
                "long_text": "kf takes at most 2048"}[name]
    assert all(expected in error for error in errors), errors


def test_a_runaway_render_holds_no_lock(journey, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """While the dispatcher spends its budget on a runaway template, webhooks are answered and
    stored at once: rendering happens outside the dispatcher's transactions."""
    monkeypatch.setattr(sandbox, "RENDER_SECONDS", 6.0)
    h = journey({"care.toml": simple_playbook("care")})
    # A source of its own: one that ran out of time before fails at once, without rendering.
    _force_version(h, "bad", hostile_playbook(HOSTILE["nested_range"] + f"{{# {uuid.uuid4().hex} #}}"))
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    worker = threading.Thread(target=h.dispatch)
    worker.start()
    time.sleep(1)                                                      # the dispatcher is rendering now
    started = time.monotonic()
    h.event(customer, "order_paid")                                    # a write through the API
    answered = time.monotonic() - started
    assert worker.is_alive()                                           # still rendering
    worker.join()
    assert answered < 4, answered                                      # not kept waiting for the render
    bad = next(d for d in h.deliveries(customer) if d.playbook_id == "bad")
    assert bad.status == "failed" and "budget" in bad.last_error


PAUSED_RENDER = """
import sys
from bot.playbooks.sandbox import budget
from bot.playbooks.templates import RenderRefused, compile_template, render, sample_context

template = compile_template("{% for i in range(5000) %}{{ customer.name if i == 0 }}{% endfor %}")
with budget():  # the render's budget starts here (nested budgets keep the outer deadline)
    print("rendering", flush=True)
    sys.stdin.readline()  # the parent has stopped us and let us go again
    try:
        print(render(template, **sample_context()))
    except RenderRefused as refused:
        print(refused)
"""


def test_a_template_is_not_refused_because_the_machine_was_busy(tmp_path: Path) -> None:
    """The budget is the render's own CPU time: a process the machine did not schedule for longer
    than the budget (here stopped with SIGSTOP) renders its good template when it runs again."""
    import signal
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", PAUSED_RENDER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True, cwd=Path(__file__).resolve().parents[2])
    try:
        assert child.stdout is not None and child.stdin is not None
        assert child.stdout.readline().strip() == "rendering"
        child.send_signal(signal.SIGSTOP)
        time.sleep(RENDER_SECONDS * 1.5)
        child.send_signal(signal.SIGCONT)
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "示例客户"
    finally:
        child.kill()
        child.wait()
