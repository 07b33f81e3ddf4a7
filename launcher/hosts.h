/*
 * hosts.h - the hosts of a job: --host lists and hostfiles, which entry is
 * this machine, and which host each rank goes to.
 *
 * Everything here is pure (no output, no environment), except
 * mprun_hosts_read_file (reads a file) and mprun_local_identity_load (asks
 * the system for this machine's names and addresses), so every rule is
 * unit-testable (tests/unit/test_cli).
 */
#ifndef MPRUN_HOSTS_H
#define MPRUN_HOSTS_H

#include <stdbool.h>
#include <stddef.h>

#define MPRUN_MAX_HOSTS 1024
#define MPRUN_HOST_NAME_MAX 255
#define MPRUN_MAX_SLOTS 4096

struct mprun_host {
    char *name;  /* as the user wrote it: given to the launch agent */
    int slots;   /* 1..MPRUN_MAX_SLOTS; a host listed twice adds up */
    bool local;  /* this machine (set by mprun_hosts_mark_local) */
};

struct mprun_host_list {
    struct mprun_host *hosts;
    int nhosts;
};

/* mprun_hosts_parse_list - add the hosts of a --host value,
 * "h1[:slots],h2[:slots]...", to list (slots default to 1). Returns 0, or
 * -1 with a one-line reason in err. */
int mprun_hosts_parse_list(const char *text, struct mprun_host_list *list, char *err,
                           size_t errlen);

/* mprun_hosts_parse_text - add the hosts of a hostfile whose content is
 * text: one host per line, optionally followed by "slots=N"; '#' starts a
 * comment; blank lines are ignored. Errors name "filename:line". */
int mprun_hosts_parse_text(const char *text, const char *filename,
                           struct mprun_host_list *list, char *err, size_t errlen);

/* mprun_hosts_read_file - read a hostfile and parse it as above. */
int mprun_hosts_read_file(const char *path, struct mprun_host_list *list, char *err,
                          size_t errlen);

void mprun_hosts_free(struct mprun_host_list *list);

int mprun_hosts_total_slots(const struct mprun_host_list *list);

/* The names and addresses by which a host entry means this machine. */
struct mprun_local_identity {
    char short_name[MPRUN_HOST_NAME_MAX + 1]; /* gethostname up to the first dot */
    char full_name[MPRUN_HOST_NAME_MAX + 1];  /* gethostname as it is */
    char **addresses;                         /* numeric, of every interface */
    int naddresses;
};

/* mprun_local_identity_load - this machine's names and interface
 * addresses. Returns 0, or -1 if out of memory. */
int mprun_local_identity_load(struct mprun_local_identity *id);

void mprun_local_identity_free(struct mprun_local_identity *id);

/* mprun_host_is_local - name is the short or full host name, "localhost",
 * a 127.x.y.z or ::1 address, or one of the interface addresses. Names are
 * compared without regard to case; they are never looked up in DNS. */
bool mprun_host_is_local(const char *name, const struct mprun_local_identity *id);

/* mprun_short_host_name - gethostname cut at its domain ("localhost" if
 * there is none); an address is kept whole. This is the name PMIx uses. */
void mprun_short_host_name(char *host, size_t len);

/* mprun_hosts_mark_local - set `local` on the entries that are this
 * machine, and merge them all into the first of them (slots added up).
 * Returns the index of the local entry, or -1 if there is none. */
int mprun_hosts_mark_local(struct mprun_host_list *list,
                           const struct mprun_local_identity *id);

/* mprun_hosts_place - choose the host of each of nranks ranks.
 * By slot: each host's slots are filled in list order. By node: ranks go
 * round-robin over the hosts that have a free slot. With more ranks than
 * slots (oversubscription) each host first gets its slots, then the extra
 * ranks are dealt one per host in list order, and placed as above. */
void mprun_hosts_place(const struct mprun_host_list *list, int nranks, bool by_node,
                       int *host_of_rank);

#endif
