/*
 * pipe.h - what mpr_finalize needs of the pipes (pipe.c).
 */
#ifndef MPR_PIPE_H
#define MPR_PIPE_H

/* Close every open end (its peer gets the end-of-stream mark) and forget
 * closed ones; before finalize's notice, so the marks precede it. */
void mpr__pipe_finalize(void);

#endif /* MPR_PIPE_H */
