#!/bin/bash
# coll_fin_algs.sh - the "algs" part of coll_fin.sh (see there).
COLL_FIN_PART=algs exec /bin/bash "$TOP_SRCDIR/tests/integration/coll_fin.sh" "$@"
