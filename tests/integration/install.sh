#!/bin/bash
# make install DESTDIR=<temp>: the examples' sources land in
# $(docdir)/examples, the man pages mprun(1) and mprcc(1) in $(man1dir) and
# render without warnings (mprun.1 names every option of mprun --help);
# the installed mprcc, pointed at the staged tree (MPRCC_INCLUDEDIR,
# MPRCC_LIBDIR), builds an MPI program and two examples (one including the
# installed example_util.h) that run against the installed libraries, and
# so do the installed mpr-mpi.pc and mpr.pc
# through pkg-config; make uninstall takes every file away again.
source "$TOP_SRCDIR/tests/integration/lib.sh"
# A program the installed mprcc or cc builds without -fsanitize cannot load a sanitized libmpr
# (ASan's runtime must come first): nothing to check in such a build.
if [ -n "${MPR_TEST_SANITIZED:-}" ]; then
    echo "SKIP: programs built against the installed mpr cannot load the sanitized libmpr"
    exit 77
fi

dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

# The installation directories as this build tree has them configured.
dirvar() {
    MAKEFLAGS= make -s --no-print-directory -C "$TOP_BUILDDIR" -f Makefile -f - print-dir <<<"print-dir: ; @echo \$($1)" 2>/dev/null
}
for v in bindir libdir includedir docdir mandir; do
    printf -v "$v" '%s' "$(dirvar $v)"
    [ -n "${!v}" ] || { fail "cannot read $v from the Makefile"; finish; }
done

if make -C "$TOP_BUILDDIR" install DESTDIR="$dest" >"$dest/install.log" 2>&1; then
    pass "make install DESTDIR=..."
else
    fail "make install failed:"
    tail -20 "$dest/install.log" >&2
    finish
fi
rm -f "$dest/install.log"

missing=""
for f in "$TOP_SRCDIR"/examples/*.[ch]; do
    cmp -s "$f" "$dest$docdir/examples/$(basename "$f")" || missing+=" $(basename "$f")"
done
[ -z "$missing" ] && pass "every example's source in $docdir/examples" ||
    fail "examples missing from $docdir/examples:$missing"

for page in mprun mprcc; do
    f="$dest$mandir/man1/$page.1"
    if [ ! -f "$f" ]; then
        fail "$page.1 not installed in $mandir/man1"
        continue
    fi
    if ! command -v man >/dev/null; then
        pass "$page.1 installed (man not here to render it)"
        continue
    fi
    warnings=$(MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null)
    [ -z "$warnings" ] && MANWIDTH=80 man -l "$f" 2>/dev/null | grep -q "^NAME" &&
        pass "$page.1 installed, renders without warnings" || fail "$page.1: $warnings"
done
if [ -f "$dest$mandir/man1/mprun.1" ]; then
    page=$(MANWIDTH=200 man -l "$dest$mandir/man1/mprun.1" 2>/dev/null)
    missing=""
    for opt in $("$MPRUN" --help | grep -oE '^  (-[a-z]+, )*--?[a-z-]+' | grep -oE -- '--?[a-z-]+'); do
        grep -qE -- "(^|[ ,])$opt( |,|$)" <<<"$page" || missing+=" $opt"
    done
    [ -z "$missing" ] && pass "mprun.1 names every option of mprun --help" ||
        fail "mprun.1 lacks:$missing"
fi

# The installed mprcc: its own paths are the configured ones...
mprcc="$dest$bindir/mprcc"
showme=$("$mprcc" --showme -o prog prog.c)
[[ "$showme" == *"-I$includedir "* && "$showme" == *"-L$libdir "* && "$showme" == *"-lmpr-mpi -lmpr "* ]] &&
    pass "installed mprcc names $includedir and $libdir" || fail "installed mprcc --showme: $showme"
# ... and pointed at the staged tree, it builds against what was installed.
export MPRCC_INCLUDEDIR="$dest$includedir" MPRCC_LIBDIR="$dest$libdir"
cd "$dest" || exit 1
if "$mprcc" -Wall -Wextra -Werror -O2 -o ring_mpi "$TOP_SRCDIR/tests/integration/mpi_ring.c" &&
    "$mprcc" -Wall -Wextra -Werror -O2 -o hello "$dest$docdir/examples/hello.c" &&
    "$mprcc" -Wall -Wextra -Werror -O2 -o array_counters "$dest$docdir/examples/array_counters.c"; then
    pass "installed mprcc builds an MPI program and installed examples (one with example_util.h)"
    libs=$(ldd ./ring_mpi)
    grep -q "libmpr-mpi.so.* => $dest$libdir/" <<<"$libs" && grep -q "libmpr.so.* => $dest$libdir/" <<<"$libs" &&
        pass "the program loads the installed libraries" || fail "libraries resolved elsewhere: $libs"
    expect_exit 0 "the MPI ring from the installed mprcc" -- "$MPRUN" -n 3 --oversubscribe \
        --timeout "$JOB_TIMEOUT" ./ring_mpi 20
    expect_exit 0 "the installed hello example" -- "$MPRUN" -n 2 --timeout "$JOB_TIMEOUT" ./hello
    expect_exit 0 "the installed array_counters example" -- "$MPRUN" -n 2 --timeout "$JOB_TIMEOUT" \
        ./array_counters 100
else
    fail "the installed mprcc cannot build"
fi
unset MPRCC_INCLUDEDIR MPRCC_LIBDIR

# pkg-config with the installed .pc files (the sysroot maps the prefix to $dest).
if command -v pkg-config >/dev/null; then
    flags=$(PKG_CONFIG_PATH="$dest$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest" \
        pkg-config --cflags --libs mpr-mpi 2>&1)
    if [[ "$flags" == *"-I$dest$includedir"* ]] && cc -Wall -Werror -o ring_pc \
        "$TOP_SRCDIR/tests/integration/mpi_ring.c" $flags; then
        pass "pkg-config mpr-mpi: builds the MPI ring ($flags)"
        expect_exit 0 "the MPI ring built through mpr-mpi.pc" -- env LD_LIBRARY_PATH="$dest$libdir" \
            "$MPRUN" -n 2 --timeout "$JOB_TIMEOUT" ./ring_pc 20
    else
        fail "pkg-config mpr-mpi: $flags"
    fi
fi

cd / || exit 1
if make -C "$TOP_BUILDDIR" uninstall DESTDIR="$dest" >/dev/null 2>&1; then
    left=$(find "$dest$(dirname "$bindir")" -type f 2>/dev/null)
    [ -z "$left" ] && pass "make uninstall removes every installed file" ||
        fail "left after make uninstall: $left"
else
    fail "make uninstall failed"
fi
finish
