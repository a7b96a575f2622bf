package io.jswarm.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.cli.cluster.ProcessCluster.CliRun;
import io.jswarm.cli.cluster.ProcessCluster.Daemon;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code jswarm volume create | ls | inspect | rm} and the docker CLI's {@code volume} verbs against one real daemon
 * (volumes are node-local: no swarm needed). A volume in use is made by recording a task as its user in
 * {@code volume.json}, as the executor's acquire does.
 */
class VolumeCommandsTest {
  private static ProcessCluster cluster;
  private static Daemon d;

  @BeforeAll
  static void start() throws Exception {
    cluster = new ProcessCluster();
    d = cluster.start("vol1");
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static CliRun jswarm(String... args) {
    return d.jswarm(args);
  }

  private static CliRun docker(String... args) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(new java.util.ArrayList<>(List.of("docker")) {
      {
        addAll(List.of(args));
      }
    });
    pb.environment().put("DOCKER_HOST", "tcp://127.0.0.1:" + d.apiPort);
    Process p = pb.start();
    p.getOutputStream().close();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "docker " + String.join(" ", args) + " did not end");
    return new CliRun(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void createListInspectRemoveAndRefuseAVolumeInUse() throws Exception {
    CliRun r = jswarm("volume", "create", "--label", "app=db", "dbdata");
    assertEquals(0, r.rc(), r.err());
    assertEquals("dbdata\n", r.out());
    Path data = d.dataRoot.resolve("volumes/dbdata/_data");
    Files.write(data.resolve("blob"), new byte[2500]);

    r = jswarm("volume", "ls");
    assertEquals(0, r.rc(), r.err());
    assertEquals("DRIVER    VOLUME NAME   SIZE\nlocal     dbdata        2.5kB\n", r.out());

    r = jswarm("volume", "inspect", "dbdata");
    assertEquals(0, r.rc(), r.err());
    assertTrue(r.out().contains("\"Mountpoint\": \"" + data + "\""), r.out());
    assertTrue(r.out().contains("\"Size\": 2500"), r.out());
    assertTrue(r.out().contains("\"app\": \"db\""), r.out());

    // the docker CLI sees the same volume
    CliRun dk = docker("volume", "ls", "--format", "{{.Driver}} {{.Name}}");
    assertEquals(0, dk.rc(), dk.err());
    assertEquals("local dbdata\n", dk.out());
    dk = docker("volume", "create", "fromdocker");
    assertEquals(0, dk.rc(), dk.err());
    dk = docker("volume", "inspect", "--format", "{{.Name}} {{.Scope}} {{.Mountpoint}}", "fromdocker");
    assertEquals("fromdocker local " + d.dataRoot.resolve("volumes/fromdocker/_data") + "\n", dk.out(), dk.err());

    // in use by a task (what the executor's acquire records): refused, naming the task
    Path meta = d.dataRoot.resolve("volumes/dbdata/volume.json");
    String json = Files.readString(meta);
    Files.writeString(meta, json.replace("\"users\":[]", "\"users\":[\"task123\"]"));
    r = jswarm("volume", "rm", "dbdata");
    assertEquals(1, r.rc());
    assertTrue(r.err().contains("volume is in use - [task123]"), r.err());
    dk = docker("volume", "rm", "dbdata");
    assertEquals(1, dk.rc());
    assertTrue(dk.err().contains("volume is in use"), dk.err());
    Files.writeString(meta, json);

    r = jswarm("volume", "rm", "dbdata", "fromdocker");
    assertEquals(0, r.rc(), r.err());
    assertEquals("dbdata\nfromdocker\n", r.out());
    assertTrue(Files.notExists(d.dataRoot.resolve("volumes/dbdata")));
    r = jswarm("volume", "inspect", "dbdata");
    assertEquals(1, r.rc());
    assertTrue(r.err().contains("No such volume: dbdata"), r.err());
    r = jswarm("volume", "create", "x/y");
    assertEquals(1, r.rc());
    assertTrue(r.err().contains("invalid characters"), r.err());
  }
}
