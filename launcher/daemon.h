/*
 * daemon.h - mprun --daemon: the part of a job on another host.
 *
 * Started by the first mprun through the launch agent as
 *     mprun --daemon HOST-INDEX PORT ADDR[,ADDR...] HEARTBEAT-MS
 * with the job's secret (64 hex digits and a newline) on stdin. It connects
 * back to the first mprun, receives the job, hosts the PMIx server of this
 * host's ranks, starts them, and sends on their output, ends, aborts and
 * fence contributions; it answers stop and shutdown orders, and kills its
 * ranks and exits if its link to the first mprun breaks or falls silent.
 */
#ifndef MPRUN_DAEMON_H
#define MPRUN_DAEMON_H

/* mprun_daemon_main - argv[1] is "--daemon". Returns the process's exit
 * code: 0 after a shutdown order, 1 otherwise. */
int mprun_daemon_main(int argc, char **argv);

#endif
