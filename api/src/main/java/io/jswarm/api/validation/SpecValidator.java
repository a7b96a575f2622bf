package io.jswarm.api.validation;

import static io.jswarm.api.validation.Checks.isEmpty;
import static io.jswarm.api.validation.Checks.notNegative;
import static io.jswarm.api.validation.Checks.oneOf;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.types.Base64Data;
import io.jswarm.api.types.Config;
import io.jswarm.api.types.Network;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Secret;
import io.jswarm.api.types.Service.ServiceSpec;
import io.jswarm.api.types.Swarm;

/**
 * Checks user-supplied specs before they are written to the store, with Docker Swarm's rules. Every method
 * either returns or throws one {@link InvalidArgumentException} (HTTP 400) listing every broken rule, each
 * naming the field by its Docker JSON path ({@code Spec.TaskTemplate.ContainerSpec.Image},
 * {@code Spec.EndpointSpec.Ports[1].PublishedPort}) and saying what is allowed. Validation reads only the
 * spec: rules that need the store (does the referenced network or secret exist, is a name taken) belong to
 * the control API.
 *
 * <p>Names: services and networks become DNS names, so they take 1-63 letters, digits, '-' and '_',
 * starting and ending with a letter or digit; secrets and configs take 1-64 letters, digits, '-', '_' and
 * '.', starting and ending with a letter or digit; the swarm is always named {@value Swarm#DEFAULT_NAME};
 * node names are free (Docker does not check them). Values Docker enumerates (roles, modes, protocols,
 * restart conditions, ...) are compared exactly; empty means Docker's default where Docker has one.
 */
public final class SpecValidator {
  /** Swarm's payload limit for secrets and configs: the decoded data must be smaller than 500 KiB. */
  public static final int MAX_PAYLOAD_BYTES = 500 * 1024;

  private static final long MIN_NODE_CERT_EXPIRY_NANOS = 3_600_000_000_000L; // 1 hour, as Swarm

  private SpecValidator() {}

  /**
   * A service spec ({@code POST /services/create} body): name, task template (image reference, mounts,
   * health check, secret and config references, resources, restart policy, placement constraints and
   * preferences, networks), mode (exactly one, no negative counts, no update config for jobs), update and
   * rollback configs, endpoint (vip|dnsrr, ports 1-65535, tcp|udp|sctp, ingress|host, no duplicate published
   * port per protocol, no ingress ports with dnsrr).
   */
  public static void validateService(ServiceSpec spec) {
    Problems p = new Problems();
    if (spec == null) {
      p.add("Spec", "a service spec is required");
    } else {
      ServiceRules.check(p, spec);
    }
    p.throwIfAny("service spec");
  }

  /**
   * The cluster's {@code MaxReplicasPerService} ({@code maxReplicas}): a replicated service may ask for at most
   * that many replicas, a replicated job for at most that many concurrent tasks. Checked by the control API in
   * the transaction that writes the service (create, update, scale).
   */
  public static void validateReplicaLimit(ServiceSpec spec, long maxReplicas) {
    Problems p = new Problems();
    ServiceRules.replicaLimit(p, spec, maxReplicas);
    p.throwIfAny("service spec");
  }

  /** A node spec ({@code POST /nodes/{id}/update} body): Role worker|manager, Availability active|pause|drain. */
  public static void validateNode(Node.Spec spec) {
    Problems p = new Problems();
    if (spec == null) {
      p.add("Spec", "a node spec is required");
    } else {
      oneOf(p, "Spec.Role", spec.role, false, "worker", "manager");
      oneOf(p, "Spec.Availability", spec.availability, false, "active", "pause", "drain");
    }
    p.throwIfAny("node spec");
  }

