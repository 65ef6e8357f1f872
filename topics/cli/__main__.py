"""``python -m topics.cli``: the ``topics`` command."""

from topics.cli import main

if __name__ == "__main__":
    main()
