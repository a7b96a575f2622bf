package io.jswarm.manager.allocator;

import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.NotFoundException;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.Endpoint;
import io.jswarm.api.types.EndpointSpec;
import io.jswarm.api.types.Network;
import io.jswarm.api.types.NetworkAttachment;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.PortConfig;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.api.types.Timestamps;
import io.jswarm.consensus.store.Event;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.ReadTx;
import io.jswarm.consensus.store.Tables;
import io.jswarm.consensus.store.Tx;
import io.jswarm.manager.loop.LeaderLoop;
import io.jswarm.overlay.allocator.AddressBook;
import io.jswarm.overlay.allocator.Ipv4Prefix;
import io.jswarm.overlay.allocator.NetworkNeeds;
import io.jswarm.overlay.allocator.NetworkPlanner;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's network allocator: keeps an {@link AddressBook} of every overlay network from a store
 * {@code viewAndWatch} (rebuilt from the store whenever it starts, so a new leader carries on where the old one
 * stopped) and, after each burst of changes, runs one pass:
 * <ol>
 *   <li>every service in endpoint mode vip gets one VIP per network it joins (its task template's networks, plus
 *       {@code ingress} when it publishes ingress ports) in {@code Endpoint.VirtualIPs}; VIPs of networks it left
 *       are released, and a removed service's VIPs with it; {@code Endpoint.Ports} mirrors the spec's ports, ingress
 *       ports published without a number getting one from {@value #FIRST_DYNAMIC_PORT}-{@value #LAST_DYNAMIC_PORT};
 *       </li>
 *   <li>every task that needs networks ({@link NetworkNeeds}) and is NEW or PENDING without them gets one address
 *       per network in {@code NetworksAttachments} (Docker's shape: the network object and the address in CIDR
 *       form) and moves to PENDING with {@value #PENDING_MESSAGE}, for the scheduler. When a network has no free
 *       address the task stays PENDING (not scheduled) with {@code Status.Err} saying so
 *       ({@code no free address in network NAME (SUBNET)}); it is tried again on the next change, e.g. once
 *       another task gave its address back.</li>
 *   <li>every node gets one address on the {@code ingress} network in {@code Node.Attachments} (Docker's
 *       per-node ingress endpoint, where the node's routing-mesh sandbox sits); a removed node gives it back, and
 *       without an ingress network the attachments are cleared.</li>
 * </ol>
 * A task's addresses are held while {@link NetworkNeeds#holdsAddresses} says so and released once it does not or the
 * task is removed. Tasks that need no network are left to the scheduler loop, which moves them
 * from NEW to PENDING itself. Choices are deterministic (lowest free address, tasks in id order); writes are
 * compare-and-set, re-checked inside the update; what a failed write had taken is given back.
 *
 * <p>Runs on its own thread between {@link #start} and {@link #stop} (while this manager leads); {@link #runOnce}
 * runs one pass synchronously, for tests.
 */
public final class NetworkAllocatorLoop extends LeaderLoop {
  /** Quiet time after a change before a pass runs while passes are frequent (see {@link LeaderLoop}). */
  public static final Duration COMMIT_DEBOUNCE = Duration.ofMillis(20);
  /** Longest a pass is put off by a steady stream of commits. */
  public static final Duration MAX_DEBOUNCE = Duration.ofMillis(500);
  /** Wait before a failed pass is tried again. */
  public static final Duration RETRY_DELAY = Duration.ofSeconds(1);
  /** Rows written per store update. */
  public static final int BATCH_SIZE = io.jswarm.consensus.store.Proposer.MAX_ROWS_PER_ENTRY;
  static final int MAX_ATTEMPTS = 5;

  /** The message of a task whose networks are allocated (the scheduler's own "pending" text). */
  public static final String PENDING_MESSAGE = "pending task scheduling";
  /** The message of a task waiting for a network resource; {@code Status.Err} says which. */
  public static final String WAITING_MESSAGE = "pending network allocation";

  private static final Logger log = LoggerFactory.getLogger(NetworkAllocatorLoop.class);

  // The model, guarded by the loop's lock.
  private final NetworkIndex networks = new NetworkIndex();
  private final Map<String, Service> services = new TreeMap<>();
  /**
   * Tasks NEW or PENDING that the manager wants run, by id: the only tasks a pass looks at. Every other live task is
   * known by the addresses it holds in {@link #book} only, so a pass costs what is waiting, not every task.
   */
  private final Map<String, Task> waiting = new TreeMap<>();
  private final Map<String, Node> nodes = new TreeMap<>();
  /** Services and nodes whose row or networks changed since the last pass: the only ones a pass compares. */
  private final Set<String> dirtyServices = new HashSet<>();
  private final Set<String> dirtyNodes = new HashSet<>();
  /** Rows the last pass looked at (waiting tasks, dirty services and nodes), for tests. */
  private int lastVisited;
  private AddressBook book = new AddressBook();
  /** A write gave up after conflicts: the pass asks for a retry. */
  private boolean gaveUp;

  public NetworkAllocatorLoop(MemoryStore store, Clock clock) {
    super("network-allocator", store, clock, new Timing(COMMIT_DEBOUNCE, MAX_DEBOUNCE, RETRY_DELAY));
  }

  /** Takes in every change seen so far and runs one pass now; returns the number of rows written. */
  public int runOnce() {
    synchronized (lock) {
      catchUp();
      return allocate();
    }
  }

  @Override
  protected boolean interested(Event e) {
    return e.isIn(Tables.TASKS) || e.isIn(Tables.SERVICES) || e.isIn(Tables.NETWORKS) || e.isIn(Tables.NODES);
  }

  @Override
  protected boolean pass(boolean full) {
    if (full) {
      markAllDirty();
    }
    allocate();
    return !gaveUp;
  }

  private void markAllDirty() {
    dirtyServices.addAll(services.keySet());
    dirtyNodes.addAll(nodes.keySet());
  }

  /** Rows the last pass looked at: what changed, not the whole cluster (for tests). */
  int lastPassVisited() {
    synchronized (lock) {
      return lastVisited;
    }
  }

  /** Free addresses left on a network as this loop sees it (for tests and diagnostics), or -1 if unknown. */
  public long freeAddresses(String networkId) {
    synchronized (lock) {
      catchUp();
      return book.hasNetwork(networkId) ? book.free(networkId) : -1;
    }
  }

  // ---- the model ----

  /** Rebuilds everything from a store snapshot: networks first, then every holder's addresses as stored. */
  @Override
  protected void load(ReadTx tx) {
    networks.clear();
    services.clear();
    waiting.clear();
    nodes.clear();
    book = new AddressBook();
    tx.networks().all().forEach(this::trackNetwork);
    tx.services().all().forEach(this::trackService);
    tx.tasks().scanAll(this::trackTask); // read in place: only waiting tasks are kept, and never changed
    tx.nodes().all().forEach(this::trackNode);
    markAllDirty();
  }

  @Override
  protected boolean onEvent(Event e) {
    apply(e);
    return true;
  }

  private void apply(Event e) {
    boolean gone = e.kind() == Event.Kind.DELETE;
    if (e.isIn(Tables.NETWORKS)) {
      Network n = e.as(Tables.NETWORKS);
      if (gone) {
        networks.remove(n.id);
        book.removeNetwork(n.id);
      } else {
        trackNetwork(n);
      }
      markAllDirty(); // VIPs and the nodes' ingress addresses depend on which networks there are
    } else if (e.isIn(Tables.SERVICES)) {
      Service s = e.as(Tables.SERVICES);
      if (gone) {
        services.remove(s.id);
        dirtyServices.remove(s.id);
        book.releaseAll(Holdings.vipOwner(s.id));
      } else {
        trackService(s);
        dirtyServices.add(s.id);
      }
    } else if (e.isIn(Tables.TASKS)) {
      Task t = e.as(Tables.TASKS);
      if (gone) {
        waiting.remove(t.id);
        book.releaseAll(Holdings.taskOwner(t.id));
      } else {
        trackTask(t);
      }
    } else if (e.isIn(Tables.NODES)) {
      Node n = e.as(Tables.NODES);
      if (gone) {
        nodes.remove(n.id);
        dirtyNodes.remove(n.id);
        book.releaseAll(Holdings.nodeOwner(n.id));
      } else {
        trackNode(n);
        dirtyNodes.add(n.id);
      }
    }
  }

  private void trackNetwork(Network n) {
    networks.put(n);
    Ipv4Prefix subnet = NetworkPlanner.subnetOf(n);
    if (subnet != null && !book.hasNetwork(n.id)) {
      book.addNetwork(n.id, subnet, NetworkPlanner.gatewayOf(n));
    }
  }

  private void trackService(Service s) {
    services.put(s.id, s);
    warnRefused(Holdings.vipOwner(s.id), book.sync(Holdings.vipOwner(s.id), Holdings.vips(s)));
  }

  private void trackTask(Task t) {
    if (dead(t)) {
      waiting.remove(t.id);
      book.releaseAll(Holdings.taskOwner(t.id));
      return;
    }
    TaskState s = state(t);
    if (t.desiredToRun() && (s == TaskState.NEW || s == TaskState.PENDING)) {
      waiting.put(t.id, t);
    } else {
      waiting.remove(t.id);
    }
    warnRefused(Holdings.taskOwner(t.id), book.sync(Holdings.taskOwner(t.id), Holdings.of(t)));
  }

  private void trackNode(Node n) {
    nodes.put(n.id, n);
    warnRefused(Holdings.nodeOwner(n.id), book.sync(Holdings.nodeOwner(n.id), Holdings.of(n.attachments)));
  }

  private void warnRefused(String owner, Map<String, String> refused) {
    refused.forEach((net, addr) -> {
      if (book.hasNetwork(net)) {
        log.warn("{} holds {} on network {} in the store, but {} holds it too", owner, addr, net,
            book.holder(net, addr));
      }
    });
  }

  /** Whether the task gave its addresses back ({@link NetworkNeeds#holdsAddresses}). */
  static boolean dead(Task t) {
    return !NetworkNeeds.holdsAddresses(t);
  }

  private static TaskState state(Task t) {
    return t.status == null || t.status.state == null ? TaskState.NEW : t.status.state;
  }

  // ---- one pass ----

  private int allocate() {
    gaveUp = false;
    lastVisited = waiting.size() + dirtyServices.size() + dirtyNodes.size();
    int written = allocateServices();
    written += allocateTasks();
    written += allocateNodes();
    return written;
  }

  // -- services --

  private int allocateServices() {
    if (dirtyServices.isEmpty()) {
      return 0;
    }
    PublishedPorts ports = PublishedPorts.of(services.values());
    List<ServiceChange> changes = new ArrayList<>();
    List<String> ids = new ArrayList<>(dirtyServices);
    ids.sort(null); // deterministic: lowest id first, as the whole-table pass did
    dirtyServices.clear();
    for (String id : ids) {
      Service s = services.get(id);
      if (s == null) {
        continue;
      }
      Endpoint want = endpointFor(s, ports);
      if (!Json.toString(want).equals(Json.toString(s.endpoint == null ? new Endpoint() : s.endpoint))) {
        changes.add(new ServiceChange(s.id, want));
      }
    }
    return writeInBatches(changes, this::writeServices, (c, done) -> {
      if (!done.contains(c.serviceId())) {
        dirtyServices.add(c.serviceId()); // looked at again next pass (a newer row comes as an event anyway)
      }
      // What was taken for a write that did not happen goes back: the stored row is the truth.
      book.sync(Holdings.vipOwner(c.serviceId()), done.contains(c.serviceId()) ? Holdings.vips(c.endpoint())
          : Holdings.vips(services.get(c.serviceId())));
    });
  }

  /** The endpoint {@code s} should have: its endpoint spec, its ports, one VIP per network (kept when it has one). */
  private Endpoint endpointFor(Service s, PublishedPorts ports) {
    Endpoint e = new Endpoint();
    EndpointSpec spec = s.spec == null ? null : s.spec.endpointSpec;
    if (spec != null) {
      e.spec = Json.copy(spec);
      if (spec.ports != null && !spec.ports.isEmpty()) {
        e.ports = new ArrayList<>();
        for (PortConfig p : spec.ports) {
          PortConfig q = Json.copy(p);
          q.protocol = q.protocol == null || q.protocol.isEmpty() ? "tcp" : q.protocol;
          q.publishMode = q.publishMode == null || q.publishMode.isEmpty() ? "ingress" : q.publishMode;
          e.ports.add(q);
        }
      }
    }
    if (s.endpoint != null && s.endpoint.ports != null && e.ports != null) {
      PublishedPorts.keep(s.endpoint.ports, e.ports);
    }
    if (e.ports != null) {
      ports.assign(s, e.ports);
    }
    Map<String, String> held = Holdings.vips(s);
    List<Endpoint.VirtualIP> vips = new ArrayList<>();
    for (String net : networks.vipNetworks(s)) {
      if (!book.hasNetwork(net)) {
        continue;
      }
      String addr = held.get(net);
      if (addr == null || !Objects.equals(book.holder(net, addr), Holdings.vipOwner(s.id))) {
        addr = book.allocate(Holdings.vipOwner(s.id), net);
      }
      if (addr == null) {
        log.warn("service {} gets no VIP on network {}: no free address in {}", s.id, net, book.subnet(net));
        continue;
      }
      Endpoint.VirtualIP v = new Endpoint.VirtualIP();
      v.networkId = net;
      v.addr = addr;
      vips.add(v);
    }
    if (!vips.isEmpty()) {
      e.virtualIPs = vips;
    }
    return e;
  }

  private record ServiceChange(String serviceId, Endpoint endpoint) {}

  private Set<String> writeServices(List<ServiceChange> batch) {
    return writeBatch(batch.size(), "services", tx -> {
      Set<String> ids = new HashSet<>();
      for (ServiceChange c : batch) {
        Service s = tx.services().get(c.serviceId());
        Service known = services.get(c.serviceId());
        // Only write over the row the decision was made from.
        if (s != null && known != null && s.versionIndex() == known.versionIndex()) {
          s.endpoint = c.endpoint();
          tx.services().update(s);
          ids.add(s.id);
        }
      }
      return ids;
    });
  }

  // -- nodes --

  private record NodeChange(String nodeId, List<NetworkAttachment> attachments) {}

  /** Gives every node its address on the ingress network (or clears the attachments when there is none). */
  private int allocateNodes() {
    if (dirtyNodes.isEmpty()) {
      return 0;
    }
    Network in = networks.ingress();
    List<NodeChange> changes = new ArrayList<>();
    List<String> ids = new ArrayList<>(dirtyNodes);
    ids.sort(null);
    dirtyNodes.clear();
    for (String id : ids) {
      Node n = nodes.get(id);
      if (n == null) {
        continue;
      }
      List<NetworkAttachment> want = nodeAttachments(n, in);
      List<NetworkAttachment> have = n.attachments == null || n.attachments.isEmpty() ? null : n.attachments;
      if (!Objects.equals(Json.toString(want), Json.toString(have))) {
        changes.add(new NodeChange(n.id, want));
      }
    }
    return writeInBatches(changes, this::writeNodes, (c, done) -> {
      if (!done.contains(c.nodeId())) {
        dirtyNodes.add(c.nodeId());
      }
      Node stored = nodes.get(c.nodeId());
      book.sync(Holdings.nodeOwner(c.nodeId()), Holdings.of(done.contains(c.nodeId()) ? c.attachments()
          : stored == null ? null : stored.attachments));
    });
  }

  /** The node's ingress attachment (its address kept when it has one), or null without an ingress network. */
  private List<NetworkAttachment> nodeAttachments(Node n, Network in) {
    if (in == null || !book.hasNetwork(in.id)) {
      return null;
    }
    String addr = Holdings.of(n.attachments).get(in.id);
    if (addr == null || !Objects.equals(book.holder(in.id, addr), Holdings.nodeOwner(n.id))) {
      addr = book.allocate(Holdings.nodeOwner(n.id), in.id);
    }
    if (addr == null) {
      log.warn("node {} gets no address on the ingress network: no free address in {}", n.id, book.subnet(in.id));
      return n.attachments == null || n.attachments.isEmpty() ? null : n.attachments;
    }
    NetworkAttachment a = new NetworkAttachment();
    a.network = Json.copy(in);
    a.addresses = List.of(addr);
    return List.of(a);
  }

  private Set<String> writeNodes(List<NodeChange> batch) {
    return writeBatch(batch.size(), "nodes", tx -> {
      Set<String> ids = new HashSet<>();
      for (NodeChange c : batch) {
        Node n = tx.nodes().get(c.nodeId());
        Node known = nodes.get(c.nodeId());
        if (n != null && known != null && n.versionIndex() == known.versionIndex()) {
          n.attachments = c.attachments();
          tx.nodes().update(n);
          ids.add(n.id);
        }
      }
      return ids;
    });
  }

  // -- tasks --

  private int allocateTasks() {
    String now = Timestamps.format(clock.instant());
    List<TaskDecision> decisions = new ArrayList<>();
    for (Task t : waiting.values()) {
      TaskState s = state(t);
      Service service = t.serviceId == null ? null : services.get(t.serviceId);
      if (!NetworkNeeds.needsNetworks(t, service) || NetworkNeeds.allocated(t, service)) {
        continue;
      }
      TaskDecision d = decide(t, service);
      if (d.attachments() != null || !d.error().equals(t.status == null ? null : t.status.err)
          || s == TaskState.NEW) {
        decisions.add(d);
      }
    }
    return writeInBatches(decisions, batch -> writeTasks(batch, now), (d, done) -> {
      if (d.attachments() != null && !done.contains(d.taskId())) {
        Task t = waiting.get(d.taskId());
        book.sync(Holdings.taskOwner(d.taskId()), t == null ? Map.of() : Holdings.of(t));
      }
    });
  }

  /**
   * Addresses for every network the task needs, or the reason it cannot have them now (what was taken for it is
   * given back then).
   */
  private TaskDecision decide(Task t, Service service) {
    List<Network> wanted = new ArrayList<>();
    for (String target : NetworkNeeds.targets(t)) {
      Network n = networks.resolve(target);
      if (n == null) {
        return TaskDecision.waiting(t.id, "network " + target + " not found");
      }
      if (!wanted.contains(n)) {
        wanted.add(n);
      }
    }
    if (NetworkNeeds.wantsIngress(service)) {
      Network in = networks.ingress();
      if (in == null) {
        return TaskDecision.waiting(t.id, "the service publishes ports in ingress mode but there is no ingress "
            + "network: create one with 'network create --ingress -d overlay NAME'");
      }
      if (!wanted.contains(in)) {
        wanted.add(0, in);
      }
    }
    Map<String, String> before = book.holdings(Holdings.taskOwner(t.id));
    List<NetworkAttachment> out = new ArrayList<>();
    for (Network n : wanted) {
      String name = n.spec == null ? n.id : n.spec.name;
      if (!book.hasNetwork(n.id)) {
        return TaskDecision.waiting(t.id, "network " + name + " has no subnet allocated");
      }
      String addr = book.allocate(Holdings.taskOwner(t.id), n.id);
      if (addr == null) {
        // Give back what this decision took; keep what the stored row holds.
        book.sync(Holdings.taskOwner(t.id), before);
        return TaskDecision.waiting(t.id, "no free address in network " + name + " (" + book.subnet(n.id) + ")");
      }
      NetworkAttachment a = new NetworkAttachment();
      a.network = Json.copy(n);
      a.addresses = List.of(addr);
      out.add(a);
    }
    return new TaskDecision(t.id, out, null);
  }

  /**
   * What the pass does to one task: attach it (attachments set, state PENDING for the scheduler) or leave it
   * waiting (state PENDING, {@code error} as {@code Status.Err}).
   */
  private record TaskDecision(String taskId, List<NetworkAttachment> attachments, String error) {
    static TaskDecision waiting(String taskId, String error) {
      return new TaskDecision(taskId, null, error);
    }

    /**
     * The store patch that applies the decision to stored task {@code t} ({@code TableWriter.patch}): a new status,
     * and the attachments when there are; {@code t} does not change. The status is replaced whole, so its
     * {@code Err} may go back to null (a patch cannot clear a top-level field, and none is cleared here).
     */
    Task patchOf(Task t, String now) {
      Task p = t.emptyPatch();
      p.status = t.status == null ? new Task.TaskStatus() : t.status.shallowCopy();
      TaskState from = state(t);
      if (from == TaskState.NEW) {
        p.status.state = from.moveTo(TaskState.PENDING);
      }
      if (attachments != null) {
        p.networksAttachments = attachments;
        p.status.message = PENDING_MESSAGE;
        p.status.err = null;
      } else {
        p.status.message = WAITING_MESSAGE;
        p.status.err = error;
      }
      p.status.timestamp = now;
      return p;
    }
  }

  private Set<String> writeTasks(List<TaskDecision> batch, String now) {
    return writeBatch(batch.size(), "tasks", tx -> {
      Set<String> ids = new HashSet<>();
      for (TaskDecision d : batch) {
        // The decision sets the status (and the attachments) only: a patch of those fields goes through the log, not
        // the whole row; no copy of the task, none of its service.
        Task p = tx.tasks().read(d.taskId(), t -> {
          if (t == null || !t.desiredToRun()) {
            return null;
          }
          TaskState s = state(t);
          if ((s != TaskState.NEW && s != TaskState.PENDING)
              || tx.services().read(t.serviceId, service -> NetworkNeeds.allocated(t, service))) {
            return null;
          }
          return d.patchOf(t, now);
        });
        if (p != null) {
          tx.tasks().patch(p);
          ids.add(p.id);
        }
      }
      return ids;
    });
  }

  /**
   * Writes {@code changes} {@link #BATCH_SIZE} at a time; after each batch {@code after} sees each change with the ids
   * that batch wrote (to give back what a change not written had taken). Returns the number of rows written.
   */
  private static <C> int writeInBatches(List<C> changes, Function<List<C>, Set<String>> write,
      BiConsumer<C, Set<String>> after) {
    int written = 0;
    for (int from = 0; from < changes.size(); from += BATCH_SIZE) {
      List<C> batch = changes.subList(from, Math.min(changes.size(), from + BATCH_SIZE));
      Set<String> done = write.apply(batch);
      written += done.size();
      batch.forEach(c -> after.accept(c, done));
    }
    return written;
  }

  /**
   * Writes one batch of {@code rows} rows in one store update; {@code write} returns the ids it wrote (only over the
   * rows the decisions were made from). A conflict is tried again up to {@link #MAX_ATTEMPTS} times; then nothing
   * counts as written and the pass asks for a retry.
   */
  private Set<String> writeBatch(int rows, String kind, Function<Tx, Set<String>> write) {
    for (int attempt = 1; ; attempt++) {
      try {
        return store.update(write);
      } catch (ConflictException | NotFoundException e) {
        if (attempt == MAX_ATTEMPTS) {
          log.info("network allocator gave up a batch of {} {} after {} conflicts; the next pass retries: {}",
              rows, kind, attempt, e.getMessage());
          gaveUp = true;
          return Set.of();
        }
      }
    }
  }
}
