#!/usr/bin/env bash
# t_speedscope.sh — folded and pprof exports of split read back by speedscope 1.25 (headless chromium): its self/total weights equal proftui's table.
#
# speedscope (npm, a browser app) is the real consumer: speedscope_setup.sh
# installs it and playwright-core into a cache once (skip when node, npm or
# chromium is missing, or npm cannot fetch them); speedscope_read.mjs opens
# its dist/release/index.html in headless chromium, imports the file through
# the landing page's "Browse" file input (the #profileURL= hash parameter only
# works over http(s): from file:// speedscope refuses it), switches to the
# Sandwich view ("3") and reads its table (function, total, self), then
# presses Export and keeps the speedscope JSON it saves.
#
# For each of split.folded and split.pb.gz (speedscope 1.25 imports pprof
# protobuf, gzipped or not: its importer tries it first, "Importing as
# protobuf encoded pprof file"):
#   - speedscope names the importer we expect (collapsed stacks / pprof);
#   - func_a, func_b, func_c: the Sandwich view's self weight, and the
#     exported profile's, equal proftui's SAMPLES for them within 1 sample
#     (pprof weighs a sample as its period in ns, 1e9 / -F rounded: the
#     Sandwich view shows it to 2 decimals, so within that much more);
#   - main and run_rounds are callers: their total in both is >= the three's
#     self, and the exported stacks put 99 % of each func_X under
#     main;run_rounds;func_X;
#   - folded: speedscope's exported stacks are proftui's file, stack for stack
#     and count for count, and its Sandwich table has a row for each function
#     in the file; pprof: every exported weight is whole samples.
. "$(dirname "$0")/lib.sh"

here=$(cd "$(dirname "$0")" && pwd)

# --- speedscope, installed once ---------------------------------------------------

t0=$(now_s)
src=0
setup=$(bash "$here/speedscope_setup.sh" 2>"$TMPDIR/setup.err") || src=$?
while IFS= read -r l; do note "$l"; done <"$TMPDIR/setup.err"
case $src in
0) ;;
77) skip "$(printf '%s\n' "$setup" | tail -n 1)" ;;
*) fail "speedscope_setup.sh failed (exit $src): $setup" ;;
esac
modules=$(printf '%s\n' "$setup" | sed -n 1p)
chromium=$(printf '%s\n' "$setup" | sed -n 2p)
note "speedscope setup: $(minus "$t0" "$(now_s)") s; modules $modules, chromium $chromium"

# --- chromium's processes -------------------------------------------------------------

# Pids of the live processes whose command line holds $1 (every process
# speedscope_read.mjs's chromium starts names its OUT.chromium/ directory).
pids_naming() {
	local p c
	for p in /proc/[0-9]*; do
		c=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
		case $c in *"$1"*) printf '%s\n' "${p#/proc/}" ;; esac
	done
}

# reap_chromium DIR: wait up to 5 s for chromium's processes to go, then kill
# what is left (by pid); prints how many had to be killed.
reap_chromium() {
	local i left p
	for ((i = 0; i < 50; i++)); do
		left=$(pids_naming "$1")
		[ -z "$left" ] && break
		sleep 0.1
	done
	for p in $left; do kill -KILL "$p" 2>/dev/null; done
	printf '%s\n' "$left" | grep -c .
}

# --- reading back -------------------------------------------------------------------

# speedscope_load PROFILE OUT: speedscope_read.mjs PROFILE OUT (files OUT.*).
speedscope_load() {
	local t n
	on_exit "reap_chromium '$2.chromium/'"
	t=$(now_s)
	RUN_TIMEOUT=60 run_cmd node "$here/speedscope_read.mjs" "$modules" "$chromium" "$1" "$2"
	note "speedscope read $(basename "$1") in $(minus "$t" "$(now_s)") s"
	n=$(reap_chromium "$2.chromium/")
	[ "$n" -eq 0 ] || note "killed $n chromium processes left behind"
	expect_rc 0
}

# fn_weight FOLDED FUNCTION: "self total" of FUNCTION in the "a;b;c W" lines
# of FOLDED (total: stacks holding it anywhere, once each).
fn_weight() {
	awk -v f="$2" '{
		st = $0; sub(/ [0-9]+$/, "", st); w = $NF
		n = split(st, a, ";")
		if (a[n] == f) self += w
		for (i = 1; i <= n; i++) if (a[i] == f) { total += w; break }
	} END { printf "%.0f %.0f\n", self, total }' "$1"
}

