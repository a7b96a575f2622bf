package io.jswarm.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code jswarm image ...} against a fake daemon. */
class ImageCommandTest {
  private FakeDaemon daemon;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void start() throws Exception {
    daemon = new FakeDaemon();
  }

  @AfterEach
  void stop() {
    daemon.close();
  }

  private int run(String... args) {
    String[] full = new String[args.length + 2];
    full[0] = "-H";
    full[1] = daemon.address();
    System.arraycopy(args, 0, full, 2, args.length);
    return Main.run(new PrintWriter(out), new PrintWriter(err), full);
  }

  @Test
  void lsPrintsDockersColumnsOneRowPerTag() {
    long created = Instant.now().minusSeconds(3 * 3600).getEpochSecond();
    daemon.on("GET", "/images/json", "[{'Id':'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',"
        + "'RepoTags':['busybox:latest','registry:5000/web:v1'],'RepoDigests':[],'Created':" + created
        + ",'Size':4261000},{'Id':'sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210',"
        + "'RepoTags':[],'RepoDigests':[],'Created':" + created + ",'Size':725}]");
    assertEquals(0, run("image", "ls"), err.toString());
    String[] lines = out.toString().split("\n");
    assertEquals("REPOSITORY          TAG       IMAGE ID       CREATED       SIZE", lines[0]);
    assertEquals("busybox             latest    0123456789ab   3 hours ago   4.26MB", lines[1]);
    assertEquals("registry:5000/web   v1        0123456789ab   3 hours ago   4.26MB", lines[2]);
    assertEquals("<none>              <none>    fedcba987654   3 hours ago   725B", lines[3]);
    out.getBuffer().setLength(0);
    assertEquals(0, run("image", "ls", "-q"));
    assertEquals("0123456789ab\nfedcba987654\n", out.toString());
  }

  @Test
  void pullPrintsProgressAndFailsOnAnErrorLine() {
    daemon.on("POST", "/images/create?fromImage=busybox", "{'status':'Pulling from library/busybox','id':'latest'}\n"
        + "{'errorDetail':{'message':'image busybox could not be pulled from any source: x'},'error':'x'}\n");
    assertEquals(1, run("image", "pull", "busybox"));
    assertTrue(out.toString().contains("latest: Pulling from library/busybox"), out.toString());
    assertTrue(err.toString().contains("could not be pulled from any source"), err.toString());
  }

  @Test
  void rmPrintsUntaggedAndDeletedAndTagSplitsRepoAndTag() {
    daemon.on("DELETE", "/images/web:1?force=false&noprune=false",
        "[{'Untagged':'web:1'},{'Deleted':'sha256:abc'}]");
    assertEquals(0, run("image", "rm", "web:1"), err.toString());
    assertEquals("Untagged: web:1\nDeleted: sha256:abc\n", out.toString());
    daemon.on("POST", "/images/web:1/tag?repo=registry:5000/web&tag=v2", 201, "");
    assertEquals(0, run("image", "tag", "web:1", "registry:5000/web:v2"), err.toString());
    assertEquals(1, daemon.requests("POST", "/images/web:1/tag?repo=registry:5000/web&tag=v2").size());
  }

  /**
   * {@code image ls}'s sizes are written out for the plain range ({@code ImageCommand.threeDigits}): the same text as
   * {@code Formatter}'s {@code %.3g} with the trailing zeros cut, for every size below 20 kB, the edges of the
   * rounding, and 20,000 sizes of every magnitude.
   */
  @Test
  void sizesReadAsFormattersThreeDigits() {
    java.util.Random random = new java.util.Random(18);
    java.util.List<Long> sizes = new java.util.ArrayList<>(java.util.List.of(999_499L, 999_500L, 999_999L, 4_255_000L,
        4_265_000L, 999_500_000_000_000_000L, Long.MAX_VALUE));
    for (long b = 0; b < 20_000; b++) {
      sizes.add(b);
      sizes.add(random.nextLong() >>> random.nextInt(64));
    }
    for (long bytes : sizes) {
      double v = bytes;
      String[] units = {"B", "kB", "MB", "GB", "TB", "PB"};
      int u = 0;
      while (v >= 1000 && u < units.length - 1) {
        v /= 1000;
        u++;
      }
      String formatted = String.format(java.util.Locale.ROOT, "%.3g", v);
      if (formatted.contains(".") && !formatted.contains("e")) {
        formatted = formatted.replaceAll("0+$", "").replaceAll("\\.$", "");
      }
      assertEquals(formatted + units[u], ImageCommand.decimalSize(bytes), bytes + " bytes");
    }
    assertEquals("0.1", ImageCommand.threeDigits(0.1));
    assertEquals("1.00e-05", ImageCommand.threeDigits(0.00001));
  }
}
