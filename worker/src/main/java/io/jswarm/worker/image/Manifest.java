package io.jswarm.worker.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * An image manifest (Docker schema 2 or OCI) or an index (manifest list / OCI index), parsed from the exact bytes
 * whose digest names it. OCI JSON uses lower-case names, so this has its own plain Jackson mapper.
 */
record Manifest(String mediaType, Descriptor config, List<Descriptor> layers, List<Descriptor> manifests) {
  static final ObjectMapper JSON = new ObjectMapper();

  /** A content descriptor; {@code platform} only in indexes ({@code os/arch[/variant]}), else null. */
  record Descriptor(String mediaType, Digest digest, long size, String platform, JsonNode annotations) {
    ObjectNode toJson() {
      ObjectNode n = JSON.createObjectNode();
      n.put("mediaType", mediaType);
      n.put("digest", digest.toString());
      n.put("size", size);
      return n;
    }
  }

  boolean isIndex() {
    return manifests != null;
  }

  /**
   * Parses a manifest or an index. {@code headerType} (the Content-Type it came with) is used when the document
   * names no media type.
   *
   * @throws IOException naming what is missing or malformed
   */
  static Manifest parse(byte[] bytes, String headerType) throws IOException {
    JsonNode n;
    try {
      n = JSON.readTree(bytes);
    } catch (IOException e) {
      throw new IOException("malformed manifest JSON: " + e.getMessage(), e);
    }
    if (n == null || !n.isObject()) {
      throw new IOException("a manifest must be a JSON object");
    }
    String type = n.path("mediaType").asText(null);
    if (type == null || type.isEmpty()) {
      type = headerType != null && !headerType.isBlank() ? headerType.split(";")[0].trim()
          : n.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
    }
    if (n.path("schemaVersion").asInt() == 1 || type.startsWith("application/vnd.docker.distribution.manifest.v1")) {
      throw new IOException("Docker image manifest schema 1 is not supported (deprecated since 2017); push the image"
          + " again with a current client");
    }
    if (MediaTypes.INDEXES.contains(type) || (n.has("manifests") && !n.has("layers"))) {
      List<Descriptor> ms = new ArrayList<>();
      for (JsonNode m : n.path("manifests")) {
        ms.add(descriptor(m, true));
      }
      return new Manifest(type, null, null, ms);
    }
    if (!n.has("config")) {
      throw new IOException("manifest of type " + type + " has no config descriptor");
    }
    List<Descriptor> layers = new ArrayList<>();
    for (JsonNode l : n.path("layers")) {
      layers.add(descriptor(l, false));
    }
    return new Manifest(type, descriptor(n.get("config"), false), layers, null);
  }

  private static Descriptor descriptor(JsonNode d, boolean withPlatform) throws IOException {
    String digest = d.path("digest").asText(null);
    if (!Digest.isDigest(digest)) {
      throw new IOException("descriptor with a missing or unsupported digest \"" + digest + "\" (only sha256 is supported)");
    }
    String platform = null;
    if (withPlatform && d.has("platform")) {
      JsonNode p = d.get("platform");
      platform = p.path("os").asText("") + "/" + p.path("architecture").asText("")
          + (p.hasNonNull("variant") ? "/" + p.get("variant").asText() : "");
    }
    return new Descriptor(d.path("mediaType").asText(null), Digest.parse(digest), d.path("size").asLong(-1), platform,
        d.get("annotations"));
  }

  /** A new OCI image manifest for {@code config} and {@code layers}, as bytes. */
  static byte[] ociManifest(Descriptor config, List<Descriptor> layers) {
    ObjectNode m = JSON.createObjectNode();
    m.put("schemaVersion", 2);
    m.put("mediaType", MediaTypes.OCI_MANIFEST);
    m.set("config", config.toJson());
    ArrayNode ls = m.putArray("layers");
    layers.forEach(l -> ls.add(l.toJson()));
    try {
      return JSON.writeValueAsBytes(m);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
