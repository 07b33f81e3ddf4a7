/*
 * tcp_stray_client - a connection from outside the job, to a rank's TCP
 * port, that must be refused.
 *
 *   tcp_stray_client ADDRESS PORT CASE [TARGET_RANK]
 *
 * CASE is what it sends after connecting:
 *   nothing       nothing; it shuts its side at once
 *   silent        nothing; it keeps the connection open (the rank must give
 *                 up on it by itself)
 *   garbage       an HTTP request
 *   wrong-secret  a well-formed hello for TARGET_RANK with a wrong secret
 *   truncated     the first 20 bytes of a hello, then it shuts its side
 *   huge-length   a hello header announcing 2^62 bytes
 *   bad-rank      a hello from rank 100000
 *   bad-type      a header of type 77
 * Then it waits (up to 15 s) for the rank to close the connection.
 * Exits 0 if it did, 1 if not, 2 on a usage or connection error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "transport/tcp/tcp_wire.h"

static int connect_to(const char *address, const char *port)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    struct sockaddr_in *in = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    socklen_t len;
    int p = atoi(port);
    if (inet_pton(AF_INET, address, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)p);
        len = sizeof(*in);
    } else if (inet_pton(AF_INET6, address, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)p);
        len = sizeof(*in6);
    } else {
        fprintf(stderr, "tcp_stray_client: bad address %s\n", address);
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) != 0) {
        fprintf(stderr, "tcp_stray_client: connect %s:%s: %s\n", address, port, strerror(errno));
        return -1;
    }
    return fd;
}

static int send_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0)
            return errno == EPIPE || errno == ECONNRESET ? 0 : -1; /* already refused */
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* A hello frame: header and payload. */
static void make_hello(unsigned char out[TCP_FRAME_BYTES + TCP_HELLO_BYTES], uint32_t src,
                       uint64_t length, uint32_t target)
{
    struct tcp_frame f = { .type = TCP_FRAME_HELLO, .src = src, .length = length };
    struct tcp_hello h = { .magic = TCP_HELLO_MAGIC, .version = TCP_WIRE_VERSION, .target = target };
    memset(h.secret, 0x5a, sizeof(h.secret));
    mpr__tcp_frame_encode(&f, out);
    mpr__tcp_hello_encode(&h, out + TCP_FRAME_BYTES);
}

/* Wait for the peer to close: EOF or a reset. */
static int closed_by_peer(int fd, int seconds)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        long left_ms = seconds * 1000L - ((t.tv_sec - t0.tv_sec) * 1000L +
                                          (t.tv_nsec - t0.tv_nsec) / 1000000L);
        if (left_ms <= 0)
            return 0;
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (poll(&pfd, 1, (int)left_ms) <= 0)
            continue;
        char buf[256];
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            return 1;
        if (n < 0 && errno != EINTR)
            return 1;
        /* bytes from the rank: a refusal sends none, keep waiting for the end */
    }
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: tcp_stray_client ADDRESS PORT CASE [TARGET_RANK]\n");
        return 2;
    }
    const char *what = argv[3];
    uint32_t target = argc > 4 ? (uint32_t)atoi(argv[4]) : 0;
    int fd = connect_to(argv[1], argv[2]);
    if (fd < 0)
        return 2;
    unsigned char msg[TCP_FRAME_BYTES + TCP_HELLO_BYTES];
    int rc = 0;
    if (strcmp(what, "nothing") == 0) {
        shutdown(fd, SHUT_WR);
    } else if (strcmp(what, "silent") == 0) {
        /* nothing at all */
    } else if (strcmp(what, "garbage") == 0) {
        const char *http = "GET / HTTP/1.1\r\nHost: mpr\r\nUser-Agent: tcp_stray_client\r\n\r\n";
        rc = send_all(fd, http, strlen(http));
    } else if (strcmp(what, "wrong-secret") == 0) {
        make_hello(msg, target == 0 ? 1 : 0, TCP_HELLO_BYTES, target);
        rc = send_all(fd, msg, sizeof(msg));
    } else if (strcmp(what, "truncated") == 0) {
        make_hello(msg, target == 0 ? 1 : 0, TCP_HELLO_BYTES, target);
        rc = send_all(fd, msg, 20);
        shutdown(fd, SHUT_WR);
    } else if (strcmp(what, "huge-length") == 0) {
        make_hello(msg, 0, 1ull << 62, target);
        rc = send_all(fd, msg, sizeof(msg));
    } else if (strcmp(what, "bad-rank") == 0) {
        make_hello(msg, 100000, TCP_HELLO_BYTES, target);
        rc = send_all(fd, msg, sizeof(msg));
    } else if (strcmp(what, "bad-type") == 0) {
        make_hello(msg, 0, TCP_HELLO_BYTES, target);
        msg[0] = 77;
        rc = send_all(fd, msg, sizeof(msg));
    } else {
        fprintf(stderr, "tcp_stray_client: unknown case %s\n", what);
        return 2;
    }
    if (rc != 0) {
        fprintf(stderr, "tcp_stray_client: send: %s\n", strerror(errno));
        return 2;
    }
    int closed = closed_by_peer(fd, 15);
    close(fd);
    if (!closed)
        fprintf(stderr, "tcp_stray_client: %s: the rank kept the connection open\n", what);
    return closed ? 0 : 1;
}
