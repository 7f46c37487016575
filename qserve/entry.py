"""Console entry point: patch for gevent before anything else is imported when serving."""

import sys


def main() -> None:
    """Run the qserve command line."""
    if len(sys.argv) > 1 and sys.argv[1] in ("run",):
        from gevent import monkey

        monkey.patch_all()
    from qserve.cli import main as cli_main

    cli_main()
