#!/usr/bin/env bash
# t_stripped.sh — split stripped of .symtab but linked -rdynamic: names must come from .dynsym, 60/30/10 ±3.
. "$(dirname "$0")/lib.sh"

bin=$WORKLOADS/split-stripped
if command -v readelf >/dev/null 2>&1; then
	readelf -SW "$bin" | grep -q '\.symtab' && fail "$bin has a .symtab; rebuild the workloads"
fi
check_split_launch "$bin"
