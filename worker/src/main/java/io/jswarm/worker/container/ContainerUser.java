package io.jswarm.worker.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The uid, gid and supplementary groups a container's process runs as, from Docker's {@code User} forms
 * ({@code name}, {@code uid}, {@code name:group}, {@code uid:gid}); names are looked up in the image's
 * {@code /etc/passwd} and {@code /etc/group}.
 */
record ContainerUser(long uid, long gid, List<Long> additionalGids) {
  static final ContainerUser ROOT = new ContainerUser(0, 0, List.of());
  static final long MAX_TABLE_BYTES = 4 << 20;

  static ContainerUser resolve(String user, Path rootfs) {
    if (user == null || user.isBlank()) {
      return ROOT;
    }
    String[] parts = user.split(":", 2);
    String u = parts[0];
    String g = parts.length > 1 ? parts[1] : null;
    List<String[]> passwd = table(rootfs, "/etc/passwd");
    List<String[]> groups = table(rootfs, "/etc/group");
    long uid;
    Long gid = null;
    String name = null;
    if (u.matches("[0-9]+")) {
      uid = Long.parseLong(u);
      for (String[] p : passwd) {
        if (p.length > 3 && p[2].equals(u)) {
          name = p[0];
          gid = parse(p[3]);
        }
      }
    } else {
      String[] entry = passwd.stream().filter(p -> p.length > 3 && p[0].equals(u)).findFirst().orElseThrow(() ->
          new IllegalArgumentException("ContainerSpec.User: no user \"" + u + "\" in the image's /etc/passwd"
              + linkNote(rootfs, "etc/passwd") + "; use a numeric uid or a user the image defines"));
      uid = parse(entry[2]);
      gid = parse(entry[3]);
      name = u;
    }
    if (g != null && !g.isEmpty()) {
      if (g.matches("[0-9]+")) {
        gid = Long.parseLong(g);
      } else {
        String[] entry = groups.stream().filter(p -> p.length > 2 && p[0].equals(g)).findFirst().orElseThrow(() ->
            new IllegalArgumentException("ContainerSpec.User: no group \"" + g + "\" in the image's /etc/group"
                + linkNote(rootfs, "etc/group") + "; use a numeric gid or a group the image defines"));
        gid = parse(entry[2]);
      }
    }
    List<Long> extra = new ArrayList<>();
    if (name != null) {
      for (String[] grp : groups) {
        if (grp.length > 3 && List.of(grp[3].split(",")).contains(name)) {
          extra.add(parse(grp[2]));
        }
      }
    }
    return new ContainerUser(uid, gid == null ? 0 : gid, extra);
  }

  private static List<String[]> table(Path rootfs, String file) {
    List<String[]> out = new ArrayList<>();
    List<String> lines;
    try {
      lines = RootfsFiles.readLines(rootfs, file, MAX_TABLE_BYTES);
    } catch (IOException e) {
      throw new IllegalArgumentException("ContainerSpec.User: the image's " + file + " cannot be used ("
          + e.getMessage() + "); fix the image or run as a numeric uid:gid without names");
    }
    for (String line : lines) {
      if (!line.isBlank() && !line.startsWith("#")) {
        out.add(line.split(":", -1));
      }
    }
    return out;
  }

  /** " (/etc/passwd links to X, looked up inside the image)" when the file is a symlink, else "". */
  private static String linkNote(Path rootfs, String file) {
    try {
      Path p = rootfs.resolve(file);
      if (!Files.isDirectory(p.getParent(), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        return "";
      }
      return Files.isSymbolicLink(p) ? " (/" + file + " links to " + Files.readSymbolicLink(p)
          + ", which is looked up inside the image, never on the node)" : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static long parse(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
