"""numpy's BLAS on one thread in a process that serves answers, so TensorFlow keeps both cores.

OpenBLAS's worker threads busy-wait for a while after every call that used them
(about 0.1 s by default) before they sleep. The heads and scope models are small
matrix products run between backbone passes, so on a 2-core machine their idle
workers spun through the next pass and took one of TensorFlow's two cores: one
picture's prediction took 34 ms instead of 22 (`python -m artdemo.bench --only contention`).

The limit is set once for the process, not around each product: every change of it
is a foreign call that lets go of the GIL, and among a crowd's page threads each one
waits to get it back. Training keeps every thread (its products are large and it
runs no backbone beside them); it never loads models through the predictor.
The limit reaches the BLAS libraries loaded at that moment (numpy's, OpenCV's); one
loaded later, such as scipy's own when a library imports scipy.linalg, keeps its threads,
and artdemo multiplies no matrices through it.
"""

from __future__ import annotations

from functools import cache

from threadpoolctl import ThreadpoolController, threadpool_info


@cache
def serve_on_one_thread() -> None:
    """From now on in this process, numpy's matrix products run on the calling thread (idempotent)."""
    ThreadpoolController().limit(limits=1, user_api="blas")  # kept: never restored


def blas_threads() -> list[int]:
    """Threads of each BLAS library loaded in the process (for tests and the benchmark)."""
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
