/*
 * log.h - how the runtime speaks on stderr: one line per message, prefixed
 * "mpr: rank R: " (or "mpr: " before the rank is known). Messages are for
 * people; errors reach programs as MPR_ERR_* codes.
 */
#ifndef MPR_LOG_H
#define MPR_LOG_H

#include <stdbool.h>

#define MPR__PRINTF(f, a) __attribute__((format(printf, f, a)))

void mpr__log(const char *fmt, ...) MPR__PRINTF(1, 2);
/* Only rank 0 says it: for what every rank would say alike (settings). */
void mpr__log_rank0(const char *fmt, ...) MPR__PRINTF(1, 2);
/* Only the first time *said is false (then sets it): for what could repeat
 * without end (a refused connection, a stray record). */
void mpr__log_once(bool *said, const char *fmt, ...) MPR__PRINTF(2, 3);

#endif /* MPR_LOG_H */
