package io.jswarm.worker.logs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one container's json-file log: {@code json.log} in {@code dir}, rotated by size to {@code json.log.1}
 * (the newest rotated file) .. {@code json.log.N} (the oldest).
 *
 * <p>Without follow it reads the rotated files oldest first, then {@code json.log} up to its size when the read
 * began. With follow it then keeps reading {@code json.log} as it grows; when the writer rotates (the path names
 * a new file), the old file is read to its end through the open descriptor and the new one from its start, so no
 * line is lost or repeated. Only complete lines (ending in {@code \n}) are taken; a malformed line is skipped.
 */
public final class JsonLogReader {
  public static final String CURRENT = "json.log";
  public static final Duration DEFAULT_POLL = Duration.ofMillis(100);

  private static final Logger LOG = LoggerFactory.getLogger(JsonLogReader.class);
  private static final int CHUNK = 64 * 1024;

  private final Path dir;
  private final Duration poll;

  public JsonLogReader(Path dir) {
    this(dir, DEFAULT_POLL);
  }

  /** {@code poll}: how often a follower looks for new lines and rotations. */
  public JsonLogReader(Path dir, Duration poll) {
    this.dir = Objects.requireNonNull(dir, "dir");
    this.poll = Objects.requireNonNull(poll, "poll");
  }

  /** The log directory of task {@code taskId} under a node's data root: {@code <data-root>/containers/<task>}. */
  public static Path taskDir(Path dataRoot, String taskId) {
    return dataRoot.resolve("containers").resolve(taskId);
  }

  /**
   * Hands every entry {@code q} selects to {@code sink}, in file order.
   *
   * @param sink takes one entry; false stops the read (the client went away)
   * @param finished polled while following: once true (the task is done, its container gone) what is left in the
   *     file is read and the read ends. Not used without follow.
   * @throws InterruptedException when the reading thread is interrupted while following
   */
  public void read(LogQuery q, Predicate<LogEntry> sink, BooleanSupplier finished)
      throws IOException, InterruptedException {
    Path current = dir.resolve(CURRENT);
    FileChannel ch = openIfExists(current);
    try {
      Object key = ch == null ? null : keyOf(current);
      List<Path> rotated = rotatedOldestFirst(key);
      Emitter out = q.tail() >= 0 ? new TailEmitter(q, sink) : new DirectEmitter(q, sink);
      for (Path p : rotated) {
        try (FileChannel r = FileChannel.open(p, StandardOpenOption.READ)) {
          if (!new LineCursor(r, null).readAvailable(out, Long.MAX_VALUE)) {
            return;
          }
        } catch (NoSuchFileException e) {
          // rotated away (deleted as the oldest) between listing and opening: its lines are gone
        }
      }
      LineCursor cursor = ch == null ? null : new LineCursor(ch, key);
      if (cursor != null && !cursor.readAvailable(out, ch.size())) {
        return;
      }
      if (!out.flush()) {
        return;
      }
      if (!q.follow()) {
        return;
      }
      follow(current, ch, cursor, new DirectEmitter(q, sink), finished);
      ch = null; // follow closed it
    } finally {
      if (ch != null) {
        ch.close();
      }
    }
  }

  private void follow(Path current, FileChannel ch, LineCursor cursor, Emitter out, BooleanSupplier finished)
      throws IOException, InterruptedException {
    try {
      while (true) {
        boolean done = finished.getAsBoolean();
        boolean progressed = false;
        if (ch == null) {
          ch = openIfExists(current);
          cursor = ch == null ? null : new LineCursor(ch, keyOf(current));
        }
        if (ch != null) {
          long before = cursor.position;
          if (!cursor.readAvailable(out, Long.MAX_VALUE)) {
            return;
          }
          progressed = cursor.position != before;
          Object now = keyOf(current);
          if (now == null || !now.equals(cursor.fileKey)) {
            // rotated: the writer is done with the old file; take what it wrote last, then switch
            if (!cursor.readAvailable(out, Long.MAX_VALUE)) {
              return;
            }
            ch.close();
            ch = null;
            cursor = null;
            progressed = true;
            continue;
          }
        }
        if (done) {
          return;
        }
        if (!progressed) {
          Thread.sleep(poll.toMillis());
        }
      }
    } finally {
      if (ch != null) {
        ch.close();
      }
    }
  }

