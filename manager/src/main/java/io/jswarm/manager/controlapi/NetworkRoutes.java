package io.jswarm.manager.controlapi;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.types.Driver;
import io.jswarm.api.types.IPAMOptions;
import io.jswarm.api.types.Network;
import io.jswarm.api.types.NetworkAttachmentConfig;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Swarm;
import io.jswarm.api.types.Task;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.ReadTx;
import io.jswarm.consensus.store.Tx;
import io.jswarm.overlay.allocator.NetworkNeeds;
import io.jswarm.overlay.allocator.NetworkPlanner;
import io.jswarm.transport.http.Filters;
import io.jswarm.transport.http.HttpRequest;
import io.jswarm.transport.http.HttpResponse;
import io.jswarm.transport.http.Router;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code /networks}: create (overlay only; the subnet, gateway and VXLAN id are allocated in the same store update,
 * see {@link NetworkPlanner}), list with Docker's filters, inspect by id, name or id prefix (with the containers this
 * node has on the network), and remove (refused
 * while a service uses the network or a task still holds an address on it). Answers use the engine's {@code NetworkResource} shape ({@code "Id"}, not
 * {@code "ID"}), which is what {@code docker network ls/inspect} read.
 */
final class NetworkRoutes {
  private static final Set<String> FILTERS = Set.of("id", "name", "driver", "label", "scope", "type");
  /** Docker's rule for network names. */
  private static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$");
  /** Re-runs of a create that lost a race with another create (the cluster row serializes them). */
  private static final int MAX_ATTEMPTS = 5;
  /**
   * How long a remove waits for the tasks of removed services to stop and give their addresses back (Docker's stop
   * grace period is 10 s): {@code docker stack rm} removes a stack's networks right after its services.
   */
  static final java.time.Duration REMOVE_WAIT = java.time.Duration.ofSeconds(45);
  private static final long REMOVE_POLL_MS = 200;

  /** A network no service uses whose addresses tasks that are stopping still hold. */
  private static final class StillHeld extends ConflictException {
    StillHeld(String message) {
      super(message);
    }
  }

  private final ManagerGate gate;

  NetworkRoutes(ManagerGate gate) {
    this.gate = gate;
  }

  void routes(Router r) {
    r.get("/networks", this::list);
    r.post("/networks/create", this::create);
    r.get("/networks/{id}", this::inspect);
    r.delete("/networks/{id}", this::remove);
  }

  /** Docker {@code NetworkCreateRequest}. */
  static final class CreateRequest {
    public String name;
    public Boolean checkDuplicate;
    public String driver;
    public String scope;
    public Boolean internal;
    public Boolean attachable;
    public Boolean ingress;
    @JsonProperty("IPAM")
    public Ipam ipam;
    @JsonProperty("EnableIPv6")
    public Boolean enableIpv6;
    public Map<String, String> options;
    public Map<String, String> labels;
    public Boolean configOnly;
    public Network.ConfigReference configFrom;
  }

  /** Docker {@code IPAM} of the engine API (note {@code Config}, not swarm's {@code Configs}). */
  static final class Ipam {
    public String driver;
    public List<IpamConfig> config;
    public Map<String, String> options;
  }

  /** Docker {@code IPAMConfig} of the engine API. */
  static final class IpamConfig {
    public String subnet;
    @JsonProperty("IPRange")
    public String ipRange;
    public String gateway;
    public Map<String, String> auxiliaryAddresses;
  }

  /** Docker {@code NetworkCreateResponse}. */
  static final class Created {
    @JsonProperty("Id")
    public final String id;
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public final String warning = "";

    Created(String id) {
      this.id = id;
    }
  }

  /** Docker {@code NetworkResource} (what {@code GET /networks} lists). */
  static final class Resource {
    public String name;
    @JsonProperty("Id")
    public String id;
    public String created;
    public String scope = "swarm";
    public String driver;
    @JsonProperty("EnableIPv6")
    public boolean enableIpv6;
    @JsonProperty("IPAM")
    public Ipam ipam;
    public boolean internal;
    public boolean attachable;
    public boolean ingress;
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public Map<String, String> configFrom = Map.of("Network", "");
    public boolean configOnly;
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public Map<String, Object> containers = Map.of();
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public Map<String, String> options;
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public Map<String, String> labels;
  }

