package io.jswarm.consensus.raft;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import javax.crypto.AEADBadTagException;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.apache.ratis.server.RaftServerConfigKeys.Log.CorruptionPolicy;
import org.apache.ratis.server.raftlog.segmented.LogSegment;
import org.apache.ratis.server.raftlog.segmented.LogSegmentPath;
import org.apache.ratis.server.raftlog.segmented.SegmentedRaftLogFormat;
import org.apache.ratis.thirdparty.com.google.protobuf.CodedInputStream;
import org.apache.ratis.thirdparty.com.google.protobuf.CodedOutputStream;
import org.apache.ratis.util.SizeInBytes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the Raft log segments before the server starts (every entry carries a checksum), so damage is either
 * repaired the one safe way or reported by file name instead of as an anonymous read error:
 * <ul>
 *   <li>a closed segment ({@code log_<first>-<last>}) must read whole, with as many entries as its name says;
 *   <li>the open segment ({@code log_inprogress_<first>}) may end in a torn entry, the trace of a crash (kill -9,
 *       power loss) in the middle of an append. As etcd does with its WAL, the torn tail is cut off: the entry
 *       was never fsynced, so this member never acknowledged it, and the leader sends it again if it was
 *       committed elsewhere. An entry is torn when no good entry (length prefix, body, matching CRC-32C) starts
 *       anywhere after it, whatever else follows (zeros of Ratis' preallocation, or garbage of a half-written
 *       page). A bad entry with a good one after it is damage inside the segment, and the manager refuses to
 *       start.
 * </ul>
 * With encryption on, every entry read (closed and open segments) must also decrypt: a changed byte whose
 * checksum was made to match is caught by the AES-GCM authentication tag, and the manager refuses to start.
 */
final class LogVerifier {
  private static final Logger LOG = LoggerFactory.getLogger(LogVerifier.class);
  /** Ratis names a closed segment {@code log_<first index>-<last index>}. */
  private static final Pattern CLOSED = Pattern.compile("log_(\\d+)-(\\d+)");
  private static final SizeInBytes MAX_ENTRY = SizeInBytes.valueOf("64MB");
  /** Ratis' checksum after each entry. */
  private static final int CHECKSUM_BYTES = 4;

  private LogVerifier() {}

