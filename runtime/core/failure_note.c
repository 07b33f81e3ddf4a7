/*
 * failure_note.c - telling the launcher that this rank saw a peer fail.
 *
 * When a rank ends badly, mprun must name the rank whose failure started
 * it all, not one that only reacted to it (a peer that got
 * MPR_ERR_PROC_FAILED and exited with an error). The order in which the
 * launcher hears of ends says nothing across hosts, but this rank knows:
 * the first time the runtime finds a peer failed, it writes that peer's
 * world rank to the file mprun named in MPR_PEER_FAILURE_FILE (one per
 * rank). The write is done before the failure is reported to anything, so
 * whatever this rank does after (exit with an error, abort, crash), the
 * note is on disk before its end. Without the variable (another launcher,
 * a singleton) nothing is written.
 */
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mpr_internal.h"

#define NOTE_PATH_MAX 4096

static char note_path[NOTE_PATH_MAX];
static atomic_bool noted;

void mpr__failure_note_configure(void)
{
    const char *path = getenv("MPR_PEER_FAILURE_FILE");
    note_path[0] = '\0';
    atomic_store(&noted, false);
    if (path && path[0] == '/' && strlen(path) < sizeof(note_path))
        strcpy(note_path, path);
}

void mpr__failure_note(int world_rank)
{
    if (note_path[0] == '\0' || world_rank == mpr__g.rank || atomic_load(&noted) ||
        atomic_exchange(&noted, true))
        return;
    int fd = open(note_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return; /* the launcher then judges by the order of ends alone */
    char line[16];
    int n = snprintf(line, sizeof(line), "%d\n", world_rank);
    if (write(fd, line, (size_t)n) != n) {
        /* a short note is refused by the launcher: as if none */
    }
    close(fd);
}
