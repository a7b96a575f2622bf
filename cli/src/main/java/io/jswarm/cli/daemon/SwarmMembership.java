package io.jswarm.cli.daemon;

import io.jswarm.api.cluster.JoinRequest;
import io.jswarm.api.cluster.JoinResponse;
import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.errors.JswarmException;
import io.jswarm.api.errors.UnavailableException;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Swarm;
import io.jswarm.api.types.SwarmRequests;
import io.jswarm.consensus.crypto.AesGcmKey;
import io.jswarm.consensus.crypto.UnlockKey;
import io.jswarm.consensus.raft.RaftNode;
import io.jswarm.consensus.raft.RaftPortInUseException;
import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.linux.FileTrees;
import io.jswarm.manager.ca.CertificateAuthority;
import io.jswarm.manager.ca.ClusterBootstrap;
import io.jswarm.transport.pki.JoinClient;
import io.jswarm.transport.pki.JoinToken;
import io.jswarm.transport.pki.NodeCredentials;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code swarm init}, {@code join}, {@code leave} and {@code --force-new-cluster}: what this node joins or forgets.
 * Each makes or removes the saved {@link NodeState}, keys and certificates and starts or stops the roles through
 * {@link NodeRoles}, under its lock. A failed init or join leaves the node as it was: out of any swarm.
 */
final class SwarmMembership {
  private static final Logger LOG = LoggerFactory.getLogger(SwarmMembership.class);

  static final String ALREADY_IN_SWARM =
      "This node is already part of a swarm. Use \"docker swarm leave\" to leave this swarm and join another one.";

  private final DaemonOptions opts;
  private final String version;
  private final Clock clock;
  private final IdGenerator ids;
  private final SecureRandom random;
  private final NodeKeys keys;
  private final NodeRoles roles;
  private final NodeNetworking networking;
  /** Until when a cluster listener this daemon closed may still hold its port (System.nanoTime). */
  private long listenerReleasedBy = System.nanoTime();

  SwarmMembership(DaemonOptions opts, String version, Clock clock, IdGenerator ids, SecureRandom random, NodeKeys keys,
      NodeRoles roles, NodeNetworking networking) {
    this.opts = opts;
    this.version = version;
    this.clock = clock;
    this.ids = ids;
    this.random = random;
    this.keys = keys;
    this.roles = roles;
    this.networking = networking;
  }

  /** The operator's answer to a Raft port another process holds: which port, and the flag that moves it. */
  static UnavailableException raftPortTaken(RaftPortInUseException e) {
    return new UnavailableException(e.getMessage() + ": stop that process, or restart this daemon with another"
        + " --raft-port (every manager on one host needs its own); the node is unchanged, so retry afterwards", e);
  }

  /** The operator's answer to a cluster port another process holds: which port, and what moves it. */
  static UnavailableException clusterPortTaken(ClusterPortInUseException e) {
    return new UnavailableException(e.getMessage() + ": stop that process, or give another port with --listen-addr"
        + " (ListenAddr) or restart this daemon with another --cluster-port; the node is unchanged, so retry"
        + " afterwards", e);
  }

