#!/usr/bin/env bash
# t_nofp.sh — split built -fomit-frame-pointer (.eh_frame kept): DWARF CFI unwinding gives 60/30/10 and the full call paths.
. "$(dirname "$0")/lib.sh"

check_split_launch "$WORKLOADS/split-nofp"
