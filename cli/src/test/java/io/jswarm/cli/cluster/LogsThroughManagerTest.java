package io.jswarm.cli.cluster;

import static io.jswarm.cli.cluster.ProcessCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.cli.cluster.ProcessCluster.Daemon;
import io.jswarm.transport.http.MultiplexedStream;
import io.jswarm.transport.pki.TlsContexts;
import io.jswarm.worker.logs.LogEntry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Task logs read through a manager from the node that runs the task: a manager (m1) and a worker (w1) as real
 * daemon processes with the simulated executor, which writes no logs — the test writes each task's json-file log
 * (with a rotation) into the data root of the node the task landed on, as the container monitor would.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LogsThroughManagerTest {
  private static final Duration CONVERGE = Duration.ofSeconds(30);
  private static final Instant T0 = Instant.parse("2026-03-04T05:06:07.000000001Z");

  private static ProcessCluster cluster;
  private static Daemon m1;
  private static Daemon w1;
  private static String serviceId;
  /** task id -> node hostname */
  private static final Map<String, String> taskNode = new HashMap<>();
  private static final Map<String, String> nodeIds = new HashMap<>();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void formCluster() throws IOException {
    cluster = new ProcessCluster();
    m1 = cluster.init("m1");
    w1 = cluster.join("w1", m1, "worker");
    await(CONVERGE, "2 ready nodes with cluster addresses", () -> {
      int n = 0;
      for (JsonNode node : get(m1, "/nodes")) {
        if (node.path("Status").path("State").asText().equals("ready")
            && !node.path("Status").path("ClusterAddr").asText().isEmpty()) {
          nodeIds.put(node.path("Description").path("Hostname").asText(), node.path("ID").asText());
          n++;
        }
      }
      return n == 2;
    });
    serviceId = m1.call("POST", "/services/create", "{\"Name\":\"chatty\",\"TaskTemplate\":{\"ContainerSpec\":"
        + "{\"Image\":\"busybox\"}},\"Mode\":{\"Replicated\":{\"Replicas\":2}}}").expect(201).json().path("ID").asText();
    await(CONVERGE, "a running chatty task on each node", () -> {
      taskNode.clear();
      for (JsonNode t : get(m1, "/tasks")) {
        if (t.path("Status").path("State").asText().equals("running")) {
          String node = nodeIds.entrySet().stream().filter(e -> e.getValue().equals(t.path("NodeID").asText()))
              .map(Map.Entry::getKey).findFirst().orElse("?");
          taskNode.put(t.path("ID").asText(), node);
        }
      }
      return taskNode.size() == 2 && taskNode.containsValue("m1") && taskNode.containsValue("w1");
    });
    for (Map.Entry<String, String> e : taskNode.entrySet()) {
      Daemon d = cluster.get(e.getValue());
      Path dir = d.dataRoot.resolve("containers").resolve(e.getKey());
      Files.createDirectories(dir);
      String who = e.getValue();
      Files.writeString(dir.resolve("json.log.1"), line(0, "stdout", who + " old\n"));
      Files.writeString(dir.resolve("json.log"), line(1, "stdout", who + " out\n") + line(2, "stderr", who + " err\n"));
    }
  }

  @AfterAll
  static void tearDown() throws IOException {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static JsonNode get(Daemon d, String path) {
    try {
      return d.get(path);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String line(int second, String stream, String text) {
    return new LogEntry(T0.plusSeconds(second), stream, text).toJsonLine();
  }

  private static String task(String node) {
    return taskNode.entrySet().stream().filter(e -> e.getValue().equals(node)).findFirst().orElseThrow().getKey();
  }

  /** GET on m1's API; the answer's frames as "stream|payload". */
  private static List<String> frames(String path) throws Exception {
    HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m1.apiPort + "/v1.41" + path))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    assertEquals(MultiplexedStream.CONTENT_TYPE, r.headers().firstValue("Content-Type").orElse(""));
    MultiplexedStream.Decoder d = new MultiplexedStream.Decoder();
    List<String> out = new ArrayList<>();
    d.feed(r.body()).forEach(f -> out.add(f.stream() + "|" + new String(f.payload(), StandardCharsets.UTF_8)));
    assertEquals(0, d.pending(), "a frame was cut short");
    return out;
  }

  @Test
  @Order(1)
  void serviceLogsComeFromEveryNodeWithDockerDetailsAndTimestamps() throws Exception {
    List<String> got = frames("/services/chatty/logs?stdout=1&stderr=1&details=1&timestamps=1");
    List<String> want = new ArrayList<>();
    for (String node : List.of("m1", "w1")) {
      String details = "com.docker.swarm.node.id=" + nodeIds.get(node) + ",com.docker.swarm.service.id=" + serviceId
          + ",com.docker.swarm.task.id=" + task(node) + " ";
      want.add("1|2026-03-04T05:06:07.000000001Z " + details + node + " old\n");
      want.add("1|2026-03-04T05:06:08.000000001Z " + details + node + " out\n");
      want.add("2|2026-03-04T05:06:09.000000001Z " + details + node + " err\n");
    }
    List<String> sorted = new ArrayList<>(got);
    Collections.sort(sorted);
    Collections.sort(want);
    assertEquals(want, sorted);
  }

  @Test
  @Order(2)
  void taskLogsByPrefixWithTailSinceAndStreamSelection() throws Exception {
    String w = task("w1");
    // tail counts the last lines of both streams, then stdout is selected: "w1 out" (the stderr line is dropped)
    assertEquals(List.of("1|w1 out\n"), frames("/tasks/" + w.substring(0, 8) + "/logs?stdout=1&tail=2"));
    assertEquals(List.of("2|w1 err\n"), frames("/tasks/" + w + "/logs?stderr=1"));
    long since = T0.plusSeconds(1).getEpochSecond();
    assertEquals(List.of("1|w1 out\n", "2|w1 err\n"),
        frames("/tasks/" + w + "/logs?stdout=1&stderr=1&since=" + since + ".000000001"));
    HttpResponse<String> none = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m1.apiPort
        + "/v1.41/tasks/" + w + "/logs")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(400, none.statusCode());
    assertTrue(none.body().contains("you must choose at least one stream"), none.body());
    HttpResponse<String> missing = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m1.apiPort
        + "/v1.41/services/nosuch/logs?stdout=1")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(404, missing.statusCode(), missing.body());
  }

  @Test
  @Order(3)
  void nodeRoutesAnswerOnlyManagers() throws Exception {
    String path = "https://" + w1.clusterAddr() + "/node/tasks/" + task("w1") + "/logs?stdout=1";
    HttpClient anonymous = HttpClient.newBuilder().sslContext(TlsContexts.bootstrapClient()).build();
    HttpResponse<String> r = anonymous.send(HttpRequest.newBuilder(URI.create(path)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(403, r.statusCode(), r.body());
    SSLContext workerCert = TlsContexts.client(w1.credentials());
    HttpClient asWorker = HttpClient.newBuilder().sslContext(workerCert).build();
    r = asWorker.send(HttpRequest.newBuilder(URI.create(path)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(403, r.statusCode(), r.body());
    SSLContext managerCert = TlsContexts.client(m1.credentials());
    HttpClient asManager = HttpClient.newBuilder().sslContext(managerCert).build();
    r = asManager.send(HttpRequest.newBuilder(URI.create(path)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.body().contains("\"w1 out\\n\""), r.body());
  }

  @Test
  @Order(4)
  void dockerCliServiceLogs() throws Exception {
    ProcessBuilder pb = new ProcessBuilder("docker", "service", "logs", "chatty").redirectErrorStream(true);
    pb.environment().put("DOCKER_HOST", "tcp://127.0.0.1:" + m1.apiPort);
    Process cli = pb.start();
    assertTrue(cli.waitFor(30, TimeUnit.SECONDS), "docker service logs did not end");
    String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, cli.exitValue(), out);
    String w = task("w1");
    assertTrue(out.contains("chatty." + slot(w) + "." + w.substring(0, 12) + "@w1    | w1 err"), out);
    assertTrue(out.contains("@m1    | m1 old"), out);
    assertEquals(6, out.lines().count(), out);
  }

  @Test
  @Order(4)
  void jswarmCliServiceLogs() throws Exception {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    int rc = io.jswarm.cli.Main.run(new java.io.PrintWriter(out), new java.io.PrintWriter(err),
        "service", "logs", "-H", m1.host(), "chatty");
    assertEquals(0, rc, err.toString());
    String w = task("w1");
    String wPrefix = "chatty." + slot(w) + "." + w.substring(0, 12) + "@w1    | ";
    assertTrue(out.toString().contains(wPrefix + "w1 old\n"), out.toString());
    assertTrue(out.toString().contains(wPrefix + "w1 out\n"), out.toString());
    assertEquals(4, out.toString().lines().count(), out.toString());
    assertEquals(2, err.toString().lines().count(), err.toString()); // the stderr lines go to stderr
    assertTrue(err.toString().contains(wPrefix + "w1 err\n"), err.toString());

    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    rc = io.jswarm.cli.Main.run(new java.io.PrintWriter(out), new java.io.PrintWriter(err),
        "service", "logs", "-H", m1.host(), "--tail", "2", "--timestamps", "--no-task-ids", w.substring(0, 10));
    assertEquals(0, rc, err.toString());
    assertEquals("2026-03-04T05:06:08.000000001Z chatty." + slot(w) + "@w1    | w1 out\n", out.toString());
    assertEquals("2026-03-04T05:06:09.000000001Z chatty." + slot(w) + "@w1    | w1 err\n", err.toString());

    err.getBuffer().setLength(0);
    rc = io.jswarm.cli.Main.run(new java.io.PrintWriter(out), new java.io.PrintWriter(err),
        "service", "logs", "-H", m1.host(), "nosuch");
    assertEquals(1, rc);
    assertTrue(err.toString().contains("no such task or service: nosuch"), err.toString());
  }

  private static String slot(String taskId) throws IOException {
    return m1.get("/tasks/" + taskId).path("Slot").asText();
  }

  @Test
  @Order(5)
  void followingAServicePicksUpTasksStartedLater() throws Exception {
    HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m1.apiPort
        + "/v1.41/services/chatty/logs?stdout=1&follow=1&tail=0")).build(), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, r.statusCode());
    List<String> got = Collections.synchronizedList(new ArrayList<>());
    Thread reader = new Thread(() -> {
      MultiplexedStream.Decoder d = new MultiplexedStream.Decoder();
      byte[] buf = new byte[4096];
      try (InputStream in = r.body()) {
        int n;
        while ((n = in.read(buf)) > 0) {
          d.feed(java.util.Arrays.copyOf(buf, n)).forEach(f -> got.add(new String(f.payload(), StandardCharsets.UTF_8)));
        }
      } catch (IOException e) {
        // closed by the test
      }
    });
    reader.setDaemon(true);
    reader.start();
    com.fasterxml.jackson.databind.node.ObjectNode svc = (com.fasterxml.jackson.databind.node.ObjectNode) m1.get(
        "/services/chatty");
    com.fasterxml.jackson.databind.node.ObjectNode spec = (com.fasterxml.jackson.databind.node.ObjectNode) svc.get("Spec");
    ((com.fasterxml.jackson.databind.node.ObjectNode) spec.get("Mode").get("Replicated")).put("Replicas", 3);
    m1.call("POST", "/services/" + serviceId + "/update?version=" + svc.path("Version").path("Index").asLong(),
        spec.toString()).expect(200);
    String[] newcomer = new String[2];
    await(CONVERGE, "a third running task", () -> {
      for (JsonNode t : get(m1, "/tasks")) {
        String id = t.path("ID").asText();
        if (t.path("Status").path("State").asText().equals("running") && !taskNode.containsKey(id)) {
          newcomer[0] = id;
          newcomer[1] = nodeIds.get("m1").equals(t.path("NodeID").asText()) ? "m1" : "w1";
          return true;
        }
      }
      return false;
    });
    Path dir = cluster.get(newcomer[1]).dataRoot.resolve("containers").resolve(newcomer[0]);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("json.log"), line(5, "stdout", "newcomer\n"));
    await(Duration.ofSeconds(10), "the new task's line in the service's stream", () -> got.contains("newcomer\n"));
    assertEquals(List.of("newcomer\n"), got);
    r.body().close();
  }

  @Test
  @Order(6)
  void followingATaskThatIsNotRunningYetWaitsForIt() throws Exception {
    String late = m1.call("POST", "/services/create", "{\"Name\":\"late\",\"TaskTemplate\":{\"ContainerSpec\":"
        + "{\"Image\":\"busybox\"},\"Placement\":{\"Constraints\":[\"node.labels.logs==here\"]}},"
        + "\"Mode\":{\"Replicated\":{\"Replicas\":1}}}").expect(201).json().path("ID").asText();
    String[] task = new String[1];
    await(CONVERGE, "a pending task of late", () -> {
      for (JsonNode t : get(m1, "/tasks")) {
        if (t.path("ServiceID").asText().equals(late) && t.path("Status").path("State").asText().equals("pending")) {
          task[0] = t.path("ID").asText();
          return true;
        }
      }
      return false;
    });
    HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m1.apiPort
        + "/v1.41/tasks/" + task[0] + "/logs?stdout=1&follow=1")).build(), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, r.statusCode());
    List<String> got = Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
      MultiplexedStream.Decoder d = new MultiplexedStream.Decoder();
      byte[] buf = new byte[4096];
      try (InputStream in = r.body()) {
        int n;
        while ((n = in.read(buf)) > 0) {
          d.feed(java.util.Arrays.copyOf(buf, n)).forEach(f -> got.add(new String(f.payload(), StandardCharsets.UTF_8)));
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    JsonNode node = m1.get("/nodes/w1");
    m1.call("POST", "/nodes/" + node.path("ID").asText() + "/update?version=" + node.path("Version").path("Index").asLong(),
        "{\"Role\":\"worker\",\"Availability\":\"active\",\"Labels\":{\"logs\":\"here\"}}").expect(200);
    await(CONVERGE, "the late task running", () -> get(m1, "/tasks/" + task[0]).path("Status").path("State").asText()
        .equals("running"));
    Path dir = w1.dataRoot.resolve("containers").resolve(task[0]);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("json.log"), line(6, "stdout", "first words\n"));
    await(Duration.ofSeconds(10), "the late task's line", () -> got.contains("first words\n"));
    assertTrue(!reader.isDone(), "the stream ended while the task runs");
    m1.call("DELETE", "/services/late", null).expect(200);
    reader.get(30, TimeUnit.SECONDS);
    assertEquals(List.of("first words\n"), got);
  }

  @Test
  @Order(7)
  void followReadsAcrossARotationAndEndsWhenTheTaskIsDone() throws Exception {
    String w = task("w1");
    Path dir = w1.dataRoot.resolve("containers").resolve(w);
    HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m1.apiPort
        + "/v1.41/tasks/" + w + "/logs?stdout=1&stderr=1&follow=1&tail=0")).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, r.statusCode());
    // the docker CLI follows the same task at the same time, from the start: whenever it connects, it sees every
    // line once (the rotation below keeps all files)
    ProcessBuilder pb = new ProcessBuilder("docker", "service", "logs", "-f", "-t", w)
        .redirectErrorStream(true);
    pb.environment().put("DOCKER_HOST", "tcp://127.0.0.1:" + m1.apiPort);
    Process docker = pb.start();
    List<String> got = Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
      MultiplexedStream.Decoder d = new MultiplexedStream.Decoder();
      byte[] buf = new byte[4096];
      try (InputStream in = r.body()) {
        int n;
        while ((n = in.read(buf)) > 0) {
          d.feed(java.util.Arrays.copyOf(buf, n)).forEach(f -> got.add(new String(f.payload(), StandardCharsets.UTF_8)));
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    Thread.sleep(300);
    Files.writeString(dir.resolve("json.log"), line(3, "stdout", "later\n"), StandardOpenOption.APPEND);
    await(Duration.ofSeconds(10), "the appended line", () -> got.contains("later\n"));
    Files.move(dir.resolve("json.log.1"), dir.resolve("json.log.2"));
    Files.move(dir.resolve("json.log"), dir.resolve("json.log.1"));
    Files.writeString(dir.resolve("json.log"), line(4, "stdout", "after rotation\n"));
    await(Duration.ofSeconds(10), "the line after the rotation", () -> got.contains("after rotation\n"));
    String prefix = "chatty." + slot(w) + "." + w.substring(0, 12) + "@w1    | "; // before the task is gone
    m1.call("DELETE", "/services/chatty", null).expect(200);
    reader.get(30, TimeUnit.SECONDS); // the worker ends the stream once the task is shut down
    assertEquals(List.of("later\n", "after rotation\n"), got);
    try {
      assertTrue(docker.waitFor(30, TimeUnit.SECONDS), "docker service logs -f did not end with the task");
      String out = new String(docker.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals("2026-03-04T05:06:07.000000001Z " + prefix + "w1 old\n"
          + "2026-03-04T05:06:08.000000001Z " + prefix + "w1 out\n"
          + "2026-03-04T05:06:09.000000001Z " + prefix + "w1 err\n"
          + "2026-03-04T05:06:10.000000001Z " + prefix + "later\n"
          + "2026-03-04T05:06:11.000000001Z " + prefix + "after rotation\n", out);
    } finally {
      docker.destroyForcibly();
    }
  }
}
