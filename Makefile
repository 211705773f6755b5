# proftui — a live terminal profiler.  See README.md.
#
#   make                 build build/proftui
#   make test            unit tests (criterion) + end-to-end tests
#   make SANITIZE=1 test the same under ASan + UBSan (objects in build-san/)
#   make tsan            the ring buffer stress test under ThreadSanitizer
#   make install PREFIX=/usr/local DESTDIR=
#   make deps            install the Debian packages (scripts/deps.sh)

SHELL   := /bin/bash
CC      ?= cc
PREFIX  ?= /usr/local
DESTDIR ?=
PKGS    := ncursesw libunwind libunwind-ptrace libelf libproc2 zlib

ifeq ($(SANITIZE),1)
B       ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
B       ?= build
SANFLAGS :=
endif

WARN     := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS   ?= -O2 -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) -Iinclude \
              $(shell pkg-config --cflags $(PKGS))
LDLIBS   := $(shell pkg-config --libs $(PKGS)) -lunwind-x86_64 -lstdc++ -lpthread -lm
TEST_LIBS := $(shell pkg-config --libs criterion)

SRCS     := $(wildcard src/*.c)
OBJS     := $(SRCS:src/%.c=$(B)/obj/%.o)
LIBOBJS  := $(filter-out $(B)/obj/main.o,$(OBJS))
TESTS    := $(patsubst tests/%.c,$(B)/tests/%,$(wildcard tests/test_*.c))

all: $(B)/proftui workloads

$(B)/proftui: $(OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/obj/%.o: src/%.c $(wildcard include/proftui/*.h) | $(B)/obj
	$(CC) $(ALL_CFLAGS) -MMD -c -o $@ $<

# (The tests' shared headers are prerequisites too, but not inputs.)
$(B)/tests/test_%: tests/test_%.c $(LIBOBJS) $(wildcard tests/*.h) | $(B)/tests
	$(CC) $(ALL_CFLAGS) -rdynamic -o $@ $(filter %.c %.o,$^) $(LDLIBS) $(TEST_LIBS) -ldl

$(B)/obj $(B)/tests $(B)/workloads:
	mkdir -p $@

-include $(OBJS:.o=.d)

include tests/workloads/workloads.mk

# One-off allocations inside libraries that proftui cannot free (see the file).
export LSAN_OPTIONS = suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0

unit: $(TESTS)
	@set -e; for t in $(TESTS); do echo "== $$t"; $$t --jobs 2; done

e2e: $(B)/proftui workloads $(B)/bench/unwindbench
	@PROFTUI=$(B)/proftui WORKLOADS=$(B)/workloads tests/e2e/run.sh

test: unit e2e

tsan:
	mkdir -p build-tsan
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -O1 -g -fsanitize=thread -Iinclude -o build-tsan/test_ring \
	    tests/test_ring.c src/ring.c $(TEST_LIBS) -lpthread
	build-tsan/test_ring --jobs 1

install: $(B)/proftui
	install -D -m 755 $(B)/proftui $(DESTDIR)$(PREFIX)/bin/proftui
	install -D -m 644 man/proftui.1 $(DESTDIR)$(PREFIX)/share/man/man1/proftui.1

deps:
	scripts/deps.sh

demo: $(B)/proftui workloads
	$(B)/proftui -- $(B)/workloads/split 30

# The whole suite, as CI runs it (README): dependencies, gcc and clang with
# -Werror, unit + end-to-end tests, the same under ASan+UBSan, the ring under
# TSan, a short run of every fuzzer and of every benchmark.
check:
	scripts/deps.sh
	$(MAKE) CFLAGS="-O2 -g -Werror" all
	$(MAKE) CFLAGS="-O2 -g -Werror" test
	$(MAKE) CC=clang B=build-clang CFLAGS="-O2 -g -Werror" all unit
	$(MAKE) SANITIZE=1 CFLAGS="-O1 -g -Werror" test
	$(MAKE) tsan
	$(MAKE) fuzz-smoke
	$(MAKE) CFLAGS="-O2 -g -Werror" bench-smoke

FUZZERS := $(patsubst tests/fuzz/fuzz_%.c,build-fuzz/fuzz_%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 10
FUZZ_SRCS_maps     := src/maps.c src/textscan.c
FUZZ_SRCS_perfmap  := src/perfmap.c src/textscan.c
FUZZ_SRCS_sanitize := src/sanitize.c
FUZZ_SRCS_cfi      := src/cfi.c src/bread.c
FUZZ_SRCS_kcache   := src/kallsyms.c src/textscan.c
FUZZ_SRCS_snapshot := src/snapshot.c src/profile.c src/prochist.c src/sanitize.c src/safefile.c \
                      src/samplelog.c src/tstrip.c src/canvas.c

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard src/*.c) $(wildcard include/proftui/*.h)
	mkdir -p build-fuzz
	clang -std=c11 -D_GNU_SOURCE -O1 -g -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=undefined -Iinclude -o $@ $< $(FUZZ_SRCS_$*)

fuzz-smoke: $(FUZZERS)
	@set -e; for f in $(FUZZERS); do n=$${f##*/fuzz_}; mkdir -p build-fuzz/corpus-$$n; \
	    echo "== $$f ($(FUZZ_SECONDS) s)"; \
	    $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 build-fuzz/corpus-$$n tests/fuzz/corpus/$$n 2>&1 | \
	        grep -E 'stat::number_of_executed_units|ERROR|crash' || true; \
	    test $${PIPESTATUS[0]} -eq 0; done

