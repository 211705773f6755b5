# workloads.mk — build the end-to-end test workloads into $(B)/workloads (included by the top Makefile).
#
# Needs $(B), $(CC) and the order-only dir target $(B)/workloads from the
# includer.  Workloads are never sanitized and never take ALL_CFLAGS: their
# code generation is part of what the e2e tests check (frame pointers,
# unwind tables, symbols), so each variant states its own flags.

WL_SRC      := tests/workloads
WL_OUT      := $(B)/workloads
WL_CFLAGS   := -O2 -g -Wall -Wextra -pthread
WL_LDLIBS   :=
WL_STRIP    ?= strip
WL_OBJCOPY  ?= objcopy
WL_HDR      := $(WL_SRC)/wl.h

WL_BINS := split split-nofp split-fp-noeh split-stripped split-stripped-static \
           threads churn late deep shlib libhot.so sleeper exit-code
WL_TARGETS := $(addprefix $(WL_OUT)/,$(WL_BINS))

workloads: $(WL_TARGETS)

# Plain programs: one source each, plain -O2 -g.
$(WL_OUT)/split $(WL_OUT)/threads $(WL_OUT)/churn $(WL_OUT)/late \
$(WL_OUT)/deep $(WL_OUT)/sleeper $(WL_OUT)/exit-code: \
$(WL_OUT)/%: $(WL_SRC)/%.c $(WL_HDR) | $(B)/workloads
	$(CC) $(WL_CFLAGS) -o $@ $< $(WL_LDLIBS)

# No frame pointers whatever the compiler's default; .eh_frame kept.
$(WL_OUT)/split-nofp: $(WL_SRC)/split.c $(WL_HDR) | $(B)/workloads
	$(CC) $(WL_CFLAGS) -fomit-frame-pointer -o $@ $< $(WL_LDLIBS)

# Frame pointers and no unwind tables at all: .eh_frame and .eh_frame_hdr
# (from crt files too) are cut out, and so is .debug_frame, which -g emits in
# their place; only the frame-pointer chain is left to unwind with.  The
# smoke run proves the cut binary still starts.
$(WL_OUT)/split-fp-noeh: $(WL_SRC)/split.c $(WL_HDR) | $(B)/workloads
	$(CC) $(WL_CFLAGS) -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	    -fno-unwind-tables -o $@.tmp $< $(WL_LDLIBS)
	$(WL_OBJCOPY) --remove-section=.eh_frame --remove-section=.eh_frame_hdr \
	    --remove-section=.debug_frame $@.tmp $@.cut
	rm -f $@.tmp
	$@.cut 0.01 || { rm -f $@.cut; exit 1; }
	mv -f $@.cut $@

# Fully stripped (no .symtab); -rdynamic puts main, run_rounds and func_* in
# .dynsym, so they still resolve by name.
$(WL_OUT)/split-stripped: $(WL_SRC)/split.c $(WL_HDR) | $(B)/workloads
	$(CC) $(WL_CFLAGS) -rdynamic -o $@.tmp $< $(WL_LDLIBS)
	$(WL_STRIP) --strip-all -o $@ $@.tmp
	rm -f $@.tmp

# Fully stripped with run_rounds and func_* static: no symbol anywhere names
# them, so a profiler must show split-stripped-static+0xOFFSET, never a name.
$(WL_OUT)/split-stripped-static: $(WL_SRC)/split.c $(WL_HDR) | $(B)/workloads
	$(CC) $(WL_CFLAGS) -DSPLIT_STATIC -o $@.tmp $< $(WL_LDLIBS)
	$(WL_STRIP) --strip-all -o $@ $@.tmp
	rm -f $@.tmp

$(WL_OUT)/libhot.so: $(WL_SRC)/libhot.c $(WL_SRC)/libhot.h $(WL_HDR) | $(B)/workloads
	$(CC) $(WL_CFLAGS) -fPIC -shared -o $@ $<

