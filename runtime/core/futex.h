/*
 * futex.h - sleeping on, and waking, a 32-bit word in memory shared
 * between processes (never FUTEX_PRIVATE: the words live in shared
 * segments).
 */
#ifndef MPR_FUTEX_H
#define MPR_FUTEX_H

#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Sleep while *word == expected, at most timeout_ns. */
static inline void mpr__futex_wait(_Atomic uint32_t *word, uint32_t expected, long timeout_ns)
{
    struct timespec ts = { timeout_ns / 1000000000L, timeout_ns % 1000000000L };
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT, expected, &ts, NULL, 0);
}

/* Wake up to count sleepers on word. */
static inline void mpr__futex_wake(_Atomic uint32_t *word, int count)
{
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE, count, NULL, NULL, 0);
}

#endif /* MPR_FUTEX_H */