  String init(SwarmRequests.Init req) {
    synchronized (roles) {
      if (Boolean.TRUE.equals(req.forceNewCluster) && roles.state() != null) {
        return forceNewCluster(req.advertiseAddr);
      }
      if (roles.state() != null) {
        throw new ConflictException(ALREADY_IN_SWARM); // dockerd: 503; a state the caller must change, so 409
      }
      HostPort listen = HostPort.parse("ListenAddr", req.listenAddr, "0.0.0.0", opts.clusterPort());
      HostPort adv = HostPort.parse("AdvertiseAddr", req.advertiseAddr, null, listen.port());
      String advertiseIp = AddressChooser.choose("AdvertiseAddr", adv.host(), listen.host());
      Swarm.Spec spec = ClusterDefaults.withDefaults(req.spec);
      NodeState s = new NodeState();
      s.nodeId = ids.newId();
      s.clusterId = ids.newId();
      s.role = "manager";
      s.advertiseAddr = advertiseIp;
      s.clusterPort = adv.port();
      s.raftPort = opts.raftPort();
      checkPortsFree(s, true);
      s.managers = new ArrayList<>(List.of(new NodeState.Manager(s.nodeId, s.clusterAddr(), s.raftAddr())));
      roles.pending();
      try {
        ClusterBootstrap boot = ClusterBootstrap.create(s.clusterId, s.nodeId,
            Duration.ofNanos(spec.caConfig.nodeCertExpiry), clock, random);
        boolean autolock = spec.encryptionConfig != null && Boolean.TRUE.equals(spec.encryptionConfig.autoLockManagers);
        String unlockKey = autolock ? UnlockKey.generate(random) : null;
        keys.create(autolock ? UnlockKey.parse(unlockKey) : null);
        keys.storeDataKey(AesGcmKey.generate(random));
        keys.saveCredentials(boot.credentials());
        Swarm swarm = new Swarm();
        swarm.id = s.clusterId;
        swarm.spec = spec;
        swarm.dataPathPort = req.dataPathPort == null || req.dataPathPort == 0 ? 4789L : req.dataPathPort;
        swarm.defaultAddrPool = req.defaultAddrPool == null || req.defaultAddrPool.isEmpty()
            ? List.of("10.0.0.0/8") : req.defaultAddrPool;
        swarm.subnetSize = req.subnetSize == null || req.subnetSize == 0 ? 24L : req.subnetSize;
        boot.applyTo(swarm);
        swarm.unlockKey = unlockKey;
        Node self = CertificateAuthority.newNode(s.nodeId, "manager", joinFields(s), boot.rootCA());
        self.status.state = "ready";
        RaftTiming.save(opts.dataRoot(), RaftTiming.electionTick(spec));
        roles.startManager(s, boot.credentials(), Map.of(s.nodeId, s.raftAddr())).store().update(tx -> {
          tx.cluster().create(swarm);
          tx.nodes().create(self);
          return null;
        });
        s.save(opts.dataRoot());
        roles.startWorker(s, boot.credentials());
        roles.active(s);
        LOG.info("swarm initialized: node {} is the first manager of cluster {}", s.nodeId, s.clusterId);
        return s.nodeId;
      } catch (Exception e) {
        throw failed(e, () -> new IllegalStateException("swarm init failed: " + e.getMessage(), e));
      }
    }
  }

  /**
   * Quorum-loss recovery ({@code swarm init --force-new-cluster}, {@code daemon --force-new-cluster}): this
   * manager becomes the only member of a new Raft group holding its last applied state (every service, network,
   * secret, node and task). Its containers keep running (the agent is restarted, not its tasks); workers and the
   * new managers that join find it through their manager lists. The other managers' Raft storage is not reused:
   * they must leave and join again.
   *
   * @param advertiseAddr a new advertise address for this manager, or null to keep the current one
   */
  String forceNewCluster(String advertiseAddr) {
    synchronized (roles) {
      NodeState s = roles.state();
      if (s == null) {
        throw new UnavailableException(Daemon.NOT_PART_OF_SWARM + ": --force-new-cluster recovers an existing swarm;"
            + " use 'jswarm swarm init' without it to create one.");
      }
      ManagerRole old = roles.manager();
      if (!s.isManager() || old == null) {
        throw new InvalidArgumentException("ForceNewCluster: this node is a worker; run it on a manager that survived "
            + "(the new cluster keeps that manager's state)");
      }
      try {
        NodeCredentials creds = keys.loadCredentials();
        roles.stopWorker();
        roles.pending();
        Path aside = roles.detachManager().closeForNewCluster();
        if (advertiseAddr != null && !advertiseAddr.isBlank()) {
          HostPort adv = HostPort.parse("AdvertiseAddr", advertiseAddr, null, s.clusterPort);
          s.advertiseAddr = AddressChooser.choose("AdvertiseAddr", adv.host(), "0.0.0.0");
          s.clusterPort = adv.port();
        }
        s.managers = new ArrayList<>(List.of(new NodeState.Manager(s.nodeId, s.clusterAddr(), s.raftAddr())));
        ManagerRole m = roles.startManager(s, creds, Map.of(s.nodeId, s.raftAddr()));
        s.save(opts.dataRoot());
        String clusterAddr = s.clusterAddr();
        m.store().update(tx -> {
          Node self = tx.nodes().get(s.nodeId);
          if (self != null) {
            if (self.managerStatus == null) {
              self.managerStatus = new Node.ManagerStatus();
            }
            self.managerStatus.addr = clusterAddr;
            tx.nodes().update(self);
          }
          return null;
        });
        roles.startWorker(s, creds);
        roles.active(s);
        LOG.warn("force-new-cluster: node {} is now the only manager of cluster {}; the old Raft log is kept in {}",
            s.nodeId, s.clusterId, aside);
        return s.nodeId;
      } catch (JswarmException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException("force-new-cluster failed: " + e.getMessage() + "; the old Raft log is kept"
            + " under " + opts.raftDir() + "/before-force-new-cluster-*", e);
      }
    }
  }

