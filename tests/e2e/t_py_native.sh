#!/usr/bin/env bash
# t_py_native.sh — a C extension (json's encoder, re's matcher) shows under the Python function that called it; --python views.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_py.sh"

# A pyenv build: its _json and _sre modules keep their symbols (Debian's
# python3 is stripped).
py=""
for v in 3.11 3.12 3.13 3.10 3.9 3.8; do
	py=$(pyenv_python "$v")
	[ -n "$py" ] && break
done
[ -n "$py" ] || skip "no pyenv CPython with symbols"

# below FUNC ERE: samples whose stack has a frame matching ERE somewhere
# below (called from) FUNC.
below() {
	folded_lines | awk -v f="$1;" -v re="^($2)$" '{
		i = index($0, f); if (!i) next
		rest = substr($0, i + length(f)); sub(/ [0-9]+$/, "", rest)
		n = split(rest, fr, ";")
		for (k = 1; k <= n; k++) if (fr[k] ~ re) { s += $NF; next }
	} END { print s + 0 }'
}

enc=$(py_func encode_loop pyjson.py) mat=$(py_func match_loop pyjson.py)

run_batch --folded -d 2.5 -- "$py" "$PYWORK/pyjson.py" 2
expect_rc 0
# Of the samples under encode_loop, most are in json's C encoder below it.
in_enc=$(folded_lines | grep -F "$enc" | awk '{ s += $NF } END { print s + 0 }')
in_c=$(below "$enc" 'encoder_[a-z_]+')
note "encode_loop: $in_enc samples, $in_c in the C encoder below it"
ge "$in_enc" 200 || fail "too few samples under encode_loop ($in_enc)"
ge "$((in_c * 100 / in_enc))" 60 || fail "only $in_c of $in_enc encode_loop samples reach encoder_* frames"
# re's matcher (sre_search/sre_match or pattern_*) under match_loop.
in_mat=$(folded_lines | grep -F "$mat" | awk '{ s += $NF } END { print s + 0 }')
in_sre=$(below "$mat" '(sre_[a-z_]+|_sre_[A-Za-z_]+|pattern_[a-z_]+)')
note "match_loop: $in_mat samples, $in_sre in re's C matcher below it"
ge "$in_mat" 200 || fail "too few samples under match_loop ($in_mat)"
ge "$((in_sre * 100 / in_mat))" 60 || fail "only $in_sre of $in_mat match_loop samples reach the C matcher"
# No evaluation-loop frame is left where Python frames took its place.
merged_eval=$(folded_lines | grep -F "$enc" | grep -c "_PyEval_EvalFrameDefault" || true)
le "$merged_eval" 5 || fail "$merged_eval encode_loop stacks still show _PyEval_EvalFrameDefault"

# --python python: only Python frames; --python native: none.
run_batch --folded -d 1.5 --python python -- "$py" "$PYWORK/pyjson.py" 1.5
expect_rc 0
folded_lines | grep -F "$enc" | grep -q "encoder_" && fail "--python python still shows native frames under encode_loop"
folded_lines | grep -qF "$enc" || fail "--python python lost encode_loop"
run_batch --folded -d 1.5 --python native -- "$py" "$PYWORK/pyjson.py" 1.5
expect_rc 0
folded_lines | grep -qF "pyjson.py" && fail "--python native still shows Python frames"
grep -q "found: showing Python frames" "$ERR" && fail "--python native still read Python"
run_batch -d 0.2 --python bogus -p 1
expect_rc 2
exit 0
