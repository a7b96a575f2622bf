package io.jswarm.worker.image;

import io.jswarm.linux.FileTrees;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.worker.image.ImageStore.Image;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Tarballs coming into an {@link ImageStore}: {@code image import} (a root file system becomes a one-layer image)
 * and {@code image load} ({@code docker save} and OCI image-layout archives). Both are untrusted input and are
 * bounded by the node's {@link UnpackLimits}, as registry pulls are: an imported tarball and a loaded archive may
 * expand to at most {@code maxBytes} (file contents counted by their real size, so a sparse entry counts as the file
 * it makes) and {@code maxEntries} entries; past either the load is refused with a clear error and nothing of it
 * stays on disk. The layers they bring are then unpacked by {@link LayerUnpacker} under the same limits.
 */
final class ImageArchives {
  /** Tar stream bytes an entry may take beyond its contents: its header, an extended header, the padding. */
  private static final long ENTRY_OVERHEAD = 2048;

  private final ImageStore store;

  ImageArchives(ImageStore store) {
    this.store = store;
  }


  /**
   * Makes a one-layer image from a root file system tarball (optionally gzip-compressed) and tags it
   * {@code reference} (may be null: an untagged image). {@code changes} are Dockerfile instructions applied to
   * the config: CMD, ENTRYPOINT, ENV, WORKDIR, USER, EXPOSE, LABEL, STOPSIGNAL.
   *
   * @return the new image's id
   */
  String importRootfs(InputStream tarball, String reference, List<String> changes, String message)
      throws IOException, InterruptedException {
    ImageReference ref = reference == null || reference.isBlank() ? null : ImageReference.parse(reference);
    if (ref != null && ref.digest() != null) {
      throw new InvalidArgumentException("repo: an imported image is tagged, not named by digest: " + reference);
    }
    ObjectNode runConfig = Manifest.JSON.createObjectNode();
    for (String c : changes == null ? List.<String>of() : changes) {
      applyChange(runConfig, c);
    }
    store.gcLock().readLock().lock();
    try {
      Path tmp = Files.createTempFile(store.blobs().ingestDir(), "import", ".tar");
      try {
        BufferedInputStream in = new BufferedInputStream(tarball, 1 << 16);
        InputStream plain = LayerUnpacker.bounded(LayerUnpacker.isGzip(in) ? new GZIPInputStream(in, 1 << 16) : in,
            store.options().unpackLimits().maxBytes(), "import: the tarball");
        try (OutputStream out = Files.newOutputStream(tmp)) {
          plain.transferTo(out);
        }
        if (Files.size(tmp) == 0) {
          throw new InvalidArgumentException("import: the tarball is empty");
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
          ch.force(true);
        }
        long size = Files.size(tmp);
        Digest layer = store.blobs().putFile(tmp);
        String now = Instant.now().toString();
        ObjectNode config = Manifest.JSON.createObjectNode();
        config.put("architecture", store.options().architecture());
        config.put("os", store.options().os());
        config.put("created", now);
        config.set("config", runConfig);
        ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        rootfs.putArray("diff_ids").add(layer.toString());
        ObjectNode h = config.putArray("history").addObject();
        h.put("created", now);
        h.put("created_by", "jswarm image import");
        h.put("comment", message == null || message.isBlank() ? "Imported from -" : message);
        byte[] configBytes = Manifest.JSON.writeValueAsBytes(config);
        Digest configDigest = store.blobs().put(configBytes);
        Manifest.Descriptor layerDesc = new Manifest.Descriptor(MediaTypes.OCI_LAYER, layer, size, null, null);
        byte[] manifest = Manifest.ociManifest(
            new Manifest.Descriptor(MediaTypes.OCI_CONFIG, configDigest, configBytes.length, null, null),
            List.of(layerDesc));
        Digest md = store.blobs().put(manifest);
        try {
          store.layers().ensure(layer, layerDesc);
        } catch (IOException e) {
          throw new InvalidArgumentException("import: not a usable rootfs tarball: " + e.getMessage());
        }
        Map<String, Digest> refs = new LinkedHashMap<>();
        if (ref != null) {
          refs.put(ImageCatalog.key(ref), md);
        }
        store.catalog().register(md, refs);
        return configDigest.toString();
      } finally {
        Files.deleteIfExists(tmp);
      }
    } finally {
      store.gcLock().readLock().unlock();
    }
  }

