package io.jswarm.cli.cluster;

import static io.jswarm.cli.cluster.ProcessCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.cli.Main;
import io.jswarm.cli.cluster.ProcessCluster.Daemon;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code jswarm daemon --userns-remap default} on one node with real containers (runc): the daemon makes the user
 * {@code dockremap} and its /etc/subuid and /etc/subgid ranges when missing (the test takes back what it added);
 * {@code /info} and {@code docker info} list {@code name=userns}, as does the node's description; in a task
 * {@code /proc/self/uid_map} shows the range, {@code id -u} is 0, a file root makes is owned by the range's first uid
 * on the host, a volume and a secret work; {@code --userns host} runs a task without the mapping.
 */
class UsernsClusterTest {
  private static final Duration CONVERGE = Duration.ofSeconds(60);
  private static final String TAG = UUID.randomUUID().toString().substring(0, 6);
  private static final String CGROUP_PARENT = "jswarm-utest-" + TAG;
  private static final String BRIDGE = "jswut" + TAG;
  private static final List<Path> ID_FILES = List.of(Path.of("/etc/subuid"), Path.of("/etc/subgid"));

  private static ProcessCluster cluster;
  private static Daemon node;
  private static boolean userExisted;
  private static final boolean[] rangeExisted = new boolean[2];

  @BeforeAll
  static void startNode() throws Exception {
    userExisted = Files.readAllLines(Path.of("/etc/passwd")).stream().anyMatch(l -> l.startsWith("dockremap:"));
    for (int i = 0; i < 2; i++) {
      rangeExisted[i] = Files.exists(ID_FILES.get(i))
          && Files.readAllLines(ID_FILES.get(i)).stream().anyMatch(l -> l.startsWith("dockremap:"));
    }
    int third = 100 + Math.floorMod(TAG.hashCode(), 50);
    cluster = new ProcessCluster().executor("container").daemonArgs("--cgroup-parent", CGROUP_PARENT,
        "--bridge-name", BRIDGE, "--bridge-subnet", "172.31." + third + ".0/24", "--userns-remap", "default");
    // the containers' root must traverse to its rootfs under the exec root
    Files.setPosixFilePermissions(cluster.baseDir(), PosixFilePermissions.fromString("rwx--x--x"));
    node = cluster.init("u1");
    ContainerClusterTest.importBusybox(cluster, node);
  }

  @AfterAll
  static void tearDown() throws Exception {
    try {
      ContainerClusterTest.leaveAndRemoveLeftovers(cluster, node, BRIDGE, CGROUP_PARENT);
    } finally {
      for (int i = 0; i < 2; i++) { // what the daemon added for this test goes again
        Path f = ID_FILES.get(i);
        if (!rangeExisted[i] && Files.exists(f)) {
          Files.write(f, Files.readAllLines(f).stream().filter(l -> !l.startsWith("dockremap:")).toList());
        }
      }
      if (!userExisted) {
        new ProcessBuilder("userdel", "dockremap").inheritIO().start().waitFor();
      }
    }
  }

  record Run(int rc, String out, String err) {}

  static Run jswarm(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 2];
    all[0] = "-H";
    all[1] = node.host();
    System.arraycopy(args, 0, all, 2, args.length);
    int rc = Main.run(new PrintWriter(out), new PrintWriter(err), all);
    return new Run(rc, out.toString(), err.toString());
  }

  /** The host uid the first line for dockremap in /etc/subuid starts at. */
  private static long remapStart() throws Exception {
    String line = Files.readAllLines(ID_FILES.get(0)).stream().filter(l -> l.startsWith("dockremap:")).findFirst()
        .orElseThrow(() -> new AssertionError("the daemon added no dockremap range to /etc/subuid"));
    return Long.parseLong(line.split(":")[1]);
  }

  @Test
  void infoAndTheNodeReportTheUserNamespace() throws Exception {
    assertTrue(node.get("/info").path("SecurityOptions").toString().contains("\"name=userns\""),
        node.get("/info").toString());
    String info = new DockerCli(node.host()).run("info", "--format", "{{json .SecurityOptions}}").ok().out();
    assertTrue(info.contains("name=userns"), info);
    JsonNode self = node.get("/nodes").path(0);
    assertTrue(self.path("Description").path("Engine").path("SecurityOptions").toString().contains("name=userns"),
        self.toString());
  }

  @Test
  void rootInATaskIsTheSubordinateUidOnTheHostAndVolumesAndSecretsWork() throws Exception {
    long start = remapStart();
    Path secretFile = cluster.baseDir().resolve("pw.txt");
    Files.writeString(secretFile, "s3cret");
    assertEquals(0, jswarm("secret", "create", "upw", secretFile.toString()).rc);
    Run created = jswarm("service", "create", "-d", "--name", "remapped", "--secret", "upw",
        "--mount", "type=volume,source=uvol,target=/data", ContainerClusterTest.IMAGE, "sh", "-c",
        "cat /proc/self/uid_map; echo uid=$(id -u); touch /made-by-root; echo x > /data/f && echo wrote; "
            + "echo secret=$(cat /run/secrets/upw); exec sleep 600");
    assertEquals(0, created.rc, created.out + created.err);
    String logs = awaitLogs("remapped", "secret=");
    assertTrue(logs.replaceAll("[ \\t]+", " ").contains(" 0 " + start + " 65536"), logs);
    assertTrue(logs.contains("uid=0") && logs.contains("wrote") && logs.contains("secret=s3cret"), logs);
    String task = runningTask("remapped");
    Path made = cluster.baseDir().resolve("u1/data/containers").resolve(task).resolve("upper/made-by-root");
    assertEquals(start, ((Integer) Files.getAttribute(made, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue(),
        "owner of " + made + " on the host");
    Path volumeFile = Path.of(node.get("/volumes/uvol").path("Mountpoint").asText(), "f");
    assertEquals(start, ((Integer) Files.getAttribute(volumeFile, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue());
    assertEquals(0, jswarm("service", "rm", "remapped").rc);
  }

  @Test
  void usernsHostRunsATaskWithoutTheMapping() throws Exception {
    Run created = jswarm("service", "create", "-d", "--name", "hostns", "--userns", "host", ContainerClusterTest.IMAGE,
        "sh", "-c", "cat /proc/self/uid_map; echo done; exec sleep 600");
    assertEquals(0, created.rc, created.out + created.err);
    String logs = awaitLogs("hostns", "done");
    assertTrue(logs.replaceAll("[ \\t]+", " ").contains(" 0 0 4294967295"), logs);
    assertEquals("host", node.get("/services/hostns").path("Spec").path("TaskTemplate").path("ContainerSpec")
        .path("UsernsMode").asText());
    assertEquals(0, jswarm("service", "rm", "hostns").rc);
  }

  private static String awaitLogs(String service, String marker) {
    String[] logs = {""};
    await(CONVERGE, service + "'s output", () -> {
      Run r = jswarm("service", "logs", service);
      logs[0] = r.out + r.err;
      return logs[0].contains(marker);
    });
    return logs[0];
  }

  private static String runningTask(String service) throws Exception {
    String id = node.get("/services/" + service).path("ID").asText();
    for (JsonNode t : node.get("/tasks")) {
      if (t.path("Status").path("State").asText().equals("running") && t.path("ServiceID").asText().equals(id)) {
        return t.path("ID").asText();
      }
    }
    throw new AssertionError("no running task of " + service + ": " + node.get("/tasks"));
  }
}
