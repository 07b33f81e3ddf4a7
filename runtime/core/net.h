/*
 * net.h - sockets for whoever listens for ranks: the TCP transport and the
 * object service. Where to listen (net.c) and the endpoint text published
 * through PMIx so others can connect (endpoint.c).
 */
#ifndef MPR_NET_H
#define MPR_NET_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define MPR__SECRET_BYTES 16   /* a connector proves it belongs to the job with it */
#define MPR__ENDPOINT_MAX 128  /* "v1 <ip> <port> <32 hex digits>" and a NUL */

/* Choose the address (MPR_TCP_ADDR, MPR_TCP_IF, host name, first
 * non-loopback IPv4 interface, 127.0.0.1), bind and listen on it
 * (non-blocking). Writes the listening fd and its address only on success. */
int mpr__net_listen(int *fd_out, struct sockaddr_storage *addr_out);

/* "v1 <ip> <port> <secret in hex>". Returns false if the address is
 * neither IPv4 nor IPv6 or out is too small. */
bool mpr__endpoint_format(const struct sockaddr *addr, const uint8_t secret[MPR__SECRET_BYTES],
                          char *out, size_t cap);
/* Parse what mpr__endpoint_format wrote; false for anything else. */
bool mpr__endpoint_parse(const char *text, struct sockaddr_storage *addr, socklen_t *addr_len,
                         uint8_t secret[MPR__SECRET_BYTES]);

#endif /* MPR_NET_H */
