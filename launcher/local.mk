# mprun: the launcher (CLI, host lists, hwloc binding, embedded PMIx server,
# spawning, output forwarding, the event loop, the daemons of other hosts).
# See docs/ARCHITECTURE.md.
bin_PROGRAMS += mprun
mprun_SOURCES = \
	launcher/mprun.c \
	launcher/cli.c launcher/cli.h \
	launcher/hosts.c launcher/hosts.h \
	launcher/binding.c launcher/binding.h \
	launcher/pmix_server.c launcher/pmix_server.h launcher/pmix_server_private.h \
	launcher/pmix_requests.c launcher/names.c launcher/names.h \
	launcher/pmix_gate.c \
	launcher/spawn.c launcher/spawn.h \
	launcher/iofwd.c launcher/iofwd.h \
	launcher/loop.c launcher/loop.h \
	launcher/ranks.c launcher/ranks.h \
	launcher/wire.c launcher/wire.h \
	launcher/link.c launcher/link.h \
	launcher/fence.c launcher/fence.h \
	launcher/daemons.c launcher/daemons.h \
	launcher/daemon.c launcher/daemon.h \
	launcher/job.c launcher/job.h launcher/job_private.h \
	launcher/blame.c launcher/blame.h \
	launcher/job_remote.c launcher/job_stdin.c \
	launcher/message.c launcher/message.h \
	launcher/cleanup.c launcher/cleanup.h \
	launcher/tuning.c launcher/tuning.h
mprun_CFLAGS = $(AM_CFLAGS) $(PMIX_CFLAGS) $(HWLOC_CFLAGS)
mprun_LDADD = $(PMIX_LIBS) $(HWLOC_LIBS) -lpthread
