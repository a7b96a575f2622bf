package io.jswarm.worker.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Tarballs for tests: a busybox root file system from /bin/busybox, and hand-made layers. */
final class TestImages {
  static final Path BUSYBOX = Path.of("/bin/busybox");

  private TestImages() {}

  /** A tar being written in memory. */
  static final class Tar {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes);

    Tar() {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    }

    Tar dir(String name, int mode) throws IOException {
      TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
      e.setMode(TarArchiveEntry.DEFAULT_DIR_MODE & ~07777 | mode);
      tar.putArchiveEntry(e);
      tar.closeArchiveEntry();
      return this;
    }

    Tar file(String name, String content) throws IOException {
      return file(name, content.getBytes(StandardCharsets.UTF_8), 0644, 0, 0);
    }

    Tar file(String name, byte[] content, int mode, int uid, int gid) throws IOException {
      TarArchiveEntry e = new TarArchiveEntry(name);
      e.setSize(content.length);
      e.setMode(TarArchiveEntry.DEFAULT_FILE_MODE & ~07777 | mode);
      e.setUserId(uid);
      e.setGroupId(gid);
      tar.putArchiveEntry(e);
      tar.write(content);
      tar.closeArchiveEntry();
      return this;
    }

    Tar symlink(String name, String target) throws IOException {
      TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
      e.setLinkName(target);
      tar.putArchiveEntry(e);
      tar.closeArchiveEntry();
      return this;
    }

    Tar hardlink(String name, String target) throws IOException {
      TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_LINK);
      e.setLinkName(target);
      tar.putArchiveEntry(e);
      tar.closeArchiveEntry();
      return this;
    }

    byte[] bytes() throws IOException {
      tar.finish();
      tar.close();
      return bytes.toByteArray();
    }

    byte[] gzipped() throws IOException {
      return gzip(bytes());
    }
  }

  static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(b);
    }
    return out.toByteArray();
  }

  /** A minimal root file system: /bin/busybox, /bin/sh -> busybox, /etc/passwd, /tmp (1777). */
  static byte[] busyboxRootfs() throws IOException {
    return new Tar()
        .dir("bin", 0755)
        .file("bin/busybox", Files.readAllBytes(BUSYBOX), 0755, 0, 0)
        .symlink("bin/sh", "busybox")
        .hardlink("bin/busybox-hardlink", "bin/busybox")
        .dir("etc", 0755)
        .file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n")
        .dir("tmp", 01777)
        .bytes();
  }
}
