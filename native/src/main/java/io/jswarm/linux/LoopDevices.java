package io.jswarm.linux;

import com.sun.jna.Memory;
import java.nio.file.Path;

/**
 * Loop devices (loop(4)): a regular file made a block device so that a file system image can be mounted. Each
 * device jswarm attaches is marked autoclear: the kernel detaches it when its last user goes, so unmounting the file
 * system is the whole cleanup, and a crash leaves no device behind once the mount is gone.
 */
public final class LoopDevices {
  static final long LOOP_SET_FD = 0x4C00;
  static final long LOOP_CLR_FD = 0x4C01;
  static final long LOOP_SET_STATUS64 = 0x4C04;
  static final long LOOP_GET_STATUS64 = 0x4C05;
  static final long LOOP_CTL_GET_FREE = 0x4C82;
  /** {@code struct loop_info64}: 5 u64, 4 u32, 64 + 64 + 32 bytes of names and key, 2 u64. */
  static final int LOOP_INFO64_SIZE = 232;
  /** Offset of {@code lo_flags} in {@code struct loop_info64}. */
  static final int LO_FLAGS_OFFSET = 52;
  static final int LO_FLAGS_AUTOCLEAR = 4;
  static final int O_RDWR = 2;
  static final int O_CLOEXEC = 0x80000;
  /** Attempts when another process takes the free device between asking and attaching (EBUSY). */
  private static final int ATTEMPTS = 10;

  private LoopDevices() {}

  /**
   * Mounts the file system image {@code image} (type {@code fstype}) on {@code target} through a free loop device,
   * marked autoclear. Returns the device path (e.g. {@code /dev/loop3}), which goes with the mount.
   *
   * @throws LinuxException naming the call and errno when no device can be had or the mount fails
   */
  public static String mountImage(Path image, Path target, String fstype, long flags, String data) {
    int file = open(image.toString());
    try {
      for (int attempt = 1; ; attempt++) {
        int ctl = open("/dev/loop-control");
        int n;
        try {
          n = Libc.INSTANCE.ioctl(ctl, LOOP_CTL_GET_FREE, 0L);
          if (n < 0) {
            throw new LinuxException("ioctl", "/dev/loop-control LOOP_CTL_GET_FREE", Errno.last());
          }
        } finally {
          Libc.INSTANCE.close(ctl);
        }
        String dev = "/dev/loop" + n;
        int loop = open(dev);
        try {
          if (Libc.INSTANCE.ioctl(loop, LOOP_SET_FD, (long) file) != 0) {
            int errno = Errno.last();
            if (errno == Errno.EBUSY && attempt < ATTEMPTS) {
              continue; // taken meanwhile: ask for another
            }
            throw new LinuxException("ioctl", dev + " LOOP_SET_FD " + image, errno);
          }
          try {
            Memory info = new Memory(LOOP_INFO64_SIZE);
            info.clear();
            info.setInt(LO_FLAGS_OFFSET, LO_FLAGS_AUTOCLEAR);
            byte[] name = image.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            info.write(56, name, 0, Math.min(name.length, 63)); // lo_file_name, for losetup -a
            if (Libc.INSTANCE.ioctl(loop, LOOP_SET_STATUS64, info) != 0) {
              throw new LinuxException("ioctl", dev + " LOOP_SET_STATUS64 autoclear", Errno.last());
            }
            // mounted while this descriptor is open: autoclear then detaches the device at the unmount
            Mounts.mount(dev, target, fstype, flags, data);
            return dev;
          } catch (RuntimeException e) {
            Libc.INSTANCE.ioctl(loop, LOOP_CLR_FD, 0L); // best effort: the error being thrown says what failed
            throw e;
          }
        } finally {
          Libc.INSTANCE.close(loop);
        }
      }
    } finally {
      Libc.INSTANCE.close(file);
    }
  }

  /** The backing file of every attached loop device, read from sysfs ({@code /sys/block/loopN/loop/backing_file}). */
  public static java.util.Map<String, String> backingFiles() {
    java.util.Map<String, String> out = new java.util.TreeMap<>();
    try (var s = java.nio.file.Files.newDirectoryStream(Path.of("/sys/block"), "loop*")) {
      for (Path p : s) {
        Path f = p.resolve("loop/backing_file");
        if (java.nio.file.Files.exists(f)) {
          try {
            out.put("/dev/" + p.getFileName(), java.nio.file.Files.readString(f).trim());
          } catch (java.io.IOException gone) {
            // detached meanwhile
          }
        }
      }
    } catch (java.io.IOException e) {
      // no sysfs: nothing attached that we can see
    }
    return out;
  }

  private static int open(String path) {
    int fd = Libc.INSTANCE.open(path, O_RDWR | O_CLOEXEC, 0);
    if (fd < 0) {
      throw new LinuxException("open", path, Errno.last());
    }
    return fd;
  }
}
