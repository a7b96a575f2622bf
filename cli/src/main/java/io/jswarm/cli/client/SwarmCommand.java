package io.jswarm.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.types.Swarm;
import io.jswarm.api.types.SwarmRequests;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jswarm swarm ...}: create, join, leave and tune the swarm, as {@code docker swarm}. */
@Command(name = "swarm", description = "Manage the swarm.",
    subcommands = {SwarmCommand.Init.class, SwarmCommand.Join.class, SwarmCommand.JoinToken.class,
        SwarmCommand.Ca.class, SwarmCommand.Leave.class, SwarmCommand.Update.class, SwarmCommand.Inspect.class,
        SwarmLockCommands.Unlock.class, SwarmLockCommands.UnlockKey.class})
public final class SwarmCommand extends GroupCommand {

  /** The cluster-wide settings {@code init} and {@code update} share. */
  static class SpecFlags {
    @Option(names = "--task-history-limit", description = "Task history retention limit (default 5).")
    Long taskHistoryLimit;

    @Option(names = "--max-replicas-per-service", paramLabel = "N",
        description = "Most tasks one service may ask for (replicas, or a job's max concurrent); a jswarm "
            + "extension (default 100000, at most 10000000).")
    Long maxReplicasPerService;

    @Option(names = "--dispatcher-heartbeat", converter = FlagConverters.Duration.class,
        description = "Dispatcher heartbeat period (ns|us|ms|s|m|h) (default 5s).")
    Long dispatcherHeartbeat;

    @Option(names = "--cert-expiry", converter = FlagConverters.Duration.class,
        description = "Validity period for node certificates (ns|us|ms|s|m|h) (default 2160h0m0s).")
    Long certExpiry;

    @Option(names = "--election-tick", paramLabel = "N",
        description = "Raft election timeout in ticks of 100 ms, 3-600: a follower that hears no leader for N to 2N "
            + "ticks starts an election (default 5: 0.5-1 s). Each manager takes a new value at its next daemon start.")
    Long electionTick;

    @Option(names = "--autolock", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
        description = "Lock the managers: after a restart a manager needs the unlock key ('swarm unlock').")
    Boolean autolock;

    /** Sets what was given on {@code spec}, creating the sub-objects it needs. */
    void mergeInto(Swarm.Spec spec) {
      if (autolock != null) {
        if (spec.encryptionConfig == null) {
          spec.encryptionConfig = new Swarm.EncryptionConfig();
        }
        spec.encryptionConfig.autoLockManagers = autolock;
      }
      if (taskHistoryLimit != null) {
        if (spec.orchestration == null) {
          spec.orchestration = new Swarm.Orchestration();
        }
        spec.orchestration.taskHistoryRetentionLimit = taskHistoryLimit;
      }
      if (maxReplicasPerService != null) {
        if (spec.orchestration == null) {
          spec.orchestration = new Swarm.Orchestration();
        }
        spec.orchestration.maxReplicasPerService = maxReplicasPerService;
      }
      if (dispatcherHeartbeat != null) {
        if (spec.dispatcher == null) {
          spec.dispatcher = new Swarm.Dispatcher();
        }
        spec.dispatcher.heartbeatPeriod = dispatcherHeartbeat;
      }
      if (electionTick != null) {
        if (spec.raft == null) {
          spec.raft = new Swarm.Raft();
        }
        spec.raft.electionTick = electionTick;
      }
      if (certExpiry != null) {
        if (spec.caConfig == null) {
          spec.caConfig = new Swarm.CAConfig();
        }
        spec.caConfig.nodeCertExpiry = certExpiry;
      }
    }

    boolean any() {
      return taskHistoryLimit != null || maxReplicasPerService != null || dispatcherHeartbeat != null
          || certExpiry != null || autolock != null || electionTick != null;
    }
  }

  @Command(name = "init", description = "Initialize a swarm with this node as its first manager.")
  static final class Init extends ClientCommand {
    @Option(names = "--advertise-addr", description = "Advertised address (<ip|interface>[:port]).")
    String advertiseAddr;

