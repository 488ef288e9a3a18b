"""`python -m bot.cli ...` is `siyu ...`."""

import sys

from bot.cli.main import main

sys.exit(main())
