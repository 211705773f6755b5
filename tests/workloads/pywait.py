"""pywait.py — Python code that computes, sleeps and waits for the disk, a third of the time each.

Usage: python3 pywait.py SECONDS DIR   (DIR on a real disk: fsync must wait)
For --off-cpu: the sleep must land under nap, the disk wait under flush_io.
"""
import os
import sys
import time


def compute(seconds):
    end = time.perf_counter() + seconds
    x = 0
    while time.perf_counter() < end:
        for i in range(200):
            x += i * i
    return x


def nap(seconds):
    time.sleep(seconds)


def flush_io(fd, seconds):
    end = time.perf_counter() + seconds
    block = b"x" * 65536
    while time.perf_counter() < end:
        os.pwrite(fd, block, 0)
        os.fsync(fd)


def main():
    duration = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    path = os.path.join(sys.argv[2] if len(sys.argv) > 2 else ".", "pywait.%d.tmp" % os.getpid())
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    os.unlink(path)
    stop = time.perf_counter() + duration
    while time.perf_counter() < stop:
        compute(0.01)
        nap(0.01)
        flush_io(fd, 0.01)
    os.close(fd)


if __name__ == "__main__":
    main()
