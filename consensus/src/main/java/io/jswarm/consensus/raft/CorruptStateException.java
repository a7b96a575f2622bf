package io.jswarm.consensus.raft;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A snapshot or log segment on disk failed its checksum or could not be decoded. The manager refuses to start
 * rather than serve state it cannot trust; the message names the file and what to do.
 */
public class CorruptStateException extends IOException {
  private final Path file;

  public CorruptStateException(Path file, String problem, Throwable cause) {
    super(file + " is corrupt (" + problem + "); refusing to start this manager. Restore the file from a backup,"
        + " or remove this manager's raft directory and join it again so it copies the state from the others",
        cause);
    this.file = file;
  }

  /** The damaged file. */
  public Path file() {
    return file;
  }
}