# path_weight FOLDED PATH: weight of the stacks ending in PATH.
path_weight() {
	awk -v p=";$2" '{
		st = $0; sub(/ [0-9]+$/, "", st)
		st = ";" st
		if (substr(st, length(st) - length(p) + 1) == p) s += $NF
	} END { printf "%.0f\n", s }' "$1"
}

# sandwich FILE FUNCTION: "self self_err total total_err" of FUNCTION's rows
# in the Sandwich table (self summed over rows of that name, total the
# largest), values in the profile's unit (ns for times); err is half the
# last digit shown ("1.10s": 5e6 ns; "2,561": 0).
sandwich() {
	LC_ALL=C awk -F'\t' -v f="$2" '
	function val(c) {
		sub(/ \(.*$/, "", c)
		if (c ~ /^[0-9,]+$/) { gsub(/,/, "", c); E = 0; return c + 0 }
		if (c ~ /^[0-9.]+ns$/) m = 1
		else if (c ~ /^[0-9.]+ms$/) m = 1e6
		else if (c ~ /^[0-9.]+s$/) m = 1e9
		else if (c ~ /^[0-9.]+.+s$/ && index(c, "µs")) m = 1e3
		else { bad = bad " " c; E = 0; return 0 }
		sub(/[^0-9.]+$/, "", c)
		E = 0.005 * m
		return c * m
	}
	$3 == f {
		found = 1
		s += val($2); se += E
		t = val($1); if (t >= tot) { tot = t; te = E }
	}
	END {
		if (!found) { print "missing"; exit }
		if (bad != "") { print "unparsed" bad; exit }
		printf "%.0f %.0f %.0f %.0f\n", s, se, tot, te
	}' "$1"
}

# samples WEIGHT PERIOD: WEIGHT in samples (2 decimals).
samples() { awk -v w="$1" -v p="$2" 'BEGIN { printf "%.2f\n", w / p }'; }

# check_speedscope KIND FILE ROWS PERIOD: FILE (proftui's export) loaded in
# speedscope against proftui's table ROWS (table_rows of the same run); one
# sample weighs PERIOD in speedscope's unit.
check_speedscope() {
	local kind=$1 file=$2 rows=$3 period=$4 out=$TMPDIR/ss-$1
	local f want sw ss sse st ste xs xt xp sum_sw=0 sum_sw_err=0 sum_xs=0 imp unit c w

	speedscope_load "$file" "$out"
	imp=$(sed -n 's/^importer: //p' "$OUT")
	unit=$(cat "$out.unit")
	note "$kind: speedscope says \"$imp\"; exported unit $unit; $(wc -l <"$out.sandwich") Sandwich rows"
	case $kind in
	folded)
		[[ $imp == *"collapsed stack"* ]] || fail "speedscope did not import $file as collapsed stacks: $imp"
		[ "$unit" = none ] || fail "exported unit '$unit', expected none"
		;;
	pprof)
		[[ $imp == *pprof* ]] || fail "speedscope did not import $file as pprof: $imp"
		[ "$unit" = nanoseconds ] || fail "exported unit '$unit', expected nanoseconds"
		;;
	esac

	for f in func_a func_b func_c; do
		want=$(awk -F'\t' -v f="$f" '$4 == f { s += $3 } END { print s + 0 }' "$rows")
		sw=$(sandwich "$out.sandwich" "$f")
		case $sw in missing | unparsed*) fail "$f in speedscope's Sandwich table: $sw" ;; esac
		read -r ss sse st ste <<<"$sw"
		read -r xs xt <<<"$(fn_weight "$out.folded" "$f")"
		xp=$(path_weight "$out.folded" "main;run_rounds;$f")
		note "$f: proftui $want samples; speedscope Sandwich self $(awk -F'\t' -v f="$f" '$3 == f { print $2; exit }' "$out.sandwich")," \
			"total $(awk -F'\t' -v f="$f" '$3 == f { print $1; exit }' "$out.sandwich");" \
			"exported self $(samples "$xs" "$period") samples, $(samples "$xp" "$period") under main;run_rounds"
		within "$(samples "$ss" "$period")" "$want" "$(awk -v e="$sse" -v p="$period" 'BEGIN { printf "%.2f", 1 + e / p }')" ||
			fail "$kind: speedscope's Sandwich self for $f is $(samples "$ss" "$period") samples, proftui counted $want"
		within "$(samples "$xs" "$period")" "$want" 1 ||
			fail "$kind: speedscope's exported self for $f is $(samples "$xs" "$period") samples, proftui counted $want"
		ge "$xp" "$(awk -v x="$xs" 'BEGIN { print x * 0.99 }')" ||
			fail "$kind: only $xp of $f's $xs in speedscope's stacks is under main;run_rounds"
		sum_sw=$((sum_sw + ss)) sum_sw_err=$((sum_sw_err + sse)) sum_xs=$((sum_xs + xs))
	done

	for f in main run_rounds; do
		sw=$(sandwich "$out.sandwich" "$f")
		case $sw in missing | unparsed*) fail "$f in speedscope's Sandwich table: $sw" ;; esac
		read -r ss sse st ste <<<"$sw"
		read -r xs xt <<<"$(fn_weight "$out.folded" "$f")"
		note "$f: speedscope Sandwich total $(awk -F'\t' -v f="$f" '$3 == f { print $1; exit }' "$out.sandwich"), exported total" \
			"$(samples "$xt" "$period") samples (>= the three's self, $(samples "$sum_xs" "$period") samples)"
		ge "$((st + ste + sum_sw_err))" "$sum_sw" ||
			fail "$kind: speedscope's Sandwich total for $f is $st, under the three's self $sum_sw"
		ge "$xt" "$sum_xs" || fail "$kind: speedscope's exported total for $f is $xt, under the three's self $sum_xs"
	done

	case $kind in
	folded)
		# Speedscope's stacks are proftui's file: same stacks, same counts.
		c='{ st = $0; sub(/ [0-9]+$/, "", st); s[st] += $NF } END { for (k in s) printf "%s %.0f\n", k, s[k] }'
		diff -u <(awk "$c" "$file" | LC_ALL=C sort) <(awk "$c" "$out.folded" | LC_ALL=C sort) >"$TMPDIR/folded.diff" ||
			fail "speedscope's exported stacks differ from $file: $(head -n 20 "$TMPDIR/folded.diff")"
		note "folded: speedscope's exported stacks = $file ($(wc -l <"$file") stacks, $(awk '{ s += $NF } END { print s }' "$file") samples)"
		# One Sandwich row per function named in the file: the whole table was read.
		w=$(awk '{ st = $0; sub(/ [0-9]+$/, "", st); n = split(st, a, ";"); for (i = 1; i <= n; i++) f[a[i]] = 1 }
			END { for (k in f) c++; print c + 0 }' "$file")
		[ "$(wc -l <"$out.sandwich")" -eq "$w" ] ||
			fail "speedscope's Sandwich table read back with $(wc -l <"$out.sandwich") rows, $file names $w functions"
		;;
	pprof)
		w=$(awk -v p="$period" '$NF % p != 0 { n++ } END { print n + 0 }' "$out.folded")
		[ "$w" -eq 0 ] || fail "$w of speedscope's stacks weigh no whole number of ${period}-ns samples"
		note "pprof: speedscope holds $(awk -v p="$period" '{ s += $NF } END { printf "%.0f", s / p }' "$out.folded") samples of $period ns"
		;;
	esac
}

# --- folded ---------------------------------------------------------------------------

run_batch -o "$TMPDIR/split.folded" -- "$WORKLOADS/split" 2
expect_rc 0
check_split_table
table_rows >"$TMPDIR/folded.rows"
check_speedscope folded "$TMPDIR/split.folded" "$TMPDIR/folded.rows" 1

# --- pprof ------------------------------------------------------------------------------

run_batch -o "$TMPDIR/split.pb.gz" -- "$WORKLOADS/split" 2
expect_rc 0
check_split_table
table_rows >"$TMPDIR/pprof.rows"
# pprof's period: 1 s / the sampling rate, in ns (run_batch's -F, else 999 Hz).
period=$(awk -v hz="${E2E_FREQ:-999}" 'BEGIN { printf "%.0f\n", 1e9 / hz }')
check_speedscope pprof "$TMPDIR/split.pb.gz" "$TMPDIR/pprof.rows" "$period"
exit 0
