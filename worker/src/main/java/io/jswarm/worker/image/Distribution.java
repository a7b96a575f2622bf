package io.jswarm.worker.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.errors.NotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /distribution/{name}/json}: the digest Docker pins a service's image to ({@code Descriptor} of the
 * manifest or index the tag names, and its {@code Platforms}), asked of the image's registry, then of this node's own
 * store and the managers' (the cluster's own image store, for images no registry has: imported or loaded ones).
 * Every node then runs exactly that digest: a worker without it pulls {@code name:tag@digest} by digest.
 */
public final class Distribution {
  /** Largest image config read for its platform. */
  private static final int MAX_CONFIG = 1 << 20;

  private final ImageStore store;

  public Distribution(ImageStore store) {
    this.store = store;
  }

  /** Docker's {@code DistributionInspect}: {@code {Descriptor: {mediaType, digest, size}, Platforms: [...]}}. */
  public Map<String, Object> inspect(String reference, RegistryAuth auth) throws IOException, InterruptedException {
    ImageReference ref = ImageReference.parse(reference);
    List<String> errors = new ArrayList<>();
    try {
      return fromRegistry(store.registryClient(ref.domain(), auth), ref.path(), ref);
    } catch (IOException e) {
      errors.add(e.getMessage());
    }
    ImageStore.Image local = store.catalog().find(reference);
    if (local != null && (ref.digest() == null || ref.digest().equals(local.manifestDigest()))) {
      return answer(local.mediaType(), local.manifestDigest(), store.blobs().size(local.manifestDigest()),
          List.of(platform(local.config())));
    }
    for (RegistryClient c : store.managerRegistries()) {
      try {
        return fromRegistry(c, ref.name(), ref);
      } catch (IOException e) {
        errors.add(e.getMessage());
      }
    }
    // Not found whichever source failed how (unreachable, refused, unknown): the client then keeps the tag and warns
    // that the digest could not be recorded, as it does with dockerd; the message says what each source answered.
    throw new NotFoundException("image " + ref.familiar() + ": no registry and no node of the cluster has it: "
        + String.join("; ", errors));
  }

  private static Map<String, Object> fromRegistry(RegistryClient c, String repo, ImageReference ref)
      throws IOException, InterruptedException {
    RegistryClient.Fetched top = c.manifest(repo, ref.manifestRef());
    Manifest m = Manifest.parse(top.bytes(), top.mediaType());
    List<Map<String, Object>> platforms = new ArrayList<>();
    if (m.isIndex()) {
      for (Manifest.Descriptor d : m.manifests()) {
        if (d.platform() != null) {
          String[] p = d.platform().split("/");
          Map<String, Object> pl = new LinkedHashMap<>();
          pl.put("architecture", p.length > 1 ? p[1] : "");
          pl.put("os", p[0]);
          if (p.length > 2) {
            pl.put("variant", p[2]);
          }
          platforms.add(pl);
        }
      }
    } else {
      try (InputStream in = c.blob(repo, m.config().digest())) {
        platforms.add(platform(Manifest.JSON.readTree(in.readNBytes(MAX_CONFIG))));
      }
    }
    return answer(m.mediaType(), top.digest(), top.bytes().length, platforms);
  }

  private static Map<String, Object> platform(JsonNode config) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("architecture", config.path("architecture").asText(""));
    p.put("os", config.path("os").asText(""));
    if (config.hasNonNull("variant")) {
      p.put("variant", config.path("variant").asText());
    }
    return p;
  }

  private static Map<String, Object> answer(String mediaType, Digest digest, long size,
      List<Map<String, Object>> platforms) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("mediaType", mediaType);
    d.put("digest", digest.toString());
    d.put("size", size);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("Descriptor", d);
    out.put("Platforms", platforms);
    return out;
  }
}
