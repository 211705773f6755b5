#!/usr/bin/env bash
# t_py_offcpu.sh — --off-cpu on Python code: time.sleep lands under the Python function that slept, fsync's wait under the one that wrote.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_py.sh"

[ "$(id -u)" -eq 0 ] || skip "--off-cpu needs kernel sampling (root here)"
py=""
for v in 3.11 3.12 3.13 3.10 3.9 3.8; do
	py=$(pyenv_python "$v")
	[ -n "$py" ] && break
done
[ -n "$py" ] || py=$(pythons | head -n 1)
[ -n "$py" ] || skip "no CPython 3.8+"
io_dir=$(mktemp -d /var/tmp/proftui-pywait.XXXXXX)
on_exit "rm -rf '$io_dir'"

nap=$(py_func nap pywait.py) flush=$(py_func flush_io pywait.py) comp=$(py_func compute pywait.py)
run_batch -d 3.5 --folded --off-cpu -- "$py" "$PYWORK/pywait.py" 3 "$io_dir"
expect_rc 0
# under FUNC [LEAF]: samples whose stack holds FUNC (and ends in LEAF).
under() {
	folded_lines | awk -v f="$1;" -v leaf="${2-}" '
		index($0, f) { if (leaf == "" || index($0, ";" leaf " ")) s += $NF }
		END { print s + 0 }'
}
all=$(folded_total)
n_nap=$(under "$nap") n_nap_sl=$(under "$nap" "[sleeping]")
n_fl=$(under "$flush") n_fl_io=$(under "$flush" "[IO wait]")
n_comp=$(under "$comp")
note "$py: nap $n_nap ($n_nap_sl asleep), flush_io $n_fl ($n_fl_io in IO wait), compute $n_comp, of $all"
ge "$n_nap" 1 || fail "no samples under nap: the sleep was not merged with its Python frames"
ge "$((n_nap_sl * 100 / n_nap))" 80 || fail "only $n_nap_sl of nap's $n_nap samples are [sleeping]"
ge "$((n_fl_io * 100 / n_fl))" 40 || fail "only $n_fl_io of flush_io's $n_fl samples are [IO wait]"
# Each phase is about a third of the thread's time.
for n in "$n_nap" "$n_fl" "$n_comp"; do
	within "$((n * 100 / all))" 33 15 || fail "a phase has $((n * 100 / all)) % of the time (nap $n_nap, flush_io $n_fl, compute $n_comp of $all)"
done
exit 0
