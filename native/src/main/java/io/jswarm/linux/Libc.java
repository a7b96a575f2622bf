package io.jswarm.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The libc calls jswarm needs, with their C names and signatures. Callers never use this directly: the
 * wrappers ({@link Mounts}, {@link Processes}, ...) check the result and errno and throw {@link LinuxException}.
 */
public interface Libc extends Library {
  Libc INSTANCE = Native.load("c", Libc.class);

  int mount(String source, String target, String fstype, long flags, String data);

  int umount2(String target, int flags);

  int kill(int pid, int sig);

  String strerror(int errnum);

  int mknod(String pathname, int mode, long dev);

  int lsetxattr(String path, String name, byte[] value, long size, int flags);

  long lgetxattr(String path, String name, byte[] value, long size);
}
