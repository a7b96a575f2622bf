/*
 * jswarm-monitor: keeps one container's stdio, exit code and OOM flag, independent of the jswarm daemon.
 *
 * The daemon runs
 *   jswarm-monitor -d STATE_DIR -r RUNTIME -R RUNTIME_ROOT -b BUNDLE -i ID [-s LOG_MAX_SIZE] [-n LOG_MAX_FILES]
 *                  [-m MEMORY_CGROUP_DIR] [-p PIDS_CGROUP_DIR] [-c CGROUP_DIR]... [-g GLOBAL_RUNTIME_ARG]... [-H]
 * and waits for it to exit. The monitor forks a child that leaves the daemon's session (setsid), becomes a
 * child subreaper and runs `RUNTIME [GLOBAL...] --root RUNTIME_ROOT run -d --pid-file ... --bundle BUNDLE ID`
 * with the container's stdout and stderr on pipes. Once the runtime has started the container, the first
 * process prints "OK <container pid>" and exits 0 (or prints the runtime's error and exits 1); the child stays:
 *
 *  - the container's output goes to STATE_DIR/json.log in Docker's json-file format, one record per line
 *    ({"log":"...\n","stream":"stdout","time":"RFC3339Nano"}), rotated by size to json.log.1 (newest) ..
 *    json.log.(LOG_MAX_FILES-1);
 *  - the container's init was started by `run -d`, so it is re-parented to the monitor (the subreaper), which
 *    reaps it and learns its exit status directly;
 *  - OOM kills are read from the memory cgroup (memory.oom_control "oom_kill" counter) after the init has ended
 *    and before the runtime's state and the cgroup are deleted, and so are the forks the pids limit refused
 *    (pids.events "max" counter of the pids cgroup);
 *  - then `RUNTIME delete -f ID`, the CGROUP_DIRs (cgroups jswarm made itself, for crun) are removed, and
 *    STATE_DIR/exit is written atomically: {"ExitCode":N,"Signal":S,"OOMKilled":bool,"PidsLimitHits":N,
 *    "FinishedAt":"..."}.
 *
 * With -C the runtime only creates the container (`RUNTIME create ...` instead of `run -d`): its init waits
 * until the daemon runs `RUNTIME start ID`, after it has written the task's secrets into the container's own
 * tmpfs. Everything else is the same (the init is re-parented to the monitor, which reaps it).
 *
 * STATE_DIR/monitor.pid holds the monitor's pid and STATE_DIR/pid the container's, for a daemon that restarts.
 * With -c, the runtime process joins those cgroups (writes itself to CGROUP_DIR/cgroup.procs) before exec, so
 * the container inherits them (crun with --cgroup-manager=disabled). -H runs the runtime without the cgroup2
 * mount (see hide_cgroup2_mount); `jswarm-monitor --exec-without-cgroup2 PROGRAM ARGS...` does the same for
 * one command.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_LIST 32
#define LINE_MAX_BYTES 16384

static const char *state_dir, *runtime, *runtime_root, *bundle, *cid, *memcg, *pidscg;
static const char *cgroups[MAX_LIST];
static int ncgroups;
static const char *globals[MAX_LIST];
static int nglobals;
static int hide_cgroup2;
static long long log_max_size = 10LL * 1024 * 1024;
static int log_max_files = 3;

static int log_fd = -1;
static long long log_size;

static void die(int sync_fd, const char *fmt, ...) {
  char msg[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (sync_fd >= 0) {
    dprintf(sync_fd, "ERR %s\n", msg);
  } else {
    fprintf(stderr, "jswarm-monitor: %s\n", msg);
  }
  _exit(1);
}

static void path_in(char *out, size_t n, const char *dir, const char *name) {
  snprintf(out, n, "%s/%s", dir, name);
}

/* Writes name in STATE_DIR atomically (temp file + rename). */
static int write_atomic(const char *name, const char *content) {
  char tmp[4096], dst[4096];
  snprintf(tmp, sizeof tmp, "%s/.%s.tmp", state_dir, name);
  path_in(dst, sizeof dst, state_dir, name);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return -1;
  }
  size_t len = strlen(content);
  if (write(fd, content, len) != (ssize_t)len) {
    close(fd);
    return -1;
  }
  fsync(fd);
  close(fd);
  return rename(tmp, dst);
}

