package io.jswarm.linux;

/**
 * Running file operations of the calling thread as another user: setfsuid(2)/setfsgid(2) change the ids the kernel
 * checks file access and creation with, for this thread only, and are put back to 0 (root) afterwards. Changing the
 * fsuid away from 0 also drops the thread's file capabilities (CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER ...) until
 * it is 0 again. Used to create files in a file system mounted inside a container's user namespace, where host
 * root's ids do not exist (creating as them fails with EOVERFLOW).
 */
public final class FsIds {
  private FsIds() {}

  /** Work that may fail with an exception of type {@code E}. */
  public interface Work<E extends Exception> {
    void run() throws E;
  }

  /**
   * Runs {@code work} on this thread with file-system ids {@code uid}:{@code gid}, then back to 0:0.
   *
   * @throws LinuxException when the kernel did not take the ids (setfsuid reports no error: the ids are read back)
   */
  public static <E extends Exception> void as(long uid, long gid, Work<E> work) throws E {
    Libc.INSTANCE.setfsgid((int) gid);
    Libc.INSTANCE.setfsuid((int) uid);
    try {
      // setfsuid(-1) changes nothing and answers the current fsuid
      if (Libc.INSTANCE.setfsuid(-1) != (int) uid || Libc.INSTANCE.setfsgid(-1) != (int) gid) {
        throw new LinuxException("setfsuid", uid + ":" + gid, Errno.EPERM);
      }
      work.run();
    } finally {
      Libc.INSTANCE.setfsuid(0);
      Libc.INSTANCE.setfsgid(0);
    }
  }
}
