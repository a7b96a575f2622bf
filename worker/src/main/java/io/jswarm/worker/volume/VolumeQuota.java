package io.jswarm.worker.volume;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.validation.ByteSize;
import io.jswarm.linux.LoopDevices;
import io.jswarm.linux.Mounts;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A volume's size limit ({@code volume create --opt size=10M}), enforced by the kernel: the volume's {@code _data}
 * is an ext4 file system of exactly that size, made in a sparse image file {@code <volume>/disk.img} and
 * loop-mounted (autoclear: unmounting frees the loop device). A write past the size fails with ENOSPC inside the
 * container. This machine's data root is on ext4 without project quotas enabled (turning them on needs the
 * file system unmounted), so a per-directory project quota is not available; the image works on any file system.
 *
 * <p>The image has no journal and no reserved blocks, so nearly all of the size is usable; after a crash of the
 * host the file system is checked by nothing (mount succeeds on an unclean ext4 without a journal).
 */
final class VolumeQuota {
  static final String IMAGE = "disk.img";
  /** Smallest size: mke2fs needs room for its metadata. */
  static final long MIN_BYTES = 1L << 20;
  private static final List<String> MKFS = List.of("/usr/sbin/mkfs.ext4", "/sbin/mkfs.ext4");

  private VolumeQuota() {}

  /** The bytes of option {@code size} (Docker's size syntax: 10M, 1g, 1048576). */
  static long parseSize(String value) {
    long bytes;
    try {
      bytes = ByteSize.parse(value);
    } catch (IllegalArgumentException e) {
      throw new InvalidArgumentException("DriverOpts.size: " + e.getMessage());
    }
    if (bytes < MIN_BYTES) {
      throw new InvalidArgumentException("DriverOpts.size: " + value + " is below the smallest volume size, 1M");
    }
    return bytes;
  }

  /** Makes the image of {@code bytes} in {@code volumeDir} and mounts it on {@code data}. */
  static void create(Path volumeDir, Path data, long bytes) throws IOException {
    Path image = volumeDir.resolve(IMAGE);
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
      f.setLength(bytes); // sparse: takes room only as the volume fills
    }
    Files.setPosixFilePermissions(image, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    mkfs(image);
    Files.createDirectories(data);
    mount(image, data);
  }

  /** Mounts the image on {@code data} unless it is mounted (a restarted daemon, or a host that rebooted). */
  static void ensureMounted(Path volumeDir, Path data) throws IOException {
    if (!Mounts.isMountPoint(data)) {
      Files.createDirectories(data);
      mount(volumeDir.resolve(IMAGE), data);
    }
  }

  /** Unmounts {@code data} (the loop device goes with it). */
  static void unmount(Path data) {
    Mounts.unmount(data, false);
  }

  /** Bytes used and still free in the mounted volume (statfs). */
  static long[] usedAndFree(Path data) throws IOException {
    FileStore s = Files.getFileStore(data);
    long total = s.getTotalSpace();
    long free = s.getUsableSpace();
    return new long[] {total - free, free};
  }

  private static void mount(Path image, Path data) {
    LoopDevices.mountImage(image, data, "ext4", Mounts.MS_NOSUID | Mounts.MS_NODEV, null);
  }

  private static void mkfs(Path image) throws IOException {
    String mkfs = MKFS.stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElseThrow(() ->
        new IOException("a volume with a size needs mkfs.ext4 (Debian package e2fsprogs), found in none of " + MKFS));
    // one inode per 16 KiB (mke2fs's default for larger file systems; its "small" type would take 1 per 4 KiB, a
    // tenth of a 10M volume), 128-byte inodes, no journal, no reserved blocks: nearly all of the size holds data
    Process p = new ProcessBuilder(mkfs, "-q", "-F", "-m", "0", "-O", "^has_journal", "-i", "16384", "-I", "128",
        "-E", "root_owner=0:0", image.toString()).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(mkfs + " " + image + " did not finish within 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted while making the volume's file system", e);
    }
    if (p.exitValue() != 0) {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      throw new IOException(mkfs + " " + image + " failed (exit " + p.exitValue() + "): " + out);
    }
  }
}