  /**
   * A swarm spec ({@code POST /swarm/update} body): name {@value Swarm#DEFAULT_NAME}; Raft counts not negative,
   * ElectionTick within its bounds and above HeartbeatTick; heartbeat period not negative; node certificates valid for at least
   * an hour; external CAs with protocol cfssl and a URL; a signing key only with its certificate.
   */
  public static void validateSwarm(Swarm.Spec spec) {
    Problems p = new Problems();
    if (spec == null) {
      p.add("Spec", "a swarm spec is required");
    } else {
      swarm(p, spec);
    }
    p.throwIfAny("swarm spec");
  }

  private static void swarm(Problems p, Swarm.Spec spec) {
    if (isEmpty(spec.name)) {
      p.add("Spec.Name", "must not be empty; the swarm is named \"" + Swarm.DEFAULT_NAME + "\"");
    } else if (!spec.name.equals(Swarm.DEFAULT_NAME)) {
      p.add("Spec.Name", "\"" + spec.name + "\" is not allowed; the swarm is always named \""
          + Swarm.DEFAULT_NAME + "\" and cannot be renamed");
    }
    if (spec.raft != null) {
      Swarm.Raft r = spec.raft;
      notNegative(p, "Spec.Raft.SnapshotInterval", r.snapshotInterval, "a number of log entries");
      notNegative(p, "Spec.Raft.KeepOldSnapshots", r.keepOldSnapshots, "a number of snapshots");
      notNegative(p, "Spec.Raft.LogEntriesForSlowFollowers", r.logEntriesForSlowFollowers, "a number of log entries");
      long election = Swarm.Raft.electionTickOrDefault(r.electionTick);
      if (election < Swarm.Raft.MIN_ELECTION_TICK || election > Swarm.Raft.MAX_ELECTION_TICK) {
        p.add("Spec.Raft.ElectionTick", r.electionTick + " is outside " + Swarm.Raft.MIN_ELECTION_TICK + ".."
            + Swarm.Raft.MAX_ELECTION_TICK + "; give the election timeout in ticks of " + Swarm.Raft.TICK_MILLIS
            + " ms, or 0 for the default (" + Swarm.Raft.DEFAULT_ELECTION_TICK + ": a follower starts an election 0.5-1 s after it "
            + "last heard the leader)");
      }
      notNegative(p, "Spec.Raft.HeartbeatTick", r.heartbeatTick, "a number of ticks");
      if (r.heartbeatTick != null && r.heartbeatTick > 0 && election <= r.heartbeatTick) {
        p.add("Spec.Raft.ElectionTick", election + " must be greater than Spec.Raft.HeartbeatTick ("
            + r.heartbeatTick + ")");
      }
    }
    if (spec.orchestration != null && spec.orchestration.maxReplicasPerService != null) {
      long max = spec.orchestration.maxReplicasPerService;
      if (max < 1 || max > Swarm.Orchestration.LIMIT_MAX_REPLICAS_PER_SERVICE) {
        p.add("Spec.Orchestration.MaxReplicasPerService", max + " is outside 1.."
            + Swarm.Orchestration.LIMIT_MAX_REPLICAS_PER_SERVICE + "; give the most tasks one service may ask for "
            + "(default " + Swarm.Orchestration.DEFAULT_MAX_REPLICAS_PER_SERVICE + ")");
      }
    }
    if (spec.dispatcher != null) {
      notNegative(p, "Spec.Dispatcher.HeartbeatPeriod", spec.dispatcher.heartbeatPeriod, "a duration in nanoseconds");
    }
    if (spec.caConfig != null) {
      caConfig(p, spec.caConfig);
    }
  }