# '$$ORIGIN' reaches the linker as $ORIGIN: libhot.so is found next to shlib.
$(WL_OUT)/shlib: $(WL_SRC)/shlib.c $(WL_SRC)/libhot.h $(WL_HDR) $(WL_OUT)/libhot.so | $(B)/workloads
	$(CC) $(WL_CFLAGS) -o $@ $< -L$(WL_OUT) -lhot -Wl,-rpath,'$$ORIGIN' $(WL_LDLIBS)

.PHONY: workloads

# --- JIT code, the vDSO, kernel frames, fork (t_jit_*, t_vdso, t_kernel_frames,
# t_no_kernel, t_fork).  Plain -O2 -g programs like the ones above; kept in a
# list of their own so the rules above stay as they were.
WL_BINS2 := jit vdso syscalls forker evilname phases offcpu badfp manythreads stacks
WL_TARGETS2 := $(addprefix $(WL_OUT)/,$(WL_BINS2))

workloads: $(WL_TARGETS2)

$(WL_TARGETS2): $(WL_OUT)/%: $(WL_SRC)/%.c $(WL_HDR) | $(B)/workloads
	$(CC) $(WL_CFLAGS) -o $@ $< $(WL_LDLIBS)

# --- CFI only in .debug_frame (t_debug_frame).  No frame pointers and no
# unwind tables: gcc writes the workload's CFI to .debug_frame alone.
#   debugframe        .eh_frame/.eh_frame_hdr (crt files bring a few FDEs)
#                     cut out: .debug_frame is the module's only CFI;
#   debugframe-crt    left as linked: .eh_frame_hdr covers crt code only, the
#                     workload's functions are in .debug_frame;
#   debugframe-split  .eh_frame*, .debug_* cut out of the binary; its
#                     .debug_frame lives in debugframe-split.debug (zlib
#                     compressed), found by build-id under
#                     /usr/lib/debug/.build-id/ where the test puts it.
WL_DBF_CFLAGS := $(WL_CFLAGS) -fomit-frame-pointer -fno-asynchronous-unwind-tables -fno-unwind-tables
WL_BINS3 := debugframe debugframe-crt debugframe-split debugframe-split.debug
WL_TARGETS3 := $(addprefix $(WL_OUT)/,$(WL_BINS3))

workloads: $(WL_TARGETS3)

$(WL_OUT)/debugframe-crt: $(WL_SRC)/debugframe.c $(WL_HDR) | $(B)/workloads
	$(CC) $(WL_DBF_CFLAGS) -o $@ $< $(WL_LDLIBS)

$(WL_OUT)/debugframe: $(WL_SRC)/debugframe.c $(WL_HDR) | $(B)/workloads
	$(CC) $(WL_DBF_CFLAGS) -o $@.tmp $< $(WL_LDLIBS)
	$(WL_OBJCOPY) --remove-section=.eh_frame --remove-section=.eh_frame_hdr $@.tmp $@.cut
	rm -f $@.tmp
	$@.cut 0.01 || { rm -f $@.cut; exit 1; }
	mv -f $@.cut $@

$(WL_OUT)/debugframe-split.debug: $(WL_OUT)/debugframe-split
	@test -f $@ || { echo "$@ is made with $<; remove $< and rebuild" >&2; exit 1; }

$(WL_OUT)/debugframe-split: $(WL_SRC)/debugframe.c $(WL_HDR) | $(B)/workloads
	$(CC) $(WL_DBF_CFLAGS) -Wl,--build-id -o $@.tmp $< $(WL_LDLIBS)
	$(WL_OBJCOPY) --only-keep-debug --compress-debug-sections=zlib $@.tmp $@.debug
	$(WL_OBJCOPY) --remove-section=.eh_frame --remove-section=.eh_frame_hdr \
	    --strip-debug $@.tmp $@.cut
	rm -f $@.tmp
	$@.cut 0.01 || { rm -f $@.cut; exit 1; }
	mv -f $@.cut $@

# --- C++ names (t_cxx): demangling.
$(WL_OUT)/cxx: $(WL_SRC)/cxx.cpp | $(B)/workloads
	$(CXX) -O2 -g -o $@ $<

workloads: $(WL_OUT)/cxx
