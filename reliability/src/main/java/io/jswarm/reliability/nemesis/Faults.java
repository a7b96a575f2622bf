package io.jswarm.reliability.nemesis;

import io.jswarm.cli.cluster.MultiHostCluster;
import io.jswarm.cli.cluster.MultiHostCluster.Host;
import io.jswarm.reliability.history.History;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The nemesis: faults injected into a {@link MultiHostCluster} and healed again, each one logged in the
 * {@link History}. A fault is chosen at random from {@link Kind} with the run's seeded {@link Random}:
 * <ul>
 *   <li>{@code KILL} / {@code KILL_LEADER}: SIGKILL to a manager's (or the leader's) daemon, restarted on heal;
 *   <li>{@code PAUSE_LEADER}: SIGSTOP to the leader's daemon, SIGCONT on heal;
 *   <li>partitions with nftables drop rules in the hosts' namespaces (table {@value #TABLE}): the leader isolated,
 *       a majority/minority split of the managers, a bridge (two sides that both reach one host but not each
 *       other), and random halves;
 *   <li>{@code DISK_FULL}: a manager's data root moved onto a small tmpfs (once) and filled up; freed on heal.
 * </ul>
 */
public final class Faults {
  /** nftables table of the partition rules in each host's namespace. */
  static final String TABLE = "jsnemesis";
  /** Size of the tmpfs a disk-full manager's data root is moved to. */
  static final String DISK_SIZE = "96m";
  /** Source name of the disk-full tmpfs (and its bind mount), which stays until the cluster closes. */
  static final String DISK_SOURCE = "jsnemesis";

  /** What the nemesis can do. */
  public enum Kind { KILL, KILL_LEADER, PAUSE_LEADER, PARTITION_LEADER, PARTITION_MAJORITY, PARTITION_BRIDGE,
    PARTITION_HALVES, DISK_FULL }

  private final List<Host> managers;
  private final List<Host> all;
  private final Supplier<Host> leader;
  private final History history;
  private final Random random;
  private final Set<Host> onTmpfs = new HashSet<>();
  /** What to undo at the next heal. */
  private final List<Undo> pending = new ArrayList<>();
  /** Daemons that did not come back when restarted: a manager that cannot restart after a fault is an anomaly. */
  private final List<String> failedRestarts = new ArrayList<>();

  private interface Undo {
    void run() throws Exception;
  }

  /**
   * @param leader the current leader's host (asked from the managers), or null when none is known
   */
  public Faults(List<Host> managers, List<Host> all, Supplier<Host> leader, History history,
      Random random) {
    this.managers = List.copyOf(managers);
    this.all = List.copyOf(all);
    this.leader = leader;
    this.history = history;
    this.random = random;
  }

  /** Injects one fault of {@code kind}. */
  public void inject(Kind kind) throws Exception {
    Host l = leader.get();
    switch (kind) {
      case KILL -> kill(pick(managers));
      case KILL_LEADER -> kill(l != null ? l : pick(managers));
      case PAUSE_LEADER -> {
        Host h = l != null ? l : pick(managers);
        long pid = h.daemon().pid();
        sh("kill -STOP " + pid);
        history.fault("pause " + h.name + " (SIGSTOP)");
        pending.add(() -> {
          sh("kill -CONT " + pid);
          history.fault("resume " + h.name + " (SIGCONT)");
        });
      }
      case PARTITION_LEADER -> {
        Host h = l != null ? l : pick(managers);
        List<Host> rest = new ArrayList<>(all);
        rest.remove(h);
        partition("isolated leader", List.of(h), rest);
      }
      case PARTITION_MAJORITY -> {
        List<Host> ms = shuffled(managers);
        List<Host> minority = new ArrayList<>(ms.subList(0, (ms.size() - 1) / 2));
        List<Host> majority = new ArrayList<>(ms.subList((ms.size() - 1) / 2, ms.size()));
        for (Host h : all) {
          if (!managers.contains(h)) {
            (random.nextBoolean() ? minority : majority).add(h);
          }
        }
        partition("majority/minority", minority, majority);
      }
      case PARTITION_BRIDGE -> {
        List<Host> hs = shuffled(all);
        Host bridge = hs.get(0);
        List<Host> a = new ArrayList<>();
        List<Host> b = new ArrayList<>();
        for (int i = 1; i < hs.size(); i++) {
          (i % 2 == 1 ? a : b).add(hs.get(i));
        }
        partition("bridge via " + bridge.name, a, b);
      }
      case PARTITION_HALVES -> {
        List<Host> hs = shuffled(all);
        int cut = 1 + random.nextInt(hs.size() - 1);
        partition("random halves", hs.subList(0, cut), hs.subList(cut, hs.size()));
      }
      case DISK_FULL -> diskFull(pick(managers));
    }
  }

