"""``python -m suanli``: the same as the ``suanli`` command."""

import sys

from .cli.main import main

if __name__ == "__main__":
    sys.exit(main())
