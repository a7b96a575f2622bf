package io.jswarm.cli.cluster;

import static io.jswarm.cli.cluster.ProcessCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.cli.cluster.ProcessCluster.Daemon;
import io.jswarm.cli.daemon.NodeKeys;
import io.jswarm.transport.pki.NodeCredentials;
import io.jswarm.transport.pki.TlsContexts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code jswarm swarm ca --rotate} on a manager and a worker (real daemons): a new root is made, every node
 * certificate is re-issued through the cross-signed root, the nodes stay ready and the tasks keep running
 * throughout, the join tokens name the new root, and in the end a certificate of the old root is refused.
 */
class RootRotationClusterTest {
  private static final Duration ROTATION = Duration.ofSeconds(150);

  @Test
  void swarmCaRotateReissuesEveryCertificateWithoutDowntime() throws Exception {
    try (ProcessCluster cluster = new ProcessCluster()) {
      Daemon m1 = cluster.init("rot-m1");
      Daemon w1 = cluster.join("rot-w1", m1, "worker");
      await(Duration.ofSeconds(60), "2 ready nodes", () -> readyNodes(m1) == 2);
      m1.call("POST", "/services/create", "{\"Name\":\"steady\",\"TaskTemplate\":{\"ContainerSpec\":"
          + "{\"Image\":\"busybox\"}},\"Mode\":{\"Replicated\":{\"Replicas\":2}}}").expect(201);
      await(Duration.ofSeconds(60), "2 running tasks", () -> runningOrNone(m1).size() == 2);
      JsonNode before = m1.get("/swarm");
      String oldRoot = before.path("TLSInfo").path("TrustRoot").asText();
      String oldToken = before.path("JoinTokens").path("Worker").asText();
      NodeCredentials oldWorker = w1.credentials();

      Process cli = new ProcessBuilder(java(), "-cp", ProcessCluster.classPath(), "io.jswarm.cli.Main",
          "-H", m1.host(), "swarm", "ca", "--rotate").redirectErrorStream(true).start();
      List<String> problems = new ArrayList<>();
      int polls = 0;
      int apiBlips = 0;
      long deadline = System.nanoTime() + ROTATION.toNanos();
      while (cli.isAlive() && System.nanoTime() < deadline) { // the cluster keeps serving while it rotates
        int ready = readyNodes(m1);
        polls++;
        if (ready < 0) {
          apiBlips++; // the manager restarts its Raft member with its new certificate
        } else if (ready != 2) {
          problems.add(ready + " ready nodes at poll " + polls);
        }
        Thread.sleep(500);
      }
      System.out.printf("rotation: %d polls, the API unavailable at %d of them, nodes not ready: %s%n", polls,
          apiBlips, problems);
      assertTrue(cli.waitFor(5, TimeUnit.SECONDS), "swarm ca --rotate did not finish");
      String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, cli.exitValue(), out);

      JsonNode after = m1.get("/swarm");
      String newRoot = after.path("TLSInfo").path("TrustRoot").asText();
      assertNotEquals(oldRoot, newRoot);
      assertTrue(out.contains(newRoot.strip()), "prints the new root: " + out);
      assertFalse(after.path("RootRotationInProgress").asBoolean());
      assertNotEquals(oldToken, after.path("JoinTokens").path("Worker").asText(), "tokens name the new root");
      assertTrue(problems.isEmpty(), "nodes stayed ready during the rotation: " + problems);
      // the simulated executor keeps its tasks in memory, so a node's roles restarted with its renewed
      // certificate replace its tasks (containers are adopted instead); the service stays converged
      await(Duration.ofSeconds(60), "2 running tasks", () -> runningOrNone(m1).size() == 2);

      // every node drops the old root at its next check, then the old root's certificates are refused
      await(Duration.ofSeconds(60), "every node trusts only the new root", () ->
          trustsOnly(m1.certDir(), newRoot) && trustsOnly(w1.certDir(), newRoot));
      await(Duration.ofSeconds(60), "2 ready nodes", () -> readyNodes(m1) == 2);
      assertThrows(IOException.class, () -> https(oldWorker, m1, "/v2/"),
          "a certificate of the old root no longer passes the handshake");
      assertEquals(200, https(w1.credentials(), m1, "/v2/").statusCode());
      Daemon w2 = cluster.join("rot-w2", m1, "worker");
      await(Duration.ofSeconds(60), "a node joins with the new token", () -> readyNodes(m1) == 3);
      assertTrue(trustsOnly(w2.certDir(), newRoot));
    }
  }

  private static boolean trustsOnly(Path certDir, String rootPem) {
    try {
      NodeCredentials c = NodeCredentials.load(certDir, NodeKeys.load(certDir.getParent(), certDir,
          new java.security.SecureRandom()));
      return c.trustedRoots().size() == 1 && c.trustedRootsPem().strip().equals(rootPem.strip());
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static int readyNodes(Daemon via) {
    try {
      int n = 0;
      for (JsonNode node : via.get("/nodes")) {
        n += node.path("Status").path("State").asText().equals("ready") ? 1 : 0;
      }
      return n;
    } catch (IOException | RuntimeException | AssertionError e) {
      return -1; // the API is between two lives of the manager role
    }
  }

  private static Set<String> runningOrNone(Daemon via) {
    try {
      return running(via);
    } catch (IOException | RuntimeException | AssertionError e) {
      return Set.of();
    }
  }

  private static Set<String> running(Daemon via) throws IOException {
    Set<String> ids = new TreeSet<>();
    for (JsonNode t : via.get("/tasks")) {
      if (t.path("Status").path("State").asText().equals("running")) {
        ids.add(t.path("ID").asText());
      }
    }
    return ids;
  }

  private static HttpResponse<String> https(NodeCredentials who, Daemon manager, String path) throws Exception {
    HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .sslContext(TlsContexts.client(who)).connectTimeout(Duration.ofSeconds(5)).build();
    return c.send(HttpRequest.newBuilder(URI.create("https://" + manager.clusterAddr() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
