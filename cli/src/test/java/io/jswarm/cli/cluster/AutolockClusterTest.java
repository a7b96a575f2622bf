package io.jswarm.cli.cluster;

import static io.jswarm.cli.cluster.ProcessCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jswarm.api.json.Json;
import io.jswarm.cli.cluster.ProcessCluster.Daemon;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Encryption at rest and autolock on three manager processes and a worker: nothing readable on disk; a restarted
 * manager is locked (503 with Docker's text), refuses a wrong key, and with the right one rejoins the Raft group;
 * a rotated key makes the old one useless; autolock off stores the key-encryption key again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AutolockClusterTest {
  private static final Duration CONVERGE = Duration.ofSeconds(60);
  private static final String MARKER = "mk" + UUID.randomUUID().toString().replace("-", "");
  private static final String LOCKED = "Swarm is encrypted and needs to be unlocked before it can be used. Please "
      + "use \\\"docker swarm unlock\\\" to unlock it.";

  private static ProcessCluster cluster;
  private static Daemon m1;
  private static Daemon m2;
  private static Daemon m3;
  private static Daemon w1;
  private static String unlockKey;

  @BeforeAll
  static void formCluster() throws IOException {
    cluster = new ProcessCluster().daemonArgs("--snapshot-interval", "20");
    m1 = cluster.init("m1", "\"Spec\":{\"EncryptionConfig\":{\"AutoLockManagers\":true}}");
    m2 = cluster.join("m2", m1, "manager");
    m3 = cluster.join("m3", m1, "manager");
    w1 = cluster.join("w1", m1, "worker");
    unlockKey = m1.get("/swarm/unlockkey").path("UnlockKey").asText();
  }

  @AfterAll
  static void tearDown() throws IOException {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void nothingSecretIsReadableInAnyDataRoot() throws Exception {
    assertTrue(unlockKey.startsWith("SWMKEY-1-"), unlockKey);
    String spec = "{\"Name\":\"marked\",\"Labels\":{\"note\":\"" + MARKER + "\"},\"TaskTemplate\":{\"ContainerSpec\":"
        + "{\"Image\":\"busybox\",\"Env\":[\"PASSWORD=" + MARKER + "\"]}},\"Mode\":{\"Replicated\":{\"Replicas\":2}}}";
    m1.call("POST", "/services/create", spec).expect(201);
    await(CONVERGE, "2 running tasks", () -> running("marked") == 2);
    await(CONVERGE, "a Raft snapshot on m1 (every 20 entries here)", () -> {
      try (Stream<Path> files = Files.walk(m1.dataRoot.resolve("raft"))) {
        return files.anyMatch(f -> f.getFileName().toString().matches("snapshot\\.\\d+_\\d+"));
      } catch (IOException e) {
        return false;
      }
    });
    String tokens = m1.get("/swarm").path("JoinTokens").toString();
    List<String> secrets = List.of(MARKER, "PRIVATE KEY", unlockKey, secretPart(tokens, "Worker"),
        secretPart(tokens, "Manager"));
    for (Daemon d : List.of(m1, m2, m3, w1)) {
      for (String s : secrets) {
        assertEquals(List.of(), filesContaining(d.dataRoot, s), d + ": files holding '" + s + "' in the clear");
      }
      assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.OWNER_EXECUTE), Files.getPosixFilePermissions(d.dataRoot), d + ": data root mode");
      String listing = sh("su nobody -s /bin/sh -c 'ls " + d.dataRoot + "/raft 2>&1; cat " + d.dataRoot
          + "/certificates/swarm-node.key 2>&1'");
      assertTrue(listing.contains("Permission denied") && !listing.contains("sealed"), listing);
    }
    assertFalse(Files.exists(m1.dataRoot.resolve("swarm/kek")), "autolock: no key-encryption key on disk");
    assertTrue(Files.exists(w1.dataRoot.resolve("swarm/kek")), "a worker is never locked");
    // the managers read the replicated, encrypted entries: all three see the service
    for (Daemon d : List.of(m2, m3)) {
      await(CONVERGE, d + " to see the service", () -> answer(d, "/services").contains(MARKER));
    }
  }

  @Test
  @Order(2)
  void restartedManagerIsLockedUntilTheRightKeyAndThenRejoinsRaft() throws Exception {
    m2.restart();
    assertEquals("locked", m2.get("/info").path("Swarm").path("LocalNodeState").asText());
    ProcessCluster.Answer a = m2.call("GET", "/services", null);
    assertEquals(503, a.status(), a.body());
    assertTrue(a.body().contains(LOCKED), a.body());

    a = m2.call("POST", "/swarm/unlock", "{\"UnlockKey\":\"SWMKEY-1-" + "A".repeat(43) + "\"}");
    assertEquals(400, a.status(), a.body());
    assertTrue(a.body().contains("swarm could not be unlocked: invalid key"), a.body());
    assertEquals(400, m2.call("POST", "/swarm/unlock", "{\"UnlockKey\":\"not-a-key\"}").status());
    assertEquals("locked", m2.get("/info").path("Swarm").path("LocalNodeState").asText());

    m2.call("POST", "/swarm/unlock", "{\"UnlockKey\":\"" + unlockKey + "\"}").expect(200);
    assertEquals(409, m2.call("POST", "/swarm/unlock", "{\"UnlockKey\":\"" + unlockKey + "\"}").status(),
        "a second unlock: not locked");
    // Raft rejoined: a write through m1 is applied on m2, and m2 writes through the group itself
    m1.call("POST", "/services/create", "{\"Name\":\"after-unlock\",\"TaskTemplate\":{\"ContainerSpec\":"
        + "{\"Image\":\"busybox\"}}}").expect(201);
    await(CONVERGE, "m2 to apply the new write", () -> answer(m2, "/services").contains("after-unlock"));
    m2.call("POST", "/services/create", "{\"Name\":\"from-m2\",\"TaskTemplate\":{\"ContainerSpec\":"
        + "{\"Image\":\"busybox\"}}}").expect(201);
    await(CONVERGE, "m2 reachable again", () -> answer(m1, "/nodes").contains("\"reachable\"")
        && managerReachability(m1).stream().allMatch("reachable"::equals));
  }

  @Test
  @Order(3)
  void rotatedKeyMakesTheOldOneUselessAfterARestart() throws Exception {
    String oldKey = unlockKey;
    byte[] sealedBefore = Files.readAllBytes(m3.dataRoot.resolve("swarm/raft-dek"));
    JsonNode sw = m1.get("/swarm");
    m1.call("POST", "/swarm/update?version=" + sw.path("Version").path("Index").asLong()
        + "&rotateManagerUnlockKey=true", sw.path("Spec").toString()).expect(200);
    unlockKey = m1.get("/swarm/unlockkey").path("UnlockKey").asText();
    assertNotEquals(oldKey, unlockKey);
    await(CONVERGE, "m3 to re-seal its data key with the new key", () -> {
      try {
        return !java.util.Arrays.equals(sealedBefore, Files.readAllBytes(m3.dataRoot.resolve("swarm/raft-dek")));
      } catch (IOException e) {
        return false;
      }
    });
    m3.restart();
    assertEquals("locked", m3.get("/info").path("Swarm").path("LocalNodeState").asText());
    ProcessCluster.Answer a = m3.call("POST", "/swarm/unlock", "{\"UnlockKey\":\"" + oldKey + "\"}");
    assertEquals(400, a.status(), a.body());
    m3.call("POST", "/swarm/unlock", "{\"UnlockKey\":\"" + unlockKey + "\"}").expect(200);
    await(CONVERGE, "m3 to serve the store again", () -> answer(m3, "/services").contains("from-m2"));
  }

  @Test
  @Order(4)
  void autolockOffStoresTheKeyEncryptionKeyAgain() throws Exception {
    JsonNode sw = m1.get("/swarm");
    ObjectNode spec = (ObjectNode) sw.path("Spec");
    ((ObjectNode) spec.path("EncryptionConfig")).put("AutoLockManagers", false);
    m1.call("POST", "/swarm/update?version=" + sw.path("Version").path("Index").asLong(), spec.toString()).expect(200);
    assertEquals("", m1.get("/swarm/unlockkey").path("UnlockKey").asText());
    for (Daemon d : List.of(m1, m2, m3)) {
      await(CONVERGE, d + " to store its key-encryption key", () -> Files.exists(d.dataRoot.resolve("swarm/kek")));
      assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
          Files.getPosixFilePermissions(d.dataRoot.resolve("swarm/kek")));
    }
    m2.restart();
    await(CONVERGE, "m2 to start unlocked", () -> answer(m2, "/info").contains("\"LocalNodeState\":\"active\""));
    await(CONVERGE, "m2 to serve the store", () -> answer(m2, "/services").contains("from-m2"));
  }

  // ---- helpers ----

  private static long running(String service) {
    JsonNode tasks = answerTree(m1, "/tasks?filters=" + java.net.URLEncoder.encode("{\"service\":[\"" + service
        + "\"]}", StandardCharsets.UTF_8));
    long n = 0;
    for (JsonNode t : tasks) {
      if (t.path("Status").path("State").asText().equals("running")) {
        n++;
      }
    }
    return n;
  }

  private static List<String> managerReachability(Daemon d) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : answerTree(d, "/nodes")) {
      if (!n.path("ManagerStatus").isMissingNode()) {
        out.add(n.path("ManagerStatus").path("Reachability").asText());
      }
    }
    return out;
  }

  private static JsonNode answerTree(Daemon d, String path) {
    try {
      return d.get(path);
    } catch (IOException | AssertionError e) {
      return Json.mapper().createArrayNode();
    }
  }

  private static String answer(Daemon d, String path) {
    try {
      return d.call("GET", path, null).body();
    } catch (IOException e) {
      return "";
    }
  }

  /** The secret part of a join token (after its last dash). */
  private static String secretPart(String tokensJson, String role) {
    String t = Json.fromString(tokensJson, JsonNode.class).path(role).asText();
    return t.substring(t.lastIndexOf('-') + 1);
  }

  static List<Path> filesContaining(Path root, String text) throws IOException {
    byte[] needle = text.getBytes(StandardCharsets.UTF_8);
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).filter(p -> {
        try {
          return indexOf(Files.readAllBytes(p), needle) >= 0;
        } catch (IOException e) {
          return false; // vanished while walking (a rotated temp file)
        }
      }).toList();
    }
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  static String sh(String command) throws Exception {
    Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out;
  }
}
