package io.jswarm.api.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jswarm.api.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every example of the Docker Engine API v1.41 documentation decodes into our types and encodes back to the
 * same JSON tree, so no documented field is dropped or renamed. The files come from moby/moby
 * {@code api/swagger.yaml} at tag v20.10.27; {@code src/test/resources/docker/README.md} says where each one
 * is in that file and how the {@code *-sample.json} response samples were rendered.
 */
class DockerExamplesRoundTripTest {

  static Stream<Arguments> examples() {
    return Stream.of(
        Arguments.of("node-sample.json", Node.class),
        Arguments.of("node-spec-example.json", Node.Spec.class),
        Arguments.of("swarm-sample.json", Swarm.class),
        Arguments.of("service-example.json", Service.class),
        Arguments.of("service-sample.json", Service.class),
        Arguments.of("service-create-example.json", Service.ServiceSpec.class),
        Arguments.of("task-example.json", Task.class),
        Arguments.of("task-sample.json", Task.class),
        Arguments.of("tasks-list-example.json", Task[].class),
        Arguments.of("secret-inspect-example.json", Secret.class),
        Arguments.of("secret-sample.json", Secret.class),
        Arguments.of("secrets-list-example.json", Secret[].class),
        Arguments.of("secret-create-example.json", Secret.Spec.class),
        Arguments.of("config-inspect-example.json", Config.class),
        Arguments.of("config-sample.json", Config.class),
        Arguments.of("configs-list-example.json", Config[].class),
        Arguments.of("config-create-example.json", Config.Spec.class),
        Arguments.of("network-attachment.json", NetworkAttachment.class));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void documentedExampleRoundTripsUnchanged(String file, Class<?> type) throws IOException {
    byte[] original = resource(file);
    Object decoded = Json.fromBytes(original, type);

    JsonNode expected = asDaemonWritesIt(Json.mapper().readTree(original));
    JsonNode actual = Json.mapper().readTree(Json.toBytes(decoded));

    assertEquals(expected, actual, () -> file + " changed in a round trip:\nwant " + expected + "\ngot  " + actual);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void copyKeepsEveryDocumentedField(String file, Class<?> type) throws IOException {
    Object decoded = Json.fromBytes(resource(file), type);
    assertEquals(Json.mapper().readTree(Json.toBytes(decoded)), Json.mapper().readTree(Json.toBytes(Json.copy(decoded))));
  }

  /**
   * The swagger documents ContainerSpec's health check as {@code HealthCheck}; dockerd writes the Go field
   * name {@code Healthcheck}, and so do we (reading either).
   */
  private static JsonNode asDaemonWritesIt(JsonNode node) {
    if (node.isObject()) {
      ObjectNode object = (ObjectNode) node;
      JsonNode health = object.remove("HealthCheck");
      if (health != null) {
        object.set("Healthcheck", health);
      }
      object.forEach(DockerExamplesRoundTripTest::asDaemonWritesIt);
    } else if (node.isArray()) {
      node.forEach(DockerExamplesRoundTripTest::asDaemonWritesIt);
    }
    return node;
  }

  static byte[] resource(String file) throws IOException {
    try (InputStream in = DockerExamplesRoundTripTest.class.getResourceAsStream("/docker/" + file)) {
      assertNotNull(in, "missing test resource docker/" + file);
      return in.readAllBytes();
    }
  }
}