/* ---- json-file log ---- */

static void open_log(void) {
  char p[4096];
  path_in(p, sizeof p, state_dir, "json.log");
  log_fd = open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  struct stat st;
  log_size = (log_fd >= 0 && fstat(log_fd, &st) == 0) ? st.st_size : 0;
}

static void rotate_log(void) {
  char from[4096], to[4096];
  if (log_fd >= 0) {
    close(log_fd);
  }
  if (log_max_files <= 1) {
    path_in(from, sizeof from, state_dir, "json.log");
    truncate(from, 0);
  } else {
    for (int i = log_max_files - 1; i >= 1; i--) {
      if (i == 1) {
        path_in(from, sizeof from, state_dir, "json.log");
      } else {
        snprintf(from, sizeof from, "%s/json.log.%d", state_dir, i - 1);
      }
      snprintf(to, sizeof to, "%s/json.log.%d", state_dir, i);
      rename(from, to); /* ENOENT for files not there yet is fine */
    }
  }
  open_log();
}

static void format_time(char *out, size_t n) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  size_t k = strftime(out, n, "%Y-%m-%dT%H:%M:%S", &tm);
  if (ts.tv_nsec != 0) {
    char frac[16];
    snprintf(frac, sizeof frac, ".%09ld", ts.tv_nsec);
    size_t len = strlen(frac);
    while (len > 1 && frac[len - 1] == '0') {
      frac[--len] = 0; /* RFC3339Nano trims trailing zeros */
    }
    snprintf(out + k, n - k, "%sZ", frac);
  } else {
    snprintf(out + k, n - k, "Z");
  }
}

/* Length of a valid UTF-8 sequence at s (at most n bytes), or 0 when invalid. */
static int utf8_len(const unsigned char *s, size_t n) {
  unsigned char c = s[0];
  int len;
  unsigned int cp;
  if (c < 0x80) {
    return 1;
  } else if ((c & 0xE0) == 0xC0) {
    len = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if ((size_t)len > n) {
    return 0;
  }
  for (int i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80) {
      return 0;
    }
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))
      || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return len;
}

/* One record: the line (with its "\n" when it had one) JSON-escaped, invalid UTF-8 as U+FFFD. */
static void write_record(const char *stream, const unsigned char *line, size_t n) {
  static char rec[LINE_MAX_BYTES * 6 + 256];
  size_t k = 0;
  k += (size_t)sprintf(rec + k, "{\"log\":\"");
  for (size_t i = 0; i < n;) {
    unsigned char c = line[i];
    if (c == '"' || c == '\\') {
      rec[k++] = '\\';
      rec[k++] = (char)c;
      i++;
    } else if (c == '\n') {
      rec[k++] = '\\';
      rec[k++] = 'n';
      i++;
    } else if (c == '\r') {
      rec[k++] = '\\';
      rec[k++] = 'r';
      i++;
    } else if (c == '\t') {
      rec[k++] = '\\';
      rec[k++] = 't';
      i++;
    } else if (c < 0x20 || c == 0x7F) {
      k += (size_t)sprintf(rec + k, "\\u%04x", c);
      i++;
    } else {
      int len = utf8_len(line + i, n - i);
      if (len == 0) {
        k += (size_t)sprintf(rec + k, "\\ufffd");
        i++;
      } else {
        memcpy(rec + k, line + i, (size_t)len);
        k += (size_t)len;
        i += (size_t)len;
      }
    }
  }
  char t[64];
  format_time(t, sizeof t);
  k += (size_t)sprintf(rec + k, "\",\"stream\":\"%s\",\"time\":\"%s\"}\n", stream, t);
  if (log_fd >= 0 && log_size > 0 && log_size + (long long)k > log_max_size) {
    rotate_log();
  }
  if (log_fd >= 0) {
    ssize_t w = write(log_fd, rec, k);
    if (w > 0) {
      log_size += w;
    }
  }
}

struct stream {
  const char *name;
  int fd;
  unsigned char buf[LINE_MAX_BYTES];
  size_t len;
};