  /** {@code json.log.N} .. {@code json.log.1}; a file that is the open {@code json.log} (renamed meanwhile) is left out. */
  private List<Path> rotatedOldestFirst(Object currentKey) {
    List<Path> newestFirst = new ArrayList<>();
    for (int i = 1; ; i++) {
      Path p = dir.resolve(CURRENT + "." + i);
      if (!Files.exists(p)) {
        break;
      }
      newestFirst.add(p);
    }
    List<Path> out = new ArrayList<>();
    for (int i = newestFirst.size() - 1; i >= 0; i--) {
      Path p = newestFirst.get(i);
      if (currentKey == null || !currentKey.equals(keyOf(p))) {
        out.add(p);
      }
    }
    return out;
  }

  private static FileChannel openIfExists(Path p) throws IOException {
    try {
      return FileChannel.open(p, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private static Object keyOf(Path p) {
    try {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
      return a.fileKey();
    } catch (IOException e) {
      return null;
    }
  }

  /** Reads complete lines from a channel, keeping a partial last line for the next call. */
  private static final class LineCursor {
    private final FileChannel ch;
    /** The identity (inode) of the open file, read when it was opened. */
    final Object fileKey;
    private final ByteBuffer buf = ByteBuffer.allocate(CHUNK);
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    long position;

    LineCursor(FileChannel ch, Object fileKey) {
      this.ch = ch;
      this.fileKey = fileKey;
    }

    /** Emits lines up to {@code limit} bytes of the file (or its end); false when the emitter wants no more. */
    boolean readAvailable(Emitter out, long limit) throws IOException {
      while (position < limit) {
        buf.clear();
        if (limit - position < buf.capacity()) {
          buf.limit((int) (limit - position));
        }
        int n = ch.read(buf, position);
        if (n <= 0) {
          return true;
        }
        position += n;
        byte[] a = buf.array();
        int start = 0;
        for (int i = 0; i < n; i++) {
          if (a[i] == '\n') {
            partial.write(a, start, i - start);
            String line = partial.toString(StandardCharsets.UTF_8);
            partial.reset();
            start = i + 1;
            if (!line.isBlank() && !out.accept(line)) {
              return false;
            }
          }
        }
        partial.write(a, start, n - start);
      }
      return true;
    }
  }

  private interface Emitter {
    boolean accept(String jsonLine);

    default boolean flush() {
      return true;
    }
  }

  private static LogEntry parse(String line) {
    try {
      return LogEntry.parse(line);
    } catch (IOException e) {
      LOG.debug("skipping a malformed log line: {}", e.getMessage());
      return null;
    }
  }

  private record DirectEmitter(LogQuery q, Predicate<LogEntry> sink) implements Emitter {
    @Override
    public boolean accept(String jsonLine) {
      LogEntry e = parse(jsonLine);
      return e == null || !q.accepts(e) || sink.test(e);
    }
  }

  /** Keeps the last {@code tail} lines of the whole log, then emits those the filters select. */
  private static final class TailEmitter implements Emitter {
    private final LogQuery q;
    private final Predicate<LogEntry> sink;
    private final ArrayDeque<LogEntry> last = new ArrayDeque<>();

    TailEmitter(LogQuery q, Predicate<LogEntry> sink) {
      this.q = q;
      this.sink = sink;
    }

    @Override
    public boolean accept(String jsonLine) {
      if (q.tail() == 0) {
        return true;
      }
      LogEntry e = parse(jsonLine);
      if (e != null) {
        if (last.size() == q.tail()) {
          last.removeFirst();
        }
        last.addLast(e);
      }
      return true;
    }

    @Override
    public boolean flush() {
      for (LogEntry e : last) {
        if (q.accepts(e) && !sink.test(e)) {
          return false;
        }
      }
      last.clear();
      return true;
    }
  }
}