  private HttpResponse create(HttpRequest req) {
    CreateRequest body = req.json(CreateRequest.class);
    Network.Spec spec = specOf(body);
    MemoryStore store = gate.store();
    return HttpResponse.json(201, new Created(create(store, spec).id));
  }

  /**
   * Stores a new network with its subnet, gateway and VXLAN id chosen ({@link NetworkPlanner}). The cluster row is
   * rewritten in the same update, so that two creates racing on different managers cannot both take the same
   * subnet or VXLAN id: the second fails its compare-and-set and is re-planned here.
   *
   * @throws ConflictException the name is taken, the subnet overlaps, the VXLAN id is taken, or a second ingress
   */
  static Network create(MemoryStore store, Network.Spec spec) {
    for (int attempt = 1; ; attempt++) {
      boolean[] planned = {false};
      try {
        return store.update(tx -> {
          Network n = plan(tx, spec);
          planned[0] = true;
          return n;
        });
      } catch (ConflictException e) {
        if (!planned[0] || attempt == MAX_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  private static Network plan(Tx tx, Network.Spec spec) {
    if (tx.networks().byName(spec.name) != null) {
      throw new ConflictException("network with name " + spec.name + " already exists");
    }
    if (Boolean.TRUE.equals(spec.ingress)) {
      for (Network other : tx.networks().all()) {
        if (other.spec != null && Boolean.TRUE.equals(other.spec.ingress)) {
          throw new ConflictException("Ingress: an ingress network already exists (" + other.spec.name + "); remove "
              + "it first to create another");
        }
      }
    }
    Swarm cluster = cluster(tx);
    Network n = new Network();
    n.spec = spec;
    NetworkPlanner.apply(n, NetworkPlanner.plan(spec, tx.networks().all(),
        cluster == null ? null : cluster.defaultAddrPool, cluster == null ? null : cluster.subnetSize));
    Network created = tx.networks().create(n);
    if (cluster != null) {
      tx.cluster().update(cluster); // serializes allocations: see create()
    }
    return created;
  }

  private static Swarm cluster(ReadTx tx) {
    Swarm s = tx.cluster().byName(Swarm.DEFAULT_NAME);
    if (s == null) {
      List<Swarm> all = tx.cluster().all();
      s = all.isEmpty() ? null : all.get(0);
    }
    return s;
  }

  /** Validates a create request (naming the field at fault) and turns it into a swarm network spec. */
  static Network.Spec specOf(CreateRequest body) {
    if (body.name == null || body.name.isEmpty()) {
      throw new InvalidArgumentException("Name: a network name is required");
    }
    if (!NAME.matcher(body.name).matches()) {
      throw new InvalidArgumentException("Name: invalid network name \"" + body.name + "\": only [a-zA-Z0-9][a-zA-Z0-9_.-] "
          + "are allowed");
    }
    String driver = body.driver == null || body.driver.isEmpty() ? NetworkPlanner.OVERLAY : body.driver;
    if (!driver.equals(NetworkPlanner.OVERLAY)) {
      throw new InvalidArgumentException("Driver: \"" + driver + "\" is not supported: jswarm networks use the "
          + "overlay driver (-d overlay)");
    }
    if (body.scope != null && !body.scope.isEmpty() && !body.scope.equals("swarm")) {
      throw new InvalidArgumentException("Scope: \"" + body.scope + "\" is not supported: overlay networks are "
          + "swarm-scoped");
    }
    if (Boolean.TRUE.equals(body.enableIpv6)) {
      throw new InvalidArgumentException("EnableIPv6: IPv6 is not supported; leave --ipv6 out");
    }
    if (Boolean.TRUE.equals(body.configOnly) || (body.configFrom != null && body.configFrom.network != null
        && !body.configFrom.network.isEmpty())) {
      throw new InvalidArgumentException("ConfigOnly/ConfigFrom: config-only networks are not supported");
    }
    if (Boolean.TRUE.equals(body.ingress) && Boolean.TRUE.equals(body.attachable)) {
      throw new InvalidArgumentException("Attachable: an ingress network cannot be attachable");
    }
    if (Boolean.TRUE.equals(body.internal) && Boolean.TRUE.equals(body.ingress)) {
      throw new InvalidArgumentException("Internal: an ingress network cannot be internal");
    }
    if (body.ipam != null && body.ipam.driver != null && !body.ipam.driver.isEmpty()
        && !body.ipam.driver.equals("default")) {
      throw new InvalidArgumentException("IPAM.Driver: \"" + body.ipam.driver + "\" is not supported; use the "
          + "default IPAM driver");
    }
    if (body.options != null && body.options.containsKey("encrypted")) {
      throw new InvalidArgumentException("Options[encrypted]: encrypted overlay networks (IPsec) are not supported; "
          + "leave --opt encrypted out");
    }
    Network.Spec spec = new Network.Spec();
    spec.name = body.name;
    spec.labels = body.labels == null || body.labels.isEmpty() ? null : new LinkedHashMap<>(body.labels);
    spec.driverConfiguration = new Driver();
    spec.driverConfiguration.name = driver;
    spec.driverConfiguration.options = body.options == null || body.options.isEmpty() ? null
        : new LinkedHashMap<>(body.options);
    spec.internal = Boolean.TRUE.equals(body.internal) ? true : null;
    spec.attachable = Boolean.TRUE.equals(body.attachable) ? true : null;
    spec.ingress = Boolean.TRUE.equals(body.ingress) ? true : null;
    spec.scope = "swarm";
    if (body.ipam != null && body.ipam.config != null && !body.ipam.config.isEmpty()) {
      spec.ipamOptions = new IPAMOptions();
      spec.ipamOptions.configs = new ArrayList<>();
      for (IpamConfig c : body.ipam.config) {
        IPAMOptions.IPAMConfig x = new IPAMOptions.IPAMConfig();
        x.subnet = c.subnet;
        x.range = c.ipRange;
        x.gateway = c.gateway;
        spec.ipamOptions.configs.add(x);
      }
    }
    return spec;
  }

  private HttpResponse list(HttpRequest req) {
    Filters f = Filters.parse(req.param("filters"), FILTERS);
    for (String t : f.get("type")) {
      if (!t.equals("custom") && !t.equals("builtin")) {
        throw new InvalidArgumentException("invalid filter: 'type'='" + t + "': custom or builtin");
      }
    }
    List<Resource> out = new ArrayList<>();
    for (Network n : gate.store().view(tx -> tx.networks().all())) {
      Network.Spec s = n.spec == null ? new Network.Spec() : n.spec;
      boolean match = f.any("id", v -> Filters.prefix(n.id, v))
          && f.any("name", v -> s.name != null && s.name.contains(v))
          && f.any("driver", v -> v.equals(driverOf(n)))
          && f.any("scope", v -> v.equals("swarm"))
          && f.any("type", v -> v.equals("custom"))
          && f.labels("label", s.labels);
      if (match) {
        out.add(resource(n));
      }
    }
    return HttpResponse.ok(out);
  }

  /** The network, with this node's containers on it ({@code docker network ls} shows none: only inspect). */
  private HttpResponse inspect(HttpRequest req) {
    Resource r = resource(gate.store().view(tx -> tx.networks().lookup(req.pathParam("id"))));
    r.containers = gate.lifecycle().networkContainers(r.id);
    return HttpResponse.ok(r);
  }

  /**
   * Refused at once while a service uses the network; while only tasks that are stopping still hold addresses on it,
   * waits up to {@link #REMOVE_WAIT} for them, then removes it (or answers 409 naming one).
   */
  private HttpResponse remove(HttpRequest req) throws InterruptedException {
    long deadline = System.nanoTime() + REMOVE_WAIT.toNanos();
    while (true) {
      try {
        removeOnce(req);
        return HttpResponse.empty(204);
      } catch (StillHeld e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(REMOVE_POLL_MS);
      }
    }
  }

  private void removeOnce(HttpRequest req) {
    gate.store().update(tx -> {
      Network n = tx.networks().lookup(req.pathParam("id"));
      List<String> users = new ArrayList<>();
      boolean ingress = n.spec != null && Boolean.TRUE.equals(n.spec.ingress);
      for (Service s : tx.services().all()) {
        if (uses(s, n) || (ingress && NetworkNeeds.wantsIngress(s))) {
          users.add(s.spec == null ? s.id : s.spec.name);
        }
      }
      if (!users.isEmpty()) {
        String name = n.spec == null ? n.id : n.spec.name;
        throw new ConflictException(ingress
            ? "ingress network " + name + " cannot be removed: service(s) " + String.join(", ", users)
                + " publish ports in ingress mode; remove them or their published ports first"
            : "network " + name + " is in use by service(s) " + String.join(", ", users)
                + "; remove them or take them off the network (service update --network-rm) first");
      }
      List<String> holders = new ArrayList<>();
      for (Task t : tx.tasks().all()) {
        if (NetworkNeeds.holdsAddresses(t) && t.networksAttachments != null && t.networksAttachments.stream()
            .anyMatch(a -> a != null && a.network != null && n.id.equals(a.network.id))) {
          holders.add(t.name != null ? t.name + " (" + t.id + ")" : t.id);
        }
      }
      if (!holders.isEmpty()) {
        throw new StillHeld("network " + (n.spec == null ? n.id : n.spec.name) + " is still in use by "
            + holders.size() + " task(s) that are shutting down, e.g. " + holders.get(0)
            + "; retry once they have stopped");
      }
      tx.networks().delete(n.id);
      return null;
    });
  }

  /** Whether the service's spec names the network (by id or name). */
  static boolean uses(Service s, Network n) {
    if (s.spec == null) {
      return false;
    }
    for (NetworkAttachmentConfig c : NetworkNeeds.specNetworks(s)) {
      if (c != null && c.target != null && (c.target.equals(n.id)
          || (n.spec != null && c.target.equals(n.spec.name)))) {
        return true;
      }
    }
    return false;
  }

  private static String driverOf(Network n) {
    if (n.driverState != null && n.driverState.name != null) {
      return n.driverState.name;
    }
    return n.spec != null && n.spec.driverConfiguration != null && n.spec.driverConfiguration.name != null
        ? n.spec.driverConfiguration.name : NetworkPlanner.OVERLAY;
  }

  /** The engine's view of a swarm network. */
  static Resource resource(Network n) {
    Network.Spec s = n.spec == null ? new Network.Spec() : n.spec;
    Resource r = new Resource();
    r.name = s.name;
    r.id = n.id;
    r.created = n.createdAt;
    r.driver = driverOf(n);
    r.internal = Boolean.TRUE.equals(s.internal);
    r.attachable = Boolean.TRUE.equals(s.attachable);
    r.ingress = Boolean.TRUE.equals(s.ingress);
    r.ipam = new Ipam();
    r.ipam.driver = "default";
    r.ipam.config = new ArrayList<>();
    if (n.ipamOptions != null && n.ipamOptions.configs != null) {
      for (IPAMOptions.IPAMConfig c : n.ipamOptions.configs) {
        IpamConfig x = new IpamConfig();
        x.subnet = c.subnet;
        x.gateway = c.gateway;
        r.ipam.config.add(x);
      }
    }
    r.options = n.driverState != null && n.driverState.options != null ? new LinkedHashMap<>(n.driverState.options)
        : new LinkedHashMap<>();
    r.labels = s.labels == null ? new LinkedHashMap<>() : new LinkedHashMap<>(s.labels);
    return r;
  }

  /** Creates the {@code ingress} network of a new swarm (10.0.0.0/24 with the default pool, as Docker). */
  static Network createIngress(MemoryStore store) {
    return create(store, NetworkPlanner.ingressSpec());
  }
}
