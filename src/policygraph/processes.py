"""Helper processes (query workers, the writer) must not outlive the server that started them."""

from __future__ import annotations

import os
import time


def exit_with_server(server: int) -> None:
    """A worker stuck in a long query must not outlive the server (the pipe only wakes an idle worker).

    The server is not this process's parent (the fork server is), so its pid is watched directly.
    """
    while True:
        time.sleep(1.0)
        try:
            os.kill(server, 0)
        except ProcessLookupError:
            os._exit(0)
        except PermissionError:
            continue  # the process exists (under another user): still alive