clean:
	rm -rf build build-san build-tsan build-clang build-fuzz

.PHONY: all unit e2e test tsan install deps demo clean workloads check fuzz-smoke

# --- Benchmarks (issue 7): proftui beside perf on one fixed-work workload.
# `make bench` (~10 min) rewrites BENCHMARKS.md; `make bench-smoke` runs every
# step at tiny sizes (< 60 s) and writes its report to a temporary directory.
# The workload is never sanitized: its code generation is what gets unwound.
$(B)/bench/work: bench/work.c tests/workloads/wl.h
	mkdir -p $(B)/bench
	$(CC) -O2 -g -Wall -Wextra -pthread -o $@ bench/work.c

bench: all $(B)/bench/work
	PROFTUI=$(B)/proftui WORK=$(B)/bench/work bench/run

# Every benchmark at tiny sizes, writing nothing (CI runs this: the scripts
# must keep working; the figures mean nothing at these sizes).
bench-smoke: $(B)/proftui $(B)/bench/work $(B)/bench/frametime $(B)/bench/unwindbench workloads
	PROFTUI=$(B)/proftui WORK=$(B)/bench/work bench/run --smoke >/dev/null
	PROFTUI=$(B)/proftui WORKLOADS=$(B)/workloads bench/features --smoke >/dev/null
	$(B)/bench/frametime --sizes 10000 --frames 5 >/dev/null
	WORK=$(B)/bench/work $(B)/bench/unwindbench -n 200 --seconds 0.5 >/dev/null

# Time to draw each view from a loaded snapshot of 10k, 100k and 1M unique
# stacks (~20 s; writes its section of BENCHMARKS.md).
$(B)/bench/frametime: bench/frametime.c bench/mdsection.c $(LIBOBJS)
	mkdir -p $(B)/bench
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

bench-frametime: $(B)/bench/frametime
	$(B)/bench/frametime --write BENCHMARKS.md

# Captured perf samples of bench/work replayed through the unwinder, cold
# then warm (~10 s; writes its section of BENCHMARKS.md).
$(B)/bench/unwindbench: bench/unwindbench.c bench/mdsection.c $(LIBOBJS)
	mkdir -p $(B)/bench
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

bench-unwind: $(B)/bench/unwindbench $(B)/bench/work
	WORK=$(B)/bench/work $(B)/bench/unwindbench --write BENCHMARKS.md

# What Python frames and --off-cpu cost, beside the same runs without them
# (~1 min; writes its section of BENCHMARKS.md).
bench-features: $(B)/proftui workloads
	PROFTUI=$(B)/proftui WORKLOADS=$(B)/workloads bench/features

.PHONY: bench bench-smoke bench-features bench-frametime bench-unwind