  /** Applies one Dockerfile-style instruction of {@code import --change} to a run config. */
  static void applyChange(ObjectNode c, String change) {
    String s = change.trim();
    int sp = s.indexOf(' ');
    if (sp < 0) {
      throw new InvalidArgumentException("changes: \"" + change + "\" needs an instruction and a value");
    }
    String op = s.substring(0, sp).toUpperCase(Locale.ROOT);
    String arg = s.substring(sp + 1).trim();
    switch (op) {
      case "CMD", "ENTRYPOINT" -> c.set(op.equals("CMD") ? "Cmd" : "Entrypoint", commandForm(arg));
      case "ENV" -> {
        ArrayNode env = c.has("Env") ? (ArrayNode) c.get("Env") : c.putArray("Env");
        String kv = arg.contains("=") ? arg : arg.replaceFirst("\\s+", "=");
        env.add(kv);
      }
      case "WORKDIR" -> c.put("WorkingDir", arg);
      case "USER" -> c.put("User", arg);
      case "STOPSIGNAL" -> c.put("StopSignal", arg);
      case "EXPOSE" -> {
        ObjectNode ports = c.has("ExposedPorts") ? (ObjectNode) c.get("ExposedPorts") : c.putObject("ExposedPorts");
        for (String p : arg.split("\\s+")) {
          ports.putObject(p.contains("/") ? p : p + "/tcp");
        }
      }
      case "LABEL" -> {
        ObjectNode labels = c.has("Labels") ? (ObjectNode) c.get("Labels") : c.putObject("Labels");
        int eq = arg.indexOf('=');
        if (eq <= 0) {
          throw new InvalidArgumentException("changes: LABEL wants KEY=VALUE, got \"" + arg + "\"");
        }
        labels.put(arg.substring(0, eq), unquote(arg.substring(eq + 1)));
      }
      default -> throw new InvalidArgumentException("changes: \"" + op + "\" is not supported; allowed: CMD, "
          + "ENTRYPOINT, ENV, WORKDIR, USER, EXPOSE, LABEL, STOPSIGNAL");
    }
  }

  private static JsonNode commandForm(String arg) {
    if (arg.startsWith("[")) {
      try {
        JsonNode n = Manifest.JSON.readTree(arg);
        if (n.isArray()) {
          return n;
        }
      } catch (IOException e) {
        // fall through to the shell form
      }
    }
    ArrayNode a = Manifest.JSON.createArrayNode();
    a.add("/bin/sh").add("-c").add(arg);
    return a;
  }

  private static String unquote(String s) {
    return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
  }

