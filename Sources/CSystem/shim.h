#ifndef APIPOD_CSYSTEM_SHIM_H
#define APIPOD_CSYSTEM_SHIM_H

// What `import Glibc` does not expose: epoll, eventfd, getrandom, accept4 and SQLite.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sqlite3.h>

// accept4 is declared only under _GNU_SOURCE, which the Glibc module is not built with.
extern int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);

#endif
