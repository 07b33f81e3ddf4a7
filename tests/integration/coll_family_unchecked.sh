#!/bin/bash
# coll_family_unchecked.sh - coll_family.sh with the collective checking mode off
# (MPR_CHECK=0, the default for users), as coll_family.sh runs with it on.
MPR_CHECK=0 exec /bin/bash "$TOP_SRCDIR/tests/integration/coll_family.sh" "$@"
