#!/bin/bash
# coll_fin_sizes.sh - the "sizes" part of coll_fin.sh (see there).
COLL_FIN_PART=sizes exec /bin/bash "$TOP_SRCDIR/tests/integration/coll_fin.sh" "$@"