    @Option(names = "--listen-addr",
        description = "Listen address (<ip|interface>[:port]) (default: 0.0.0.0 and the daemon's --cluster-port, "
            + "2377 unless set).")
    String listenAddr;

    @Option(names = "--default-addr-pool", description = "Default address pool in CIDR format (repeatable) "
        + "(default 10.0.0.0/8).")
    List<String> defaultAddrPool = new ArrayList<>();

    @Option(names = "--default-addr-pool-mask-length", description = "Default address pool subnet mask length "
        + "(default 24).")
    Long defaultAddrPoolMaskLength;

    @Option(names = "--force-new-cluster", description = "Force create a new cluster from current state: on a "
        + "manager that lost its quorum, make it the only manager, keeping every service, network, secret and node.")
    boolean forceNewCluster;

    @picocli.CommandLine.Mixin
    SpecFlags specFlags = new SpecFlags();

    @Override
    protected int run(ApiClient api) {
      SwarmRequests.Init req = new SwarmRequests.Init();
      req.forceNewCluster = forceNewCluster ? Boolean.TRUE : null;
      req.listenAddr = listenAddr;
      req.advertiseAddr = advertiseAddr;
      req.defaultAddrPool = defaultAddrPool.isEmpty() ? null : defaultAddrPool;
      req.subnetSize = defaultAddrPoolMaskLength;
      req.spec = new Swarm.Spec();
      specFlags.mergeInto(req.spec);
      String nodeId = jsonString(api.post("/swarm/init", req));
      out.printf("Swarm initialized: current node (%s) is now a manager.%n%n", nodeId);
      printJoinCommand(api, nodeId, null, null, true, false, out);
      out.println("To add a manager to this swarm, run 'jswarm swarm join-token manager' and follow the instructions.");
      if (Boolean.TRUE.equals(specFlags.autolock)) {
        out.println();
        SwarmLockCommands.printUnlockCommand(SwarmLockCommands.fetchUnlockKey(api), out);
      }
      return 0;
    }
  }

  /** A body that is a JSON string ({@code "abc"}), or the plain text when the daemon sent no quotes. */
  static String jsonString(ApiClient.Response r) {
    String text = r.text().trim();
    if (text.startsWith("\"")) {
      return r.json(String.class);
    }
    return text;
  }

  /**
   * Prints "To add a worker/manager ... jswarm swarm join --token T ADDR" from the node's manager address, with the
   * swarm's {@code JoinTokens} (null: read them here). The address is the node's {@code ManagerStatus.Addr}, which
   * {@code /info}'s {@code Swarm.RemoteManagers} (null: not read) lists for every manager the daemon knows to be a Raft
   * member, the same value; a node it does not list is asked for.
   */
  static void printJoinCommand(ApiClient api, String nodeId, JsonNode remoteManagers, JsonNode tokens, boolean worker,
      boolean manager, java.io.PrintWriter out) {
    JsonNode managerStatus = null;
    if (remoteManagers != null) {
      for (JsonNode m : remoteManagers) {
        if (nodeId.equals(m.path("NodeID").asText(null)) && m.path("Addr").isTextual()) {
          managerStatus = m;
        }
      }
    }
    if (managerStatus == null) {
      managerStatus = api.getTree("/nodes/" + ClientCommand.seg(nodeId)).path("ManagerStatus");
    }
    if (tokens == null) {
      tokens = api.getTree("/swarm").path("JoinTokens");
    }
    if (absent(managerStatus)) {
      return;
    }
    String addr = text(managerStatus.path("Addr"));
    if (worker) {
      printJoinCommand("worker", text(tokens.path("Worker")), addr, out);
    }
    if (manager) {
      printJoinCommand("manager", text(tokens.path("Manager")), addr, out);
    }
  }

  /** One role's join command; println, not printf: a {@code Formatter} compiles a regular expression, which links lambdas. */
  private static void printJoinCommand(String role, String token, String addr, java.io.PrintWriter out) {
    out.println("To add a " + role + " to this swarm, run the following command:");
    out.println();
    out.println("    jswarm swarm join --token " + token + " " + addr);
    out.println();
  }

