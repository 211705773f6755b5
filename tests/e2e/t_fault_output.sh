#!/usr/bin/env bash
# t_fault_output.sh — -o paths that are symlinks, hard links, FIFOs, devices, directories, unwritable, read-only or on a full disk: replaced safely or refused with exit 6 and the reason; never blocks, never writes through.
. "$(dirname "$0")/lib.sh"

# t_snapshot covers a missing directory, a FIFO and the file-size limit;
# this covers what a planted or unlucky path can be.  Every save is a
# --load conversion of one snapshot: quick and the same every time.

run_batch -d 1 -o "$TMPDIR/base.snap" -- "$WORKLOADS/split" 1
expect_rc 0
snap=$TMPDIR/base.snap

# save PATH [ARGS]: proftui --load base.snap -b -o PATH.
save() { run_cmd "$PROFTUI" --load "$snap" -b -n 3 -o "$@"; }

# refused WHAT WORDS: exit 6, the report still printed, the reason named.
refused() {
	expect_rc 6
	grep -q 'func_a' "$OUT" || fail "$1: the report was not printed before the failed save"
	grep -Eqi "$2" "$ERR" || fail "$1: the message does not say why ($2): $(cat "$ERR")"
}

no_temp_left() {
	local f
	for f in "$1"/.*.tmp "$1"/*.tmp; do
		[ -e "$f" ] && fail "a temporary file was left in $1: $f"
	done
	return 0
}

# 1. A symlink: the link is replaced by the new file; what it pointed to
#    (here a file standing for something precious) is not touched.
mkdir "$TMPDIR/d"
echo precious >"$TMPDIR/pointee"
ln -s "$TMPDIR/pointee" "$TMPDIR/d/link.snap"
save "$TMPDIR/d/link.snap"
expect_rc 0
[ "$(cat "$TMPDIR/pointee")" = precious ] || fail "the symlink's target was written through"
[ -f "$TMPDIR/d/link.snap" ] && [ ! -L "$TMPDIR/d/link.snap" ] || fail "the symlink was not replaced by a regular file"
run_cmd "$PROFTUI" --load "$TMPDIR/d/link.snap" -b
expect_rc 0
# A dangling symlink (to a path that does not exist) is replaced too,
# never followed to create its target.
ln -s "$TMPDIR/nowhere" "$TMPDIR/d/dangling.svg"
save "$TMPDIR/d/dangling.svg"
expect_rc 0
[ -e "$TMPDIR/nowhere" ] && fail "a dangling symlink was followed: $TMPDIR/nowhere created"
[ ! -L "$TMPDIR/d/dangling.svg" ] || fail "the dangling symlink was not replaced"

# 2. A hard link: the other name keeps the old contents.
echo precious >"$TMPDIR/other"
ln "$TMPDIR/other" "$TMPDIR/d/hard.folded"
save "$TMPDIR/d/hard.folded"
expect_rc 0
[ "$(cat "$TMPDIR/other")" = precious ] || fail "the hard link's other name was written through"
grep -q 'func_a' "$TMPDIR/d/hard.folded" || fail "the new file has no func_a"
no_temp_left "$TMPDIR/d"

# 3. Special files in the way: refused at once, left as they were.
mkfifo "$TMPDIR/d/fifo.snap"
t0=$(now_s)
save "$TMPDIR/d/fifo.snap"
refused "FIFO" 'FIFO'
le "$(minus "$t0" "$(now_s)")" 5 || fail "a FIFO as output blocked proftui"
[ -p "$TMPDIR/d/fifo.snap" ] || fail "the FIFO was replaced"
if mknod "$TMPDIR/d/full" c 1 7 2>/dev/null; then   # like /dev/full
	save "$TMPDIR/d/full"
	refused "character device" 'character device'
	[ -c "$TMPDIR/d/full" ] || fail "the device node was replaced"
else
	note "mknod not permitted: device case not run"
fi
mkdir "$TMPDIR/d/dir.snap"
save "$TMPDIR/d/dir.snap"
refused "directory" 'directory'
save "$TMPDIR/d/"
refused "a path ending in /" 'directory|no file name|is a dir'
no_temp_left "$TMPDIR/d"

# 4. An unwritable directory (as uid 65534: root writes anywhere).
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	nobody_copy "$PROFTUI" "$snap"
	mkdir -m 755 "$NOBODY_DIR/ro"   # owned by root
	run_cmd setpriv --reuid=65534 --regid=65534 --clear-groups -- \
		"$NOBODY_DIR/$(basename "$PROFTUI")" --load "$NOBODY_DIR/base.snap" -b -n 3 -o "$NOBODY_DIR/ro/x.snap"
	refused "unwritable directory" 'permission denied'
	[ -z "$(ls -A "$NOBODY_DIR/ro")" ] || fail "something was written in the unwritable directory"
else
	note "not root: unwritable-directory case not run"
fi

# 5. A read-only file system and a full disk: tmpfs mounts in a private
#    mount namespace (nothing outside sees them).
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null 2>&1 || ! unshare -m true 2>/dev/null; then
	note "no private mount namespace here: read-only and full-disk cases not run"
	exit 0
fi
mnt=$TMPDIR/mnt
mkdir "$mnt"
cp "$snap" "$TMPDIR/keep.snap"
# shellcheck disable=SC2016
run_cmd unshare -m --propagation private bash -c '
	mnt=$1 p=$2 snap=$3 keep=$4
	mount -t tmpfs -o size=64k none "$mnt" || exit 90
	cp "$keep" "$mnt/old.snap" || exit 91
	sum=$(md5sum <"$mnt/old.snap")
	# Fill the disk to the last block.
	dd if=/dev/zero of="$mnt/filler" bs=4k 2>/dev/null
	"$p" --load "$snap" -b -n 3 -o "$mnt/old.snap"; rc=$?
	echo "full: rc=$rc"
	[ "$(md5sum <"$mnt/old.snap")" = "$sum" ] && echo "full: old file intact"
	ls -A "$mnt" | grep -q "\.tmp$" && echo "full: temporary file left"
	rm -f "$mnt/filler"
	mount -o remount,ro "$mnt" || exit 92
	"$p" --load "$snap" -b -n 3 -o "$mnt/new.snap"; rc=$?
	echo "ro: rc=$rc"
	[ -e "$mnt/new.snap" ] && echo "ro: file created"
	exit 0' ns "$mnt" "$PROFTUI" "$snap" "$TMPDIR/keep.snap"
[ "$RC" -eq 0 ] || fail "the mount-namespace script failed (exit $RC)"
grep -q '^full: rc=6$' "$OUT" || fail "full disk: expected exit 6: $(grep '^full' "$OUT")"
grep -q '^full: old file intact$' "$OUT" || fail "full disk: the old file was damaged"
grep -q '^full: temporary file left$' "$OUT" && fail "full disk: a temporary file was left behind"
grep -qi 'no space left' "$ERR" || fail "full disk: the message does not say the disk is full: $(cat "$ERR")"
grep -q '^ro: rc=6$' "$OUT" || fail "read-only file system: expected exit 6: $(grep '^ro' "$OUT")"
grep -q '^ro: file created$' "$OUT" && fail "read-only file system: a file appeared"
grep -qi 'read-only file system' "$ERR" || fail "read-only: the message does not say so: $(cat "$ERR")"
