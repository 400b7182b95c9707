/* SPDX-License-Identifier: MIT */
/* dnsload.c -- a batching DNS load generator (sendmmsg/recvmmsg) for the bench scripts */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/dns_wire.h"

/* One thread, pinned to one core, keeps `inflight` queries outstanding over `sockets`
 * UDP sockets, sending and receiving in batches. Queries come from a file, one per line:
 * "NAME TYPE [SUBNET]" (SUBNET like 81.2.69.0/24 adds an EDNS Client Subnet option), and
 * are encoded once up front; the hot loop only patches the message id. A response is
 * counted when it arrives; when nothing arrives for 100 ms, the outstanding queries are
 * counted as lost and the window refills. At the end it prints its own CPU use: near
 * 100% means the generator, not the server, was the limit. */

#define LOAD_BATCH_MAX 256
#define LOAD_MSG_MAX 512
#define LOAD_SOCKETS_MAX 64

/* One query, encoded once. */
typedef struct {
	uint8_t wire[LOAD_MSG_MAX]; /* the whole message; bytes 0-1 (id) patched per send */
	uint16_t len;		    /* bytes used */
} load_query_t;

typedef struct {
	const char *server; /* IPv4 or IPv6 address (loopback in the bench) */
	int port;	    /* UDP port of the server */
	const char *file;   /* query list */
	double seconds;	    /* run length */
	unsigned inflight;  /* queries kept outstanding, total */
	unsigned batch;	    /* messages per sendmmsg/recvmmsg */
	int cpu;	    /* core to pin to, -1: none */
	unsigned sockets;   /* UDP sockets (distinct source ports) */
	bool edns;	    /* add an OPT record (1232) to every query */
	double rate;	    /* > 0: open loop, send this many queries per second whatever
			     * comes back (a flood); 0: keep `inflight` outstanding */
	const char *source; /* IPv4 network base "127.0.1.0": socket i is bound to .i+1
			     * (a spoofed flood's many sources in one /24), or NULL */
	bool dnssec;	    /* and set its DO bit (RFC 3225) */
} load_opts_t;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Encodes "NAME TYPE [SUBNET]" into q. Returns 0 or -1. */
static int encode(const char *name, const char *type, const char *subnet, bool edns,
		  bool dnssec, load_query_t *q)
{
	uint8_t *p = q->wire;
	memset(p, 0, DNS_HEADER_SIZE);
	p[2] = 0x00;		/* RD clear: we ask an authoritative server */
	dns_put16(p + 4, 1); /* QDCOUNT */
	size_t off = DNS_HEADER_SIZE;
	int n = dns_name_encode(name, p + off, DNS_NAME_MAX);
	uint16_t code;
	if (n < 0 || dns_type_parse(type, &code) != 0)
		return -1;
	off += (size_t)n;
	dns_put16(p + off, code);
	dns_put16(p + off + 2, DNS_CLASS_IN);
	off += 4;
	if (edns || dnssec || subnet != NULL) {
		uint8_t opt[32] = {0};
		size_t olen = 0;
		if (subnet != NULL) {
			char addr[64];
			const char *slash = strchr(subnet, '/');
			size_t alen = slash ? (size_t)(slash - subnet) : strlen(subnet);
			if (alen >= sizeof(addr))
				return -1;
			memcpy(addr, subnet, alen);
			addr[alen] = '\0';
			uint8_t bytes[16];
			int family = strchr(addr, ':') ? 2 : 1;
			if (inet_pton(family == 1 ? AF_INET : AF_INET6, addr, bytes) != 1)
				return -1;
			int prefix = slash ? atoi(slash + 1) : (family == 1 ? 32 : 128);
			size_t nbytes = (size_t)(prefix + 7) / 8;
			opt[0] = 0;
			opt[1] = 8; /* ECS */
			opt[2] = 0;
			opt[3] = (uint8_t)(4 + nbytes);
			opt[4] = 0;
			opt[5] = (uint8_t)family;
			opt[6] = (uint8_t)prefix;
			opt[7] = 0;
			memcpy(opt + 8, bytes, nbytes);
			olen = 8 + nbytes;
		}
		dns_put16(p + 10, 1); /* ARCOUNT */
		p[off++] = 0;	      /* the root owns the OPT */
		dns_put16(p + off, DNS_TYPE_OPT);
		dns_put16(p + off + 2, 1232); /* UDP payload size */
		off += 4;
		p[off++] = 0; /* extended rcode */
		p[off++] = 0; /* version */
		p[off++] = dnssec ? 0x80 : 0; /* DO */
		p[off++] = 0;
		dns_put16(p + off, (uint16_t)olen);
		off += 2;
		memcpy(p + off, opt, olen);
		off += olen;
	}
	q->len = (uint16_t)off;
	return 0;
}