  /** How this node describes itself to the CA (at join) or in its own first node row (at init). */
  private JoinRequest joinFields(NodeState s) {
    JoinRequest f = new JoinRequest();
    f.hostname = opts.nodeName();
    f.advertiseAddr = s.clusterAddr();
    f.raftAddr = s.raftAddr();
    f.description = NodeDescriptions.describe(opts.nodeName(), version, opts.engineLabels());
    return f;
  }

  void join(SwarmRequests.Join req) {
    synchronized (roles) {
      if (roles.state() != null) {
        throw new ConflictException(ALREADY_IN_SWARM); // dockerd: 503; a state the caller must change, so 409
      }
      if (req.remoteAddrs == null || req.remoteAddrs.isEmpty()) {
        throw new InvalidArgumentException("RemoteAddrs: give at least one manager address (HOST:PORT)");
      }
      if (req.joinToken == null || req.joinToken.isBlank()) {
        throw new InvalidArgumentException(
            "JoinToken: required; get one with 'jswarm swarm join-token worker' on a manager");
      }
      HostPort listen = HostPort.parse("ListenAddr", req.listenAddr, "0.0.0.0", opts.clusterPort());
      HostPort adv = HostPort.parse("AdvertiseAddr", req.advertiseAddr, null, listen.port());
      String advertiseIp = AddressChooser.choose("AdvertiseAddr", adv.host(), listen.host());
      JoinToken.parse(req.joinToken); // a malformed token is refused before any traffic
      NodeState s = new NodeState();
      s.advertiseAddr = advertiseIp;
      s.clusterPort = adv.port();
      s.raftPort = opts.raftPort();
      checkPortsFree(s, false);
      roles.pending();
      try {
        JoinClient.Joined joined = joinThroughAny(req.remoteAddrs, req.joinToken, s);
        JoinResponse r = joined.response();
        s.nodeId = r.nodeId;
        s.clusterId = r.clusterId;
        s.role = r.role;
        s.managers = new ArrayList<>();
        for (JoinResponse.Manager m : r.managers == null ? List.<JoinResponse.Manager>of() : r.managers) {
          s.managers.add(new NodeState.Manager(m.nodeId, m.clusterAddr, m.raftAddr));
        }
        keys.create(null); // a manager follows the cluster's autolock setting once its store has caught up
        keys.saveCredentials(joined.credentials());
        if (s.isManager()) {
          List<String> addrs = new ArrayList<>();
          req.remoteAddrs.forEach(a -> addrs.add(HostPort.parse("RemoteAddrs", a, null,
              DaemonOptions.DEFAULT_CLUSTER_PORT).toString()));
          s.managers.stream().map(m -> m.clusterAddr).filter(a -> a != null && !addrs.contains(a)).forEach(addrs::add);
          keys.fetchDataKey(addrs, joined.credentials());
          RaftTiming.save(opts.dataRoot(), r.electionTick);
          roles.startManager(s, joined.credentials(), Map.of()).joinRaftGroup(s.managers);
          s.managers.add(new NodeState.Manager(s.nodeId, s.clusterAddr(), s.raftAddr()));
        }
        s.save(opts.dataRoot());
        roles.startWorker(s, joined.credentials());
        roles.active(s);
        LOG.info("joined cluster {} as {} {}", s.clusterId, s.role, s.nodeId);
      } catch (Exception e) {
        throw failed(e, () -> new UnavailableException(
            "could not join the swarm through " + req.remoteAddrs + ": " + e.getMessage(), e));
      }
    }
  }

