"""BLAS on one thread, for the app and `nnplay train` alike.

A training step's matrix products (32 x 64 times 64 x 128, say) take microseconds:
a second BLAS thread saves a few per cent at most on an idle machine (within its
drift: bench_train gave 1.92-1.98x on two threads, 1.87x on one), and costs a lot
on a busy one. OpenBLAS's threads wait for each other by spinning, so when other
work holds the cores (a shared teaching server, several students' runs at once),
each product waits for a thread that is not running. Measured on 2 cores with
other work at a load of about 4, an epoch of the tutorial's experiment took
25-42 ms on the default two threads and 8 ms on one.
In the app the second thread would also fight the UI thread for the other core
(64% of headless speed with two, 93% with one). And with one thread everywhere,
one seed gives the same weights, bit for bit, in the app and `nnplay train`.
"""

from __future__ import annotations


def one_blas_thread() -> None:
    """Limit BLAS to one thread, for this whole process, from now on."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
