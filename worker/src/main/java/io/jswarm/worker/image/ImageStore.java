package io.jswarm.worker.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.errors.NotFoundException;
import io.jswarm.transport.disk.DurableFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's image store under {@code <data-root>/image}:
 *
 * <ul>
 *   <li>{@code blobs/sha256/<hex>}: manifests, configs and layer blobs in OCI layout, verified on write;
 *   <li>{@code layers/<diff id hex>/}: each layer unpacked once, in overlayfs form (see {@link LayerUnpacker}),
 *       shared read-only by every container; {@code layers/<hex>.size} its uncompressed size;
 *   <li>{@code images.json}: the images (by manifest digest) and the references ({@code name:tag} and
 *       {@code name@digest}, normalized) that point at them, replaced atomically on each change.
 * </ul>
 *
 * An image's id is its config digest. Pulls come from the image's registry and, when that fails, from each
 * manager's read-only registry on the cluster port ({@link ClusterRegistry}); concurrent pulls of one reference
 * and concurrent unpacking of one layer happen once. Removal follows Docker: a name untags, an id deletes;
 * blobs and unpacked layers no image needs any more are garbage-collected. Its parts: {@link ImageCatalog} (the
 * images and the names pointing at them), {@link UnpackedLayers}, {@link BlobStore}; pull, push, save, load and the
 * API's views are their own classes beside it.
 */
public final class ImageStore implements ImageProvider {
  private static final Logger LOG = LoggerFactory.getLogger(ImageStore.class);
  private static final String DOCKER_HUB_REGISTRY = "registry-1.docker.io";

  /**
   * How the store reaches other stores.
   *
   * @param insecureRegistries {@code host[:port]} of registries spoken to over plain HTTP (localhost and
   *     127.0.0.1 always are)
   * @param managers cluster addresses ({@code host:port}) of the managers to pull from when the registry fails
   * @param clusterTls the node's mutual-TLS client context for the cluster port, or null outside a swarm
   * @param os the node's platform os ({@code linux})
   * @param architecture the node's platform architecture ({@code amd64})
   * @param unpackLimits what one layer may unpack to
   * @param registryAllow the registry addresses pulls and pushes may dial ({@link RegistryAllowList#ALL}: any)
   */
  public record Options(Set<String> insecureRegistries, Supplier<List<String>> managers, Supplier<SSLContext> clusterTls,
      String os, String architecture, UnpackLimits unpackLimits, RegistryAllowList registryAllow) {
    public Options(Set<String> insecureRegistries, Supplier<List<String>> managers, Supplier<SSLContext> clusterTls,
        String os, String architecture) {
      this(insecureRegistries, managers, clusterTls, os, architecture, UnpackLimits.DEFAULT, RegistryAllowList.ALL);
    }

    public Options(Set<String> insecureRegistries, Supplier<List<String>> managers, Supplier<SSLContext> clusterTls,
        String os, String architecture, UnpackLimits unpackLimits) {
      this(insecureRegistries, managers, clusterTls, os, architecture, unpackLimits, RegistryAllowList.ALL);
    }

    /** Registry addresses pulls and pushes may dial ({@code --registry-allow}). */
    public Options withRegistryAllow(RegistryAllowList allow) {
      return new Options(insecureRegistries, managers, clusterTls, os, architecture, unpackLimits, allow);
    }

    public static Options defaults() {
      return new Options(Set.of(), List::of, () -> null, "linux", nodeArchitecture());
    }

    public Options withInsecureRegistries(Set<String> hosts) {
      return new Options(Set.copyOf(hosts), managers, clusterTls, os, architecture, unpackLimits, registryAllow);
    }

    public Options withCluster(Supplier<List<String>> managerAddrs, Supplier<SSLContext> tls) {
      return new Options(insecureRegistries, managerAddrs, tls, os, architecture, unpackLimits, registryAllow);
    }

    /** What one layer may unpack to (see {@link UnpackLimits}). */
    public Options withUnpackLimits(UnpackLimits limits) {
      return new Options(insecureRegistries, managers, clusterTls, os, architecture, limits, registryAllow);
    }
  }

  /** An image of the store. */
  record Image(Digest manifestDigest, String mediaType, Manifest manifest, JsonNode config, Digest id,
      List<Digest> diffIds) {}

