#!/bin/bash
# flow.sh - flow control for unexpected messages (runtime/core/flow.c): a
# flood of messages sent before their receives are posted finishes with
# every byte right and the receiver's peak memory bounded (VmHWM, read by
# the program), one-to-one, many-to-one at 4 and 8 ranks, with blocking
# sends, send-all-then-receive-all, over shared memory and TCP, with the
# bound changed through MPR_UNEXPECTED_BYTES (program: p2p_flood.c).

source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"

# Before flow control, 100,000 unexpected 1000-byte messages took the
# receiver to 113 MB. Over TCP each message past the bound costs a round
# trip (RTS, CTS, DATA) when its receive is posted: fewer there.
job 2 p2p_flood flood 100000 1000 64
job 2 -x MPR_TRANSPORT=tcp -- p2p_flood flood 20000 1000 64
for t in auto tcp; do
    job 2 -x MPR_TRANSPORT=$t -- p2p_flood blocking 20000 1000 64
done
job 4 p2p_flood flood 20000 1000 64
job 8 p2p_flood flood 10000 1000 64
job 8 -x MPR_TRANSPORT=tcp -- p2p_flood flood 5000 1000 64
job 4 p2p_flood sendall 5000 1000 64
job 4 -x MPR_TRANSPORT=tcp -- p2p_flood sendall 5000 1000 64
# large eager messages (streamed) and a small bound
job 2 -x MPR_SHM_CMA=1 -- p2p_flood flood 2000 60000 64
job 2 -x MPR_UNEXPECTED_BYTES=4096 -- p2p_flood flood 20000 1000 64
job 3 -x MPR_UNEXPECTED_BYTES=4096 -x MPR_TRANSPORT=tcp -- p2p_flood sendall 2000 100 64
# Without CMA (containers often forbid it) the bound holds too: past it the
# receiver asks for the message (CTS) once its receive is posted. Large
# messages, oversubscribed (they would go by CMA), and a small bound.
job 2 -x MPR_SHM_CMA=0 -- p2p_flood flood 100000 1000 64
job 4 -x MPR_SHM_CMA=0 -- p2p_flood sendall 5000 1000 64
job 4 -x MPR_SHM_CMA=0 -- p2p_flood flood 200 200000 64
job 3 -x MPR_SHM_CMA=0 -x MPR_UNEXPECTED_BYTES=4096 -- p2p_flood sendall 2000 100 64
no_leftovers
finish
