# Hardening against strangers (issue 15): every listener of a job (ranks'
# TCP ports, mprun's ports) flooded with held connections, garbage, slow
# bytes and churn during start-up and while the job runs
# (hostile_peers.sh, hostile_peers_multihost.sh, with hostile_job.c and the
# flooder hostile_flood.py); mprun naming the rank that failed first when the
# others react to it with failures of their own, on one host and across
# hosts (blame_multihost.sh, with blame_react.c).
# Every MPR_* value checked at mpr_init (env_values.sh, with env_probe.c).
# Included from tests/local.mk, which says how to register a test.

TEST_BINS += tests/integration/hostile_job tests/integration/env_probe tests/integration/blame_react
TEST_SH += tests/integration/env_values.sh tests/integration/hostile_peers.sh tests/integration/hostile_peers_multihost.sh \
	tests/integration/blame_multihost.sh
EXTRA_DIST += tests/integration/hostile_flood.py
