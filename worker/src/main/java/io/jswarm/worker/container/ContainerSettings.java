package io.jswarm.worker.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.PortConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a started container needs again after a daemon restart ({@code container.json} in its state directory):
 * the stop signal, the host-mode ports published for it, the settings this node discarded, where its embedded DNS
 * runs and its health check.
 *
 * @param discovery where the container's embedded DNS runs, or null for none
 * @param health the health check, or null for none
 */
record ContainerSettings(String stopSignal, List<PortConfig> published, List<String> warnings,
    DiscoveryAttachment discovery, HealthConfig health) {
  static final String FILE = "container.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Where a container's embedded DNS runs (so that an adopted container gets it again). */
  record DiscoveryAttachment(String netns, List<String> networks, List<String> upstreams) {}

  void save(Path state) throws IOException {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("stopSignal", stopSignal);
    s.put("publishedPorts", Json.mapper().valueToTree(published));
    s.put("warnings", warnings);
    if (discovery != null) {
      s.put("discovery", Map.of("netns", discovery.netns(), "networks", discovery.networks(),
          "upstreams", discovery.upstreams()));
    }
    if (health != null) {
      s.put("health", Map.of("command", health.command(), "intervalNanos", health.interval().toNanos(),
          "timeoutNanos", health.timeout().toNanos(), "retries", health.retries(),
          "startPeriodNanos", health.startPeriod().toNanos()));
    }
    JSON.writeValue(state.resolve(FILE).toFile(), s);
  }

  /** The settings kept in {@code state}. @throws IOException when the file is missing or unreadable */
  static ContainerSettings load(Path state) throws IOException {
    JsonNode s = JSON.readTree(state.resolve(FILE).toFile());
    List<PortConfig> published = s.path("publishedPorts").isArray()
        ? List.of(Json.mapper().treeToValue(s.path("publishedPorts"), PortConfig[].class)) : List.of();
    DiscoveryAttachment discovery = null;
    JsonNode d = s.path("discovery");
    if (d.isObject()) {
      discovery = new DiscoveryAttachment(d.path("netns").asText(), texts(d.path("networks")),
          texts(d.path("upstreams")));
    }
    HealthConfig health = null;
    JsonNode h = s.path("health");
    if (h.isObject()) {
      health = new HealthConfig(texts(h.path("command")), Duration.ofNanos(h.path("intervalNanos").asLong()),
          Duration.ofNanos(h.path("timeoutNanos").asLong()), h.path("retries").asInt(),
          Duration.ofNanos(h.path("startPeriodNanos").asLong()));
    }
    return new ContainerSettings(s.path("stopSignal").asText("SIGTERM"), published, texts(s.path("warnings")),
        discovery, health);
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return List.copyOf(out);
  }
}
