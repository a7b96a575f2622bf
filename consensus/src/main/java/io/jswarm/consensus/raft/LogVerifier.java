package io.jswarm.consensus.raft;

import java.io.IOException;
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
import org.apache.ratis.server.RaftServerConfigKeys.Log.CorruptionPolicy;
import org.apache.ratis.server.raftlog.segmented.LogSegment;
import org.apache.ratis.server.raftlog.segmented.LogSegmentPath;
import org.apache.ratis.util.SizeInBytes;

/**
 * Checks every closed Raft log segment (each entry carries a checksum) before the server starts, so a damaged
 * file is reported by name instead of as an anonymous read error. With encryption on, every entry of every
 * segment (the open one included) must also decrypt: a changed byte whose checksum was made to match is caught
 * by the authentication tag. A torn last entry of the open segment is left to Ratis, which treats it after a
 * crash as never written.
 */
final class LogVerifier {
  /** Ratis names a closed segment {@code log_<first index>-<last index>}. */
  private static final Pattern CLOSED = Pattern.compile("log_(\\d+)-(\\d+)");
  private static final SizeInBytes MAX_ENTRY = SizeInBytes.valueOf("64MB");

  private LogVerifier() {}

  /** Verifies the segments in {@code currentDir} (a group's {@code current} directory, if it exists). */
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
      Matcher closed = CLOSED.matcher(file.getFileName().toString());
      if (segment == null || (!closed.matches() && !encryption.enabled())) {
        continue; // the open segment (log_inprogress_N) is Ratis' to recover
      }
      List<Long> undecryptable = new ArrayList<>();
      Consumer<LogEntryProto> decrypt = !encryption.enabled() ? null : entry -> {
        if (entry.hasStateMachineLogEntry()) {
          try {
            encryption.openEntry(entry.getStateMachineLogEntry().getLogData().toByteArray());
          } catch (AEADBadTagException e) {
            undecryptable.add(entry.getIndex());
          }
        }
      };
      int read;
      try {
        // the open segment's torn tail (a crash mid-write) is not an error here: Ratis drops it
        read = LogSegment.readSegmentFile(file.toFile(), segment.getStartEnd(), MAX_ENTRY,
            closed.matches() ? CorruptionPolicy.EXCEPTION : CorruptionPolicy.WARN_AND_RETURN, null, decrypt);
      } catch (IOException | RuntimeException e) {
        throw new CorruptStateException(file, "log segment unreadable: " + e.getMessage(), e);
      }
      if (!undecryptable.isEmpty()) {
        throw new CorruptStateException(file, "log entr" + (undecryptable.size() == 1 ? "y " : "ies ") + undecryptable
            + " do not decrypt with the cluster's data key (changed on disk, or written with another key)", null);
      }
      if (!closed.matches()) {
        continue;
      }
      long expected = Long.parseLong(closed.group(2)) - Long.parseLong(closed.group(1)) + 1;
      if (read != expected) {
        throw new CorruptStateException(file, "log segment holds " + read + " entries, its name says " + expected,
            null);
      }
    }
  }
}
