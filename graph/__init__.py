"""wbsec: a knowledge graph of security cooperation in the Western Balkans.

The package is a library first; :mod:`graph.cli` is a thin click front end.
Nothing heavy is imported here so that ``wbsec --help`` starts fast.
"""

__version__ = "0.1.0"
