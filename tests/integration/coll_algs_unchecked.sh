#!/bin/bash
# coll_algs_unchecked.sh - coll_algs.sh with the collective checking mode off
# (MPR_CHECK=0, the default for users), as coll_algs.sh runs with it on.
MPR_CHECK=0 exec /bin/bash "$TOP_SRCDIR/tests/integration/coll_algs.sh" "$@"
