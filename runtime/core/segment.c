/* segment.c - named shared-memory segments of this job (see segment.h). */
#include "core/segment.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mpr_internal.h"

void mpr__segment_name(char *out, size_t cap, const char *suffix)
{
    char clean[200];
    size_t j = 0;
    for (const char *p = mpr__g.nspace; *p && j < sizeof(clean) - 1; p++) {
        char c = *p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        clean[j++] = ok ? c : '_';
    }
    clean[j] = '\0';
    snprintf(out, cap, "/mpr-%s-%s", clean, suffix);
}

int mpr__segment_create_sparse(const char *name, size_t bytes, size_t allocated,
                                const char *what, void **mem, int *fd_out)
{
    int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd < 0) {
        mpr__log("cannot create shared memory %s for %s: %s", name, what, strerror(errno));
        return MPR_ERR_SHM;
    }
    int err = allocated < bytes && ftruncate(fd, (off_t)bytes) != 0 ? errno : 0;
    if (err == 0)
        err = posix_fallocate(fd, 0, (off_t)(allocated < bytes ? allocated : bytes));
    if (err != 0) {
        mpr__log("cannot allocate %zu bytes of shared memory in /dev/shm for %s: %s",
                 allocated < bytes ? allocated : bytes, what, strerror(err));
        close(fd);
        shm_unlink(name);
        return MPR_ERR_SHM;
    }
    void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
        mpr__log("cannot map shared memory for %s: %s", what, strerror(errno));
        close(fd);
        shm_unlink(name);
        return MPR_ERR_SHM;
    }
    if (fd_out)
        *fd_out = fd;
    else
        close(fd);
    *mem = m;
    return MPR_SUCCESS;
}

int mpr__segment_create(const char *name, size_t bytes, const char *what, void **mem)
{
    return mpr__segment_create_sparse(name, bytes, bytes, what, mem, NULL);
}

void mpr__segment_prefault(void *mem, size_t bytes)
{
#ifdef MADV_POPULATE_WRITE
    if (madvise(mem, bytes, MADV_POPULATE_WRITE) == 0)
        return;
#endif
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    const volatile unsigned char *p = mem;
    for (size_t off = 0; off < bytes; off += page)
        (void)p[off]; /* a shared writable mapping maps the page writable */
}

int mpr__segment_grow(int fd, size_t offset, size_t bytes)
{
    return posix_fallocate(fd, (off_t)offset, (off_t)bytes);
}

int mpr__segment_open_fd(const char *name, size_t bytes, const char *what, void **mem,
                         int *fd_out)
{
    int fd = shm_open(name, O_RDWR, 0);
    if (fd < 0) {
        mpr__log("cannot open shared memory %s of %s: %s", name, what, strerror(errno));
        return MPR_ERR_SHM;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || (size_t)st.st_size < bytes) {
        mpr__log("shared memory %s of %s is smaller than announced", name, what);
        close(fd);
        return MPR_ERR_SHM;
    }
    void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
        mpr__log("cannot map shared memory of %s: %s", what, strerror(errno));
        close(fd);
        return MPR_ERR_SHM;
    }
    if (fd_out)
        *fd_out = fd;
    else
        close(fd);
    *mem = m;
    return MPR_SUCCESS;
}

int mpr__segment_open(const char *name, size_t bytes, const char *what, void **mem)
{
    return mpr__segment_open_fd(name, bytes, what, mem, NULL);
}
