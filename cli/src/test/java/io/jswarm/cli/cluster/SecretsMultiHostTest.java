package io.jswarm.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.cli.Main;
import io.jswarm.cli.cluster.MultiHostCluster.Host;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Secrets and configs on real containers on two worker hosts (and a manager host running nothing): each task reads its
 * secret at /run/secrets/TARGET with the reference's mode and owner and its config read-only at its target; while
 * they run, nothing under any daemon's data or exec root, and no daemon's or monitor's command line or environment,
 * holds the secret. The docker CLI creates, lists, inspects and removes secrets and configs, and deploys and removes
 * a compose stack that uses both.
 */
class SecretsMultiHostTest {
  private static final Duration CONVERGE = Duration.ofSeconds(90);
  private static MultiHostCluster cluster;
  private static Host m1;
  private static Host w1;
  private static Host w2;
  private static List<Host> hosts;

  @BeforeAll
  static void start() throws Exception {
    cluster = MultiHostCluster.create().executor("container");
    m1 = cluster.init("m1");
    w1 = cluster.join("w1", m1, "worker");
    w2 = cluster.join("w2", m1, "worker");
    hosts = cluster.hosts();
    cluster.importBusybox(m1);
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
      cluster.assertNothingLeft(hosts);
    }
  }

  private record Run(int rc, String out, String err) {}

  private static Run jswarm(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("-H", m1.apiHost()));
    all.addAll(List.of(args));
    int rc = Main.run(new PrintWriter(out), new PrintWriter(err), all.toArray(String[]::new));
    return new Run(rc, out.toString(), err.toString());
  }

  private static Run docker(byte[] stdin, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("docker"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("DOCKER_HOST", "tcp://" + m1.address + ":" + MultiHostCluster.API_PORT);
    Process p = pb.start();
    try (var in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin);
      }
    }
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "docker " + String.join(" ", args) + " did not end");
    return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  private static Run ok(Run r) {
    assertEquals(0, r.rc(), r.out() + r.err());
    return r;
  }

  private static String md5(String s) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  /** The log lines of the containers of {@code h} whose log has {@code last}; waits until there is one. */
  private static List<String> logOf(Host h, String last) {
    List<List<String>> found = new ArrayList<>();
    MultiHostCluster.awaitOrShowTasks(CONVERGE, m1, "a task on " + h.name + " that logged " + last, () -> {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(h.daemon().dataRoot.resolve("containers"))) {
        for (Path c : ds) {
          Path log = c.resolve("json.log");
          if (Files.exists(log)) {
            List<String> lines = new ArrayList<>();
            for (String l : Files.readAllLines(log)) {
              lines.add(io.jswarm.api.json.Json.mapper().readTree(l).path("log").asText());
            }
            if (lines.contains(last + "\n")) {
              found.add(lines);
              return true;
            }
          }
        }
      } catch (IOException e) {
        return false;
      }
      return false;
    });
    return found.get(0);
  }

  /** Files under {@code dir} whose content has any of {@code needles} ({@code grep -r -a -l -F}). */
  private static List<String> grep(Path dir, List<String> needles) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("grep", "-r", "-a", "-l", "-F"));
    for (String n : needles) {
      cmd.add("-e");
      cmd.add(n);
    }
    cmd.add(dir.toString());
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out.lines().toList();
  }

  /** The processes whose command line names the cluster's base directory: the daemons and the container monitors. */
  private static List<Path> clusterProcesses() throws IOException {
    List<Path> out = new ArrayList<>();
    String base = cluster.baseDir().toString();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : ds) {
        try {
          if (new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).contains(base)) {
            out.add(p);
          }
        } catch (IOException gone) {
          // ended meanwhile
        }
      }
    }
    return out;
  }

  @Test
  void aSecretIsReadByTasksOnTwoHostsAndNothingOfItIsOnAnyDiskOrCommandLine() throws Exception {
    String marker = "jswarm-marker-" + UUID.randomUUID();
    String b64 = Base64.getEncoder().withoutPadding().encodeToString(marker.getBytes(StandardCharsets.UTF_8));
    Path tmp = Files.createTempDirectory("h13a-secret-src");
    try {
      Files.writeString(tmp.resolve("key"), marker);
      Files.writeString(tmp.resolve("conf"), "conf-line\n");
      ok(jswarm("secret", "create", "--label", "app=sec", "app_key", tmp.resolve("key").toString()));
      ok(jswarm("config", "create", "app.conf", tmp.resolve("conf").toString()));
    } finally {
      Files.deleteIfExists(tmp.resolve("key"));
      Files.deleteIfExists(tmp.resolve("conf"));
      Files.delete(tmp);
    }
    Run ls = ok(jswarm("secret", "ls"));
    assertTrue(ls.out().contains("app_key"), ls.out());
    assertFalse(ok(jswarm("secret", "inspect", "app_key")).out().contains(b64));

    ok(jswarm("service", "create", "-d", "--name", "sec", "--replicas", "2", "--replicas-max-per-node", "1",
        "--constraint", "node.role==worker", "--stop-grace-period", "1s", // not about stopping: sh ignores TERM
        "--secret", "source=app_key,target=app_key,uid=1000,gid=1000,mode=0400",
        "--config", "source=app.conf,target=/etc/app.conf", MultiHostCluster.BUSYBOX,
        "sh", "-c", "stat -c '%a %u %g' /run/secrets/app_key; md5sum /run/secrets/app_key; cat /etc/app.conf; "
            + "echo read-done; sleep 1000"));
    List<String> expected = List.of("400 1000 1000\n", md5(marker) + "  /run/secrets/app_key\n", "conf-line\n",
        "read-done\n");
    assertEquals(expected, logOf(w1, "read-done"));
    assertEquals(expected, logOf(w2, "read-done"));
    assertEquals(List.of(), m1.containerProcesses(), "the manager runs no task");
    Run used = jswarm("secret", "rm", "app_key");
    assertEquals(1, used.rc());
    assertTrue(used.err().contains("in use by the following service: sec"), used.err());

    // While the tasks run: the secret, as text or in the base64 form the API and the store carry it in, nowhere
    // under any data or exec root (the managers' Raft logs and snapshots included: they are encrypted), nor in any
    // daemon's or monitor's command line or environment.
    for (Host h : hosts) {
      for (Path root : List.of(h.daemon().dataRoot, h.daemon().execRoot)) {
        assertEquals(List.of(), grep(root, List.of(marker)), "the secret under " + root);
        assertEquals(List.of(), grep(root, List.of(b64)), "the secret (base64) under " + root);
      }
    }
    List<Path> procs = clusterProcesses();
    assertTrue(procs.size() >= 5, "3 daemons and 2 monitors at least: " + procs);
    for (Path p : procs) {
      for (String f : List.of("cmdline", "environ")) {
        String s = new String(Files.readAllBytes(p.resolve(f)), StandardCharsets.UTF_8);
        assertFalse(s.contains(marker) || s.contains(b64), "the secret in " + p.resolve(f));
      }
    }

    // service update --secret-rm rolls the tasks: the new ones have no /run/secrets.
    ok(jswarm("service", "update", "-d", "--secret-rm", "app_key", "--args",
        "sh -c 'ls /run/secrets 2>&1; echo no-secret-done; sleep 1000'", "sec"));
    assertTrue(logOf(w1, "no-secret-done").get(0).startsWith("ls: /run/secrets: No such file"),
        logOf(w1, "no-secret-done").toString());
    ok(jswarm("service", "rm", "sec"));
    ProcessCluster.await(CONVERGE, "the containers gone", () -> w1.containerProcesses().isEmpty()
        && w2.containerProcesses().isEmpty());
    assertEquals("app_key\n", ok(jswarm("secret", "rm", "app_key")).out());
    ok(jswarm("config", "rm", "app.conf"));
    assertEquals("", ok(jswarm("secret", "ls", "-q")).out());
  }

  @Test
  void theDockerClientManagesSecretsAndConfigsAndDeploysAndRemovesAStackUsingThem() throws Exception {
    Run id = ok(docker("s3cr3t-from-stdin".getBytes(StandardCharsets.UTF_8), "secret", "create", "--label", "k=v",
        "dk_secret", "-"));
    assertEquals(25, id.out().trim().length(), id.out());
    assertTrue(ok(docker(null, "secret", "ls", "--format", "{{.Name}}")).out().contains("dk_secret"));
    Run inspect = ok(docker(null, "secret", "inspect", "dk_secret"));
    assertTrue(inspect.out().contains("\"k\": \"v\""), inspect.out());
    assertFalse(inspect.out().contains("s3cr3t") || inspect.out().contains("\"Data\""), inspect.out());
    ok(docker("a=b\n".getBytes(StandardCharsets.UTF_8), "config", "create", "dk_config", "-"));
    Run pretty = ok(docker(null, "config", "inspect", "--pretty", "dk_config"));
    assertTrue(pretty.out().contains("a=b"), pretty.out());
    Run dup = docker("x".getBytes(StandardCharsets.UTF_8), "secret", "create", "dk_secret", "-");
    assertEquals(1, dup.rc());
    assertTrue(dup.err().contains("already exists"), dup.err());
    ok(docker(null, "secret", "rm", "dk_secret"));
    ok(docker(null, "config", "rm", "dk_config"));

    Path dir = cluster.baseDir().resolve("stack");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("password.txt"), "stack-password\n");
    Files.writeString(dir.resolve("app.conf"), "stack-conf\n");
    Files.writeString(dir.resolve("compose.yml"), String.join("\n",
        "version: \"3.8\"",
        "services:",
        "  app:",
        "    image: " + MultiHostCluster.BUSYBOX,
        "    command: [\"sh\", \"-c\", \"md5sum /run/secrets/db_password; stat -c '%a' /run/secrets/db_password;"
            + " cat /etc/app.conf; echo stack-done; sleep 1000\"]",
        "    stop_grace_period: 1s",
        "    secrets:",
        "      - source: db_password",
        "        mode: 0440",
        "    configs:",
        "      - source: app_conf",
        "        target: /etc/app.conf",
        "    deploy:",
        "      replicas: 1",
        "      placement:",
        "        constraints: [node.hostname == w2]",
        "secrets:",
        "  db_password:",
        "    file: ./password.txt",
        "configs:",
        "  app_conf:",
        "    file: ./app.conf",
        ""));
    Run deploy = ok(docker(null, "stack", "deploy", "--resolve-image", "never", "-c",
        dir.resolve("compose.yml").toString(), "st"));
    assertTrue(deploy.out().contains("Creating secret st_db_password"), deploy.out());
    assertTrue(deploy.out().contains("Creating config st_app_conf"), deploy.out());
    assertEquals(List.of(md5("stack-password\n") + "  /run/secrets/db_password\n", "440\n", "stack-conf\n",
        "stack-done\n"), logOf(w2, "stack-done"));
    assertEquals("st_db_password\n", ok(docker(null, "secret", "ls", "--filter",
        "label=com.docker.stack.namespace=st", "--format", "{{.Name}}")).out());

    Run rm = ok(docker(null, "stack", "rm", "st"));
    assertTrue(rm.out().contains("Removing secret st_db_password") && rm.out().contains("Removing config st_app_conf")
        && rm.out().contains("Removing network st_default"), rm.out());
    assertEquals("", ok(docker(null, "secret", "ls", "-q")).out());
    assertEquals("", ok(docker(null, "config", "ls", "-q")).out());
    assertFalse(ok(docker(null, "network", "ls")).out().contains("st_default"));
    assertEquals("", ok(docker(null, "service", "ls", "-q")).out());
    ProcessCluster.await(CONVERGE, "the stack's container gone", () -> w2.containerProcesses().isEmpty());
  }
}