static load_query_t *load_queries(const char *file, bool edns, bool dnssec, size_t *count)
{
	FILE *f = fopen(file, "r");
	if (f == NULL) {
		fprintf(stderr, "dnsload: %s: %s\n", file, strerror(errno));
		return NULL;
	}
	size_t cap = 1024, n = 0;
	load_query_t *qs = malloc(cap * sizeof(*qs));
	char line[512];
	unsigned lineno = 0;
	while (qs != NULL && fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		char name[300], type[32], subnet[80];
		int fields = sscanf(line, "%299s %31s %79s", name, type, subnet);
		if (fields < 2 || name[0] == '#')
			continue;
		if (n == cap) {
			cap *= 2;
			load_query_t *grown = realloc(qs, cap * sizeof(*qs));
			if (grown == NULL) {
				free(qs);
				qs = NULL;
				break;
			}
			qs = grown;
		}
		const char *sn = fields == 3 ? subnet : NULL;
		if (sn != NULL && strncmp(sn, "subnet=", 7) == 0)
			sn += 7;
		if (encode(name, type, sn, edns, dnssec, &qs[n]) < 0) {
			fprintf(stderr, "dnsload: %s:%u: cannot encode '%s'\n", file, lineno, line);
			continue;
		}
		n++;
	}
	fclose(f);
	if (qs != NULL && n == 0) {
		fprintf(stderr, "dnsload: %s: no queries\n", file);
		free(qs);
		qs = NULL;
	}
	*count = n;
	return qs;
}

static void usage(void)
{
	fprintf(stderr, "usage: dnsload -s ADDR -p PORT -f QUERIES [-d SECONDS] [-n INFLIGHT] "
			"[-b BATCH] [-S SOCKETS] [-c CPU] [-e] [-D] [-r QPS] [-B NET]\n"
			"  QUERIES: lines 'NAME TYPE [SUBNET]'; -e adds EDNS to every query, -D EDNS "
			"with DO\n"
			"  -r QPS: open loop at QPS whatever comes back; -B 127.0.1.0: socket i\n"
			"  sends from 127.0.1.(i+1) (one source network, loopback only)\n");
}

