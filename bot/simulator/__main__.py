"""`python -m bot.simulator --port 8800 --bot-url http://127.0.0.1:5000`"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from .app import create_simulator
from .config import ENV_NAMES, SimulatorConfig, overrides_from_env


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot.simulator",
        description="Play WeCom and the Official Account for the bot. Keys come from the options, "
        f"then the environment ({', '.join(ENV_NAMES.values())}), then demo defaults.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8800)
    parser.add_argument("--bot-url", default=os.environ.get("SIYU_BOT_URL", "http://127.0.0.1:5000"),
                        help="the bot's base URL; callbacks go to <bot-url>/wechat/work and /wechat/mp")
    parser.add_argument("--bot-work-url", help="override the WeCom callback URL")
    parser.add_argument("--bot-mp-url", help="override the Official Account callback URL")
    for field_name in ENV_NAMES:
        parser.add_argument(f"--{field_name.replace('_', '-')}", dest=field_name)
    parser.add_argument("--token-ttl", type=int, default=7200)
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    overrides: dict[str, object] = dict(overrides_from_env())
    overrides.update({name: getattr(args, name) for name in ENV_NAMES if getattr(args, name)})
    if args.bot_work_url:
        overrides["bot_work_url"] = args.bot_work_url
    if args.bot_mp_url:
        overrides["bot_mp_url"] = args.bot_mp_url
    config = SimulatorConfig.for_bot(args.bot_url, token_ttl=args.token_ttl, **overrides)
    app = create_simulator(config)
    print(f"WeChat simulator on http://{args.host}:{args.port}/  (API base: /cgi-bin/, /mp/cgi-bin/)")
    print(f"pushing to {config.bot_work_url} and {config.bot_mp_url}")
    app.run(host=args.host, port=args.port, threaded=True, use_reloader=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
