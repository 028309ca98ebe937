"""How many threads BLAS may use.

Batch-sized matrix products (32 x 64 times 64 x 128) finish in microseconds,
and handing half of one to a second BLAS thread costs more than it saves:
measured here, a training step took about 1.7 times as long on two threads as
on one. So nnplay runs BLAS on one thread.
"""

from __future__ import annotations


def one_blas_thread() -> None:
    """Limit BLAS to one thread from now on, for this process."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # only speed is lost
        return
    threadpool_limits(limits=1, user_api="blas")
