"""One process of the create-customer race: accept and process first messages from many new
customers at once, on several threads, starting at an agreed moment.

    python -m tests.inbound.race_worker ROLE CUSTOMERS THREADS START_AT   (config from SIYU_* env)
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.exc import OperationalError

from bot.config import load_config
from bot.inbound.routing import load_routers
from bot.assembly import build_runtime


def text_push(openid: str, msgid: str, content: str) -> str:
    return (f"<xml><ToUserName>gh_race</ToUserName><FromUserName>{openid}</FromUserName>"
            f"<CreateTime>1700000000</CreateTime><MsgType>text</MsgType><Content>{content}</Content>"
            f"<MsgId>{msgid}</MsgId></xml>")


def main(role: str, customers: int, threads: int, start_at: float) -> None:
    config = load_config()
    runtime = build_runtime(config, load_routers(config.bot.handlers))

    def first_message(n: int) -> bool:
        push = text_push(f"oRACE{n:04d}", f"{role}{n:04d}", "退订")
        for _ in range(10):  # not stored within the budget means not acked: WeChat pushes it again
            try:
                callback_id, _ = runtime.inbox.accept("mp", push)
                break
            except OperationalError:
                continue
        else:
            print(f"{role}: push {n} never stored in 10 tries", flush=True)
            return False
        return runtime.inbox.process_safely(callback_id).ok

    time.sleep(max(0.0, start_at - time.time()))
    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(first_message, range(customers)))
    print(f"{role}: {sum(results)} ok of {len(results)}", flush=True)
    runtime.close()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
