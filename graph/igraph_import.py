"""Import igraph without the plotting library its drawing module loads at import time.

``import igraph`` imports ``igraph.drawing``, which calls ``import matplotlib.pyplot``
as soon as matplotlib is installed (``igraph.drawing.matplotlib.utils.find_matplotlib``):
about 0.8 s of start-up, paid by every command that only wants a PageRank or a
layout. :func:`load_igraph` imports igraph with matplotlib hidden, so igraph's
drawing module loads without a plotting backend (wbsec never draws with igraph);
matplotlib itself stays importable afterwards for the charts that need it.
"""

from __future__ import annotations

import sys
import threading
from types import ModuleType

#: The modules igraph's drawing code would import eagerly; hidden while igraph loads.
_PLOTTING = ("matplotlib", "matplotlib.pyplot")
_LOCK = threading.Lock()


def load_igraph() -> ModuleType:
    """The ``igraph`` module, imported (once) without importing matplotlib.

    If matplotlib is already loaded, nothing is hidden: igraph finds it as usual.

    >>> ig = load_igraph()
    >>> ig.Graph(n=3, edges=[(0, 1), (1, 2)]).ecount()
    2
    """
    loaded = sys.modules.get("igraph")
    if loaded is not None:
        return loaded
    with _LOCK:
        # Once matplotlib itself is loaded, igraph imports matplotlib.pyplot unguarded: hide nothing then.
        hidden = [] if "matplotlib" in sys.modules else list(_PLOTTING)
        for name in hidden:
            sys.modules[name] = None  # type: ignore[assignment]  # makes `import name` raise ImportError
        try:
            import igraph
        finally:
            for name in hidden:
                if sys.modules.get(name, ...) is None:
                    del sys.modules[name]
    return igraph
