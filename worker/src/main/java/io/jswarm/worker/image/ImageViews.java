package io.jswarm.worker.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.worker.image.ImageStore.Image;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The store's images in the Docker API's shapes: {@code GET /images/json} and {@code GET /images/{name}/json}; and
 * their number ({@code GET /info}'s {@code Images}).
 */
public final class ImageViews {
  private final ImageStore store;

  ImageViews(ImageStore store) {
    this.store = store;
  }

  private static long created(Image img) {
    String c = img.config().path("created").asText("");
    try {
      return OffsetDateTime.parse(c).toEpochSecond();
    } catch (DateTimeParseException e) {
      return 0;
    }
  }

  /**
   * How many images {@link #list} lists (one per image id), without what a summary holds: {@code /info} counts them
   * at every call ({@code node ls}, {@code node inspect self}, {@code info} and {@code swarm join-token} ask for it),
   * and a summary walks the image's layers for their size.
   */
  public static int count(ImageStore store) throws IOException {
    java.util.Set<Digest> ids = new java.util.HashSet<>();
    for (Image i : store.catalog().all()) {
      ids.add(i.id());
    }
    return ids.size();
  }

  /** {@code GET /images/json}: one summary per image id, newest first, in Docker's shape. */
  List<Map<String, Object>> list() throws IOException {
    Map<Digest, Image> byId = new LinkedHashMap<>();
    for (Image i : store.catalog().all()) {
      byId.putIfAbsent(i.id(), i);
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Image i : byId.values()) {
      Map<String, Object> s = new LinkedHashMap<>();
      long size = store.layers().size(i);
      s.put("Containers", -1);
      s.put("Created", created(i));
      s.put("Id", i.id().toString());
      Map<String, String> labels = ImageStore.runConfig(i.config().path("config")).labels();
      s.put("Labels", labels.isEmpty() ? null : labels);
      s.put("ParentId", "");
      s.put("RepoDigests", store.catalog().repoDigests(i));
      s.put("RepoTags", store.catalog().repoTags(i));
      s.put("SharedSize", -1);
      s.put("Size", size);
      s.put("VirtualSize", size);
      out.add(s);
    }
    out.sort((a, b) -> Long.compare((Long) b.get("Created"), (Long) a.get("Created")));
    return out;
  }

  /** {@code GET /images/{name}/json}, Docker's shape. */
  Map<String, Object> inspect(String name) throws IOException {
    Image i = store.catalog().get(name);
    JsonNode c = i.config();
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("Id", i.id().toString());
    r.put("RepoTags", store.catalog().repoTags(i));
    r.put("RepoDigests", store.catalog().repoDigests(i));
    r.put("Parent", "");
    r.put("Comment", c.path("history").path(c.path("history").size() - 1).path("comment").asText(""));
    r.put("Created", c.path("created").asText(""));
    r.put("DockerVersion", c.path("docker_version").asText(""));
    r.put("Author", c.path("author").asText(""));
    r.put("Config", c.has("config") ? c.get("config") : Manifest.JSON.createObjectNode());
    r.put("Architecture", c.path("architecture").asText(""));
    if (c.hasNonNull("variant")) {
      r.put("Variant", c.get("variant").asText());
    }
    r.put("Os", c.path("os").asText(""));
    long size = store.layers().size(i);
    r.put("Size", size);
    r.put("VirtualSize", size);
    Map<String, Object> graph = new LinkedHashMap<>();
    graph.put("Name", "overlay");
    List<String> dirs = new ArrayList<>();
    for (Digest d : i.diffIds()) {
      dirs.add(0, store.layers().dir(d).toString());
    }
    graph.put("Data", Map.of("LowerDir", String.join(":", dirs)));
    r.put("GraphDriver", graph);
    Map<String, Object> rootfs = new LinkedHashMap<>();
    rootfs.put("Type", "layers");
    rootfs.put("Layers", i.diffIds().stream().map(Digest::toString).toList());
    r.put("RootFS", rootfs);
    String added = store.catalog().added(i.manifestDigest());
    r.put("Metadata", Map.of("LastTagTime", added == null ? "0001-01-01T00:00:00Z" : added));
    r.put("Descriptor", Map.of("mediaType", i.mediaType(), "digest", i.manifestDigest().toString(),
        "size", store.blobs().size(i.manifestDigest())));
    return r;
  }
}