  private final Path root;
  private final BlobStore blobs;
  private final UnpackedLayers layers;
  private final ImageIndex index;
  private final ImageCatalog catalog;
  private final Options options;
  /**
   * Made at the first pull from a registry (docs/footprint.md): an {@link HttpClient} starts a selector thread and
   * reads the JDK's CA certificates into its default TLS context, which a daemon that pulls nothing need not hold.
   */
  private HttpClient publicHttp;
  /** Read: anything that adds content (pull, load, import, push). Write: removal and garbage collection. */
  private final ReentrantReadWriteLock gcLock = new ReentrantReadWriteLock();
  private final ConcurrentHashMap<String, CompletableFuture<Image>> pulls = new ConcurrentHashMap<>();
  private volatile Supplier<Set<String>> inUse = Set::of;
  private volatile int uploadChunk = RegistryClient.DEFAULT_CHUNK;
  /** Tarballs and archives coming in: {@code image import} and {@code image load}. */
  private final ImageArchives archives = new ImageArchives(this);

  public ImageStore(Path root, Options options) throws IOException {
    this.root = root;
    this.options = options;
    Files.createDirectories(root);
    this.blobs = new BlobStore(root);
    this.layers = UnpackedLayers.open(root.resolve("layers"), blobs, options.unpackLimits());
    DurableFiles.removeLeftovers(root); // an index replacement a crash interrupted
    Path layout = root.resolve("oci-layout");
    if (!Files.exists(layout)) {
      Files.writeString(layout, "{\"imageLayoutVersion\":\"1.0.0\"}");
    }
    this.index = new ImageIndex(root.resolve("images.json"));
    this.catalog = new ImageCatalog(index, blobs);
  }

  private synchronized HttpClient publicHttp() {
    if (publicHttp == null) {
      publicHttp = RegistryClient.httpClient(null);
    }
    return publicHttp;
  }

  /** The store's directory. */
  /** The unpacked layers, each shared read-only by every container of an image that has it. */
  UnpackedLayers layers() {
    return layers;
  }

  /** The images and the references that point at them. */
  ImageCatalog catalog() {
    return catalog;
  }

  public Path root() {
    return root;
  }

  /** Held (read) by anything that adds content, so that garbage collection does not take it away meanwhile. */
  ReentrantReadWriteLock gcLock() {
    return gcLock;
  }

  /**
   * Tells the store which image ids containers use ({@code sha256:...}); removal refuses to delete those.
   * The executor sets it.
   */
  public void setInUse(Supplier<Set<String>> ids) {
    this.inUse = ids == null ? Set::of : ids;
  }

  /** The content store (the distribution answer reads a local manifest's size and config from it). */
  BlobStore blobs() {
    return blobs;
  }

  /** The store's options: platform, unpack limits, insecure registries, the managers to pull from. */
  Options options() {
    return options;
  }

  /** Chunk size of blob uploads (push); larger blobs go in PATCH chunks. */
  void setUploadChunk(int bytes) {
    this.uploadChunk = bytes;
  }

  // ================= ImageProvider =================

  /**
   * The image for {@code reference}, pulled (from its registry, then from the managers) when it is not here.
   *
   * @throws NotFoundException when no source has it; the message names every source tried and its answer
   * @throws InvalidArgumentException when the reference is malformed
   */
  @Override
  public LocalImage prepare(String reference) throws IOException, InterruptedException {
    return prepare(reference, null);
  }

  @Override
  public LocalImage prepare(String reference, String registryAuth) throws IOException, InterruptedException {
    Image img = catalog.find(reference);
    if (img == null) {
      ImageReference ref = ImageReference.parse(reference);
      img = pull(ref, RegistryAuth.fromHeader(registryAuth), false, Progress.NONE);
    }
    return local(img, reference);
  }

  private LocalImage local(Image img, String reference) throws IOException, InterruptedException {
    List<Path> dirs = new ArrayList<>();
    List<Manifest.Descriptor> layers = img.manifest().layers();
    for (int i = 0; i < img.diffIds().size(); i++) {
      dirs.add(this.layers.ensure(img.diffIds().get(i), layers.get(i)));
    }
    // The same layer twice (typically the empty layer): overlayfs refuses a lower dir given twice, and the view
    // is the same with only its topmost occurrence.
    List<Path> unique = new ArrayList<>();
    for (int i = 0; i < dirs.size(); i++) {
      if (!dirs.subList(i + 1, dirs.size()).contains(dirs.get(i))) {
        unique.add(dirs.get(i));
      }
    }
    return new LocalImage(img.id().toString(), reference, runConfig(img.config().path("config")), List.copyOf(unique));
  }

