/*
 * The CLI's unix socket to the daemon (io.jswarm.cli.client.NativeUnixSocket): socket, connect, read, write, close.
 * The JDK's own unix socket channels seed a SecureRandom when first used, which loads and fills the security
 * providers: 20 ms of a client verb's ~90 (docs/footprint.md). Built by the cli module's pom with gcc into
 * cli/target/libjswarm-client.so; bin/jswarm names it with -Djswarm.client.library, and without it the client
 * uses the JDK's channels. Every call returns its result, or -errno on failure (the Java side throws what the JDK
 * would have thrown for that errno).
 */
#define _GNU_SOURCE
#include <jni.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define CHUNK 16384

JNIEXPORT jint JNICALL Java_io_jswarm_cli_client_NativeUnixSocket_connect0(JNIEnv *env, jclass cls, jbyteArray path) {
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  jsize n = (*env)->GetArrayLength(env, path);
  if (n <= 0 || n >= (jsize) sizeof addr.sun_path) {
    return -ENAMETOOLONG;
  }
  (*env)->GetByteArrayRegion(env, path, 0, n, (jbyte *) addr.sun_path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return -errno;
  }
  int rc;
  do {
    rc = connect(fd, (struct sockaddr *) &addr, sizeof addr);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) {
    int e = errno;
    close(fd);
    return -e;
  }
  return fd;
}

JNIEXPORT jint JNICALL Java_io_jswarm_cli_client_NativeUnixSocket_read0(JNIEnv *env, jclass cls, jint fd, jbyteArray b,
    jint off, jint len) {
  char buf[CHUNK];
  ssize_t n;
  do {
    n = read(fd, buf, len < CHUNK ? (size_t) len : CHUNK);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    return -errno;
  }
  if (n > 0) {
    (*env)->SetByteArrayRegion(env, b, off, (jsize) n, (jbyte *) buf);
  }
  return (jint) n;
}

JNIEXPORT jint JNICALL Java_io_jswarm_cli_client_NativeUnixSocket_write0(JNIEnv *env, jclass cls, jint fd, jbyteArray b,
    jint off, jint len) {
  char buf[CHUNK];
  jint k = len < CHUNK ? len : CHUNK;
  (*env)->GetByteArrayRegion(env, b, off, k, (jbyte *) buf);
  ssize_t n;
  do {
    n = send(fd, buf, (size_t) k, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n < 0 ? -errno : (jint) n;
}

JNIEXPORT jint JNICALL Java_io_jswarm_cli_client_NativeUnixSocket_close0(JNIEnv *env, jclass cls, jint fd) {
  return close(fd) < 0 ? -errno : 0;
}

JNIEXPORT jstring JNICALL Java_io_jswarm_cli_client_NativeUnixSocket_strerror0(JNIEnv *env, jclass cls, jint e) {
  char buf[256];
  /* the GNU strerror_r, which returns the message (in buf or static) */
  return (*env)->NewStringUTF(env, strerror_r(e, buf, sizeof buf));
}
