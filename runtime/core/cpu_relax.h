/* cpu_relax.h - the pause a busy-wait loop takes between two polls. */
#ifndef MPR_CPU_RELAX_H
#define MPR_CPU_RELAX_H

static inline void mpr__cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#endif /* MPR_CPU_RELAX_H */