  static LocalImage.RunConfig runConfig(JsonNode c) {
    JsonNode hc = c.path("Healthcheck");
    LocalImage.Healthcheck health = hc.isObject() ? new LocalImage.Healthcheck(strings(hc.path("Test")),
        hc.path("Interval").asLong(0), hc.path("Timeout").asLong(0), hc.path("StartPeriod").asLong(0),
        hc.path("Retries").asInt(0)) : null;
    Map<String, Object> ports = new LinkedHashMap<>();
    c.path("ExposedPorts").fieldNames().forEachRemaining(p -> ports.put(p, Map.of()));
    Map<String, String> labels = new LinkedHashMap<>();
    c.path("Labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
    return new LocalImage.RunConfig(strings(c.path("Entrypoint")), strings(c.path("Cmd")), strings(c.path("Env")),
        text(c, "WorkingDir"), text(c, "User"), text(c, "StopSignal"), health, ports, labels);
  }

  private static List<String> strings(JsonNode n) {
    if (n == null || !n.isArray()) {
      return null;
    }
    List<String> l = new ArrayList<>();
    n.forEach(e -> l.add(e.asText()));
    return l;
  }

  private static String text(JsonNode n, String f) {
    JsonNode v = n.get(f);
    return v == null || v.isNull() || v.asText().isEmpty() ? null : v.asText();
  }

  // ================= pull =================

  /**
   * Pulls {@code ref} from its registry, then (when that fails) from each manager; stores and unpacks it and
   * records the reference. Concurrent pulls of one reference share one download.
   */
  Image pull(ImageReference ref, RegistryAuth auth, boolean insecure, Progress progress)
      throws IOException, InterruptedException {
    String k = ImageCatalog.key(ref);
    CompletableFuture<Image> mine = new CompletableFuture<>();
    CompletableFuture<Image> running = pulls.putIfAbsent(k, mine);
    if (running != null) {
      progress.status(ref.manifestRef(), "Waiting for another pull of " + ref.familiar());
      return await(running);
    }
    try {
      Image img = new ImagePull(this).pullFromSources(ref, auth, insecure, progress);
      mine.complete(img);
      return img;
    } catch (LayerLimitException e) {
      mine.completeExceptionally(e);
      forgetRefused(ref);
      throw e;
    } catch (IOException | RuntimeException | InterruptedException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      pulls.remove(k, mine);
    }
  }

  /** After a refused layer: the blobs fetched for it (and anything else no image needs) go. */
  private void forgetRefused(ImageReference ref) {
    try {
      gc();
    } catch (IOException | RuntimeException e) {
      LOG.warn("pull of {} refused; removing its downloaded blobs failed (image rm --prune retries): {}",
          ref.familiar(), e.toString());
    }
  }

  /** Pulls as the Engine API does: the reference text and credentials. */
  public LocalImage pull(String reference, RegistryAuth auth, Progress progress) throws IOException, InterruptedException {
    return pull(reference, auth, false, progress);
  }

  /** {@link #pull(String, RegistryAuth, Progress)}; {@code insecure} speaks plain HTTP to this registry. */
  public LocalImage pull(String reference, RegistryAuth auth, boolean insecure, Progress progress)
      throws IOException, InterruptedException {
    ImageReference ref = ImageReference.parse(reference);
    return local(pull(ref, auth, insecure, progress), reference);
  }

  /** The result of a download or unpack another thread runs, with its own exception. */
  static <T> T await(CompletableFuture<T> f) throws IOException, InterruptedException {
    try {
      return f.get();
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      if (c instanceof RuntimeException re) {
        throw re;
      }
      if (c instanceof InterruptedException ie) {
        throw ie;
      }
      throw new IOException(c);
    }
  }

  RegistryClient registryClient(String domain, RegistryAuth auth) {
    return registryClient(domain, auth, false);
  }

  RegistryClient registryClient(String domain, RegistryAuth auth, boolean insecure) {
    String host = domain.equals(ImageReference.DOCKER_HUB) ? DOCKER_HUB_REGISTRY : domain;
    String scheme = insecure || isInsecure(domain) ? "http" : "https";
    return new RegistryClient(URI.create(scheme + "://" + host), publicHttp(), auth, "registry " + domain)
        .chunkSize(uploadChunk).allow(options.registryAllow());
  }

  /**
   * A client of each manager's read-only registry (the cluster's own image store, on the cluster port with this
   * node's certificate; repositories named as the image's full name), in the order the managers are known; none
   * before this node joined a swarm.
   */
  List<RegistryClient> managerRegistries() {
    SSLContext tls = options.clusterTls().get();
    List<String> managers = tls == null ? List.of() : options.managers().get();
    if (managers.isEmpty()) {
      return List.of();
    }
    HttpClient cluster = RegistryClient.httpClient(tls);
    List<RegistryClient> out = new ArrayList<>();
    for (String m : managers) {
      out.add(new RegistryClient(URI.create("https://" + m), cluster, RegistryAuth.NONE, "manager " + m));
    }
    return out;
  }

  boolean isInsecure(String domain) {
    String host = domain.startsWith("[") ? domain.substring(0, domain.indexOf(']') + 1)
        : domain.contains(":") ? domain.substring(0, domain.lastIndexOf(':')) : domain;
    return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]")
        || options.insecureRegistries().contains(domain) || options.insecureRegistries().contains(host);
  }