  /** Whether a member is missing or null (a field bound from it would be null). */
  private static boolean absent(JsonNode n) {
    return n.isMissingNode() || n.isNull();
  }

  /** A string member as a {@code String} field bound from it prints: its text, or "null" when absent. */
  private static String text(JsonNode n) {
    return absent(n) ? "null" : n.asText();
  }

  @Command(name = "join", description = "Join a swarm as a worker or a manager (as the token says).")
  static final class Join extends ClientCommand {
    @Option(names = "--token", required = true, description = "Token for entry into the swarm.")
    String token;

    @Option(names = "--advertise-addr", description = "Advertised address (<ip|interface>[:port]).")
    String advertiseAddr;

    @Option(names = "--listen-addr",
        description = "Listen address (<ip|interface>[:port]) (default: 0.0.0.0 and the daemon's --cluster-port, "
            + "2377 unless set).")
    String listenAddr;

    @Parameters(index = "0", paramLabel = "HOST:PORT", description = "A manager's cluster address.")
    String remote;

    @Override
    protected int run(ApiClient api) {
      SwarmRequests.Join req = new SwarmRequests.Join();
      req.joinToken = token;
      req.advertiseAddr = advertiseAddr;
      req.listenAddr = listenAddr;
      req.remoteAddrs = List.of(remote);
      api.post("/swarm/join", req);
      JsonNode info = api.getTree("/info");
      boolean manager = info.path("Swarm").path("ControlAvailable").asBoolean(false);
      out.println(manager ? "This node joined a swarm as a manager." : "This node joined a swarm as a worker.");
      return 0;
    }
  }

  @Command(name = "join-token", description = "Show or rotate the join token of a role (worker or manager).")
  static final class JoinToken extends ClientCommand {
    @Option(names = {"-q", "--quiet"}, description = "Only display the token.")
    boolean quiet;

    @Option(names = "--rotate", description = "Rotate the join token.")
    boolean rotate;

    @Parameters(index = "0", paramLabel = "worker|manager", description = "The role whose token to show.")
    String role;

    @Override
    protected int run(ApiClient api) {
      boolean worker = role.equals("worker");
      boolean manager = role.equals("manager");
      if (!worker && !manager) {
        throw new UsageException("unknown role " + role + ": want worker or manager");
      }
      if (rotate) {
        Swarm sw = api.get("/swarm", Swarm.class);
        api.post("/swarm/update?version=" + sw.versionIndex()
            + (worker ? "&rotateWorkerToken=true" : "&rotateManagerToken=true"), sw.spec);
        if (!quiet) {
          out.println("Successfully rotated " + role + " join token.");
          out.println();
        }
      }
      JsonNode tokens = api.getTree("/swarm").path("JoinTokens"); // read as a tree: no data binding to set up
      if (quiet) {
        out.println(absent(tokens) ? "" : text(tokens.path(worker ? "Worker" : "Manager")));
        return 0;
      }
      JsonNode swarm = api.getTree("/info").path("Swarm");
      String nodeId = swarm.path("NodeID").asText("");
      // the tokens just read (no second GET /swarm), the address from /info when it lists this node's
      printJoinCommand(api, nodeId, swarm.path("RemoteManagers"), tokens, worker, manager, out);
      return 0;
    }
  }

  @Command(name = "ca", description = "Display and rotate the root CA.")
  static final class Ca extends ClientCommand {
    /** How long {@code --rotate} waits for every node to hold a certificate of the new root. */
    static final java.time.Duration ROTATION_TIMEOUT = java.time.Duration.ofMinutes(10);

    @Option(names = "--rotate", description = "Rotate the swarm CA: a new root, every node certificate re-issued, "
        + "without downtime.")
    boolean rotate;

    @Option(names = {"-d", "--detach"}, description = "Exit immediately instead of waiting for the rotation.")
    boolean detach;

    @Option(names = {"-q", "--quiet"}, description = "Suppress progress output.")
    boolean quiet;

