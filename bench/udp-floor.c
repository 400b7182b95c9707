/* SPDX-License-Identifier: MIT */
/* udp-floor.c -- the kernel's share of a UDP answer: a reflector that does no DNS work */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Reads queries in batches of 32 with recvmmsg, sets the QR bit of each and sends it back
 * to its source with sendmmsg: the same system calls, batch size and socket options as a
 * meridian-dnsd UDP worker, and none of the parsing, lookup or rendering. Its CPU per
 * answer, measured like a server's, is what the kernel alone costs on this machine: no
 * server answering the same queries can go below it, which bounds the ratio any server
 * can reach against another. Usage: udp-floor PORT [nodf]; "nodf" leaves DF unset (as
 * gdnsd does), so the kernel also picks an IPv4 ID per answer. */

#define FLOOR_BATCH 32
#define FLOOR_MSG_MAX 4096

static volatile sig_atomic_t floor_stop;

static void on_term(int sig)
{
	(void)sig;
	floor_stop = 1;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: udp-floor PORT [nodf]\n");
		return 2;
	}
	int port = atoi(argv[1]);
	bool df = !(argc > 2 && strcmp(argv[2], "nodf") == 0);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int size = 4 * 1024 * 1024, pmtu = df ? IP_PMTUDISC_PROBE : IP_PMTUDISC_OMIT;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu)) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		fprintf(stderr, "udp-floor: 127.0.0.1:%d: %s\n", port, strerror(errno));
		return 1;
	}
	struct sigaction sa = {.sa_handler = on_term};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	static uint8_t buf[FLOOR_BATCH][FLOOR_MSG_MAX];
	static struct sockaddr_storage from[FLOOR_BATCH];
	struct iovec rx_iov[FLOOR_BATCH], tx_iov[FLOOR_BATCH];
	struct mmsghdr rx[FLOOR_BATCH], tx[FLOOR_BATCH];
	unsigned long long answered = 0;
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	while (!floor_stop) {
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		for (int i = 0; i < FLOOR_BATCH; i++) {
			rx_iov[i] = (struct iovec){.iov_base = buf[i], .iov_len = FLOOR_MSG_MAX};
			rx[i].msg_hdr = (struct msghdr){.msg_name = &from[i],
							.msg_namelen = sizeof(from[i]),
							.msg_iov = &rx_iov[i],
							.msg_iovlen = 1};
		}
		int n;
		while ((n = recvmmsg(fd, rx, FLOOR_BATCH, MSG_DONTWAIT, NULL)) > 0) {
			unsigned out = 0;
			for (int i = 0; i < n; i++) {
				if (rx[i].msg_len < 12 || (buf[i][2] & 0x80))
					continue;
				buf[i][2] |= 0x80; /* QR: an answer, rcode NOERROR as asked */
				tx_iov[out] = (struct iovec){.iov_base = buf[i],
							     .iov_len = rx[i].msg_len};
				tx[out].msg_hdr = (struct msghdr){.msg_name = &from[i],
								  .msg_namelen =
								      rx[i].msg_hdr.msg_namelen,
								  .msg_iov = &tx_iov[out],
								  .msg_iovlen = 1};
				out++;
			}
			for (unsigned done = 0; done < out;) {
				int s = sendmmsg(fd, tx + done, out - done, MSG_DONTWAIT);
				done += s > 0 ? (unsigned)s : 1;
			}
			answered += out;
			for (int i = 0; i < n; i++) {
				rx[i].msg_hdr.msg_namelen = sizeof(from[i]);
				rx[i].msg_hdr.msg_flags = 0;
			}
			if (n < FLOOR_BATCH)
				break;
		}
	}
	fprintf(stderr, "udp-floor: reflected %llu queries\n", answered);
	close(fd);
	return 0;
}
