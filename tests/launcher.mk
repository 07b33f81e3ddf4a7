# The launcher (mprun). Its tests (the cmocka test_cli, the helper programs
# print_affinity and pmix_client_*, the launcher_*.sh and multihost_*.sh
# scripts) are still registered in launcher/local.mk; they belong here.
# Included from tests/local.mk.

# A helper the launcher tests start under mprun: it needs no libmpr (the
# default LDADD).
tests_integration_print_affinity_LDADD =