  private static void caConfig(Problems p, Swarm.CAConfig ca) {
    Long expiry = ca.nodeCertExpiry;
    if (expiry != null && expiry != 0 && expiry < MIN_NODE_CERT_EXPIRY_NANOS) {
      p.add("Spec.CAConfig.NodeCertExpiry", expiry + " ns is too short; give 0 (default) or at least "
          + MIN_NODE_CERT_EXPIRY_NANOS + " (1 hour)");
    }
    if (ca.externalCAs != null) {
      for (int i = 0; i < ca.externalCAs.size(); i++) {
        String at = "Spec.CAConfig.ExternalCAs[" + i + "]";
        Swarm.ExternalCA e = ca.externalCAs.get(i);
        if (e == null) {
          p.add(at, "must not be null");
          continue;
        }
        oneOf(p, at + ".Protocol", e.protocol, false, "cfssl");
        if (isEmpty(e.url)) {
          p.add(at + ".URL", "must not be empty; give the URL signing requests are sent to");
        }
      }
    }
    if (!isEmpty(ca.signingCAKey) && isEmpty(ca.signingCACert)) {
      p.add("Spec.CAConfig.SigningCAKey", "needs Spec.CAConfig.SigningCACert; give the PEM certificate with its key");
    }
  }

  /** A swarm network spec ({@code POST /networks/create}): DNS-style name; an ingress network cannot be attachable. */
  public static void validateNetwork(Network.Spec spec) {
    Problems p = new Problems();
    if (spec == null) {
      p.add("Spec", "a network spec is required");
    } else {
      Checks.dnsName(p, "Spec.Name", spec.name, "network");
      if (Boolean.TRUE.equals(spec.attachable) && Boolean.TRUE.equals(spec.ingress)) {
        p.add("Spec.Attachable", "an ingress network cannot be attachable; set Attachable or Ingress, not both");
      }
    }
    p.throwIfAny("network spec");
  }

  /**
   * A secret spec ({@code POST /secrets/create}): name; base64 {@code Data} of 1 byte to under 500 KiB decoded.
   * External secret drivers and templating are not supported (Docker's plugins): both are refused by name.
   */
  public static void validateSecret(Secret.Spec spec) {
    Problems p = new Problems();
    if (spec == null) {
      p.add("Spec", "a secret spec is required");
    } else {
      Checks.fileName(p, "Spec.Name", spec.name, "secret");
      if (spec.driver != null) {
        p.add("Spec.Driver", "secret drivers (external secret stores) are not supported; leave Driver out and give "
            + "the content in Spec.Data");
      } else {
        payload(p, spec.data, "secret");
      }
      noTemplating(p, spec.templating);
    }
    p.throwIfAny("secret spec");
  }

  /** A config spec ({@code POST /configs/create}): name; base64 {@code Data} of 1 byte to under 500 KiB decoded. */
  public static void validateConfig(Config.Spec spec) {
    Problems p = new Problems();
    if (spec == null) {
      p.add("Spec", "a config spec is required");
    } else {
      Checks.fileName(p, "Spec.Name", spec.name, "config");
      payload(p, spec.data, "config");
      noTemplating(p, spec.templating);
    }
    p.throwIfAny("config spec");
  }

  private static void noTemplating(Problems p, io.jswarm.api.types.Driver templating) {
    if (templating != null && !isEmpty(templating.name)) {
      p.add("Spec.Templating", "templating drivers are not supported; leave Templating out (the content is used "
          + "as given)");
    }
  }

  private static void payload(Problems p, String data, String what) {
    if (isEmpty(data)) {
      p.add("Spec.Data", "must be set; give the " + what + "'s content, base64-encoded");
      return;
    }
    byte[] bytes;
    try {
      bytes = Base64Data.decode(data);
    } catch (InvalidArgumentException e) {
      p.add("Spec.Data", e.getMessage());
      return;
    }
    if (bytes.length == 0) {
      p.add("Spec.Data", "decodes to nothing; give the " + what + "'s content, base64-encoded");
    } else if (bytes.length >= MAX_PAYLOAD_BYTES) {
      p.add("Spec.Data", "decodes to " + bytes.length + " bytes; a " + what + " must be smaller than "
          + MAX_PAYLOAD_BYTES + " bytes (500 KiB)");
    }
  }
}
