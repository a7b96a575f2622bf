package io.jswarm.worker.image;

import io.jswarm.linux.FileTrees;
import io.jswarm.linux.FileNodes;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks one layer (a tar, gzip-compressed or not) into a directory in the form overlayfs stacks:
 *
 * <ul>
 *   <li>a whiteout {@code dir/.wh.NAME} becomes a character device 0/0 {@code dir/NAME};
 *   <li>an opaque marker {@code dir/.wh..wh..opq} becomes the xattr {@code trusted.overlay.opaque=y} on {@code dir};
 *   <li>entry paths are confined to the directory: {@code ..} components are refused, and so is an entry whose
 *       parent inside the layer is a symlink or not a directory (nothing is ever written through a symlink);
 *       hard links must name an earlier regular file of the same layer;
 *   <li>owners (numeric uid/gid), permission bits including setuid/setgid/sticky, and modification times of
 *       files and directories are kept; devices and FIFOs are made with mknod.
 * </ul>
 *
 * The uncompressed stream's digest (the layer's diff id) is computed on the way and returned. The layer must stay
 * within {@link UnpackLimits}: the uncompressed bytes read, and each file's real size (a sparse entry's
 * expanded size) checked before it is written, and the number of entries; past one, a
 * {@link LayerLimitException} is thrown (the caller removes the directory).
 */
final class LayerUnpacker {
  static final String WHITEOUT_PREFIX = ".wh.";
  static final String OPAQUE = ".wh..wh..opq";
  static final String OPAQUE_XATTR = "trusted.overlay.opaque";

  /** What unpacking produced: the diff id (digest of the uncompressed tar) and its size in bytes. */
  record Result(Digest diffId, long size) {}

  private LayerUnpacker() {}

  /** Unpacks {@code layer} into {@code dir} (which must exist and be empty) within the default limits. */
  static Result unpack(InputStream layer, Path dir) throws IOException {
    return unpack(layer, dir, UnpackLimits.DEFAULT, "layer");
  }

  /**
   * Unpacks {@code layer} into {@code dir} (which must exist and be empty).
   *
   * @param what how errors name the layer ({@code layer sha256:...})
   * @throws LayerLimitException when the layer goes past {@code limits}
   */
  static Result unpack(InputStream layer, Path dir, UnpackLimits limits, String what) throws IOException {
    BufferedInputStream in = new BufferedInputStream(layer, 1 << 16);
    InputStream plain = isGzip(in) ? new GZIPInputStream(in, 1 << 16) : in;
    MessageDigest md = Digest.sha256();
    CountingInputStream counted = new CountingInputStream(new DigestInputStream(plain, md), limits.maxBytes(), what);
    List<Object[]> dirTimes = new ArrayList<>();
    TarArchiveInputStream tar = new TarArchiveInputStream(counted);
    TarArchiveEntry e;
    EntryBudget budget = new EntryBudget(limits, what);
    while ((e = tar.getNextEntry()) != null) {
      budget.take(e);
      entry(tar, e, dir, dirTimes);
    }
    counted.transferTo(OutputSink.INSTANCE); // the tar's trailing padding counts toward the digest
    for (int i = dirTimes.size() - 1; i >= 0; i--) {
      Files.setLastModifiedTime((Path) dirTimes.get(i)[0], (FileTime) dirTimes.get(i)[1]);
    }
    return new Result(Digest.of(md), counted.count);
  }

  /**
   * What a tar may still hold within {@link UnpackLimits}: each entry taken counts once, and its contents by their
   * real size (a sparse entry as the file it makes). Past either limit, {@link #take} refuses with a
   * {@link LayerLimitException} naming the limit's daemon flag. For layers and for the archives that bring them.
   */
  static final class EntryBudget {
    private final UnpackLimits limits;
    private final String what;
    private long entries;
    private long contents;

    EntryBudget(UnpackLimits limits, String what) {
      this.limits = limits;
      this.what = what;
    }

    void take(TarArchiveEntry e) {
      if (++entries > limits.maxEntries()) {
        throw new LayerLimitException(what + " has more than " + limits.maxEntries() + " entries, this node's limit "
            + "(jswarm daemon --image-max-layer-entries); refused");
      }
      long size = e.isSparse() ? Math.max(e.getRealSize(), e.getSize()) : e.getSize();
      contents += Math.max(0, size);
      if (contents > limits.maxBytes()) {
        throw new LayerLimitException(what + " expands past " + limits.maxBytes() + " bytes, this node's limit "
            + "(jswarm daemon --image-max-layer-size), at \"" + e.getName() + "\""
            + (e.isSparse() ? " (a sparse file of " + e.getRealSize() + " bytes)" : "") + "; refused");
      }
    }

