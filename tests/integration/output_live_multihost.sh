#!/bin/bash
# Output of ranks on other hosts (network namespaces; the daemons forward
# it) reaches the first mprun's stdout while the ranks run, in whole lines.
source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
source "$TOP_SRCDIR/tests/integration/launcher_lib.sh"
MH_HOSTS=3
source "$TOP_SRCDIR/tests/integration/multihost_lib.sh"
source "$TOP_SRCDIR/tests/integration/output_lib.sh"

live_job "mpr program, 4 ranks on 3 hosts" 4 "$TESTS_BIN/output_live" \
    "${AT0[@]}" "$MH_MPRUN" --timeout 120 --host mprh0:2,mprh1,mprh2
live_job "MPI program, 3 ranks on 3 hosts" 3 "$TESTS_BIN/output_live_mpi" \
    "${AT0[@]}" "$MH_MPRUN" --timeout 120 --host mprh0,mprh1,mprh2
no_processes_anywhere "after the jobs"
finish