/* Reads what is there; writes every complete line (and a full buffer as a partial line). Returns 0 at EOF. */
static int pump(struct stream *s) {
  ssize_t r = read(s->fd, s->buf + s->len, sizeof s->buf - s->len);
  if (r < 0) {
    return errno == EINTR || errno == EAGAIN ? 1 : 0;
  }
  if (r == 0) {
    if (s->len > 0) {
      write_record(s->name, s->buf, s->len);
      s->len = 0;
    }
    return 0;
  }
  s->len += (size_t)r;
  size_t start = 0;
  for (size_t i = 0; i < s->len; i++) {
    if (s->buf[i] == '\n') {
      write_record(s->name, s->buf + start, i + 1 - start);
      start = i + 1;
    }
  }
  if (start == 0 && s->len == sizeof s->buf) {
    write_record(s->name, s->buf, s->len); /* a line longer than the buffer: split, like Docker */
    s->len = 0;
  } else if (start > 0) {
    memmove(s->buf, s->buf + start, s->len - start);
    s->len -= start;
  }
  return 1;
}

/* ---- runtime invocations ---- */

/*
 * crun refuses to work on a hybrid cgroup host whose cgroup2 tree has controllers ("cgroups in hybrid mode not
 * supported"), even with its cgroup manager disabled. In a private mount namespace without the cgroup2 mount
 * at /sys/fs/cgroup/unified it sees a plain v1 host. Only the runtime's process gets this namespace; the
 * container makes its own from it.
 */
static int hide_cgroup2_mount(void) {
  if (unshare(CLONE_NEWNS) < 0) {
    return -1;
  }
  if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) {
    return -1;
  }
  if (umount2("/sys/fs/cgroup/unified", MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT) {
    return -1;
  }
  return 0;
}

static pid_t spawn_runtime(const char **args, int nargs, int out_fd, int err_fd, int join_cgroups) {
  const char *argv[MAX_LIST * 2 + 32];
  int k = 0;
  argv[k++] = runtime;
  for (int i = 0; i < nglobals; i++) {
    argv[k++] = globals[i];
  }
  argv[k++] = "--root";
  argv[k++] = runtime_root;
  for (int i = 0; i < nargs; i++) {
    argv[k++] = args[i];
  }
  argv[k] = NULL;
  pid_t pid = fork();
  if (pid != 0) {
    return pid;
  }
  if (join_cgroups) {
    for (int i = 0; i < ncgroups; i++) {
      char p[4096], me[32];
      path_in(p, sizeof p, cgroups[i], "cgroup.procs");
      int fd = open(p, O_WRONLY | O_CLOEXEC);
      snprintf(me, sizeof me, "%d", getpid());
      if (fd < 0 || write(fd, me, strlen(me)) < 0) {
        dprintf(err_fd, "jswarm-monitor: cannot join cgroup %s: %s\n", cgroups[i], strerror(errno));
        _exit(125);
      }
      close(fd);
    }
  }
  if (hide_cgroup2 && hide_cgroup2_mount() < 0) {
    dprintf(err_fd < 0 ? 2 : err_fd, "jswarm-monitor: cannot hide the cgroup2 mount: %s\n", strerror(errno));
    _exit(125);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  signal(SIGPIPE, SIG_DFL);
  int devnull = open("/dev/null", O_RDWR);
  dup2(devnull, 0);
  dup2(out_fd < 0 ? devnull : out_fd, 1);
  dup2(err_fd < 0 ? devnull : err_fd, 2);
  execv(runtime, (char *const *)argv);
  dprintf(2, "jswarm-monitor: exec %s: %s\n", runtime, strerror(errno));
  _exit(127);
}

static int wait_for(pid_t pid) {
  int st;
  while (waitpid(pid, &st, 0) < 0) {
    if (errno != EINTR) {
      return -1;
    }
  }
  return st;
}

static void delete_container(void) {
  const char *args[] = {"delete", "-f", cid};
  pid_t p = spawn_runtime(args, 3, -1, -1, 0);
  if (p > 0) {
    wait_for(p);
  }
}

/* The counter KEY ("oom_kill ", "max ") of cgroup file DIR/NAME, 0 when the file or the key is absent. */
static long read_counter(const char *dir, const char *name, const char *key) {
  if (dir == NULL) {
    return 0;
  }
  char p[4096], buf[1024];
  path_in(p, sizeof p, dir, name);
  int fd = open(p, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return 0;
  }
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) {
    return 0;
  }
  buf[n] = 0;
  char *k = strstr(buf, key);
  return k == NULL ? 0 : strtol(k + strlen(key), NULL, 10);
}