  /**
   * Loads a {@code docker save} archive ({@code manifest.json}, with legacy or OCI-layout contents) or an OCI
   * image-layout archive ({@code index.json} + {@code blobs/}); returns Docker's lines ({@code Loaded image:
   * busybox:latest}, or {@code Loaded image ID: sha256:...} for an untagged one).
   */
  List<String> load(InputStream archive, Progress progress) throws IOException, InterruptedException {
    store.gcLock().readLock().lock();
    Path tmp = Files.createTempDirectory(store.blobs().ingestDir(), "load");
    try {
      Map<String, String> links = new HashMap<>();
      UnpackLimits limits = store.options().unpackLimits();
      BufferedInputStream in = new BufferedInputStream(archive, 1 << 16);
      // the tar stream itself (after gunzip) is bounded too: headers and padding of a huge entry count
      InputStream plain = LayerUnpacker.bounded(LayerUnpacker.isGzip(in) ? new GZIPInputStream(in, 1 << 16) : in,
          limits.maxBytes() + limits.maxEntries() * ENTRY_OVERHEAD + (1 << 20), "load: the archive");
      TarArchiveInputStream tar = new TarArchiveInputStream(plain);
      TarArchiveEntry e;
      LayerUnpacker.EntryBudget budget = new LayerUnpacker.EntryBudget(limits, "load: the archive");
      while ((e = tar.getNextEntry()) != null) {
        budget.take(e);
        List<String> parts = LayerUnpacker.components(e.getName());
        if (parts.isEmpty()) {
          continue;
        }
        String name = String.join("/", parts);
        if (e.isSymbolicLink() || e.isLink()) {
          String target = e.getLinkName();
          if (e.isSymbolicLink()) {
            String parent = parts.size() > 1 ? String.join("/", parts.subList(0, parts.size() - 1)) + "/" : "";
            target = target.startsWith("/") ? target : parent + target;
          }
          links.put(name, normalize(target));
        } else if (e.isFile()) {
          Path p = tmp.resolve(name);
          Files.createDirectories(p.getParent());
          Files.copy(tar, p, StandardCopyOption.REPLACE_EXISTING);
        }
      }
      if (budget.entries() == 0) {
        throw new InvalidArgumentException("load: the archive is empty or not a tar file");
      }
      List<String> loaded = new ArrayList<>();
      if (Files.isRegularFile(tmp.resolve("manifest.json"))) {
        loadDockerSave(tmp, links, loaded, progress);
      } else if (Files.isRegularFile(tmp.resolve("index.json"))) {
        loadOciLayout(tmp, links, loaded, progress);
      } else {
        throw new InvalidArgumentException("load: the archive has neither manifest.json (docker save) nor "
            + "index.json (OCI image layout)");
      }
      return loaded;
    } catch (IOException ex) {
      if (ex instanceof DigestMismatchException) {
        throw ex;
      }
      throw new InvalidArgumentException("load: " + ex.getMessage());
    } finally {
      FileTrees.delete(tmp);
      store.gcLock().readLock().unlock();
    }
  }

  private static String normalize(String path) throws IOException {
    List<String> out = new ArrayList<>();
    for (String c : path.split("/")) {
      if (c.isEmpty() || c.equals(".")) {
        continue;
      }
      if (c.equals("..")) {
        if (out.isEmpty()) {
          throw new IOException("archive link \"" + path + "\" leaves the archive");
        }
        out.remove(out.size() - 1);
      } else {
        out.add(c);
      }
    }
    return String.join("/", out);
  }

