package io.jswarm.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bench raft --rows-per-update N --row-bytes B}: updates of many padded rows, small and not timed. */
class RaftBenchRowsTest {
  @TempDir
  Path tmp;

  @Test
  void updatesOfManyPaddedRowsAreCommittedAndCounted() {
    Run r = run("--managers", "1", "--writers", "2", "--rows-per-update", "50", "--row-bytes", "1000",
        "--encryption", "off", "--seconds", "1", "--warmup", "0", "--dir", tmp.toString());
    assertEquals(0, r.rc, r.out);
    Matcher size = Pattern.compile("moves the status of 50 task row\\(s\\) of (\\d+) bytes").matcher(r.out);
    assertTrue(size.find(), r.out);
    int bytes = Integer.parseInt(size.group(1));
    assertTrue(bytes >= 950 && bytes <= 1050, "a row should be about 1,000 bytes, is " + bytes);
    Matcher row = Pattern.compile("(?m)^1\\s+2\\s+off\\s+(\\d+)\\s.*\\s(\\d+)$").matcher(r.out);
    assertTrue(row.find(), "no 1-manager, 2-writer row in:\n" + r.out);
    long updates = Long.parseLong(row.group(1));
    assertTrue(updates > 0, "no update committed: " + row.group());
    assertEquals(updates * 50, Long.parseLong(row.group(2)), 50.0, "rows/s is 50 per update: " + row.group());
  }

  @Test
  void aBadRowCountOrAnEtcdComparisonOfManyRowsIsRefusedNamingTheOption() {
    Run zero = run("--rows-per-update", "0", "--dir", tmp.toString());
    assertEquals(2, zero.rc);
    assertTrue(zero.err.contains("--rows-per-update: expected 1 to 10000, got 0"), zero.err);
    Run etcd = run("--compare-etcd", "--row-bytes", "1000", "--dir", tmp.toString());
    assertEquals(2, etcd.rc);
    assertTrue(etcd.err.contains("leave out --rows-per-update and --row-bytes"), etcd.err);
  }

  private record Run(int rc, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      CommandLine cl = new CommandLine(new RaftBench());
      cl.setErr(new java.io.PrintWriter(err, true, StandardCharsets.UTF_8));
      int rc = cl.execute(args);
      return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(stdout);
    }
  }
}
