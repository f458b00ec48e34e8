"""``python -m storyline``: the same command as the installed ``storyline``."""

from storyline.cli import main

if __name__ == "__main__":  # not when a worker process imports this module
    main()
