/*
 * obj_shared.h - memory of a test's own that every rank of the job maps,
 * to check the shared objects from outside (a count of ranks inside a
 * semaphore, a counter under a lock). Rank 0 creates a file in $TMPDIR,
 * tells the others its name, and removes it once all have mapped it.
 */
#ifndef MPR_TEST_OBJ_SHARED_H
#define MPR_TEST_OBJ_SHARED_H

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"

static inline void *test_shared_memory(size_t bytes)
{
    char path[256] = "";
    if (me == 0) {
        const char *dir = getenv("TMPDIR");
        snprintf(path, sizeof path, "%s/mprtest-obj-XXXXXX", dir && *dir ? dir : "/tmp");
        int fd = mkstemp(path);
        if (fd < 0 || ftruncate(fd, (off_t)bytes) != 0) {
            failf(__LINE__, "cannot create %s", path);
            die();
        }
        close(fd);
    }
    MUST(mpr_bcast(path, sizeof path, 0, MPR_COMM_WORLD), MPR_SUCCESS);
    int fd = open(path, O_RDWR);
    void *mem = fd < 0 ? MAP_FAILED : mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (mem == MAP_FAILED) {
        failf(__LINE__, "cannot map %s", path);
        die();
    }
    close(fd);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    if (me == 0)
        unlink(path);
    return mem;
}

/* elapsed seconds since t0 */
static inline double since(double t0)
{
    return mpr_wtime() - t0;
}

#endif /* MPR_TEST_OBJ_SHARED_H */
