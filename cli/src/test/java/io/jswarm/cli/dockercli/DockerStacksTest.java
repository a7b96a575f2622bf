package io.jswarm.cli.dockercli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.cli.cluster.DockerCli;
import io.jswarm.cli.cluster.ProcessCluster.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stacks shared by both clients on one daemon (simulated executor): a stack with networks, a published port, a
 * volume and a secret deployed by {@code jswarm stack deploy} is listed by {@code docker stack ls} and removed by
 * {@code docker stack rm}; the reverse too; an unsupported key is a warning, a malformed file a clear error.
 */
class DockerStacksTest {
  private static final String COMPOSE = """
      version: "3.8"
      services:
        web:
          image: busybox:1
          command: httpd -f -p 80
          ports: ["18089:80"]
          networks: [front, back]
          volumes: ["data:/data"]
          secrets: [pw]
          deploy: {replicas: 2}
          build: .
        db:
          image: busybox:1
          networks:
            back: {aliases: [database]}
      networks:
        front: {}
        back: {attachable: true}
      volumes:
        data: {}
      secrets:
        pw: {file: ./pw.txt}
      """;
  @RegisterExtension
  static final OneSwarmNode node = new OneSwarmNode("stk1");
  private static DockerCli docker;

  @TempDir
  static Path dir;

  @BeforeAll
  static void start() throws Exception {
    docker = node.docker();
    Files.writeString(dir.resolve("stack.yml"), COMPOSE);
    Files.writeString(dir.resolve("pw.txt"), "hunter2");
  }

  private static CliRun jswarm(String... args) {
    return node.jswarm(args);
  }

  private static void noStackObjectsLeft(String name) throws Exception {
    String label = "label=com.docker.stack.namespace=" + name;
    assertEquals("", docker.run("service", "ls", "-q", "--filter", label).ok().out().trim());
    assertEquals("", docker.run("network", "ls", "-q", "--filter", label).ok().out().trim());
    assertEquals("", docker.run("secret", "ls", "-q", "--filter", label).ok().out().trim());
  }

  @Test
  void deployedByJswarmListedAndRemovedByDocker() throws Exception {
    CliRun deploy = jswarm("stack", "deploy", "-c", dir.resolve("stack.yml").toString(), "js");
    assertEquals(0, deploy.rc(), deploy.err());
    assertTrue(deploy.err().contains("Ignoring unsupported options: services.web.build"), deploy.err());
    assertTrue(deploy.out().contains("Creating network js_front") && deploy.out().contains("Creating service js_web"),
        deploy.out());
    String ls = docker.run("stack", "ls").ok().out();
    assertTrue(ls.lines().anyMatch(l -> l.matches("js\\s+2\\s*")), ls);
    String services = docker.run("stack", "services", "js", "--format", "{{.Name}} {{.Ports}}").ok().out();
    assertTrue(services.contains("js_web *:18089->80/tcp") && services.contains("js_db"), services);
    String nets = docker.run("service", "inspect", "js_db", "--format",
        "{{range .Spec.TaskTemplate.Networks}}{{.Aliases}}{{end}}").ok().out();
    assertTrue(nets.contains("database"), nets);
    String mount = docker.run("service", "inspect", "js_web", "--format",
        "{{range .Spec.TaskTemplate.ContainerSpec.Mounts}}{{.Type}}:{{.Source}}{{end}}").ok().out();
    assertEquals("volume:js_data", mount.trim());
    CliRun again = jswarm("stack", "deploy", "-c", dir.resolve("stack.yml").toString(), "js");
    assertTrue(again.out().contains("Updating service js_web"), again.out());
    assertTrue(jswarm("stack", "ps", "js").out().contains("js_web.1"));

    String rm = docker.run("stack", "rm", "js").ok().out();
    assertTrue(rm.contains("Removing service js_web") && rm.contains("Removing network js_back"), rm);
    noStackObjectsLeft("js");
    assertFalse(jswarm("stack", "ls").out().contains("js "));
  }

  @Test
  void deployedByDockerListedAndRemovedByJswarm() throws Exception {
    docker.run("stack", "deploy", "-c", dir.resolve("stack.yml").toString(), "dk").ok();
    CliRun ls = jswarm("stack", "ls");
    assertTrue(ls.out().lines().anyMatch(l -> l.matches("dk\\s+2\\s*")), ls.out());
    // the published port is allocated after the create returns (as in swarmkit): listed once the allocator ran
    CliRun services = jswarm("stack", "services", "dk");
    for (long deadline = System.nanoTime() + 30_000_000_000L; !services.out().contains("*:18089->80/tcp")
        && System.nanoTime() < deadline; services = jswarm("stack", "services", "dk")) {
      Thread.sleep(200);
    }
    assertTrue(services.out().contains("dk_web") && services.out().contains("*:18089->80/tcp"), services.out());
    CliRun rm = jswarm("stack", "rm", "dk");
    assertEquals(0, rm.rc(), rm.err());
    assertTrue(rm.out().contains("Removing service dk_db") && rm.out().contains("Removing secret dk_pw"), rm.out());
    noStackObjectsLeft("dk");
  }

  @Test
  void aMalformedFileIsAClearError() throws Exception {
    Path bad = dir.resolve("bad.yml");
    Files.writeString(bad, "services:\n  web:\n    image: busybox\n   ports: [80\n");
    CliRun r = jswarm("stack", "deploy", "-c", bad.toString(), "bad");
    assertEquals(1, r.rc());
    assertTrue(r.err().contains("bad.yml: malformed YAML at line"), r.err());
    noStackObjectsLeft("bad");
  }
}
