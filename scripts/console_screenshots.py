"""Screenshots of every console page and the simulator page from a running `siyu demo`, for docs/.

    .venv/bin/siyu demo &                      # seeded: sample history, 小美 in 术后回访
    .venv/bin/python scripts/console_screenshots.py --jump 1d [--bot http://127.0.0.1:5000] [--sim http://127.0.0.1:8800]

Writes docs/console/<page>.png with Debian's chromium (the browser tests' launch options). Look at
each before committing it.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
PAGES = [  # file name, path (a {customer} placeholder is 小美's id), what to wait for
    ("dashboard", "/console/dashboard", "#chart-stage canvas"),
    ("customers", "/console/customers", "#customer-list"),
    ("customer", "/console/customers/{customer}", "#timeline"),
    ("playbooks", "/console/playbooks", "h1"),
    ("editor", "/console/playbooks/post-treatment-followup", "#live-status:has-text('校验通过')"),
    ("whatif", "/console/playbooks/re-engagement/whatif", "h1"),
    ("report", "/console/playbooks/sample-care/report", "#chart-ab canvas"),
    ("channels", "/console/channels", "h1"),
    ("rules", "/console/rules", "h1"),
    ("labels", "/console/labels", "#label-list"),
    ("scripts", "/console/scripts", "h1"),
    ("import", "/console/import", "h1"),
    ("settings", "/console/settings", "h1"),
    ("users", "/console/users", "h1"),
    ("audit", "/console/audit", "h1"),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bot", default="http://127.0.0.1:5000")
    parser.add_argument("--sim", default="http://127.0.0.1:8800")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "console")
    parser.add_argument("--only", nargs="*", help="file names to take (default: all)")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--jump", choices=["1h", "1d", "7d"], help="press this 快进 in the console first")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"])
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                      viewport={"width": 1440, "height": 900})
        page = context.new_page()
        login(page, args.bot)
        if args.jump:
            label = {"1h": "1 小时", "1d": "1 天", "7d": "7 天"}[args.jump]
            page.click(f"#demo-clock >> button:has-text('快进 {label}')")
            page.wait_for_selector(f".flash:has-text('已快进 {label}')")
        customer = first_customer(page, args.bot, "小美")
        for name, path, ready in PAGES:
            if args.only and name not in args.only:
                continue
            response = page.goto(args.bot + path.format(customer=customer))
            if response is None or response.status != 200:
                print(f"skipped {name}: {path} answered {response.status if response else 'nothing'}")
                continue
            page.wait_for_selector(ready)
            page.wait_for_timeout(600)  # charts animate in
            page.screenshot(path=str(args.out / f"{name}.png"), full_page=True)
            print(f"{name}.png  {path}")
            if name == "dashboard":  # the README's first screen: what a browser window shows
                page.screenshot(path=str(args.out / "overview.png"))
                print("overview.png  (the first screen of it)")
        if not args.only or "simulator" in args.only:
            page.goto(args.sim + "/")
            page.wait_for_selector("#timeline li")
            page.screenshot(path=str(args.out / "simulator.png"))
            print("simulator.png  /")
        browser.close()
    return 0


def login(page: Page, bot: str) -> None:
    page.goto(bot + "/console/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "siyu-demo")
    page.click("button:has-text('登录')")
    page.wait_for_selector("h1")


def first_customer(page: Page, bot: str, name: str) -> str:
    page.goto(f"{bot}/console/customers?q={name}")
    link = page.locator("#customer-list a", has_text=name).first.get_attribute("href") or ""
    match = re.search(r"/customers/(\d+)", link)
    if match is None:
        sys.exit(f"no customer {name} in the demo")
    return match.group(1)


if __name__ == "__main__":
    sys.exit(main())
