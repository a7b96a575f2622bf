package io.jswarm.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jswarm secret ...} and {@code jswarm config ...} (one set of verbs, the noun from the group) against a fake daemon. */
class PayloadCommandsTest {
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

  private java.util.List<String> header() {
    return java.util.List.of(out.toString().lines().findFirst().orElse("").trim().split("\\s+"));
  }

  @Test
  void createSendsTheFileBase64WithLabelsUnderItsNoun(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("pw"), "hunter2");
    daemon.on("POST", "/secrets/create", 201, "{'ID':'sid'}").on("POST", "/configs/create", 201, "{'ID':'cid'}");
    assertEquals(0, run("secret", "create", "--label", "a=b", "db", dir.resolve("pw").toString()), err.toString());
    assertEquals(0, run("config", "create", "app.conf", dir.resolve("pw").toString()), err.toString());
    assertEquals("sid\ncid\n", out.toString());
    String body = daemon.requests("POST", "/secrets/create").get(0).body();
    assertTrue(body.contains("\"Name\":\"db\"") && body.contains("\"Labels\":{\"a\":\"b\"}")
        && body.contains(Base64.getEncoder().encodeToString("hunter2".getBytes(StandardCharsets.UTF_8))), body);
    assertTrue(daemon.requests("POST", "/configs/create").get(0).body().contains("\"Name\":\"app.conf\""));
  }

  @Test
  void tooLargeOrEmptyOrMissingFilesAreRefusedBeforeAnyRequest(@TempDir Path dir) throws Exception {
    Files.write(dir.resolve("big"), new byte[500 * 1024]);
    Files.write(dir.resolve("empty"), new byte[0]);
    assertEquals(1, run("secret", "create", "s", dir.resolve("big").toString()));
    assertEquals(1, run("secret", "create", "s", dir.resolve("empty").toString()));
    assertEquals(1, run("config", "create", "c", dir.resolve("nosuch").toString()));
    String e = err.toString();
    assertTrue(e.contains("too large") && e.contains("is empty") && e.contains("no such file"), e);
    assertTrue(daemon.requests.isEmpty(), daemon.requests.toString());
  }

  @Test
  void lsHasADriverColumnForSecretsOnlyAndRmPrintsWhatWasRemoved() {
    String row = "[{'ID':'abc','Version':{'Index':3},'CreatedAt':'2026-01-01T00:00:00Z','UpdatedAt':"
        + "'2026-01-01T00:00:00Z','Spec':{'Name':'db','Labels':{'k':'v'}}}]";
    daemon.on("GET", "/secrets", row).on("GET", "/configs", row).on("DELETE", "/configs/db", 204, "");
    assertEquals(0, run("secret", "ls"), err.toString());
    assertEquals(java.util.List.of("ID", "NAME", "DRIVER", "CREATED", "UPDATED"), header());
    out.getBuffer().setLength(0);
    assertEquals(0, run("config", "ls", "--format", "{{.Name}} {{.Labels}}"), err.toString());
    assertEquals("db k=v\n", out.toString());
    out.getBuffer().setLength(0);
    assertEquals(0, run("config", "ls"), err.toString());
    assertEquals(java.util.List.of("ID", "NAME", "CREATED", "UPDATED"), header());
    out.getBuffer().setLength(0);
    assertEquals(0, run("config", "rm", "db"), err.toString());
    assertEquals("db\n", out.toString());
    assertEquals(1, run("secret", "inspect", "nosuch"));
    assertTrue(err.toString().contains("Error: No such secret: nosuch"), err.toString());
  }
}
