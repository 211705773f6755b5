"""pysplit.py — a pure-Python workload with a known split of CPU time.

Each round spends 50 % of its time in leaf_a and 50 % in common, which
splits its share 35/15 between leaf_b and leaf_c.  The split is kept by the
clock, not by iteration counts, so it holds on any interpreter and machine.
Usage: python3 pysplit.py SECONDS
"""
import sys
import time

ROUND = 0.010  # seconds per round


def leaf_a(seconds):
    end = time.perf_counter() + seconds
    x = 0
    while time.perf_counter() < end:
        for i in range(200):
            x += i * i
    return x


def leaf_b(seconds):
    end = time.perf_counter() + seconds
    x = 0
    while time.perf_counter() < end:
        for i in range(200):
            x += i * i
    return x


def leaf_c(seconds):
    end = time.perf_counter() + seconds
    x = 0
    while time.perf_counter() < end:
        for i in range(200):
            x += i * i
    return x


def common(seconds):
    leaf_b(seconds * 0.70)
    leaf_c(seconds * 0.30)


def main():
    duration = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    stop = time.perf_counter() + duration
    while time.perf_counter() < stop:
        leaf_a(ROUND * 0.50)
        common(ROUND * 0.50)


if __name__ == "__main__":
    main()
