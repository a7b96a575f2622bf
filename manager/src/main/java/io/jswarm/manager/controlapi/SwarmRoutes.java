package io.jswarm.manager.controlapi;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.errors.UnavailableException;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.Swarm;
import io.jswarm.manager.ca.RootRotation;
import io.jswarm.api.types.SwarmRequests;
import io.jswarm.api.validation.SpecValidator;
import io.jswarm.consensus.crypto.UnlockKey;
import io.jswarm.consensus.store.ReadTx;
import io.jswarm.overlay.allocator.NetworkPlanner;
import io.jswarm.transport.http.HttpRequest;
import io.jswarm.transport.http.HttpResponse;
import io.jswarm.transport.http.Router;
import java.security.SecureRandom;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /swarm}: inspect (never the CA key nor the unlock key), init (which also creates the {@code ingress}
 * network), join, leave, update with token and unlock key rotation, autolock ({@code unlockkey}, {@code unlock}).
 */
final class SwarmRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(SwarmRoutes.class);
  private final ManagerGate gate;
  private final Function<String, String> tokenGenerator;
  private final SecureRandom random = new SecureRandom();

  private final java.time.Clock clock;

  SwarmRoutes(ManagerGate gate, Function<String, String> tokenGenerator, java.time.Clock clock) {
    this.clock = clock;
    this.gate = gate;
    this.tokenGenerator = tokenGenerator;
  }

  void routes(Router r) {
    r.get("/swarm", this::inspect);
    r.post("/swarm/init", this::init);
    r.post("/swarm/join", this::join);
    r.post("/swarm/leave", this::leave);
    r.post("/swarm/update", this::update);
    r.get("/swarm/unlockkey", this::unlockKey);
    r.post("/swarm/unlock", this::unlock);
  }

  /** Docker {@code GET /swarm/unlockkey}: {@code {"UnlockKey": "SWMKEY-1-..."}}, empty without autolock. */
  private HttpResponse unlockKey(HttpRequest req) {
    Swarm s = gate.store().view(SwarmRoutes::cluster);
    return HttpResponse.ok(java.util.Map.of("UnlockKey", s.unlockKey == null ? "" : s.unlockKey));
  }

  /** Docker {@code POST /swarm/unlock} with {@code {"UnlockKey": "..."}}. */
  private HttpResponse unlock(HttpRequest req) {
    SwarmRequests.Unlock body = req.json(SwarmRequests.Unlock.class);
    if (body == null || body.unlockKey == null || body.unlockKey.isBlank()) {
      throw new InvalidArgumentException("UnlockKey: required; give the SWMKEY-1-... key that "
          + "'jswarm swarm unlock-key' printed on an unlocked manager");
    }
    gate.lifecycle().unlock(body.unlockKey);
    return HttpResponse.empty(200);
  }

  private HttpResponse inspect(HttpRequest req) {
    Swarm s = gate.store().view(SwarmRoutes::cluster);
    return HttpResponse.ok(publicView(s, true));
  }

  private HttpResponse init(HttpRequest req) {
    SwarmRequests.Init init = req.json(SwarmRequests.Init.class);
    if (init.spec != null) {
      if (init.spec.name == null || init.spec.name.isEmpty()) {
        init.spec.name = Swarm.DEFAULT_NAME; // the docker CLI sends no name
      }
      SpecValidator.validateSwarm(init.spec);
      refuseUnsupported(init.spec);
    }
    NetworkPlanner.validatePools(init.defaultAddrPool, init.subnetSize);
    String nodeId = gate.lifecycle().init(init);
    try {
      NetworkRoutes.createIngress(gate.store());
    } catch (RuntimeException e) {
      LOG.warn("swarm initialized, but the ingress network could not be created: {}", e.getMessage());
    }
    return HttpResponse.ok(nodeId);
  }

  private HttpResponse join(HttpRequest req) {
    SwarmRequests.Join join = req.json(SwarmRequests.Join.class);
    if (join.remoteAddrs == null || join.remoteAddrs.isEmpty()) {
      throw new InvalidArgumentException("RemoteAddrs: give at least one manager address (host:2377) to join");
    }
    if (join.joinToken == null || join.joinToken.isEmpty()) {
      throw new InvalidArgumentException("JoinToken: a join token is required (docker swarm join-token on a manager)");
    }
    gate.lifecycle().join(join);
    return HttpResponse.empty(200);
  }

  private HttpResponse leave(HttpRequest req) {
    gate.lifecycle().leave(req.flag("force"));
    return HttpResponse.empty(200);
  }

  private HttpResponse update(HttpRequest req) {
    var version = ManagerGate.version(req, "swarm");
    Swarm.Spec spec = req.json(Swarm.Spec.class);
    if (spec.name == null || spec.name.isEmpty()) {
      spec.name = Swarm.DEFAULT_NAME;
    }
    SpecValidator.validateSwarm(spec);
    refuseUnsupported(spec);
    if (spec.raft != null) {
      spec.raft.defaultTicks(); // the docker client sends 0 for a field it was not given: that is the default
    }
    boolean rotateWorker = req.flag("rotateWorkerToken");
    boolean rotateManager = req.flag("rotateManagerToken");
    boolean rotateUnlockKey = req.flag("rotateManagerUnlockKey");
    boolean autolock = spec.encryptionConfig != null && Boolean.TRUE.equals(spec.encryptionConfig.autoLockManagers);
    String newUnlockKey = UnlockKey.generate(random);
    gate.store().update(tx -> {
      Swarm s = cluster(tx);
      boolean rotateRoot = forceRotate(s.spec) != forceRotate(spec);
      keepExtensions(s.spec, spec);
      s.spec = spec;
      s.version = version;
      if (!autolock) {
        s.unlockKey = null;
      } else if (s.unlockKey == null || rotateUnlockKey) {
        s.unlockKey = newUnlockKey;
      }
      if (rotateRoot) { // swarm ca --rotate: a new root, cross-signed, certificates re-issued (RootRotation)
        if (s.rootCA == null || s.rootCA.caCert == null) {
          throw new UnavailableException("cannot rotate the root CA: the cluster has no root CA yet");
        }
        RootRotation.start(s, clock);
      }
      if (rotateWorker || rotateManager) {
        if (s.rootCA == null || s.rootCA.caCert == null) {
          throw new UnavailableException("cannot rotate join tokens: the cluster has no root CA yet");
        }
        if (s.joinTokens == null) {
          s.joinTokens = new Swarm.JoinTokens();
        }
        if (rotateWorker) {
          s.joinTokens.worker = tokenGenerator.apply(s.rootCA.caCert);
        }
        if (rotateManager) {
          s.joinTokens.manager = tokenGenerator.apply(s.rootCA.caCert);
        }
      }
      return tx.cluster().update(s);
    });
    gate.lifecycle().unlockKeyChanged();
    return HttpResponse.empty(200);
  }

  /** {@code Spec.CAConfig.ForceRotate}, 0 when unset: any change starts a root rotation. */
  private static long forceRotate(Swarm.Spec spec) {
    return spec == null || spec.caConfig == null || spec.caConfig.forceRotate == null ? 0 : spec.caConfig.forceRotate;
  }

  /**
   * jswarm's own fields of the swarm spec that an update leaves out keep their value: Docker clients send back
   * the spec they read without the fields they do not know.
   */
  private static void keepExtensions(Swarm.Spec current, Swarm.Spec next) {
    if (current == null || current.orchestration == null || current.orchestration.maxReplicasPerService == null) {
      return;
    }
    if (next.orchestration == null) {
      next.orchestration = new Swarm.Orchestration();
    }
    if (next.orchestration.maxReplicasPerService == null) {
      next.orchestration.maxReplicasPerService = current.orchestration.maxReplicasPerService;
    }
  }

  /** A root CA given by the user and external CAs are not implemented: refuse rather than ignore. */
  private static void refuseUnsupported(Swarm.Spec spec) {
    Swarm.CAConfig ca = spec.caConfig;
    if (ca != null && (notEmpty(ca.signingCACert) || notEmpty(ca.signingCAKey))) {
      throw new InvalidArgumentException("Spec.CAConfig.SigningCACert/SigningCAKey: jswarm does not support "
          + "replacing the root CA; leave them empty");
    }
    if (ca != null && ca.externalCAs != null && !ca.externalCAs.isEmpty()) {
      throw new InvalidArgumentException("Spec.CAConfig.ExternalCAs: jswarm does not support external CAs; "
          + "leave the list empty");
    }
  }

  private static boolean notEmpty(String s) {
    return s != null && !s.isEmpty();
  }

  /** The cluster object. */
  static Swarm cluster(ReadTx tx) {
    Swarm s = tx.cluster().byName(Swarm.DEFAULT_NAME);
    if (s == null) {
      List<Swarm> all = tx.cluster().all();
      if (all.isEmpty()) {
        throw new UnavailableException("the swarm is still being created; retry in a moment");
      }
      s = all.get(0);
    }
    return s;
  }

  /**
   * What the API may show of the cluster object: never the CA key nor the unlock key; join tokens only where
   * asked for.
   */
  static Swarm publicView(Swarm s, boolean withTokens) {
    Swarm v = Json.copy(s);
    v.rootCA = null;
    v.unlockKey = null;
    if (v.spec != null && v.spec.caConfig != null) {
      v.spec.caConfig.signingCAKey = null;
      v.spec.caConfig.signingCACert = null;
    }
    if (!withTokens) {
      v.joinTokens = null;
    }
    return v;
  }
}
