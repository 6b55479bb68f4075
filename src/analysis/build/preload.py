"""The server a build's worker processes are forked from, and what it loads before the first fork.

Kept apart from the executors (and free of heavy imports) so that the ``cakupan`` command can
start the server before it imports anything itself (``analysis.build.launch``): the server's imports
(pandas, matplotlib, nbconvert, IPython and a warm report, about four seconds) then overlap the
command's own start instead of following it.
"""

from __future__ import annotations

from multiprocessing import forkserver, get_context

# Imported once by the fork server, so that each worker process starts with them loaded.
PRELOAD = ["analysis.build.executors", "analysis.build.worker_server", "analysis.build.inprocess", "papermill.parameterize", "ipykernel.inprocess.manager",
           "ipykernel.inprocess.ipkernel"]
MANIFEST_NAME = "build.json"  # the build's record in its output folder (see analysis.build.engine)


def warm_up() -> None:
    """Start the fork server now (once per process): its imports then run while the build does other work."""
    get_context("forkserver").set_forkserver_preload(PRELOAD)
    forkserver.ensure_running()
