#!/bin/bash
# coll_fin_tcp.sh - the "tcp" part of coll_fin.sh (see there).
COLL_FIN_PART=tcp exec /bin/bash "$TOP_SRCDIR/tests/integration/coll_fin.sh" "$@"
