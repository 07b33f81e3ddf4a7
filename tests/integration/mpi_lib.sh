# Helpers of the MPI scripts (sourced after lib.sh): mprcc of the build
# tree, pointed at the tree's headers and libraries.

# mpi_stage_mprcc DIR: set MPRCC to the build tree's mprcc, with
# MPRCC_INCLUDEDIR and MPRCC_LIBDIR naming DIR/include (the source tree's
# headers) and DIR/lib (links to the built shared libraries), as an
# installation would lay them out. Returns 1 when the libraries are not
# built shared.
mpi_stage_mprcc() {
    local dir=$1 lib
    mkdir -p "$dir/lib"
    ln -sfn "$TOP_SRCDIR/include" "$dir/include"
    for lib in "$TOP_BUILDDIR"/runtime/.libs/libmpr.so* "$TOP_BUILDDIR"/mpi/.libs/libmpr-mpi.so*; do
        [ -e "$lib" ] || return 1
        ln -sf "$lib" "$dir/lib/"
    done
    export MPRCC="$TOP_BUILDDIR/mprcc" MPRCC_INCLUDEDIR="$dir/include" MPRCC_LIBDIR="$dir/lib"
}