int main(int argc, char **argv)
{
	load_opts_t o = {.server = "127.0.0.1",
			 .port = 53,
			 .seconds = 5,
			 .inflight = 512,
			 .batch = 32,
			 .cpu = -1,
			 .sockets = 4};
	int opt;
	while ((opt = getopt(argc, argv, "s:p:f:d:n:b:S:c:eDr:B:h")) != -1) {
		switch (opt) {
		case 's':
			o.server = optarg;
			break;
		case 'p':
			o.port = atoi(optarg);
			break;
		case 'f':
			o.file = optarg;
			break;
		case 'd':
			o.seconds = atof(optarg);
			break;
		case 'n':
			o.inflight = (unsigned)atoi(optarg);
			break;
		case 'b':
			o.batch = (unsigned)atoi(optarg);
			break;
		case 'S':
			o.sockets = (unsigned)atoi(optarg);
			break;
		case 'c':
			o.cpu = atoi(optarg);
			break;
		case 'e':
			o.edns = true;
			break;
		case 'r':
			o.rate = atof(optarg);
			break;
		case 'B':
			o.source = optarg;
			break;
		case 'D':
			o.dnssec = true;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (o.file == NULL || o.batch == 0 || o.batch > LOAD_BATCH_MAX || o.sockets == 0 ||
	    o.sockets > LOAD_SOCKETS_MAX || o.inflight < o.batch) {
		usage();
		return 2;
	}
	if (o.cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(o.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0) {
			fprintf(stderr, "dnsload: sched_setaffinity %d: %s\n", o.cpu,
				strerror(errno));
			return 1;
		}
	}
	size_t nq;
	load_query_t *qs = load_queries(o.file, o.edns, o.dnssec, &nq);
	if (qs == NULL)
		return 1;

	struct sockaddr_storage dst = {0};
	socklen_t dlen;
	struct sockaddr_in *d4 = (struct sockaddr_in *)&dst;
	struct sockaddr_in6 *d6 = (struct sockaddr_in6 *)&dst;
	if (inet_pton(AF_INET, o.server, &d4->sin_addr) == 1) {
		d4->sin_family = AF_INET;
		d4->sin_port = htons((uint16_t)o.port);
		dlen = sizeof(*d4);
	} else if (inet_pton(AF_INET6, o.server, &d6->sin6_addr) == 1) {
		d6->sin6_family = AF_INET6;
		d6->sin6_port = htons((uint16_t)o.port);
		dlen = sizeof(*d6);
	} else {
		fprintf(stderr, "dnsload: %s: not an IP address\n", o.server);
		free(qs);
		return 1;
	}
	int fds[LOAD_SOCKETS_MAX];
	struct pollfd pfd[LOAD_SOCKETS_MAX];
	for (unsigned i = 0; i < o.sockets; i++) {
		fds[i] = socket(dst.ss_family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		int size = 8 << 20;
		setsockopt(fds[i], SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
		setsockopt(fds[i], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
		if (fds[i] >= 0 && o.source != NULL) {
			struct sockaddr_in src = {.sin_family = AF_INET};
			if (dst.ss_family != AF_INET ||
			    inet_pton(AF_INET, o.source, &src.sin_addr) != 1) {
				fprintf(stderr, "dnsload: -B %s: an IPv4 network base\n", o.source);
				free(qs);
				return 1;
			}
			src.sin_addr.s_addr = htonl(ntohl(src.sin_addr.s_addr) + 1 + i);
			if (bind(fds[i], (struct sockaddr *)&src, sizeof(src)) < 0) {
				fprintf(stderr, "dnsload: bind: %s\n", strerror(errno));
				free(qs);
				return 1;
			}
		}
		if (fds[i] < 0 || connect(fds[i], (struct sockaddr *)&dst, dlen) < 0) {
			fprintf(stderr, "dnsload: socket: %s\n", strerror(errno));
			free(qs);
			return 1;
		}
		pfd[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
	}

	static uint8_t sendbuf[LOAD_BATCH_MAX][LOAD_MSG_MAX];
	static uint8_t recvbuf[LOAD_BATCH_MAX][LOAD_MSG_MAX * 8];
	struct mmsghdr smsg[LOAD_BATCH_MAX], rmsg[LOAD_BATCH_MAX];
	struct iovec siov[LOAD_BATCH_MAX], riov[LOAD_BATCH_MAX];
	for (unsigned i = 0; i < LOAD_BATCH_MAX; i++) {
		siov[i] = (struct iovec){.iov_base = sendbuf[i]};
		riov[i] = (struct iovec){.iov_base = recvbuf[i], .iov_len = sizeof(recvbuf[i])};
		smsg[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &siov[i], .msg_iovlen = 1}};
		rmsg[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &riov[i], .msg_iovlen = 1}};
	}

	uint64_t sent = 0, answered = 0, lost = 0, rcodes[16] = {0}, truncated = 0;
	uint64_t outstanding = 0, query_bytes = 0, response_bytes = 0;
	size_t next = 0;
	uint16_t id = 0;
	unsigned sock_rr = 0;
	struct rusage ru0, ru1;
	getrusage(RUSAGE_SELF, &ru0);
	double start = now_s(), end = start + o.seconds, last_rx = start;
	for (;;) {
		double t = now_s();
		if (t >= end)
			break;
		/* Refill the window in batches, spreading over the sockets; open loop: send
		 * what the rate says is due by now, whatever came back, at most four batches
		 * between two looks at the answers and the clock (a generator that falls
		 * behind must not stop reading or overrun its duration). */
		for (unsigned rounds = 0;
		     o.rate > 0 ? rounds < 4 && (double)sent + o.batch <= o.rate * (t - start)
				: outstanding + o.batch <= o.inflight;
		     rounds++) {
			for (unsigned i = 0; i < o.batch; i++) {
				const load_query_t *q = &qs[next];
				next = next + 1 == nq ? 0 : next + 1;
				memcpy(sendbuf[i], q->wire, q->len);
				sendbuf[i][0] = (uint8_t)(id >> 8);
				sendbuf[i][1] = (uint8_t)id;
				id++;
				siov[i].iov_len = q->len;
				query_bytes += q->len;
			}
			int fd = fds[sock_rr++ % o.sockets];
			int n = sendmmsg(fd, smsg, o.batch, 0);
			if (n <= 0)
				break;
			sent += (uint64_t)n;
			outstanding += (uint64_t)n;
		}
		int wait_ms = 10;
		if (o.rate > 0) /* behind schedule: only look; else wait at most 1 ms */
			wait_ms = (double)sent + o.batch <= o.rate * (now_s() - start) ? 0 : 1;
		int ready = poll(pfd, o.sockets, wait_ms);
		if (ready <= 0) {
			if (now_s() - last_rx > 0.1) {
				lost += outstanding; /* nothing for 100 ms: count them gone */
				outstanding = 0;
				last_rx = now_s();
			}
			continue;
		}
		for (unsigned s = 0; s < o.sockets; s++) {
			if (!(pfd[s].revents & POLLIN))
				continue;
			/* open loop: drain the socket before sending more (a full batch: more
			 * may wait); closed loop: one batch per socket per round */
			int n;
			do {
				n = recvmmsg(fds[s], rmsg, o.batch, MSG_DONTWAIT, NULL);
				if (n <= 0)
					break;
				last_rx = now_s();
				for (int i = 0; i < n; i++) {
					if (rmsg[i].msg_len < 12)
						continue;
					answered++;
					response_bytes += rmsg[i].msg_len;
					rcodes[recvbuf[i][3] & 15]++;
					if (recvbuf[i][2] & 0x02)
						truncated++;
				}
				outstanding =
				    outstanding > (uint64_t)n ? outstanding - (uint64_t)n : 0;
			} while (o.rate > 0 && n == (int)o.batch);
		}
	}
	double wall = now_s() - start;
	getrusage(RUSAGE_SELF, &ru1);
	double cpu = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) +
		     (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6 +
		     (double)(ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
		     (double)(ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
	printf("seconds %.2f sent %llu answered %llu lost %llu qps %.0f answered/sent %.4f "
	       "noerror %llu nxdomain %llu refused %llu other %llu truncated %llu "
	       "generator_cpu %.0f%% query_bytes %llu response_bytes %llu\n",
	       wall, (unsigned long long)sent, (unsigned long long)answered,
	       (unsigned long long)lost, (double)answered / wall,
	       sent ? (double)answered / (double)sent : 0.0, (unsigned long long)rcodes[0],
	       (unsigned long long)rcodes[3], (unsigned long long)rcodes[5],
	       (unsigned long long)(answered - rcodes[0] - rcodes[3] - rcodes[5]),
	       (unsigned long long)truncated, 100.0 * cpu / wall, (unsigned long long)query_bytes,
	       (unsigned long long)response_bytes);
	for (unsigned i = 0; i < o.sockets; i++)
		close(fds[i]);
	free(qs);
	return 0;
}
