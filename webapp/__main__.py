"""``python -m webapp`` is the ``courseflow`` command (works without the console script on PATH)."""
from .cli import main

main(prog_name="courseflow")