    @Override
    protected int run(ApiClient api) {
      if (rotate) {
        Swarm sw = api.get("/swarm", Swarm.class);
        if (sw.spec.caConfig == null) {
          sw.spec.caConfig = new Swarm.CAConfig();
        }
        Long n = sw.spec.caConfig.forceRotate;
        sw.spec.caConfig.forceRotate = (n == null ? 0 : n) + 1;
        api.post("/swarm/update?version=" + sw.versionIndex(), sw.spec);
        if (detach) {
          return 0;
        }
        if (!quiet) {
          err.println("rotating the root CA: every node renews its certificate with the new root...");
        }
        long deadline = System.nanoTime() + ROTATION_TIMEOUT.toNanos();
        while (stillRotating(api)) {
          if (System.nanoTime() > deadline) {
            throw new UsageException("the root CA rotation has not finished after " + ROTATION_TIMEOUT.toMinutes()
                + " minutes: a node that is down cannot renew its certificate; bring it back or remove it "
                + "('jswarm node ls'), the rotation goes on by itself");
          }
          try {
            Thread.sleep(1000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
          }
        }
      }
      Swarm sw = afterRestart(api);
      if (!quiet || !rotate) {
        out.print(sw.tlsInfo == null || sw.tlsInfo.trustRoot == null ? "" : sw.tlsInfo.trustRoot);
      }
      return 0;
    }
  }

  /**
   * Whether the rotation still runs. Each manager restarts its roles with its renewed certificate meanwhile, so
   * its API may answer 503 for a moment: that counts as still rotating.
   */
  private static boolean stillRotating(ApiClient api) {
    try {
      return Boolean.TRUE.equals(api.get("/swarm", Swarm.class).rootRotationInProgress);
    } catch (RuntimeException e) {
      return true;
    }
  }

  /** The swarm, asked again for a few seconds while the manager restarts its roles. */
  private static Swarm afterRestart(ApiClient api) {
    for (int attempt = 1; ; attempt++) {
      try {
        return api.get("/swarm", Swarm.class);
      } catch (RuntimeException e) {
        if (attempt >= 30) {
          throw e;
        }
        try {
          Thread.sleep(1000);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  @Command(name = "leave", description = "Leave the swarm.")
  static final class Leave extends ClientCommand {
    @Option(names = {"-f", "--force"}, description = "Force this node to leave the swarm, ignoring warnings.")
    boolean force;

    @Override
    protected int run(ApiClient api) {
      api.post("/swarm/leave" + (force ? "?force=true" : ""), null);
      out.println("Node left the swarm.");
      return 0;
    }
  }

  @Command(name = "update", description = "Update the swarm's settings.")
  static final class Update extends ClientCommand {
    @picocli.CommandLine.Mixin
    SpecFlags specFlags = new SpecFlags();

    @Override
    protected int run(ApiClient api) {
      if (!specFlags.any()) {
        throw new UsageException("swarm update needs at least one of --task-history-limit, "
            + "--max-replicas-per-service, --dispatcher-heartbeat, --cert-expiry, --election-tick, --autolock");
      }
      Swarm sw = api.get("/swarm", Swarm.class);
      Swarm.Spec spec = sw.spec == null ? new Swarm.Spec() : sw.spec;
      boolean wasLocked = spec.encryptionConfig != null && Boolean.TRUE.equals(spec.encryptionConfig.autoLockManagers);
      specFlags.mergeInto(spec);
      api.post("/swarm/update?version=" + sw.versionIndex(), spec);
      out.println("Swarm updated.");
      if (Boolean.TRUE.equals(specFlags.autolock) && !wasLocked) {
        SwarmLockCommands.printUnlockCommand(SwarmLockCommands.fetchUnlockKey(api), out);
      }
      return 0;
    }
  }

  @Command(name = "inspect", hidden = true, description = "Show the swarm object as JSON.")
  static final class Inspect extends ClientCommand {
    @Override
    protected int run(ApiClient api) {
      out.print(JsonOutput.inspect(List.of(api.getTree("/swarm"))));
      return 0;
    }
  }
}
