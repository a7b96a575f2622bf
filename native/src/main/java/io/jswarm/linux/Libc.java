package io.jswarm.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The libc calls jswarm needs, with their C names and signatures. Callers never use this directly: the
 * wrappers ({@link Mounts}, {@link Processes}, {@link NetNs}, the netlink socket, ...) check the result and errno
 * and throw {@link LinuxException}.
 */
public interface Libc extends Library {
  Libc INSTANCE = Native.load("c", Libc.class);

  int mount(String source, String target, String fstype, long flags, String data);

  int umount2(String target, int flags);

  int kill(int pid, int sig);

  String strerror(int errnum);

  int open(String pathname, int flags, int mode);

  int close(int fd);

  int setns(int fd, int nstype);

  int unshare(int flags);

  int socket(int domain, int type, int protocol);

  int bind(int sockfd, Pointer addr, int addrlen);

  int setsockopt(int sockfd, int level, int optname, Pointer optval, int optlen);

  long sendto(int sockfd, Pointer buf, long len, int flags, Pointer destAddr, int addrlen);

  long recv(int sockfd, Pointer buf, long len, int flags);

  int listen(int sockfd, int backlog);

  int accept4(int sockfd, Pointer addr, Pointer addrlen, int flags);

  long recvmsg(int sockfd, Pointer msg, int flags);

  int poll(Pointer fds, long nfds, int timeout);

  long read(int fd, byte[] buf, long count);

  long write(int fd, byte[] buf, long count);

  int ioctl(int fd, long request, Pointer arg);

  int mknod(String pathname, int mode, long dev);

  int lsetxattr(String path, String name, byte[] value, long size, int flags);

  long lgetxattr(String path, String name, byte[] value, long size);

  /** ioctl with an integer argument (LOOP_CTL_GET_FREE, LOOP_SET_FD, LOOP_CLR_FD). */
  int ioctl(int fd, long request, long arg);

  /** {@code open_tree(dfd, path, flags)} through syscall(2) (glibc 2.36 has no wrapper for it). */
  int syscall(long number, int dfd, String path, int flags);

  /** {@code mount_setattr(dfd, path, flags, attr, size)} through syscall(2). */
  int syscall(long number, int dfd, String path, int flags, Pointer attr, long size);

  /** {@code move_mount(fromDfd, fromPath, toDfd, toPath, flags)} through syscall(2). */
  int syscall(long number, int fromDfd, String fromPath, int toDfd, String toPath, int flags);

  /** setfsuid(2): the calling thread's file-system uid; returns the previous one. */
  int setfsuid(int fsuid);

  /** setfsgid(2): the calling thread's file-system gid; returns the previous one. */
  int setfsgid(int fsgid);
}
