"""Run the wbsec command line as ``python -m graph``."""

from graph.cli import run

if __name__ == "__main__":
    run()
