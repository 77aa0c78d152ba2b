"""numpy's BLAS on one thread while answers are served, so TensorFlow keeps both cores.

OpenBLAS's worker threads busy-wait for a while after every call that used them
(about 0.1 s by default) before they sleep. The heads and scope models are small
matrix products run between backbone passes, so on a 2-core machine their idle
workers spin through the next pass and take one of TensorFlow's two cores: one
picture's prediction took 36 ms instead of 23 (`python -m artdemo.bench --only warm`).
Training keeps every thread: its products are large and it runs no backbone beside them.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from functools import cache

from threadpoolctl import ThreadpoolController


@cache
def _controller() -> ThreadpoolController:
    return ThreadpoolController()  # first use comes after numpy (and its BLAS) has loaded


def one_blas_thread() -> AbstractContextManager:
    """A context in which numpy's matrix products run on the calling thread only (about 10 µs to enter)."""
    return _controller().limit(limits=1, user_api="blas")