  /** The extracted file for an archive path, following the archive's own links. */
  private static Path member(Path tmp, Map<String, String> links, String name) throws IOException {
    String n = normalize(name);
    for (int i = 0; i < 16 && links.containsKey(n); i++) {
      n = links.get(n);
    }
    Path p = tmp.resolve(n);
    if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException("the archive has no file \"" + name + "\"");
    }
    return p;
  }

  private void loadDockerSave(Path tmp, Map<String, String> links, List<String> loaded, Progress progress)
      throws IOException, InterruptedException {
    JsonNode entries = Manifest.JSON.readTree(tmp.resolve("manifest.json").toFile());
    if (!entries.isArray()) {
      throw new IOException("manifest.json must be a JSON array");
    }
    for (JsonNode entry : entries) {
      byte[] configBytes = Files.readAllBytes(member(tmp, links, entry.path("Config").asText()));
      Digest configDigest = store.blobs().put(configBytes);
      JsonNode config = Manifest.JSON.readTree(configBytes);
      List<Manifest.Descriptor> layers = new ArrayList<>();
      for (JsonNode l : entry.path("Layers")) {
        Path file = member(tmp, links, l.asText());
        boolean gz;
        try (BufferedInputStream b = new BufferedInputStream(Files.newInputStream(file))) {
          gz = LayerUnpacker.isGzip(b);
        }
        long size = Files.size(file);
        Path copy = Files.createTempFile(store.blobs().ingestDir(), "layer", ".tar");
        Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
        Digest d = store.blobs().putFile(copy);
        Files.deleteIfExists(copy);
        layers.add(new Manifest.Descriptor(gz ? MediaTypes.OCI_LAYER_GZIP : MediaTypes.OCI_LAYER, d, size, null, null));
        progress.status(d.shortHex(), "Loading layer");
      }
      byte[] manifest = Manifest.ociManifest(new Manifest.Descriptor(MediaTypes.OCI_CONFIG, configDigest,
          configBytes.length, null, null), layers);
      Digest md = store.blobs().put(manifest);
      Image img = store.catalog().image(md);
      unpackAll(img);
      Map<String, Digest> refs = new LinkedHashMap<>();
      for (JsonNode t : entry.path("RepoTags")) {
        ImageReference r = ImageReference.parse(t.asText());
        refs.put(ImageCatalog.key(r), md);
        loaded.add("Loaded image: " + r.familiar());
      }
      if (refs.isEmpty()) {
        loaded.add("Loaded image ID: " + img.id());
      }
      store.catalog().register(md, refs);
      if (config.path("rootfs").path("diff_ids").size() != layers.size()) {
        throw new IOException("image " + configDigest + ": config and manifest.json disagree on the layers");
      }
    }
  }

  private void loadOciLayout(Path tmp, Map<String, String> links, List<String> loaded, Progress progress)
      throws IOException, InterruptedException {
    JsonNode index = Manifest.JSON.readTree(tmp.resolve("index.json").toFile());
    for (JsonNode m : index.path("manifests")) {
      Digest d = Digest.parse(m.path("digest").asText());
      String name = m.path("annotations").path("io.containerd.image.name").asText(null);
      if (name == null) {
        name = m.path("annotations").path("org.opencontainers.image.ref.name").asText(null);
      }
      Digest md = copyOciManifest(tmp, links, d, m.path("mediaType").asText(null), progress, 0);
      Image img = store.catalog().image(md);
      unpackAll(img);
      Map<String, Digest> refs = new LinkedHashMap<>();
      ImageReference r = null;
      if (name != null && (name.contains("/") || name.contains(":") || name.contains("@"))) {
        try {
          r = ImageReference.parse(name);
        } catch (InvalidArgumentException e) {
          r = null; // a bare tag or an odd name: load it untagged
        }
      }
      if (r != null) {
        refs.put(ImageCatalog.key(r), md);
        if (r.digest() == null) {
          loaded.add("Loaded image: " + r.familiar());
        } else {
          loaded.add("Loaded image ID: " + img.id());
        }
      } else {
        loaded.add("Loaded image ID: " + img.id());
      }
      store.catalog().register(md, refs);
    }
    if (loaded.isEmpty()) {
      throw new IOException("index.json lists no manifests");
    }
  }

  /** Copies manifest {@code d} and what it references from an OCI layout into the store; returns the image manifest. */
  private Digest copyOciManifest(Path tmp, Map<String, String> links, Digest d, String type, Progress progress, int depth)
      throws IOException {
    byte[] bytes = Files.readAllBytes(member(tmp, links, "blobs/sha256/" + d.hex()));
    if (!Digest.of(bytes).equals(d)) {
      throw new DigestMismatchException("load: blob " + d + " in the archive has digest " + Digest.of(bytes));
    }
    Manifest m = Manifest.parse(bytes, type);
    if (m.isIndex()) {
      if (depth > 2) {
        throw new IOException("image indexes nested too deep");
      }
      Manifest.Descriptor chosen = store.choosePlatform(m, ImageReference.parse("archive"));
      store.blobs().put(bytes);
      return copyOciManifest(tmp, links, chosen.digest(), chosen.mediaType(), progress, depth + 1);
    }
    List<Manifest.Descriptor> all = new ArrayList<>(m.layers());
    all.add(0, m.config());
    for (Manifest.Descriptor b : all) {
      if (!store.blobs().has(b.digest())) {
        try (InputStream in = Files.newInputStream(member(tmp, links, "blobs/sha256/" + b.digest().hex()))) {
          store.blobs().put(in, b.digest(), b.size(), "load: blob " + b.digest());
        }
      }
      if (MediaTypes.isLayer(b.mediaType())) {
        progress.status(b.digest().shortHex(), "Loading layer");
      }
    }
    return store.blobs().put(bytes);
  }

  private void unpackAll(Image img) throws IOException, InterruptedException {
    for (int i = 0; i < img.diffIds().size(); i++) {
      store.layers().ensure(img.diffIds().get(i), img.manifest().layers().get(i));
    }
  }
}
