package io.jswarm.worker.container;

import io.jswarm.linux.UserNamespace.IdRange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code jswarm daemon --userns-remap default|USER[:GROUP]} (dockerd's flag): every container runs in a user
 * namespace whose root is an unprivileged subordinate id of the host. The ranges are the user's lines of
 * {@code /etc/subuid} and the group's of {@code /etc/subgid} ({@code NAME:START:COUNT}, looked up by name or by
 * numeric id), mapped in file order to container ids 0, 1, ... as dockerd does. {@code default} is the user and
 * group {@code dockremap}, created (a system user with no login) with a 65536-id range after the highest range in
 * use from 100000 on, when missing — what dockerd does.
 *
 * @param user the user (name as given)
 * @param group the group (name as given)
 * @param uids the uid mapping (container id, host id, count)
 * @param gids the gid mapping
 */
public record UsernsRemap(String user, String group, List<IdRange> uids, List<IdRange> gids) {
  /** The user and group {@code default} stands for. */
  public static final String DEFAULT_USER = "dockremap";
  /** Where a new range starts at the lowest, and how many ids it has (dockerd's choices). */
  static final long FIRST_START = 100_000;
  static final long DEFAULT_SIZE = 65_536;

  /** Where the host keeps its users and subordinate ids: the {@code /etc} files, or a test's. */
  public record HostFiles(Path passwd, Path group, Path subuid, Path subgid) {
    public static final HostFiles ETC = new HostFiles(Path.of("/etc/passwd"), Path.of("/etc/group"),
        Path.of("/etc/subuid"), Path.of("/etc/subgid"));
  }

  public UsernsRemap {
    uids = List.copyOf(uids);
    gids = List.copyOf(gids);
    if (uids.isEmpty() || gids.isEmpty()) {
      throw new IllegalArgumentException("a user namespace mapping needs at least one uid and one gid range");
    }
  }

  /** The host uid of the container's root. */
  public long rootUid() {
    return uids.get(0).outside();
  }

  /** The host gid of the container's root group. */
  public long rootGid() {
    return gids.get(0).outside();
  }

  /** The host uid of container uid {@code id}, or -1 when the mapping has none. */
  public long hostUid(long id) {
    return host(uids, id);
  }

  /** The host gid of container gid {@code id}, or -1 when the mapping has none. */
  public long hostGid(long id) {
    return host(gids, id);
  }

  private static long host(List<IdRange> ranges, long id) {
    for (IdRange r : ranges) {
      if (id >= r.inside() && id < r.inside() + r.size()) {
        return r.outside() + (id - r.inside());
      }
    }
    return -1;
  }

  /** How {@code docker info} shows it ({@code dockremap:dockremap}) and the uid/gid maps. */
  @Override
  public String toString() {
    return user + ":" + group + " (uids " + ranges(uids) + ", gids " + ranges(gids) + ")";
  }

  private static String ranges(List<IdRange> rs) {
    return String.join(",", rs.stream().map(r -> r.inside() + "->" + r.outside() + "+" + r.size()).toList());
  }

