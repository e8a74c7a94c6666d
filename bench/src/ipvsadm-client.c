/* Client of the bench's fast stand-in ipvsadm (ipvsadm-server.ts): sends this call (pid, start
   time, argv0, args, stdin for -R) over $BENCH_IPVSADM_SOCK, writes the server's stdout and
   stderr, exits with its code. Built by the harness: cc -O2 -o bench/.out/ipvsadm-client. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static char *buf;
static size_t len, cap;

static void put(const void *p, size_t n) {
  if (len + n > cap) {
    while (len + n > cap) cap = cap ? cap * 2 : 65536;
    if (!(buf = realloc(buf, cap))) { perror("ipvsadm-client"); exit(2); }
  }
  memcpy(buf + len, p, n);
  len += n;
}
static void put32(uint32_t v) { put(&v, 4); } /* little-endian hosts only, like the server */
static void putstr(const char *s, size_t n) { put32((uint32_t)n); put(s, n); }

static int writeall(int fd, const char *p, size_t n, int flags) {
  while (n > 0) {
    ssize_t w = flags ? send(fd, p, n, flags) : write(fd, p, n);
    if (w < 0) { if (errno == EINTR) continue; return -1; }
    p += w; n -= (size_t)w;
  }
  return 0;
}

static void fail(const char *what, const char *sock) {
  fprintf(stderr, "ipvsadm-client: %s %s: %s (is the bench's stand-in server running?)\n", what, sock, strerror(errno));
  exit(2);
}

int main(int argc, char **argv) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  double t0 = (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
  const char *sock = getenv("BENCH_IPVSADM_SOCK");
  const char *argv0 = getenv("BENCH_IPVSADM_ARGV0");
  if (!argv0 || !*argv0) argv0 = argv[0];
  /* stdin only for a restore (-R, --restore, or R in a cluster like -nR): a director may
     leave stdin attached to something that never closes */
  int restore = 0;
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "--restore") || (argv[i][0] == '-' && argv[i][1] != '-' && strchr(argv[i], 'R'))) restore = 1;

  put32(0); /* payload length, filled in below */
  put32((uint32_t)getpid());
  put(&t0, 8);
  put32((uint32_t)argc);
  putstr(argv0, strlen(argv0));
  for (int i = 1; i < argc; i++) putstr(argv[i], strlen(argv[i]));
  uint8_t has = (uint8_t)restore;
  put(&has, 1);
  if (restore) {
    size_t at = len;
    put32(0);
    size_t start = len;
    char tmp[65536];
    for (;;) {
      ssize_t r = read(0, tmp, sizeof tmp);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) { len = start; break; } /* unreadable stdin counts as empty, like the exec stand-in */
      if (r == 0) break;
      put(tmp, (size_t)r);
    }
    uint32_t n = (uint32_t)(len - start);
    memcpy(buf + at, &n, 4);
  }
  uint32_t payload = (uint32_t)(len - 4);
  memcpy(buf, &payload, 4);

  if (!sock) { fprintf(stderr, "ipvsadm-client: BENCH_IPVSADM_SOCK is not set\n"); return 2; }
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  if (strlen(sock) >= sizeof sa.sun_path) { errno = ENAMETOOLONG; fail("socket path", sock); }
  strcpy(sa.sun_path, sock);
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) fail("cannot create a socket for", sock);
  while (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
    if (errno != EINTR) fail("cannot connect to", sock);
  if (writeall(fd, buf, len, MSG_NOSIGNAL) < 0) fail("cannot send to", sock);

  len = 0; /* the reply: u32 code, u32 n, stdout, u32 n, stderr; the server closes after it */
  for (;;) {
    char tmp[65536];
    ssize_t r = read(fd, tmp, sizeof tmp);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) fail("cannot read from", sock);
    if (r == 0) break;
    put(tmp, (size_t)r);
  }
  uint32_t code, nout, nerr;
  errno = EPROTO;
  if (len < 12) fail("short reply from", sock);
  memcpy(&code, buf, 4);
  memcpy(&nout, buf + 4, 4);
  if ((size_t)nout + 12 > len) fail("short reply from", sock);
  memcpy(&nerr, buf + 8 + nout, 4);
  if ((size_t)nout + nerr + 12 != len) fail("bad reply from", sock);
  writeall(1, buf + 8, nout, 0);
  writeall(2, buf + 12 + nout, nerr, 0);
  return (int)(code & 0xff);
}
