/*
 * cleanup.h - remove what a job may leave behind: processes that outlived
 * their rank, the PMIx server's directory, the library's shared memory.
 */
#ifndef MPRUN_CLEANUP_H
#define MPRUN_CLEANUP_H

/* mprun_kill_children - SIGKILL every child of mprun (with mprun as child
 * subreaper, that includes orphans of the ranks) and reap them, until none
 * is left or timeout_ms have passed. signal_fd is a signalfd that reports
 * SIGCHLD, used to wait without spinning. */
void mprun_kill_children(int signal_fd, int timeout_ms);

/* mprun_remove_tree - remove a directory and everything below it. */
void mprun_remove_tree(const char *path);

/* mprun_remove_shm_files - remove /dev/shm/mpr-<nspace>-*, the library's
 * segments, which a rank that crashed could not remove itself. */
void mprun_remove_shm_files(const char *nspace);

#endif