  /**
   * The mapping {@code spec} names: {@code default}, {@code USER} or {@code USER:GROUP} (names or numeric ids).
   *
   * @throws IllegalArgumentException when the user or group does not exist or has no subordinate ids, saying how
   *     to add them
   * @throws IOException when the files cannot be read, or {@code default}'s user cannot be made
   */
  public static UsernsRemap resolve(String spec, HostFiles files) throws IOException {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("--userns-remap: give default, USER or USER:GROUP");
    }
    if (spec.equals("default")) {
      ensureDefault(files);
      spec = DEFAULT_USER + ":" + DEFAULT_USER;
    }
    int colon = spec.indexOf(':');
    String user = colon < 0 ? spec : spec.substring(0, colon);
    String group = colon < 0 ? user : spec.substring(colon + 1);
    String[] u = entry(files.passwd(), user);
    if (u == null) {
      throw new IllegalArgumentException("--userns-remap: no user \"" + user + "\" in " + files.passwd()
          + " (create it, e.g. useradd --system " + user + ", or use --userns-remap default)");
    }
    String[] g = entry(files.group(), group);
    if (g == null) {
      throw new IllegalArgumentException("--userns-remap: no group \"" + group + "\" in " + files.group());
    }
    List<IdRange> uids = mapping(files.subuid(), u[0], u[2]);
    List<IdRange> gids = mapping(files.subgid(), g[0], g[2]);
    if (uids.isEmpty() || gids.isEmpty()) {
      Path missing = uids.isEmpty() ? files.subuid() : files.subgid();
      String who = uids.isEmpty() ? u[0] : g[0];
      throw new IllegalArgumentException("--userns-remap: " + who + " has no subordinate ids in " + missing
          + " (add a line like " + who + ":" + FIRST_START + ":" + DEFAULT_SIZE + ")");
    }
    return new UsernsRemap(u[0], g[0], uids, gids);
  }

  /** The {@code dockremap} user and group and their ranges, made when missing. */
  private static void ensureDefault(HostFiles files) throws IOException {
    if (entry(files.passwd(), DEFAULT_USER) == null) {
      if (!files.equals(HostFiles.ETC)) {
        throw new IllegalArgumentException("no user " + DEFAULT_USER + " in " + files.passwd());
      }
      Process p = new ProcessBuilder("useradd", "--system", "--user-group", "--no-create-home", "--shell",
          "/usr/sbin/nologin", DEFAULT_USER).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      try {
        if (p.waitFor() != 0) {
          throw new IOException("--userns-remap default: useradd " + DEFAULT_USER + " failed: " + out);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while creating user " + DEFAULT_USER, e);
      }
    }
    for (Path f : List.of(files.subuid(), files.subgid())) {
      if (lines(f).stream().noneMatch(l -> l.startsWith(DEFAULT_USER + ":"))) {
        long start = nextFree(f);
        Files.writeString(f, DEFAULT_USER + ":" + start + ":" + DEFAULT_SIZE + "\n", StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      }
    }
  }

  /** The first start at or above {@link #FIRST_START} past every range already in {@code subids}. */
  static long nextFree(Path subids) throws IOException {
    long start = FIRST_START;
    List<long[]> ranges = new ArrayList<>();
    for (String l : lines(subids)) {
      String[] f = l.split(":");
      if (f.length == 3) {
        try {
          ranges.add(new long[] {Long.parseLong(f[1].trim()), Long.parseLong(f[2].trim())});
        } catch (NumberFormatException bad) {
          // not a range: ignored as newuidmap ignores it
        }
      }
    }
    ranges.sort(Comparator.comparingLong(r -> r[0]));
    for (long[] r : ranges) {
      if (r[0] < start + DEFAULT_SIZE && r[0] + r[1] > start) {
        start = r[0] + r[1]; // overlaps: go past it
      }
    }
    return start;
  }

  /** The ranges of {@code name} (or its numeric {@code id}) in {@code subids}, in file order, as container ids. */
  static List<IdRange> mapping(Path subids, String name, String id) throws IOException {
    List<IdRange> out = new ArrayList<>();
    long inside = 0;
    for (String l : lines(subids)) {
      String[] f = l.split(":");
      if (f.length != 3 || !(f[0].equals(name) || f[0].equals(id))) {
        continue;
      }
      try {
        long start = Long.parseLong(f[1].trim());
        long count = Long.parseLong(f[2].trim());
        if (count > 0) {
          out.add(new IdRange(inside, start, count));
          inside += count;
        }
      } catch (NumberFormatException bad) {
        throw new IllegalArgumentException(subids + ": \"" + l + "\" is not NAME:START:COUNT");
      }
    }
    return out;
  }

  /** The {@code /etc/passwd} or {@code /etc/group} entry whose name or numeric id is {@code who}, split on ':'. */
  private static String[] entry(Path file, String who) throws IOException {
    for (String l : lines(file)) {
      String[] f = l.split(":", -1);
      if (f.length >= 3 && (f[0].equals(who) || f[2].equals(who))) {
        return f;
      }
    }
    return null;
  }

  private static List<String> lines(Path f) throws IOException {
    try {
      return Files.readAllLines(f).stream().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#"))
          .toList();
    } catch (NoSuchFileException e) {
      return List.of();
    }
  }
}
