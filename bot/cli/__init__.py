"""The `siyu` command line: main.py (parser, core commands), commands.py (feature commands),
common.py (what they share)."""
