"""A processor process for the tests: drains stored callbacks in small batches until idle.

    python -m tests.inbound.processor_worker BATCH_SIZE SLOW_SECONDS   (config from SIYU_* env)

SLOW_SECONDS > 0 adds a handler that sleeps that long per text, so a test can kill it mid-batch.
"""

from __future__ import annotations

import sys
import time

from bot.config import load_config
from bot.inbound.routing import Router, Update, load_routers
from bot.assembly import build_runtime


def main(batch_size: int, slow: float) -> None:
    config = load_config()
    config.inbound.batch_size = batch_size
    routers = load_routers(config.bot.handlers)
    if slow > 0:
        router = Router("slow")
        router.observer("text")(lambda update: time.sleep(slow) if isinstance(update, Update) else None)
        routers.append(router)
    runtime = build_runtime(config, routers)
    print("ready", flush=True)
    idle_since = time.monotonic()
    while time.monotonic() - idle_since < 2.0:
        if runtime.processor.run_batch():
            idle_since = time.monotonic()
        else:
            time.sleep(0.05)
    runtime.close()


if __name__ == "__main__":
    main(int(sys.argv[1]), float(sys.argv[2]))
