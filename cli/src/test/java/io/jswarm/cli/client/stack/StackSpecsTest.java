package io.jswarm.cli.client.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jswarm.cli.client.UsageException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StackSpecsTest {
  private static final Map<String, String> ENV = Map.of("TAG", "2", "EMPTY", "");

  private static StackSpecs.Stack convert(String yaml) {
    ObjectNode doc = ComposeFile.parse("stack.yml", yaml, ENV::get);
    return StackSpecs.convert("st", doc, Path.of("/srv/app"), ENV::get);
  }

  @Test
  void variablesComeFromTheEnvironment() {
    assertEquals("a:2 b:x c: d:y $e", ComposeFile.substitute("a:${TAG} b:${NOPE:-x} c:${EMPTY-z} d:${EMPTY:-y} $$e",
        ENV::get, "k"));
    UsageException e = assertThrows(UsageException.class,
        () -> ComposeFile.substitute("${NOPE:?give it}", ENV::get, "services.web.image"));
    assertTrue(e.getMessage().contains("services.web.image") && e.getMessage().contains("NOPE"), e.getMessage());
  }

  @Test
  void namesAndLabelsAreTheDockerClients() {
    StackSpecs.Stack s = convert("""
        version: "3.8"
        services:
          web:
            image: busybox:${TAG}
            command: httpd -f -p 80
            ports: ["8080:80"]
            volumes: ["data:/data", "./conf:/conf:ro"]
            deploy: {replicas: 3, labels: [tier=web]}
        volumes:
          data: {}
        """);
    assertEquals(List.of("st_default"), s.networks().stream().map(StackSpecs.Resource::name).toList());
    StackSpecs.ServiceDef web = s.services().get(0);
    assertEquals("st_web", web.name());
    assertEquals("busybox:2", web.spec().taskTemplate.containerSpec.image);
    assertEquals(List.of("httpd", "-f", "-p", "80"), web.spec().taskTemplate.containerSpec.args);
    assertEquals("st", web.spec().labels.get("com.docker.stack.namespace"));
    assertEquals("busybox:2", web.spec().labels.get("com.docker.stack.image"));
    assertEquals("web", web.spec().labels.get("tier"));
    assertEquals("st", web.spec().taskTemplate.containerSpec.labels.get("com.docker.stack.namespace"));
    assertEquals(3L, web.spec().mode.replicated.replicas);
    assertEquals(List.of("web"), web.spec().taskTemplate.networks.get(0).aliases);
    assertEquals("st_default", web.spec().taskTemplate.networks.get(0).target);
    assertEquals("st_data", web.spec().taskTemplate.containerSpec.mounts.get(0).source);
    assertEquals("volume", web.spec().taskTemplate.containerSpec.mounts.get(0).type);
    assertEquals("/srv/app/conf", web.spec().taskTemplate.containerSpec.mounts.get(1).source);
    assertEquals(Boolean.TRUE, web.spec().taskTemplate.containerSpec.mounts.get(1).readOnly);
    assertEquals(8080L, web.spec().endpointSpec.ports.get(0).publishedPort);
  }

  @Test
  void unsupportedKeysAreListed() {
    StackSpecs.Stack s = convert("""
        services:
          web:
            image: busybox
            build: .
            links: [db]
            deploy: {replicas: 1, rollback_monitor: 3}
        """);
    assertEquals(List.of("services.web.build", "services.web.links"), s.ignored().subList(0, 2));
  }

  @Test
  void aMalformedFileNamesTheLine() {
    UsageException e = assertThrows(UsageException.class, () -> convert("""
        services:
          web:
            image: busybox
           ports: [80
        """));
    assertTrue(e.getMessage().startsWith("stack.yml: malformed YAML at line"), e.getMessage());
  }

  @Test
  void aWrongTypeNamesTheKey() {
    UsageException e = assertThrows(UsageException.class, () -> convert("""
        services:
          web:
            image: busybox
            ports: 8080
        """));
    assertEquals("services.web.ports must be a list, not number", e.getMessage());
    e = assertThrows(UsageException.class, () -> convert("""
        services:
          web:
            image: busybox
            networks: [nope]
        """));
    assertTrue(e.getMessage().contains("undefined network nope"), e.getMessage());
    e = assertThrows(UsageException.class, () -> convert("""
        services:
          web:
            image: busybox
            deploy: {resources: {limits: {memory: lots}}}
        """));
    assertTrue(e.getMessage().startsWith("services.web.deploy.resources.limits.memory: "), e.getMessage());
  }
}
