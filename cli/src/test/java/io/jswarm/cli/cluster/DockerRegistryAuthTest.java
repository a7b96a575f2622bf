package io.jswarm.cli.cluster;

import static io.jswarm.cli.cluster.ProcessCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.cli.cluster.ProcessCluster.Daemon;
import io.jswarm.worker.image.TestRegistry;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A private image in Debian's docker-registry with htpasswd basic auth on loopback, driven by the real docker
 * client: {@code docker login} is checked against the registry ({@code /auth}); the image is pushed from the
 * manager and removed there, so no node of the cluster has it; {@code service create} without
 * {@code --with-registry-auth} cannot pin its digest and its task cannot pull it; with it, the service is pinned to
 * the registry's digest and the worker (which has no copy) pulls that digest with the credentials, which no API
 * answer, log or file of the nodes shows.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerRegistryAuthTest {
  private static final Duration CONVERGE = Duration.ofSeconds(60);
  private static final String PASSWORD = "s3cret-" + UUID.randomUUID().toString().substring(0, 8);
  private static final String TAG = UUID.randomUUID().toString().substring(0, 6);
  private static final String BRIDGE = "jswra" + TAG;
  private static final String CGROUP_PARENT = "jswarm-ratest-" + TAG;

  private static TestRegistry registry;
  private static ProcessCluster cluster;
  private static Daemon m1;
  private static Daemon w1;
  private static DockerCli docker;
  private static String image;
  private static String digest;

  @BeforeAll
  static void start() throws Exception {
    byte[] salt = new byte[16];
    new java.security.SecureRandom().nextBytes(salt);
    registry = new TestRegistry("bob:" + org.bouncycastle.crypto.generators.OpenBSDBCrypt.generate("2y",
        PASSWORD.toCharArray(), salt, 5));
    image = registry.host() + "/private/busybox:1";
    cluster = new ProcessCluster(); // the manager runs no containers (simulated executor)
    m1 = cluster.init("m1");
    int third = 100 + Math.floorMod(TAG.hashCode(), 50);
    cluster.executor("container").daemonArgs("--cgroup-parent", CGROUP_PARENT, "--bridge-name", BRIDGE,
        "--bridge-subnet", "172.31." + third + ".0/24");
    w1 = cluster.join("w1", m1, "worker");
    byte[] rootfs = ContainerClusterTest.busyboxRootfsTar(cluster.baseDir().resolve("rootfs"));
    String q = "fromSrc=-&repo=" + URLEncoder.encode(registry.host() + "/private/busybox", StandardCharsets.UTF_8)
        + "&tag=1";
    m1.callBytes("POST", "/images/create?" + q, rootfs, "application/x-tar").expect(200);
    docker = new DockerCli("tcp://127.0.0.1:" + m1.apiPort);
  }

  @AfterAll
  static void tearDown() throws Exception {
    try {
      for (Daemon d : new Daemon[] {w1, m1}) {
        if (d != null && d.alive()) {
          d.call("POST", "/swarm/leave?force=true", null);
        }
      }
    } finally {
      ContainerClusterTest.closeAndRemoveLeftovers(cluster, BRIDGE, CGROUP_PARENT);
      if (registry != null) {
        registry.close();
      }
    }
  }

  @Test
  @Order(1)
  void loginIsCheckedAgainstTheRegistry() throws Exception {
    DockerCli.Run r = docker.runWithInput("wrong\n", "login", registry.host(), "-u", "bob", "--password-stdin");
    assertNotEquals(0, r.rc());
    assertTrue(r.err().contains("incorrect username or password") || r.err().contains("refused"), r.err());
    r = docker.runWithInput(PASSWORD + "\n", "login", registry.host(), "-u", "bob", "--password-stdin").ok();
    assertTrue(r.out().contains("Login Succeeded"), r.out() + r.err());
  }

  @Test
  @Order(2)
  void thePushedImageIsOnlyInTheRegistry() throws Exception {
    DockerCli.Run r = docker.run("push", image).ok();
    Matcher m = Pattern.compile("digest: (sha256:[0-9a-f]{64})").matcher(r.out());
    assertTrue(m.find(), r.out());
    digest = m.group(1);
    docker.run("image", "rm", image).ok();
    assertEquals("", docker.run("image", "ls", "-q", image).ok().out());
  }

  @Test
  @Order(3)
  void withoutRegistryAuthNothingIsPinnedAndTheWorkerCannotPull() throws Exception {
    DockerCli.Run r = docker.run("service", "create", "-d", "--name", "anon", "--constraint", "node.role==worker",
        image, "sleep", "600").ok();
    assertTrue(r.err().contains("could not be accessed on a registry"), r.err());
    await(CONVERGE, "the anonymous pull refused", () -> {
      try {
        for (JsonNode t : m1.get("/tasks?filters=" + URLEncoder.encode("{\"service\":{\"anon\":true}}",
            StandardCharsets.UTF_8))) {
          if (t.path("Status").path("Err").asText().contains("credentials")) {
            return true;
          }
        }
        return false;
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    docker.run("service", "rm", "anon").ok();
  }

  @Test
  @Order(4)
  void withRegistryAuthTheServiceIsPinnedAndTheWorkerPullsThatDigest() throws Exception {
    DockerCli.Run r = docker.run("service", "create", "-d", "--with-registry-auth", "--name", "priv",
        "--constraint", "node.role==worker", image, "sleep", "600").ok();
    assertFalse(r.err().contains("could not be accessed"), r.err());
    r = docker.run("service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", "priv").ok();
    assertEquals(image + "@" + digest + "\n", r.out());
    String w1Id = w1.get("/info").path("Swarm").path("NodeID").asText();
    await(CONVERGE, "the priv task running on w1", () -> {
      try {
        for (JsonNode t : m1.get("/tasks")) {
          if (t.path("Spec").path("ContainerSpec").path("Image").asText().equals(image + "@" + digest)
              && t.path("Status").path("State").asText().equals("running") && t.path("NodeID").asText().equals(w1Id)) {
            return true;
          }
        }
        return false;
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    r = new DockerCli("tcp://127.0.0.1:" + w1.apiPort).run("ps", "--no-trunc", "--format", "{{.Image}}").ok();
    assertEquals(image + "@" + digest + "\n", r.out());
  }

  @Test
  @Order(5)
  void theCredentialsAreInNoAnswerLogOrFile() throws Exception {
    String b64 = java.util.Base64.getEncoder().encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8))
        .replace("=", "");
    for (String path : new String[] {"/services", "/services/priv", "/tasks"}) {
      String body = m1.call("GET", path, null).expect(200).body();
      assertFalse(body.contains("RegistryAuth") || body.contains(PASSWORD), path + ": " + body);
    }
    String inspect = docker.run("service", "inspect", "priv").ok().out();
    assertFalse(inspect.contains("RegistryAuth") || inspect.contains(PASSWORD), inspect);
    for (Daemon d : new Daemon[] {m1, w1}) {
      assertFalse(d.logText().contains(PASSWORD), d.name + "'s log shows the password");
      for (Path root : new Path[] {d.dataRoot, d.execRoot}) {
        try (Stream<Path> files = Files.walk(root)) {
          for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.toString().contains("/raft"))
              .filter(f -> !f.toString().contains("/blobs/")).toList()) {
            String text;
            try {
              text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            } catch (java.io.IOException special) {
              continue; // a kernel file under a mount (EINVAL), not data a node wrote
            }
            assertFalse(text.contains(PASSWORD) || text.contains(b64), f + " holds the password");
          }
        }
      }
    }
  }
}