  Manifest.Descriptor choosePlatform(Manifest list, ImageReference ref) {
    String want = options.os() + "/" + options.architecture();
    for (Manifest.Descriptor d : list.manifests()) {
      if (d.platform() != null && (d.platform().equals(want) || d.platform().startsWith(want + "/"))) {
        return d;
      }
    }
    List<String> have = list.manifests().stream().map(d -> String.valueOf(d.platform())).toList();
    throw new NotFoundException("no matching manifest for " + want + " in the manifest list entries of "
        + ref.familiar() + " (it has " + have + ")");
  }

  /** The size of the image's manifest blob. */
  long manifestSize(Image img) throws IOException {
    return blobs.size(img.manifestDigest());
  }

  // ================= import and load (ImageArchives) =================

  /**
   * Makes a one-layer image from a root file system tarball (optionally gzip-compressed) and tags it
   * {@code reference} (may be null: an untagged image); see {@link ImageArchives#importRootfs}.
   *
   * @return the new image's id
   */
  public String importRootfs(InputStream tarball, String reference, List<String> changes, String message)
      throws IOException, InterruptedException {
    return archives.importRootfs(tarball, reference, changes, message);
  }

  /**
   * Loads a {@code docker save} or OCI image-layout archive within this node's unpack limits; see
   * {@link ImageArchives#load}.
   */
  public List<String> load(InputStream archive, Progress progress) throws IOException, InterruptedException {
    return archives.load(archive, progress);
  }

  /**
   * Writes a {@code docker save} archive of the images {@code names} name: {@code manifest.json} (Config,
   * RepoTags, Layers as uncompressed tars) and {@code repositories}.
   */
  public void save(List<String> names, OutputStream out) throws IOException {
    new ImageSave(this).save(names, out);
  }

  // ================= push =================

  /**
   * Pushes the image {@code reference} names to the registry of that reference: blobs it lacks (checked with HEAD),
   * then the manifest under the tag. Records {@code name@digest} as a repo digest and returns the digest.
   */
  public Digest push(String reference, RegistryAuth auth, Progress progress) throws IOException, InterruptedException {
    return push(reference, auth, false, progress);
  }

  /** {@link #push(String, RegistryAuth, Progress)}; {@code insecure} speaks plain HTTP to this registry. */
  public Digest push(String reference, RegistryAuth auth, boolean insecure, Progress progress)
      throws IOException, InterruptedException {
    return new ImagePush(this).push(reference, auth, insecure, progress);
  }

  // ================= tag, list, inspect =================

  /** Adds the tag {@code target} ({@code repo[:tag]}) to the image {@code source} names. */
  public void tag(String source, String target) throws IOException {
    Image img = catalog.get(source);
    ImageReference t = ImageReference.parse(target);
    if (t.digest() != null) {
      throw new InvalidArgumentException("tag: the target must be a tag, not a digest: " + target);
    }
    catalog.register(img.manifestDigest(), Map.of(ImageCatalog.key(t), img.manifestDigest()));
  }