  /**
   * Makes a member's storage directory (nobody else's to list or read, although the log and snapshots are encrypted)
   * and verifies the log of {@code groupId} in it when there is one; returns whether there is (recover, not format).
   */
  static boolean prepareStorage(Path storageDir, org.apache.ratis.protocol.RaftGroupId groupId,
      DataEncryption encryption) throws java.io.IOException {
    java.nio.file.Files.createDirectories(storageDir);
    java.nio.file.Files.setPosixFilePermissions(storageDir,
        java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    Path current = storageDir.resolve(groupId.getUuid().toString()).resolve("current");
    boolean existing = java.nio.file.Files.isDirectory(current);
    if (existing) {
      verify(current, encryption);
    }
    return existing;
  }

  /**
   * Verifies the segments in {@code currentDir} (a group's {@code current} directory, if it exists) and cuts a
   * torn tail off the open segment.
   *
   * @throws CorruptStateException naming the file, for damage that is not a torn tail
   */
  static void verify(Path currentDir, DataEncryption encryption) throws CorruptStateException {
    if (!Files.isDirectory(currentDir)) {
      return;
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(currentDir, "log_*")) {
      ds.forEach(files::add);
    } catch (IOException e) {
      throw new CorruptStateException(currentDir, "cannot list log segments: " + e.getMessage(), e);
    }
    for (Path file : files) {
      LogSegmentPath segment = LogSegmentPath.matchLogSegment(file);
      if (segment == null) {
        continue;
      }
      Matcher closed = CLOSED.matcher(file.getFileName().toString());
      if (closed.matches()) {
        verifyClosed(file, segment, Long.parseLong(closed.group(2)) - Long.parseLong(closed.group(1)) + 1,
            encryption);
      } else {
        repairOpen(file, segment, encryption);
      }
    }
  }

  private static void verifyClosed(Path file, LogSegmentPath segment, long expected, DataEncryption encryption)
      throws CorruptStateException {
    int read;
    DecryptCheck decrypt = new DecryptCheck(encryption);
    try {
      read = LogSegment.readSegmentFile(file.toFile(), segment.getStartEnd(), MAX_ENTRY,
          CorruptionPolicy.EXCEPTION, null, decrypt);
    } catch (IOException | RuntimeException e) {
      throw new CorruptStateException(file, "log segment unreadable: " + e.getMessage(), e);
    }
    decrypt.check(file);
    if (read != expected) {
      throw new CorruptStateException(file, "log segment holds " + read + " entries, its name says " + expected,
          null);
    }
  }

  /** Reads the open segment up to its first bad entry; cuts it there when that entry is a torn tail. */
  private static void repairOpen(Path file, LogSegmentPath segment, DataEncryption encryption)
      throws CorruptStateException {
    long[] goodEnd = {SegmentedRaftLogFormat.getHeaderLength()};
    int[] good = {0};
    DecryptCheck decrypt = new DecryptCheck(encryption);
    try {
      if (Files.size(file) < SegmentedRaftLogFormat.getHeaderLength()) {
        truncate(file, 0, 0, "shorter than the segment header");
        return;
      }
      LogSegment.readSegmentFile(file.toFile(), segment.getStartEnd(), MAX_ENTRY,
          CorruptionPolicy.WARN_AND_RETURN, null, e -> {
            decrypt.accept(e);
            int size = e.getSerializedSize();
            goodEnd[0] += CodedOutputStream.computeUInt32SizeNoTag(size) + size + CHECKSUM_BYTES;
            good[0]++;
          });
    } catch (IOException | RuntimeException e) {
      throw new CorruptStateException(file, "open log segment unreadable: " + e.getMessage(), e);
    }
    decrypt.check(file);
    byte[] all;
    try {
      all = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new CorruptStateException(file, "cannot read: " + e.getMessage(), e);
    }
    int end = (int) goodEnd[0];
    if (end == SegmentedRaftLogFormat.getHeaderLength() && good[0] == 0
        && SegmentedRaftLogFormat.matchHeader(all, 0, Math.min(all.length, end)) != end) {
      if (allZero(all, 0)) {
        return; // a segment created but never written: Ratis reads it as empty
      }
      throw new CorruptStateException(file, "bad segment header", null);
    }
    if (end >= all.length || allZero(all, end)) {
      return; // every entry read; only preallocated zeros (if anything) follow
    }
    int next = nextValidEntry(all, end + 1);
    if (next < 0) {
      truncate(file, end, good[0], "torn last entry at byte " + end);
      return;
    }
    throw new CorruptStateException(file, "entry " + (good[0] + 1) + " of the open log segment (at byte " + end
        + ") fails its checksum and a good entry follows it at byte " + next + ", so this is damage inside the"
        + " segment, not a torn write", null);
  }

  /** The first offset at or after {@code from} where a whole entry with a good checksum starts, or -1. */
  static int nextValidEntry(byte[] all, int from) {
    for (int at = from; at < all.length; at++) {
      if (all[at] != 0 && validEntryAt(all, at)) {
        return at;
      }
    }
    return -1;
  }

  /** Whether a length-prefixed entry whose CRC-32C matches (Ratis' framing: prefix + body + CRC) starts at {@code at}. */
  private static boolean validEntryAt(byte[] all, int at) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(all, at, all.length - at);
      int len = in.readRawVarint32();
      int body = at + in.getTotalBytesRead();
      if (len <= 0 || (long) body + len + CHECKSUM_BYTES > all.length) {
        return false;
      }
      CRC32C crc = new CRC32C();
      crc.update(all, at, body - at + len); // Ratis sums the length prefix and the body
      int stored = ByteBuffer.wrap(all, body + len, CHECKSUM_BYTES).getInt();
      return (int) crc.getValue() == stored;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean allZero(byte[] b, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static void truncate(Path file, long to, int kept, String why) throws CorruptStateException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      long was = raf.length();
      raf.setLength(to);
      raf.getFD().sync();
      LOG.warn("{}: {}; cut the torn tail ({} bytes) after {} good entries, as after a crash mid-append",
          file, why, was - to, kept);
    } catch (IOException e) {
      throw new CorruptStateException(file, "cannot cut the torn tail: " + e.getMessage(), e);
    }
  }

  /** Opens the store batch of each entry read; {@link #check} refuses the file if any did not decrypt. */
  private static final class DecryptCheck implements Consumer<LogEntryProto> {
    private final DataEncryption encryption;
    private final List<Long> failed = new ArrayList<>();

    DecryptCheck(DataEncryption encryption) {
      this.encryption = encryption;
    }

    @Override
    public void accept(LogEntryProto entry) {
      if (encryption.enabled() && entry.hasStateMachineLogEntry()) {
        try {
          encryption.openEntry(entry.getStateMachineLogEntry().getLogData().toByteArray());
        } catch (AEADBadTagException e) {
          failed.add(entry.getIndex());
        }
      }
    }

    void check(Path file) throws CorruptStateException {
      if (!failed.isEmpty()) {
        throw new CorruptStateException(file, "log entr" + (failed.size() == 1 ? "y " : "ies ") + failed
            + " do not decrypt with the cluster's data key (changed on disk, or written with another key)", null);
      }
    }
  }
}
