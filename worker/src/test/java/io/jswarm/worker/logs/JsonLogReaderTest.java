package io.jswarm.worker.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLogReaderTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir
  Path dir;

  /** A json-file writer as the container monitor behaves: appends lines, rotates json.log -> json.log.1 -> ... */
  private final class Writer {
    int n;

    void line(String stream) throws IOException {
      LogEntry e = new LogEntry(T0.plusSeconds(n), stream, "line " + n + "\n");
      n++;
      Files.writeString(dir.resolve("json.log"), e.toJsonLine(), StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    void lines(int count) throws IOException {
      for (int i = 0; i < count; i++) {
        line(n % 3 == 2 ? LogEntry.STDERR : LogEntry.STDOUT);
      }
    }

    void rotate(int keep) throws IOException {
      Files.deleteIfExists(dir.resolve("json.log." + keep));
      for (int i = keep - 1; i >= 1; i--) {
        Path p = dir.resolve("json.log." + i);
        if (Files.exists(p)) {
          Files.move(p, dir.resolve("json.log." + (i + 1)), StandardCopyOption.ATOMIC_MOVE);
        }
      }
      Files.move(dir.resolve("json.log"), dir.resolve("json.log.1"), StandardCopyOption.ATOMIC_MOVE);
    }
  }

  private List<String> read(LogQuery q) throws Exception {
    List<String> out = new ArrayList<>();
    new JsonLogReader(dir).read(q, e -> out.add(e.log().strip()), () -> true);
    return out;
  }

  private static List<String> lines(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add("line " + i);
    }
    return out;
  }

  @Test
  void readsAllRotationsOldestFirst() throws Exception {
    Writer w = new Writer();
    w.lines(4);
    w.rotate(3);
    w.lines(4);
    w.rotate(3);
    w.lines(2);
    assertEquals(lines(0, 10), read(LogQuery.all()));
  }

  @Test
  void tailCountsAcrossRotations() throws Exception {
    Writer w = new Writer();
    w.lines(5);
    w.rotate(3);
    w.lines(2);
    assertEquals(lines(3, 7), read(new LogQuery(true, true, 4, null, null, false)));
    assertEquals(List.of(), read(new LogQuery(true, true, 0, null, null, false)));
    assertEquals(lines(0, 7), read(new LogQuery(true, true, 100, null, null, false)));
  }

  @Test
  void sinceUntilAndStreams() throws Exception {
    Writer w = new Writer();
    w.lines(9); // stderr: 2, 5, 8
    assertEquals(lines(4, 7), read(new LogQuery(true, true, -1, T0.plusSeconds(4), T0.plusSeconds(7), false)));
    assertEquals(List.of("line 2", "line 5", "line 8"), read(new LogQuery(false, true, -1, null, null, false)));
    assertEquals(List.of("line 6", "line 7"), read(new LogQuery(true, false, 3, null, null, false)));
  }

  @Test
  void missingLogIsEmpty() throws Exception {
    assertEquals(List.of(), read(LogQuery.all()));
  }

  @Test
  void skipsMalformedAndPartialLines() throws Exception {
    Writer w = new Writer();
    w.lines(1);
    Files.writeString(dir.resolve("json.log"), "not json\n{\"log\":\"half", StandardOpenOption.APPEND);
    assertEquals(List.of("line 0"), read(LogQuery.all()));
  }

  @Test
  void followReadsGrowthAndRotationsUntilFinished() throws Exception {
    Writer w = new Writer();
    w.lines(3);
    List<String> got = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean finished = new AtomicBoolean();
    CompletableFuture<Void> f = CompletableFuture.runAsync(() -> {
      try {
        new JsonLogReader(dir, Duration.ofMillis(10))
            .read(new LogQuery(true, true, 2, null, null, true), e -> got.add(e.log().strip()), finished::get);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    awaitSize(got, 2);
    w.lines(2);
    awaitSize(got, 4);
    // lines written to the old file right before the rotation, and to the new file right after it
    w.lines(2);
    w.rotate(2);
    w.lines(3);
    awaitSize(got, 9);
    w.rotate(2); // the file the reader has open goes away as json.log.1, json.log.2 is dropped
    w.lines(1);
    finished.set(true);
    f.get(5, TimeUnit.SECONDS);
    assertEquals(lines(1, 11), got);
  }

  @Test
  void followWaitsForTheFileAndStopsWhenTheSinkSaysSo() throws Exception {
    List<String> got = Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<Void> f = CompletableFuture.runAsync(() -> {
      try {
        new JsonLogReader(dir, Duration.ofMillis(10)).read(new LogQuery(true, true, -1, null, null, true), e -> {
          got.add(e.log().strip());
          return got.size() < 3;
        }, () -> false);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    Thread.sleep(50);
    new Writer().lines(5);
    f.get(5, TimeUnit.SECONDS);
    assertEquals(lines(0, 3), got);
  }

  @Test
  void entriesRoundTripWithDockerTimeFormats() throws Exception {
    LogEntry e = LogEntry.parse("{\"log\":\"a \\\"b\\\"\\n\",\"stream\":\"stderr\",\"time\":\"2026-01-02T03:04:05.1Z\"}");
    assertEquals("a \"b\"\n", e.log());
    assertTrue(e.isStderr());
    assertEquals("2026-01-02T03:04:05.100000000Z", LogEntry.FIXED_NANOS.format(e.time()));
    assertEquals(e, LogEntry.parse(e.toJsonLine()));
    assertEquals("{\"log\":\"a \\\"b\\\"\\n\",\"stream\":\"stderr\",\"time\":\"2026-01-02T03:04:05.1Z\"}\n",
        e.toJsonLine());
  }

  private static void awaitSize(List<String> l, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (l.size() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("expected " + n + " lines, got " + l);
      }
      Thread.sleep(5);
    }
  }
}
