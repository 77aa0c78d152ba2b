"""Settings for the app's tests: no background precomputation of maps in the test process, and the
inference service stopped before the interpreter exits.

The app starts its inference service's warm-up on the first page run (as a server
does). Its lowest-priority job, filling the on-disk map store for every cache image,
would otherwise keep a core busy for the rest of the test session; the warm start
itself still runs. A worker thread still inside TensorFlow when Python finalises
aborts the process (exit 134, "terminate called ... exception not rethrown") after
every test passed, so the session ends by letting the warm-up finish and closing
the service.
"""

from __future__ import annotations

import os
import time

import pytest

os.environ.setdefault("ARTDEMO_PRECOMPUTE", "0")


@pytest.fixture(scope="session", autouse=True)
def inference_service_stops_cleanly():
    yield
    from artdemo.app import service

    svc = service.service()
    deadline = time.monotonic() + 180
    while svc.warm == "warming" and time.monotonic() < deadline:
        time.sleep(0.2)
    svc.close(timeout=60)