  /** {@code GET /images/json}: one summary per image id, newest first, in Docker's shape. */
  public List<Map<String, Object>> list() throws IOException {
    return new ImageViews(this).list();
  }

  /** {@code GET /images/{name}/json}, Docker's shape. */
  public Map<String, Object> inspect(String name) throws IOException {
    return new ImageViews(this).inspect(name);
  }

  // ================= remove and garbage collection =================

  /**
   * Removes {@code name} the way {@code docker rmi} does: a reference is untagged (and the image deleted with its
   * last reference); an id deletes the image and all its references, which needs {@code force} when they span
   * several repositories. An image a container uses is never deleted. Returns Docker's
   * {@code [{"Untagged": ...}, {"Deleted": ...}]}.
   */
  public List<Map<String, String>> remove(String name, boolean force, boolean prune) throws IOException {
    gcLock.writeLock().lock();
    try {
      Image img = catalog.get(name);
      ImageReference ref = null;
      try {
        ref = ImageReference.parse(name.trim());
      } catch (InvalidArgumentException e) {
        // an id
      }
      List<Map<String, String>> out = new ArrayList<>();
      synchronized (index) {
        List<String> refsOfImage = new ArrayList<>();
        index.references.forEach((k, v) -> {
          if (catalog.sameImage(v, img)) {
            refsOfImage.add(k);
          }
        });
        boolean byRef = ref != null && index.references.containsKey(ImageCatalog.key(ref)) && !Digest.isDigest(name.trim());
        ImageRemoval.Plan plan = ImageRemoval.plan(byRef ? ref : null, img, refsOfImage, force,
            inUse.get().contains(img.id().toString()));
        List<String> untag = plan.untag();
        boolean deletes = plan.deletes();
        for (String k : untag) {
          index.references.remove(k);
          out.add(Map.of("Untagged", ImageReference.parse(k).familiar()));
        }
        if (deletes) {
          index.images.entrySet().removeIf(e -> catalog.sameImage(e.getKey(), img));
          index.references.values().removeIf(v -> catalog.sameImage(v, img));
          out.add(Map.of("Deleted", img.id().toString()));
        }
        index.save();
      }
      if (prune || out.stream().anyMatch(m -> m.containsKey("Deleted"))) {
        for (Digest layer : collectGarbage()) {
          out.add(Map.of("Deleted", layer.toString()));
        }
      }
      return out;
    } finally {
      gcLock.writeLock().unlock();
    }
  }

  /**
   * Deletes blobs and unpacked layers no image of the index needs. Returns the diff ids of the layers removed.
   * Runs under the write lock, so nothing is being pulled or loaded meanwhile.
   */
  public List<Digest> gc() throws IOException {
    gcLock.writeLock().lock();
    try {
      return collectGarbage();
    } finally {
      gcLock.writeLock().unlock();
    }
  }

  private List<Digest> collectGarbage() throws IOException {
    Set<Digest> keepBlobs = new HashSet<>();
    Set<String> keepLayers = new HashSet<>();
    List<Digest> ms;
    synchronized (index) {
      ms = new ArrayList<>(index.images.keySet());
      for (String k : index.references.keySet()) {
        int at = k.indexOf('@');
        if (at > 0) {
          keepBlobs.add(Digest.parse(k.substring(at + 1))); // an index pulled by this name
        }
      }
    }
    for (Digest m : ms) {
      Image i = catalog.image(m);
      keepBlobs.add(m);
      keepBlobs.add(i.id());
      i.manifest().layers().forEach(l -> keepBlobs.add(l.digest()));
      i.diffIds().forEach(d -> keepLayers.add(d.hex()));
    }
    for (Digest d : blobs.list()) {
      if (!keepBlobs.contains(d)) {
        blobs.delete(d);
        catalog.forget(d);
      }
    }
    return layers.sweep(keepLayers);
  }

  static String nodeArchitecture() {
    String a = System.getProperty("os.arch", "amd64").toLowerCase(Locale.ROOT);
    return switch (a) {
      case "x86_64", "amd64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      default -> a;
    };
  }
}
