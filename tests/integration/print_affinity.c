/*
 * print_affinity - print the cpus this process may run on, as the kernel
 * sees them: "rank R cpus LIST" (LIST like "0-1,4"; R from PMIX_RANK, or -1).
 * Used by the launcher tests to check --report-bindings against reality.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    cpu_set_t set;
    const char *rank = getenv("PMIX_RANK");
    const char *sep = "";

    if (sched_getaffinity(0, sizeof(set), &set) != 0) {
        perror("sched_getaffinity");
        return 1;
    }
    printf("rank %s cpus ", rank != NULL ? rank : "-1");
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        int last = cpu;

        if (!CPU_ISSET(cpu, &set))
            continue;
        while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, &set))
            last++;
        if (last > cpu)
            printf("%s%d-%d", sep, cpu, last);
        else
            printf("%s%d", sep, cpu);
        sep = ",";
        cpu = last;
    }
    printf("\n");
    return 0;
}
