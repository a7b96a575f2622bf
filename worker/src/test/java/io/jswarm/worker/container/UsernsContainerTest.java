package io.jswarm.worker.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.Mount;
import io.jswarm.api.types.Task;
import io.jswarm.linux.UserNamespace.IdRange;
import io.jswarm.worker.agent.TaskRuntime;
import io.jswarm.worker.network.TaskNetworking;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Containers with {@code --userns-remap} on this machine's runc (crun: {@link CrunUsernsContainerTest}): root in the
 * container is root there and uid {@link #BASE} on the host; the image's files are its own through the idmapped
 * layers, what it creates in its rootfs and in a volume is owned by {@link #BASE} on the host, its secrets and configs
 * are readable with the owners the spec gives (container ids), and {@code UsernsMode: host} opts a task out.
 */
class UsernsContainerTest {
  /** The host uid and gid of the containers' root (a range no one uses on this machine). */
  static final long BASE = 1_300_000;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final UsernsRemap REMAP = new UsernsRemap("test", "test", List.of(new IdRange(0, BASE, 65536)),
      List.of(new IdRange(0, BASE, 65536)));

  private Path root;
  private String cgroupParent;
  private ContainerConfig config;
  private ContainerExecutorTest.TestVolumes volumes;
  private ContainerExecutor executor;

  String runtime() {
    return "runc";
  }

  @BeforeEach
  void setUp() throws Exception {
    String tag = UUID.randomUUID().toString().substring(0, 8);
    root = Files.createTempDirectory("hexec-userns-" + tag);
    // the containers' root must traverse to its rootfs under the exec root: the test root lets others pass
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
    cgroupParent = "jswarm-hexec-userns-" + tag;
    config = new ContainerConfig(root.resolve("data"), root.resolve("exec"), cgroupParent, runtime(), 4096, 3)
        .withUserns(REMAP);
    volumes = new ContainerExecutorTest.TestVolumes(root.resolve("volumes"));
    executor = new ContainerExecutor(config, new BusyboxImage(root.resolve("image"), null), TaskNetworking.NONE,
        volumes, Clock.systemUTC());
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      executor.retainOnly(Set.of());
      executor.close();
      ContainerExecutorTest.assertNothingLeft(root, cgroupParent, config);
    } finally {
      ContainerExecutorTest.forceCleanup(root, cgroupParent);
    }
  }

  @Test
  void rootInTheContainerIsTheRemappedUidOnTheHost() throws Exception {
    Task t = ContainerExecutorTest.task(List.of("sh", "-c", "cat /proc/self/uid_map; id -u; "
        + "stat -c '%u %g' /bin/busybox; touch /made-by-root && echo made; echo hi > /data/f && echo wrote; "
        + "echo ready; sleep 30"));
    Mount m = new Mount();
    m.type = "volume";
    m.source = "vol";
    m.target = "/data";
    t.spec.containerSpec.mounts = List.of(m);
    TaskRuntime r = run(t);
    List<String> out = awaitReady(t);
    assertEquals("0 " + BASE + " 65536", out.get(0).trim().replaceAll("\\s+", " "), out.toString());
    assertEquals(List.of("0\n", "0 0\n", "made\n", "wrote\n", "ready\n"), out.subList(1, out.size()));
    // on the host: the file root made in its rootfs (in the overlay's upper dir) and in the volume is BASE's
    assertEquals(BASE, uid(config.stateDir(t.id).resolve("upper/made-by-root")));
    assertEquals(BASE, uid(root.resolve("volumes/vol/f")));
    assertEquals(BASE, uid(root.resolve("volumes/vol")), "the volume's directory is given to the remapped root");
    r.shutdown(Duration.ofSeconds(1));
    r.remove();
  }

  @Test
  void secretsAndConfigsAreOwnedThroughTheMapping() throws Exception {
    executor.useDependencies(ContainerExecutorTest.secretAndConfig("pw"));
    Task t = ContainerExecutorTest.task(List.of("sh", "-c", "stat -c '%a %u %g' /run/secrets/db_pass "
        + "/run/secrets/tls/key /etc/app.conf /etc/hosts; cat /run/secrets/db_pass; echo; echo ready; sleep 30"));
    ContainerExecutorTest.referToSecretAndConfig(t);
    TaskRuntime r = run(t);
    assertEquals(List.of("400 1000 1001\n", "444 0 0\n", "444 33 0\n", "644 0 0\n", "pw\n", "ready\n"),
        awaitReady(t));
    r.shutdown(Duration.ofSeconds(1));
    r.remove();
  }

  @Test
  void usernsModeHostRunsTheTaskInTheHostsUserNamespace() throws Exception {
    Task t = ContainerExecutorTest.task(List.of("sh", "-c", "cat /proc/self/uid_map; touch /made; echo ready; "
        + "sleep 30"));
    t.spec.containerSpec.usernsMode = ContainerSpec.USERNS_HOST;
    TaskRuntime r = run(t);
    List<String> out = awaitReady(t);
    assertEquals("0 0 4294967295", out.get(0).trim().replaceAll("\\s+", " "), out.toString());
    assertEquals(0, uid(config.stateDir(t.id).resolve("upper/made")));
    r.shutdown(Duration.ofSeconds(1));
    r.remove();
  }

  private TaskRuntime run(Task t) throws Exception {
    TaskRuntime r = executor.runtime(t);
    r.prepare();
    r.start();
    return r;
  }

  /** The container's output lines up to its "ready" (10 s at most). */
  private List<String> awaitReady(Task t) throws Exception {
    Path log = config.stateDir(t.id).resolve("json.log");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    List<String> out = new ArrayList<>();
    while (System.nanoTime() < deadline && !out.contains("ready\n")) {
      Thread.sleep(100);
      out.clear();
      if (Files.exists(log)) {
        for (String line : Files.readAllLines(log)) {
          out.add(JSON.readTree(line).get("log").asText());
        }
      }
    }
    assertTrue(out.contains("ready\n"), "the container did not get ready: " + out);
    return out;
  }

  private static long uid(Path p) throws Exception {
    return ((Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
  }
}