    /** Entries taken so far. */
    long entries() {
      return entries;
    }
  }

  /** {@code in}, refusing with a {@link LayerLimitException} once more than {@code maxBytes} were read from it. */
  static InputStream bounded(InputStream in, long maxBytes, String what) {
    return new CountingInputStream(in, maxBytes, what);
  }

  static boolean isGzip(BufferedInputStream in) throws IOException {
    in.mark(2);
    int a = in.read();
    int b = in.read();
    in.reset();
    return a == 0x1f && b == 0x8b;
  }

  private static void entry(TarArchiveInputStream tar, TarArchiveEntry e, Path dir, List<Object[]> dirTimes)
      throws IOException {
    String name = e.getName();
    List<String> parts = components(name);
    if (parts.isEmpty()) {
      if (e.isDirectory()) { // "./": the layer's root directory
        attributes(dir, e, false);
        dirTimes.add(new Object[] {dir, FileTime.from(e.getLastModifiedDate().toInstant())});
      }
      return;
    }
    Path parent = parentDir(dir, parts, name, true);
    String base = parts.get(parts.size() - 1);
    if (base.equals(OPAQUE)) {
      FileNodes.setXattr(parent, OPAQUE_XATTR, "y".getBytes(StandardCharsets.UTF_8));
      return;
    }
    if (base.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) {
      return; // other aufs metadata (.wh..wh.plnk, ...): not part of the view
    }
    if (base.startsWith(WHITEOUT_PREFIX)) {
      String hidden = base.substring(WHITEOUT_PREFIX.length());
      if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
        throw new IOException("layer entry \"" + name + "\": a whiteout must name a file");
      }
      Path target = parent.resolve(hidden);
      removeExisting(target);
      FileNodes.mknod(target, FileNodes.S_IFCHR, 0, 0, 0);
      return;
    }
    Path target = parent.resolve(base);
    BasicFileAttributes existing = lstat(target);
    if (existing != null && !(existing.isDirectory() && e.isDirectory())) {
      removeExisting(target);
    }
    if (e.isDirectory()) {
      if (existing == null || !existing.isDirectory()) {
        Files.createDirectory(target);
      }
      attributes(target, e, false);
      dirTimes.add(new Object[] {target, FileTime.from(e.getLastModifiedDate().toInstant())});
    } else if (e.isSymbolicLink()) {
      Files.createSymbolicLink(target, Path.of(e.getLinkName()));
      attributes(target, e, true);
    } else if (e.isLink()) {
      List<String> linkParts = components(e.getLinkName());
      if (linkParts.isEmpty()) {
        throw new IOException("layer entry \"" + name + "\": hard link to the layer root is not allowed");
      }
      Path source = parentDir(dir, linkParts, e.getLinkName(), false).resolve(linkParts.get(linkParts.size() - 1));
      BasicFileAttributes s = lstat(source);
      if (s == null || s.isDirectory()) {
        throw new IOException("layer entry \"" + name + "\": hard link to \"" + e.getLinkName()
            + "\", which is not an earlier file of this layer");
      }
      Files.createLink(target, source);
    } else if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
      int type = e.isFIFO() ? FileNodes.S_IFIFO : e.isCharacterDevice() ? FileNodes.S_IFCHR : FileNodes.S_IFBLK;
      FileNodes.mknod(target, type, e.getMode(), e.getDevMajor(), e.getDevMinor());
      attributes(target, e, false);
    } else if (e.isFile()) {
      Files.copy(tar, target);
      attributes(target, e, false);
      Files.setLastModifiedTime(target, FileTime.from(e.getLastModifiedDate().toInstant()));
    }
    // other entry types (global PAX headers, sparse files in old formats, ...) carry nothing for the view
  }

  /**
   * The directory an entry goes in, checking every component: never {@code ..}, never through a symlink or a
   * file. Missing directories are made (0755, root) when {@code create}.
   */
  private static Path parentDir(Path dir, List<String> parts, String name, boolean create) throws IOException {
    Path p = dir;
    for (int i = 0; i < parts.size() - 1; i++) {
      p = p.resolve(parts.get(i));
      BasicFileAttributes a = lstat(p);
      if (a == null) {
        if (!create) {
          throw new IOException("layer entry \"" + name + "\": \"" + dir.relativize(p) + "\" does not exist");
        }
        Files.createDirectory(p);
        Files.setAttribute(p, "unix:mode", 0755);
      } else if (!a.isDirectory()) {
        throw new IOException("layer entry \"" + name + "\": \"" + dir.relativize(p) + "\" is "
            + (a.isSymbolicLink() ? "a symlink" : "not a directory") + "; refusing to write through it");
      }
    }
    return p;
  }

  /** The path's components without empty and {@code .} parts; {@code ..} is refused. */
  static List<String> components(String name) throws IOException {
    List<String> parts = new ArrayList<>();
    for (String c : name.split("/")) {
      if (c.isEmpty() || c.equals(".")) {
        continue;
      }
      if (c.equals("..")) {
        throw new IOException("layer entry \"" + name + "\": \"..\" would leave the layer; refused");
      }
      if (c.indexOf('\0') >= 0) {
        throw new IOException("layer entry \"" + name + "\": NUL in a file name");
      }
      parts.add(c);
    }
    return parts;
  }

  private static void attributes(Path p, TarArchiveEntry e, boolean symlink) throws IOException {
    Files.setAttribute(p, "unix:uid", (int) e.getLongUserId(), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(p, "unix:gid", (int) e.getLongGroupId(), LinkOption.NOFOLLOW_LINKS);
    if (!symlink) {
      Files.setAttribute(p, "unix:mode", e.getMode() & 07777); // after chown, which clears setuid/setgid
    }
  }

  private static BasicFileAttributes lstat(Path p) throws IOException {
    try {
      return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (java.nio.file.NoSuchFileException e) {
      return null;
    }
  }

  /**
   * Deletes every unpacked layer under {@code layersDir} (and its {@code .size} file) whose diff id hex is not in
   * {@code keep}; unpacks in progress ({@code .tmp-*}) stay. Returns the diff ids of the layers deleted.
   */
  static List<Digest> sweep(Path layersDir, Set<String> keep) throws IOException {
    List<Digest> removed = new ArrayList<>();
    try (Stream<Path> s = Files.list(layersDir)) {
      for (Path p : s.toList()) {
        String n = p.getFileName().toString();
        String hex = n.endsWith(".size") ? n.substring(0, n.length() - 5) : n;
        if (n.startsWith(".tmp-") || keep.contains(hex) || hex.length() != 64) {
          continue;
        }
        if (n.endsWith(".size")) {
          Files.deleteIfExists(p);
        } else {
          FileTrees.delete(p);
          removed.add(new Digest(hex));
        }
      }
    }
    return removed;
  }

  /** Removes a file, link, node or whole directory tree (never following symlinks). */
  static void removeExisting(Path target) throws IOException {
    BasicFileAttributes a = lstat(target);
    if (a == null) {
      return;
    }
    if (!a.isDirectory()) {
      Files.delete(target);
      return;
    }
    FileTrees.delete(target);
  }


  /** Moves a finished temporary directory to its final name; false when another one got there first. */
  static boolean publish(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      return true;
    } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
      return false;
    }
  }

  /** Counts the uncompressed bytes and refuses to go past {@code max} (headers and padding count too). */
  private static final class CountingInputStream extends java.io.FilterInputStream {
    private final long max;
    private final String what;
    long count;

    CountingInputStream(InputStream in, long max, String what) {
      super(in);
      this.max = max;
      this.what = what;
    }

    private void add(long n) {
      count += n;
      if (count > max) {
        throw new LayerLimitException(what + " expands past " + max + " bytes uncompressed, this node's limit "
            + "(jswarm daemon --image-max-layer-size); refused");
      }
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        add(1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        add(n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      byte[] buf = new byte[8192];
      long done = 0;
      while (done < n) {
        int r = read(buf, 0, (int) Math.min(buf.length, n - done));
        if (r < 0) {
          break;
        }
        done += r;
      }
      return done;
    }
  }

  private static final class OutputSink extends java.io.OutputStream {
    static final OutputSink INSTANCE = new OutputSink();

    @Override
    public void write(int b) {}

    @Override
    public void write(byte[] b, int off, int len) {}
  }
}
