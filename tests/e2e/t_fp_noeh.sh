#!/usr/bin/env bash
# t_fp_noeh.sh — split with frame pointers and no .eh_frame/.debug_frame: the frame-pointer fallback must find main;run_rounds;func_X.
. "$(dirname "$0")/lib.sh"

bin=$WORKLOADS/split-fp-noeh
# Guard the premise: were the CFI sections back, this would test nothing.
if command -v readelf >/dev/null 2>&1; then
	readelf -SW "$bin" | grep -qE '\.(eh_frame|debug_frame)' &&
		fail "$bin still has CFI sections; rebuild the workloads"
fi
check_split_launch "$bin"
