"""pyjson.py — Python calling a C extension: json.dumps (the _json encoder) and re.

encode_loop spends its time inside json's C encoder and match_loop inside
re's C matcher, so a merged stack must show those native frames under the
Python functions that called them.  Usage: python3 pyjson.py SECONDS
"""
import json
import re
import sys
import time

DOC = {"items": [{"id": i, "name": "item%d" % i, "tags": ["a", "b", "c"],
                  "price": i * 1.5} for i in range(2000)]}
TEXT = ("lorem ipsum dolor sit amet " * 2000) + "needle"
PATTERN = re.compile(r"(\w+\s+){3}needle")


def encode_loop(seconds):
    end = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < end:
        n += len(json.dumps(DOC))
    return n


def match_loop(seconds):
    end = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < end:
        n += 1 if PATTERN.search(TEXT) else 0
    return n


def main():
    duration = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    stop = time.perf_counter() + duration
    while time.perf_counter() < stop:
        encode_loop(0.02)
        match_loop(0.02)


if __name__ == "__main__":
    main()
