package io.jswarm.worker.volume;

import io.jswarm.linux.FileTrees;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.errors.NotFoundException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Docker's {@code local} volume driver on this node: volume {@code name} is the directory
 * {@code <root>/<name>/_data}; {@code <root>/<name>/volume.json} keeps its labels, creation time and the tasks that
 * use it, so that a restarted daemon still refuses to remove a volume in use ({@link #retainOnly} drops users that
 * are gone). A volume created with option {@code size} is a file system of that size ({@link VolumeQuota}) mounted on
 * {@code _data}. All methods are serialized on this object.
 */
public final class LocalVolumes implements VolumeProvider {
  public static final String DRIVER = "local";
  static final String DATA = "_data";
  static final String META = "volume.json";
  /** Docker's rule for volume names. */
  static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{1,254}"); // a directory name: 255 bytes at most

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Path root;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  /** What {@code volume.json} holds. */
  static final class Meta {
    public String name;
    public String createdAt;
    public Map<String, String> labels = new LinkedHashMap<>();
    public Set<String> users = new TreeSet<>();
    /** The driver options it was created with ({@code size} is the only one). */
    public Map<String, String> options = new LinkedHashMap<>();
    /** The size limit in bytes ({@link VolumeQuota}), null for an unlimited directory. */
    public Long sizeBytes;
  }

  /** @param root the volumes directory, normally {@code <data-root>/volumes} (created if missing) */
  public LocalVolumes(Path root, Clock clock) {
    this.root = Objects.requireNonNull(root, "root");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public Path root() {
    return root;
  }

  // ---- VolumeProvider (the executor) ----

  @Override
  public synchronized Path acquire(String name, Map<String, String> labels, String taskId) throws IOException {
    Objects.requireNonNull(taskId, "taskId");
    Meta m = load(name);
    if (m == null) {
      m = createMeta(name, labels, Map.of());
    }
    mountIfSized(m);
    if (m.users.add(taskId)) {
      save(m);
    }
    return dir(name).resolve(DATA);
  }

  @Override
  public synchronized Long sizeLimit(String name) throws IOException {
    Meta m = load(name);
    return m == null ? null : m.sizeBytes;
  }

  @Override
  public synchronized void release(String taskId) throws IOException {
    for (Meta m : all()) {
      if (m.users.remove(taskId)) {
        save(m);
      }
    }
  }

  @Override
  public synchronized void retainOnly(Set<String> taskIds) throws IOException {
    for (Meta m : all()) {
      if (m.users.removeIf(u -> !taskIds.contains(u))) {
        save(m);
      }
    }
  }

  // ---- the volume API ----

  /**
   * Creates volume {@code name} (a random 64-hex name when null or empty), or returns it when it exists, as Docker
   * does. {@code options} may hold {@code size} (e.g. {@code 10M}): the volume is then a file system of that size.
   *
   * @throws InvalidArgumentException for another option or a bad size
   * @throws ConflictException when the volume exists with another size
   */
  public synchronized Volume create(String name, Map<String, String> labels, Map<String, String> options)
      throws IOException {
    Map<String, String> opts = options == null ? Map.of() : options;
    for (String k : opts.keySet()) {
      if (!k.equals("size")) {
        throw new InvalidArgumentException("DriverOpts: the local driver of jswarm takes only \"size\" (e.g. "
            + "--opt size=10M), not \"" + k + "\"");
      }
    }
    Long size = opts.containsKey("size") ? VolumeQuota.parseSize(opts.get("size")) : null;
    String n = name == null || name.isEmpty() ? HexFormat.of().formatHex(randomBytes()) : name;
    Meta m = load(n);
    if (m == null) {
      m = createMeta(n, labels, opts);
    } else if (size != null && !size.equals(m.sizeBytes)) {
      throw new ConflictException("volume " + n + " exists already " + (m.sizeBytes == null ? "without a size"
          : "with size " + m.options.get("size")) + "; remove it first to make it with size " + opts.get("size"));
    }
    mountIfSized(m);
    return view(m, false);
  }

  /** Every volume, sorted by name; {@code withSize} adds {@code UsageData}. */
  public synchronized List<Volume> list(boolean withSize) throws IOException {
    List<Volume> out = new ArrayList<>();
    for (Meta m : all()) {
      out.add(view(m, withSize));
    }
    return out;
  }

  /** @throws NotFoundException naming the volume when there is none */
  public synchronized Volume inspect(String name, boolean withSize) throws IOException {
    return view(require(name), withSize);
  }

  /** The tasks that use volume {@code name}. */
  public synchronized Set<String> users(String name) throws IOException {
    return Set.copyOf(require(name).users);
  }

  /**
   * Removes the volume and its data.
   *
   * @throws NotFoundException when there is no such volume
   * @throws ConflictException when a task still uses it (the message names the tasks)
   */
  public synchronized void remove(String name) throws IOException {
    Meta m = require(name);
    if (!m.users.isEmpty()) {
      throw new ConflictException("remove " + name + ": volume is in use - " + m.users
          + " (remove the services or tasks using it first)");
    }
    if (m.sizeBytes != null) {
      VolumeQuota.unmount(dir(name).resolve(DATA));
    }
    FileTrees.delete(dir(name));
  }

  // ---- internals ----

  private byte[] randomBytes() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return b;
  }

  private Meta createMeta(String name, Map<String, String> labels, Map<String, String> options) throws IOException {
    checkName(name);
    Meta m = new Meta();
    m.name = name;
    m.createdAt = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    if (labels != null) {
      m.labels.putAll(labels);
    }
    m.options.putAll(options);
    Path data = dir(name).resolve(DATA);
    Files.createDirectories(data);
    if (options.containsKey("size")) {
      m.sizeBytes = VolumeQuota.parseSize(options.get("size"));
      try {
        VolumeQuota.create(dir(name), data, m.sizeBytes);
      } catch (IOException | RuntimeException e) {
        FileTrees.delete(dir(name)); // no half-made volume: it is created whole or not at all
        throw e;
      }
    }
    save(m);
    return m;
  }

  /** A sized volume's file system is mounted on its {@code _data} (again, after a restart of the host). */
  private void mountIfSized(Meta m) throws IOException {
    if (m.sizeBytes != null) {
      VolumeQuota.ensureMounted(dir(m.name), dir(m.name).resolve(DATA));
    }
  }

  static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      String shown = name != null && name.length() > 100 ? name.substring(0, 100) + "..." : name;
      throw new InvalidArgumentException("volume name \"" + shown + "\" includes invalid characters for a local "
          + "volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed (2 to 255 characters)");
    }
  }

  private Path dir(String name) {
    checkName(name);
    return root.resolve(name);
  }

  private Meta require(String name) throws IOException {
    Meta m = NAME.matcher(name == null ? "" : name).matches() ? load(name) : null;
    if (m == null) {
      throw new NotFoundException("get " + name + ": no such volume");
    }
    return m;
  }

  private Meta load(String name) throws IOException {
    Path meta = dir(name).resolve(META);
    try {
      Meta m = MAPPER.readValue(Files.readAllBytes(meta), Meta.class);
      m.name = name;
      return m;
    } catch (NoSuchFileException e) {
      return null;
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IOException("volume " + name + ": " + meta + " is not valid JSON (" + e.getOriginalMessage()
          + "); fix or remove that file", e);
    }
  }

  private List<Meta> all() throws IOException {
    List<Meta> out = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return out;
    }
    try (Stream<Path> s = Files.list(root)) {
      for (Path p : s.sorted().toList()) {
        String n = p.getFileName().toString();
        if (NAME.matcher(n).matches()) {
          Meta m = load(n);
          if (m != null) {
            out.add(m);
          }
        }
      }
    }
    return out;
  }

  private void save(Meta m) throws IOException {
    Path dir = dir(m.name);
    Files.createDirectories(dir);
    Path tmp = dir.resolve(META + ".tmp");
    Files.write(tmp, MAPPER.writeValueAsBytes(m));
    try {
      Files.move(tmp, dir.resolve(META), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, dir.resolve(META), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private Volume view(Meta m, boolean withSize) throws IOException {
    Volume v = new Volume();
    v.name = m.name;
    v.driver = DRIVER;
    v.mountpoint = dir(m.name).resolve(DATA).toString();
    v.createdAt = m.createdAt;
    v.labels = m.labels.isEmpty() ? Map.of() : new LinkedHashMap<>(m.labels);
    v.scope = "local";
    v.options = m.options.isEmpty() ? Map.of() : new LinkedHashMap<>(m.options);
    if (m.sizeBytes != null) {
      mountIfSized(m);
      long[] usedFree = VolumeQuota.usedAndFree(dir(m.name).resolve(DATA));
      v.status = new LinkedHashMap<>();
      v.status.put("SizeLimit", m.sizeBytes);
      v.status.put("Used", usedFree[0]);
      v.status.put("Available", usedFree[1]);
    }
    if (withSize) {
      v.usageData = new Volume.UsageData();
      v.usageData.size = size(dir(m.name).resolve(DATA));
      v.usageData.refCount = (long) m.users.size();
    }
    return v;
  }

  /** Bytes of the regular files under {@code dir} (symbolic links not followed), as {@code du} counts content. */
  static long size(Path dir) throws IOException {
    long[] total = {0};
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        if (attrs.isRegularFile()) {
          total[0] += attrs.size();
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) {
        return FileVisitResult.CONTINUE; // removed meanwhile or unreadable: not counted
      }
    });
    return total[0];
  }

}