static void usage(void) {
  fprintf(stderr, "usage: jswarm-monitor -d STATE_DIR -r RUNTIME -R RUNTIME_ROOT -b BUNDLE -i ID [-s BYTES] "
      "[-n FILES] [-m MEMORY_CGROUP] [-p PIDS_CGROUP] [-c CGROUP_DIR]... [-g GLOBAL_ARG]... [-H] [-C]\n");
  exit(2);
}

/*
 * jswarm-monitor --reap-exec PID_FILE PROGRAM ARGS...: runs a detached runtime exec (`RUNTIME exec -d --pid-file
 * PID_FILE ...`, e.g. with --tty --console-socket) and waits for the process it started. As a child subreaper it
 * inherits that process when the runtime exits, reaps it and prints its status on stdout: "EXIT <code>" (128+N for
 * a signal N), or "RUNTIME-FAILED <code>" when the runtime itself failed (its error is on stderr).
 */
static int reap_exec(char *pid_file, char **program) {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    fprintf(stderr, "jswarm-monitor: prctl(PR_SET_CHILD_SUBREAPER): %s\n", strerror(errno));
    return 125;
  }
  pid_t runtime_pid = fork();
  if (runtime_pid < 0) {
    fprintf(stderr, "jswarm-monitor: fork: %s\n", strerror(errno));
    return 125;
  }
  if (runtime_pid == 0) {
    execv(program[0], program);
    fprintf(stderr, "jswarm-monitor: exec %s: %s\n", program[0], strerror(errno));
    _exit(127);
  }
  int st;
  while (waitpid(runtime_pid, &st, 0) < 0) {
    if (errno != EINTR) {
      fprintf(stderr, "jswarm-monitor: waitpid(runtime): %s\n", strerror(errno));
      return 125;
    }
  }
  int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  if (rc != 0) {
    printf("RUNTIME-FAILED %d\n", rc);
    return 0;
  }
  char buf[32];
  int fd = open(pid_file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    fprintf(stderr, "jswarm-monitor: open %s: %s\n", pid_file, strerror(errno));
    printf("RUNTIME-FAILED 125\n");
    return 0;
  }
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  pid_t pid = n > 0 ? (buf[n] = 0, (pid_t)atol(buf)) : 0;
  if (pid <= 0) {
    fprintf(stderr, "jswarm-monitor: %s holds no pid\n", pid_file);
    printf("RUNTIME-FAILED 125\n");
    return 0;
  }
  for (;;) { /* other orphans may come to this subreaper too: reap them, stop at the exec'd process */
    pid_t w = waitpid(-1, &st, 0);
    if (w < 0) {
      if (errno == EINTR) {
        continue;
      }
      fprintf(stderr, "jswarm-monitor: waitpid: %s\n", strerror(errno));
      printf("EXIT 137\n");
      return 0;
    }
    if (w == pid) {
      printf("EXIT %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
      return 0;
    }
  }
}

