"""``python -m storyline``: the same command as the installed ``storyline``."""

from storyline.cli import main

main()
