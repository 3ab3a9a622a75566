"""The ``suanli`` command-line tool (``suanli run|info|draw|demo``); see :mod:`suanli.cli.main`.

This is the only part of suanli that prints. Results go to stdout (``--json``: one JSON object and nothing
else); progress bars and error messages go to stderr.
"""

__all__: list[str] = []
