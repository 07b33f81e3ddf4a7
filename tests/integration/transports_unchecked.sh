#!/bin/bash
# transports_unchecked.sh - the collectives of transports.sh with the
# collective checking mode off (MPR_CHECK=0, the default for users), as
# transports.sh runs them with it on.
MPR_CHECK=0 exec /bin/bash "$TOP_SRCDIR/tests/integration/transports.sh" "$@"
