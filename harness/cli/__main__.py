"""``python -m harness.cli``: the ``provisim`` console script without the script."""

from harness.cli.root import main

if __name__ == "__main__":
    main()
