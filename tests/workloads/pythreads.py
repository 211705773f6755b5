"""pythreads.py — named Python threads doing known work, for naming threads.

The main thread and a thread named worker-a spin in Python; a
ThreadPoolExecutor's two workers (ThreadPoolExecutor-0_0 and _1, Python's
own names) spin too, and a thread named idle-b sleeps.  Every busy thread
burns CPU for the whole run, so each shows up in the samples.
Usage: python3 pythreads.py SECONDS
"""
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor


def spin(until):
    x = 0
    while time.perf_counter() < until:
        for i in range(200):
            x += i * i
    return x


def idle(until):
    while time.perf_counter() < until:
        time.sleep(0.05)


def main():
    duration = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    until = time.perf_counter() + duration
    threads = [
        threading.Thread(target=spin, args=(until,), name="worker-a"),
        threading.Thread(target=idle, args=(until,), name="idle-b"),
    ]
    for t in threads:
        t.start()
    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs = [pool.submit(spin, until) for _ in range(2)]
        spin(until)
        for j in jobs:
            j.result()
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
