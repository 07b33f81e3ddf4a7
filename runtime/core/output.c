/* output.c - a rank's stdout is line-buffered when mprun forwards it.
 *
 * Under mprun a rank's stdout is a pipe, which libc buffers fully: a
 * rank's printf would reach the terminal only when 4 KiB had gathered or
 * at exit. mprun sets MPR_OUTPUT_FORWARDED=1 (unless the user set it) and
 * libmpr switches stdout to line buffering when the library is loaded,
 * before main runs, so lines printed even before mpr_init go out as they
 * end. mprun itself forwards each rank's stream by whole lines, so lines
 * of different ranks never mix. (ARCHITECTURE.md, "Output as it
 * happens", says why not a pty.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mpr_internal.h"

static bool output_configured;

void mpr__output_configure(void)
{
    const char *forwarded = getenv("MPR_OUTPUT_FORWARDED");

    if (output_configured)
        return;
    output_configured = true;
    if (forwarded == NULL || strcmp(forwarded, "1") != 0 || isatty(STDOUT_FILENO))
        return;
    /* Before any output, as C asks. (glibc would also take it later: with
     * no buffer given it changes only the mode.) */
    setvbuf(stdout, NULL, _IOLBF, 0);
}

/* At load, before main; mpr_init calls mpr__output_configure too, which
 * also makes a static link take this file. Once only: a program that
 * chose its own buffering in main keeps it. */
__attribute__((constructor)) static void configure_output_at_load(void)
{
    mpr__output_configure();
}
