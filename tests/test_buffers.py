"""The buffer pool: bounded process-wide, a thread's buffers released when it ends, clear() empties all."""
import gc
import threading

import numpy as np

from autograd.buffers import BufferPool

MB = 1 << 20


def _in_thread(fn):
    t = threading.Thread(target=fn)
    t.start()
    t.join()


def test_bounded_over_all_threads():
    pool = BufferPool()
    pool.max_bytes = 8 * MB
    gate, done = threading.Barrier(5), threading.Barrier(5)
    seen = []

    def work():
        for n in range(6):  # 6 shapes of 1 MB each, all kept alive by this thread's pool
            pool.empty(np, (MB // 4 + n,), np.float32)
        gate.wait()  # every thread holds its arrays at once
        seen.append(pool.total_bytes())
        done.wait()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    gate.wait()
    done.wait()
    for t in threads:
        t.join()
    assert max(seen) <= pool.max_bytes


def test_a_threads_buffers_go_with_the_thread():
    pool = BufferPool()
    held = []
    _in_thread(lambda: (pool.empty(np, (MB,), np.float32), held.append(pool.nbytes())))
    gc.collect()
    assert held == [4 * MB] and pool.total_bytes() == 0


def test_clear_empties_every_thread():
    pool = BufferPool()
    ready, go = threading.Event(), threading.Event()

    def work():
        pool.empty(np, (MB,), np.float32)
        ready.set()
        go.wait()
        assert pool.nbytes() == 0  # emptied from the main thread
        a = pool.empty(np, (MB,), np.float32)  # and usable again
        assert a.shape == (MB,)

    t = threading.Thread(target=work)
    t.start()
    ready.wait()
    assert pool.total_bytes() == 4 * MB
    pool.clear()
    assert pool.total_bytes() == 0
    go.set()
    t.join()


def test_an_array_larger_than_the_cap_is_not_kept():
    pool = BufferPool()
    pool.max_bytes = MB
    a = pool.empty(np, (MB,), np.float32)
    assert a.shape == (MB,) and pool.total_bytes() == 0
    pool.max_bytes = 0  # pooling off
    pool.empty(np, (MB // 8,), np.float32)
    assert pool.total_bytes() == 0


def test_a_buffer_in_use_is_never_handed_out_again():
    pool = BufferPool()
    a = pool.empty(np, (MB,), np.float32)
    b = pool.empty(np, (MB,), np.float32)
    assert a is not b
    addr = a.ctypes.data
    del a
    c = pool.empty(np, (MB,), np.float32)
    assert c.ctypes.data == addr and c is not b  # the released one is reused