int main(int argc, char **argv) {
  if (argc > 3 && strcmp(argv[1], "--reap-exec") == 0) {
    return reap_exec(argv[2], &argv[3]);
  }
  if (argc > 2 && strcmp(argv[1], "--exec-without-cgroup2") == 0) {
    /* jswarm-monitor --exec-without-cgroup2 PROGRAM ARGS...: runs one runtime command (crun kill, exec, ...) */
    if (hide_cgroup2_mount() < 0) {
      fprintf(stderr, "jswarm-monitor: cannot hide the cgroup2 mount: %s\n", strerror(errno));
      return 125;
    }
    execv(argv[2], &argv[2]);
    fprintf(stderr, "jswarm-monitor: exec %s: %s\n", argv[2], strerror(errno));
    return 127;
  }
  int opt;
  int create_only = 0;
  while ((opt = getopt(argc, argv, "d:r:R:b:i:s:n:m:p:c:g:HC")) != -1) {
    switch (opt) {
      case 'd': state_dir = optarg; break;
      case 'r': runtime = optarg; break;
      case 'R': runtime_root = optarg; break;
      case 'b': bundle = optarg; break;
      case 'i': cid = optarg; break;
      case 's': log_max_size = atoll(optarg); break;
      case 'n': log_max_files = atoi(optarg); break;
      case 'm': memcg = optarg; break;
      case 'p': pidscg = optarg; break;
      case 'c': if (ncgroups < MAX_LIST) cgroups[ncgroups++] = optarg; break;
      case 'g': if (nglobals < MAX_LIST) globals[nglobals++] = optarg; break;
      case 'H': hide_cgroup2 = 1; break;
      case 'C': create_only = 1; break;
      default: usage();
    }
  }
  if (!state_dir || !runtime || !runtime_root || !bundle || !cid) {
    usage();
  }
  int sync[2];
  if (pipe2(sync, O_CLOEXEC) < 0) {
    die(-1, "pipe: %s", strerror(errno));
  }
  pid_t child = fork();
  if (child < 0) {
    die(-1, "fork: %s", strerror(errno));
  }
  if (child > 0) {
    /* The daemon's child: report what the monitor says, then exit so the monitor is nobody's child. */
    close(sync[1]);
    char buf[8192];
    size_t n = 0;
    ssize_t r;
    while (n < sizeof buf - 1 && (r = read(sync[0], buf + n, sizeof buf - 1 - n)) != 0) {
      if (r < 0) {
        if (errno == EINTR) continue;
        break;
      }
      n += (size_t)r;
    }
    buf[n] = 0;
    waitpid(child, NULL, WNOHANG);
    if (strncmp(buf, "OK ", 3) == 0) {
      fputs(buf, stdout);
      return 0;
    }
    fputs(n > 4 ? buf + 4 : "jswarm-monitor: the monitor ended before the container started\n", stderr);
    return 1;
  }

  /* The monitor. */
  close(sync[0]);
  setsid();
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  int devnull = open("/dev/null", O_RDWR);
  dup2(devnull, 0);
  dup2(devnull, 1);
  dup2(devnull, 2);
  if (devnull > 2) close(devnull);
  signal(SIGPIPE, SIG_IGN);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);

  char mypid[32];
  snprintf(mypid, sizeof mypid, "%d\n", getpid());
  if (write_atomic("monitor.pid", mypid) < 0) {
    die(sync[1], "cannot write %s/monitor.pid: %s", state_dir, strerror(errno));
  }
  open_log();
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
    die(sync[1], "pipe: %s", strerror(errno));
  }
  char pidfile[4096];
  path_in(pidfile, sizeof pidfile, state_dir, "init.pid");
  unlink(pidfile);
  const char *run_args[] = {"run", "-d", "--pid-file", pidfile, "--bundle", bundle, cid};
  const char *create_args[] = {"create", "--pid-file", pidfile, "--bundle", bundle, cid};
  /* The write ends go to the runtime without CLOEXEC (dup2 clears it). */
  pid_t rt = create_only ? spawn_runtime(create_args, 6, out[1], err[1], 1)
                         : spawn_runtime(run_args, 7, out[1], err[1], 1);
  close(out[1]);
  close(err[1]);
  if (rt < 0) {
    die(sync[1], "fork: %s", strerror(errno));
  }
  int st = wait_for(rt);
  if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    char msg[4096];
    fcntl(err[0], F_SETFL, O_NONBLOCK);
    ssize_t n = read(err[0], msg, sizeof msg - 1);
    msg[n > 0 ? n : 0] = 0;
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' ')) msg[--n] = 0;
    delete_container();
    for (int i = 0; i < ncgroups; i++) rmdir(cgroups[i]);
    char m[8300];
    snprintf(m, sizeof m, "%s failed (status %d): %s", runtime, WIFEXITED(st) ? WEXITSTATUS(st) : -1, msg);
    for (char *c = m; *c; c++) if (*c == '\n') *c = ' ';
    char p[4096];
    path_in(p, sizeof p, state_dir, "monitor.pid");
    unlink(p);
    die(sync[1], "%s", m);
  }
  char pidbuf[64] = {0};
  int pfd = open(pidfile, O_RDONLY | O_CLOEXEC);
  if (pfd < 0 || read(pfd, pidbuf, sizeof pidbuf - 1) <= 0) {
    delete_container();
    die(sync[1], "%s wrote no pid file %s", runtime, pidfile);
  }
  close(pfd);
  pid_t init = (pid_t)atol(pidbuf);
  char initpid[32];
  snprintf(initpid, sizeof initpid, "%d\n", init);
  write_atomic("pid", initpid);
  dprintf(sync[1], "OK %d\n", init);
  close(sync[1]);

  struct stream streams[2] = {{"stdout", out[0], {0}, 0}, {"stderr", err[0], {0}, 0}};
  int open_streams = 2, exited = 0, status = 0;
  struct timespec exited_at = {0, 0};
  while (1) {
    /* Reap everything re-parented to us; the container's init is the one that matters. */
    int ws;
    pid_t p;
    while ((p = waitpid(-1, &ws, WNOHANG)) > 0) {
      if (p == init) {
        exited = 1;
        status = ws;
        clock_gettime(CLOCK_MONOTONIC, &exited_at);
      }
    }
    if (!exited && p < 0 && errno == ECHILD) {
      /* Not our child (e.g. the runtime did not re-parent it): poll for its end. */
      if (kill(init, 0) < 0 && errno == ESRCH) {
        exited = 1;
        status = 255 << 8;
        clock_gettime(CLOCK_MONOTONIC, &exited_at);
      }
    }
    if (exited) {
      struct timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      long waited_ms = (now.tv_sec - exited_at.tv_sec) * 1000 + (now.tv_nsec - exited_at.tv_nsec) / 1000000;
      if (open_streams == 0 || waited_ms > 2000) {
        break;
      }
    }
    struct pollfd fds[3];
    int nf = 0;
    for (int i = 0; i < 2; i++) {
      if (streams[i].fd >= 0) {
        fds[nf].fd = streams[i].fd;
        fds[nf].events = POLLIN;
        fds[nf].revents = 0;
        nf++;
      }
    }
    fds[nf].fd = sfd;
    fds[nf].events = POLLIN;
    fds[nf].revents = 0;
    nf++;
    if (poll(fds, (nfds_t)nf, exited ? 100 : 1000) < 0 && errno != EINTR) {
      break;
    }
    for (int i = 0; i < nf; i++) {
      if (fds[i].fd == sfd) {
        if (fds[i].revents & POLLIN) {
          struct signalfd_siginfo si;
          while (read(sfd, &si, sizeof si) == sizeof si) {
          }
        }
        continue;
      }
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
        for (int j = 0; j < 2; j++) {
          if (streams[j].fd == fds[i].fd && !pump(&streams[j])) {
            close(streams[j].fd);
            streams[j].fd = -1;
            open_streams--;
          }
        }
      }
    }
  }
  for (int j = 0; j < 2; j++) {
    if (streams[j].fd >= 0 && streams[j].len > 0) {
      write_record(streams[j].name, streams[j].buf, streams[j].len);
    }
  }

  int code, sig = 0;
  if (WIFSIGNALED(status)) {
    sig = WTERMSIG(status);
    code = 128 + sig;
  } else {
    code = WEXITSTATUS(status);
  }
  int oom = read_counter(memcg, "memory.oom_control", "oom_kill ") > 0;
  long pids_hits = read_counter(pidscg, "pids.events", "max ");
  if (oom && code == 0) {
    code = 137;
  }
  delete_container();
  for (int i = 0; i < ncgroups; i++) {
    rmdir(cgroups[i]);
  }
  char t[64], exitjson[512];
  format_time(t, sizeof t);
  snprintf(exitjson, sizeof exitjson,
      "{\"ExitCode\":%d,\"Signal\":%d,\"OOMKilled\":%s,\"PidsLimitHits\":%ld,\"FinishedAt\":\"%s\"}\n",
      code, sig, oom ? "true" : "false", pids_hits, t);
  write_atomic("exit", exitjson);
  return 0;
}