  /**
   * A failed init or join: the node goes back out of any swarm; returns the error the caller sees. An API error
   * stays as it is, a taken Raft port says which flag moves it, anything else is {@code otherwise}.
   */
  private RuntimeException failed(Exception e, Supplier<RuntimeException> otherwise) {
    abandon();
    if (e instanceof JswarmException j) {
      return j;
    }
    if (e instanceof RaftPortInUseException taken) {
      return raftPortTaken(taken);
    }
    if (e instanceof ClusterPortInUseException taken) {
      return clusterPortTaken(taken);
    }
    return otherwise.get();
  }

  /**
   * Before anything is created or asked of another manager: a taken port leaves the node as it was. The Raft port
   * is checked for a manager (init) only: a worker never binds it.
   */
  private void checkPortsFree(NodeState s, boolean manager) {
    if (manager) {
      try {
        RaftNode.checkAddressFree(s.raftAddr());
      } catch (RaftPortInUseException e) {
        throw raftPortTaken(e);
      }
    }
    try {
      ManagerRole.checkClusterPortFree(s, listenerReleasedBy);
    } catch (ClusterPortInUseException e) {
      throw clusterPortTaken(e);
    }
  }

  /** Tries each manager address in turn; a refusal (bad token, wrong CA) is final, an unreachable one is skipped. */
  private JoinClient.Joined joinThroughAny(List<String> remotes, String token, NodeState s) throws Exception {
    JoinClient client = new JoinClient();
    List<String> errors = new ArrayList<>();
    for (String remote : remotes) {
      HostPort hp = HostPort.parse("RemoteAddrs", remote, null, DaemonOptions.DEFAULT_CLUSTER_PORT);
      try {
        return client.join(hp.toString(), token, joinFields(s));
      } catch (java.net.ConnectException | java.net.http.HttpConnectTimeoutException e) {
        errors.add(hp + ": " + e.getMessage());
      }
    }
    throw new UnavailableException("no manager answered at " + String.join(", ", remotes) + ": "
        + String.join("; ", errors));
  }

  void leave(boolean force) {
    synchronized (roles) {
      NodeState s = roles.state();
      if (s == null) {
        throw new UnavailableException(Daemon.NOT_PART_OF_SWARM + ".");
      }
      ManagerRole m = roles.manager();
      if (m != null) {
        int managers = m.raftPeers().size();
        if (!force) {
          if (managers <= 1) {
            throw new ConflictException("You are attempting to leave the swarm on a node that is participating as a "
                + "manager. Removing the last manager erases all current state of the swarm. Use `--force` to ignore "
                + "this message.");
          }
          int left = managers - 1;
          throw new ConflictException("You are attempting to leave the swarm on a node that is participating as a "
              + "manager. Removing this node leaves " + left + " managers out of " + managers + ". "
              + (left < managers / 2 + 1 ? "Without a Raft quorum your swarm will be inaccessible. " : "")
              + "Demote it first with 'jswarm node demote', or use `--force` to suppress this message.");
        }
        if (managers > 1) {
          try {
            m.leaveRaftGroup();
          } catch (RuntimeException e) {
            LOG.warn("could not remove this manager from the Raft group: {}", e.getMessage());
          }
        }
      }
      abandon();
      LOG.info("left the swarm");
    }
  }

  /** Stops both roles and forgets the cluster: state file, certificates, Raft log. */
  private void abandon() {
    // leaving the swarm removes this node's tasks: their containers, sandboxes and the bridge go with them
    WorkerRole w = roles.worker();
    if (w != null) {
      w.removeAllTasks();
    }
    roles.stopRoles();
    listenerReleasedBy = System.nanoTime() + ManagerRole.PORT_RELEASE.toNanos();
    networking.teardown();
    roles.forget();
    try {
      NodeState.delete(opts.dataRoot());
      RaftTiming.save(opts.dataRoot(), null);
      keys.forget();
      FileTrees.delete(opts.certDir());
      FileTrees.delete(opts.raftDir());
    } catch (IOException e) {
      LOG.warn("could not remove old swarm state: {}", e.getMessage());
    }
  }
}