  /** Undoes every fault in place: resumes, restarts, removes drop rules, frees disks. */
  public void healAll() throws Exception {
    List<Exception> failures = new ArrayList<>();
    for (Undo u : List.copyOf(pending)) {
      try {
        u.run();
      } catch (Exception e) {
        failures.add(e);
      }
    }
    pending.clear();
    for (Host h : all) { // a manager that died of a full disk (or anything else) comes back
      if (!h.daemon().alive()) {
        history.fault("restart " + h.name + " (found dead)");
        relaunch(h);
      }
    }
    if (!failures.isEmpty()) {
      Exception e = new Exception("healing failed; see suppressed");
      failures.forEach(e::addSuppressed);
      throw e;
    }
  }

  private void kill(Host h) {
    h.kill();
    history.fault("kill -9 " + h.name);
    pending.add(() -> {
      history.fault("restart " + h.name);
      relaunch(h);
    });
  }

  /** Starts a stopped daemon; one that does not come up is recorded (and tried once more at the next heal). */
  void relaunch(Host h) {
    try {
      h.daemon().relaunch();
    } catch (AssertionError | java.io.IOException e) {
      String why = String.valueOf(e.getMessage());
      failedRestarts.add(h.name + ": " + why.substring(0, Math.min(400, why.length())));
      history.fault("restart of " + h.name + " failed");
    }
  }

  /** Daemons that failed to restart, with why. */
  public List<String> failedRestarts() {
    return List.copyOf(failedRestarts);
  }

  private void partition(String what, List<Host> a, List<Host> b) throws IOException {
    for (Host x : a) {
      for (Host y : b) {
        drop(x, y);
        drop(y, x);
      }
    }
    history.fault("partition " + what + " " + names(a) + " | " + names(b));
    Set<Host> touched = new HashSet<>(a);
    touched.addAll(b);
    pending.add(() -> {
      for (Host h : touched) {
        h.exec("nft delete table inet " + TABLE + " 2>/dev/null; true");
      }
      history.fault("heal partition " + what);
    });
  }

  /** In {@code on}'s namespace: drop everything from and to {@code peer}. */
  private static void drop(Host on, Host peer) throws IOException {
    on.exec("nft add table inet " + TABLE
        + " && nft add chain inet " + TABLE + " in '{ type filter hook input priority -10 ; }'"
        + " && nft add chain inet " + TABLE + " out '{ type filter hook output priority -10 ; }'"
        + " && nft add rule inet " + TABLE + " in ip saddr " + peer.address + " drop"
        + " && nft add rule inet " + TABLE + " out ip daddr " + peer.address + " drop");
  }

  private void diskFull(Host h) throws Exception {
    Path root = h.daemon().dataRoot;
    if (onTmpfs.add(h)) { // once: move the data root onto a small tmpfs while the daemon is down
      h.kill();
      Path tmp = root.resolveSibling(root.getFileName() + "-tmpfs");
      Files.createDirectories(tmp);
      sh("mount -t tmpfs -o size=" + DISK_SIZE + " " + DISK_SOURCE + " " + tmp + " && cp -a " + root + "/. " + tmp
          + " && mount --bind " + tmp + " " + root);
      relaunch(h);
    }
    Path filler = root.resolve("nemesis-filler");
    sh("dd if=/dev/zero of=" + filler + " bs=1M 2>/dev/null; sync; true");
    history.fault("disk full on " + h.name);
    pending.add(() -> {
      Files.deleteIfExists(filler);
      history.fault("disk freed on " + h.name);
    });
  }

  private Host pick(List<Host> from) {
    return from.get(random.nextInt(from.size()));
  }

  private List<Host> shuffled(List<Host> hs) {
    List<Host> out = new ArrayList<>(hs);
    java.util.Collections.shuffle(out, random);
    return out;
  }

  private static String names(List<Host> hs) {
    return hs.stream().map(h -> h.name).toList().toString();
  }

  static String sh(String command) throws IOException {
    Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
    String out;
    try (var in = p.getInputStream()) {
      out = new String(in.readAllBytes());
    }
    try {
      if (p.waitFor() != 0) {
        throw new IOException(command + " failed (" + p.exitValue() + "): " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + command, e);
    }
    return out;
  }
}
