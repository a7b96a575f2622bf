package io.jswarm.manager.allocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.EndpointSpec;
import io.jswarm.api.types.IPAMOptions;
import io.jswarm.api.types.Network;
import io.jswarm.api.types.NetworkAttachmentConfig;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Platform;
import io.jswarm.api.types.PortConfig;
import io.jswarm.api.types.Resources;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.ServiceMode;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskSpec;
import io.jswarm.api.types.TaskState;
import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.consensus.store.LocalProposer;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.Tables;
import io.jswarm.manager.orchestrator.Orchestrators;
import io.jswarm.manager.schedulerloop.SchedulerLoop;
import io.jswarm.overlay.allocator.NetworkPlanner;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NetworkAllocatorLoopTest {
  private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private MemoryStore store;
  private NetworkAllocatorLoop allocator;
  private SchedulerLoop scheduler;
  private final List<Runnable> cleanups = new ArrayList<>();

  @BeforeEach
  void open() {
    LocalProposer p = new LocalProposer();
    store = new MemoryStore(p, clock, IdGenerator.fromRandom(new Random(11)));
    p.bind(store);
    allocator = new NetworkAllocatorLoop(store, clock);
    scheduler = new SchedulerLoop(store, clock);
    store.update(tx -> tx.nodes().create(node("node1")));
  }

  @AfterEach
  void close() {
    cleanups.forEach(Runnable::run);
    allocator.stop();
    scheduler.stop();
    store.close();
  }

  // ---- fixtures ----

  private static Node node(String id) {
    Node n = new Node();
    n.id = id;
    n.spec = new Node.Spec();
    n.spec.role = "worker";
    n.spec.availability = "active";
    n.status = new Node.Status();
    n.status.state = "ready";
    n.description = new Node.Description();
    n.description.hostname = id;
    n.description.platform = new Platform();
    n.description.platform.os = "linux";
    n.description.platform.architecture = "x86_64";
    n.description.resources = new Resources();
    n.description.resources.nanoCPUs = 4_000_000_000L;
    n.description.resources.memoryBytes = 1L << 32;
    return n;
  }

  private Network network(String name, String subnet, boolean ingress) {
    return store.update(tx -> {
      Network n = new Network();
      n.spec = new Network.Spec();
      n.spec.name = name;
      n.spec.ingress = ingress ? true : null;
      if (subnet != null) {
        IPAMOptions.IPAMConfig c = new IPAMOptions.IPAMConfig();
        c.subnet = subnet;
        n.spec.ipamOptions = new IPAMOptions();
        n.spec.ipamOptions.configs = List.of(c);
      }
      NetworkPlanner.apply(n, NetworkPlanner.plan(n.spec, tx.networks().all(), null, null));
      return tx.networks().create(n);
    });
  }

  private Service service(String name, String mode, List<String> networkIds, Long publish) {
    Service s = new Service();
    s.spec = new Service.ServiceSpec();
    s.spec.name = name;
    s.spec.mode = ServiceMode.replicated(1);
    s.spec.taskTemplate = new TaskSpec();
    s.spec.taskTemplate.containerSpec = new ContainerSpec();
    s.spec.taskTemplate.containerSpec.image = "busybox";
    s.spec.taskTemplate.networks = new ArrayList<>();
    for (String id : networkIds) {
      NetworkAttachmentConfig c = new NetworkAttachmentConfig();
      c.target = id;
      s.spec.taskTemplate.networks.add(c);
    }
    if (mode != null || publish != null) {
      s.spec.endpointSpec = new EndpointSpec();
      s.spec.endpointSpec.mode = mode;
      if (publish != null) {
        PortConfig p = new PortConfig();
        p.targetPort = 80L;
        p.publishedPort = publish;
        s.spec.endpointSpec.ports = List.of(p);
      }
    }
    return store.update(tx -> tx.services().create(s));
  }

  /** A task as the orchestrator makes it: NEW, desired RUNNING, spec a copy of the template. */
  private List<String> tasks(Service s, int count) {
    return store.update(tx -> {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        Task t = new Task();
        t.serviceId = s.id;
        t.slot = (long) i + 1;
        t.spec = io.jswarm.api.json.Json.copy(s.spec.taskTemplate);
        t.desiredState = TaskState.RUNNING;
        t.status = new Task.TaskStatus();
        t.status.state = TaskState.NEW;
        ids.add(tx.tasks().create(t).id);
      }
      return ids;
    });
  }

  private Task task(String id) {
    return store.view(tx -> tx.tasks().get(id));
  }

  private Service svc(String id) {
    return store.view(tx -> tx.services().get(id));
  }

  private static String addr(Task t, String networkId) {
    return t.networksAttachments.stream().filter(a -> a.network.id.equals(networkId)).findFirst()
        .orElseThrow(() -> new AssertionError("task " + t.id + " is not attached to " + networkId))
        .addresses.get(0);
  }

  private void finish(String taskId) {
    store.update(tx -> {
      Task t = tx.tasks().get(taskId);
      t.desiredState = TaskState.SHUTDOWN;
      t.status.state = TaskState.SHUTDOWN;
      return tx.tasks().update(t);
    });
  }

  // ---- tests ----

  @Test
  void aPassLooksAtWhatChangedNotAtEveryTask() {
    Network front = network("front", "10.10.0.0/16", false);
    Service web = service("web", null, List.of(front.id), null);
    List<String> ids = tasks(web, 1000);
    allocator.runOnce();
    scheduler.runOnce();
    store.update(tx -> {
      for (String id : ids) {
        Task t = tx.tasks().get(id);
        t.status.state = TaskState.RUNNING;
        tx.tasks().update(t);
      }
      return null;
    });
    allocator.runOnce();
    assertTrue(allocator.lastPassVisited() <= 1, "a pass after 1,000 tasks started running looked at "
        + allocator.lastPassVisited() + " rows");
    Service two = service("two", null, List.of(front.id), null);
    List<String> more = tasks(two, 2);
    allocator.runOnce();
    assertEquals(3, allocator.lastPassVisited(), "the two new tasks and their service, not the 1,000 running ones");
    assertEquals(front.id, task(more.get(1)).networksAttachments.get(0).network.id);
    assertTrue(task(ids.get(999)).networksAttachments.get(0).addresses.get(0).startsWith("10.10."));
  }

  @Test
  void tasksGetOneAddressPerNetworkAndTheServiceAVipThenTheSchedulerAssignsThem() {
    Network front = network("front", null, false);
    Network back = network("back", null, false);
    Service web = service("web", null, List.of(front.id, back.id), null);
    List<String> ids = tasks(web, 3);

    scheduler.runOnce();
    assertEquals(TaskState.NEW, task(ids.get(0)).status.state, "the scheduler leaves tasks needing networks alone");

    allocator.runOnce();
    Service s = svc(web.id);
    assertEquals(2, s.endpoint.virtualIPs.size());
    assertEquals(front.id, s.endpoint.virtualIPs.get(0).networkId);
    assertEquals("10.0.0.2/24", s.endpoint.virtualIPs.get(0).addr);
    assertEquals("10.0.1.2/24", s.endpoint.virtualIPs.get(1).addr);
    Set<String> frontAddrs = new HashSet<>();
    for (String id : ids) {
      Task t = task(id);
      assertEquals(TaskState.PENDING, t.status.state);
      assertEquals(NetworkAllocatorLoop.PENDING_MESSAGE, t.status.message);
      assertEquals(2, t.networksAttachments.size());
      assertEquals("front", t.networksAttachments.get(0).network.spec.name, "Docker's shape: the network object");
      frontAddrs.add(addr(t, front.id));
      assertTrue(addr(t, back.id).startsWith("10.0.1."));
    }
    assertEquals(Set.of("10.0.0.3/24", "10.0.0.4/24", "10.0.0.5/24"), frontAddrs);
    assertEquals(0, allocator.runOnce(), "nothing left to allocate");

    scheduler.runOnce();
    for (String id : ids) {
      assertEquals(TaskState.ASSIGNED, task(id).status.state);
      assertEquals("node1", task(id).nodeId);
    }
  }

  @Test
  void tasksOfServicesWithoutNetworksPassStraightThroughAndDnsrrGetsNoVip() {
    Service plain = service("plain", null, List.of(), null);
    List<String> ids = tasks(plain, 2);
    assertEquals(0, allocator.runOnce(), "nothing for the allocator to do");
    assertNull(svc(plain.id).endpoint == null ? null : svc(plain.id).endpoint.virtualIPs);
    scheduler.runOnce();
    assertEquals(TaskState.ASSIGNED, task(ids.get(0)).status.state);
    assertNull(task(ids.get(0)).networksAttachments);

    Network net = network("dns", null, false);
    Service rr = service("rr", "dnsrr", List.of(net.id), null);
    List<String> rrTasks = tasks(rr, 1);
    allocator.runOnce();
    Service s = svc(rr.id);
    assertTrue(s.endpoint == null || s.endpoint.virtualIPs == null, "dnsrr: no VIP");
    assertEquals("10.0.0.2/24", addr(task(rrTasks.get(0)), net.id));
  }

  @Test
  void aFullSubnetLeavesTheTaskPendingWithAClearErrorUntilAnAddressIsFreed() {
    Network small = network("small", "10.0.9.0/29", false); // .2-.6 usable: the VIP takes one, four for tasks
    Service web = service("web", null, List.of(small.id), null);
    List<String> ids = tasks(web, 5);
    allocator.runOnce();
    scheduler.runOnce();
    String waiting = null;
    for (String id : ids) {
      Task t = task(id);
      if (t.networksAttachments == null) {
        waiting = id;
      } else {
        assertEquals(TaskState.ASSIGNED, t.status.state);
      }
    }
    assertNotNull(waiting, "one task cannot have an address");
    Task w = task(waiting);
    assertEquals(TaskState.PENDING, w.status.state, "pending, and not assigned");
    assertNull(w.nodeId);
    assertEquals("no free address in network small (10.0.9.0/29)", w.status.err);
    assertEquals(NetworkAllocatorLoop.WAITING_MESSAGE, w.status.message);
    assertEquals(0, allocator.runOnce(), "the same error is not written again");
    assertEquals(0, allocator.freeAddresses(small.id));

    String victim = ids.stream().filter(id -> task(id).nodeId != null).findFirst().orElseThrow();
    String freed = addr(task(victim), small.id);
    finish(victim);
    assertEquals(1, allocator.freeAddresses(small.id), "a dead task gives its address back");
    allocator.runOnce();
    scheduler.runOnce();
    w = task(waiting);
    assertEquals(TaskState.ASSIGNED, w.status.state);
    assertNull(w.status.err);
    assertEquals(freed, addr(w, small.id));
  }

  @Test
  void removingTasksAndServicesReleasesTheirAddressesAndVips() {
    Network net = network("net", null, false);
    Service web = service("web", null, List.of(net.id), null);
    List<String> ids = tasks(web, 2);
    allocator.runOnce();
    assertEquals(253 - 3, allocator.freeAddresses(net.id));
    store.update(tx -> {
      tx.tasks().delete(ids.get(0));
      return null;
    });
    assertEquals(253 - 2, allocator.freeAddresses(net.id));
    store.update(tx -> { // shut down before it was ever scheduled: no worker can hold the address
      Task t = tx.tasks().get(ids.get(1));
      t.desiredState = TaskState.SHUTDOWN;
      return tx.tasks().update(t);
    });
    assertEquals(253 - 1, allocator.freeAddresses(net.id));
    store.update(tx -> {
      tx.tasks().delete(ids.get(1));
      tx.services().delete(web.id);
      return null;
    });
    assertEquals(253, allocator.freeAddresses(net.id), "no address held after service rm");
  }

  @Test
  void aNewLeaderRebuildsTheBookFromTheStoreAndCarriesOn() {
    Network net = network("net", null, false);
    Service web = service("web", null, List.of(net.id), null);
    List<String> first = tasks(web, 3);
    allocator.runOnce();
    long free = allocator.freeAddresses(net.id);
    allocator.stop();

    // Another manager takes over: a fresh loop knows nothing but the store.
    NetworkAllocatorLoop next = new NetworkAllocatorLoop(store, clock);
    cleanups.add(next::stop);
    assertEquals(free, next.freeAddresses(net.id));
    List<String> more = tasks(web, 2);
    next.runOnce();
    Set<String> all = new HashSet<>();
    for (String id : first) {
      all.add(addr(task(id), net.id));
    }
    for (String id : more) {
      all.add(addr(task(id), net.id));
    }
    all.add(svc(web.id).endpoint.virtualIPs.get(0).addr);
    assertEquals(6, all.size(), "no address handed out twice: " + all);
    assertTrue(all.contains("10.0.0.7/24"));
    assertEquals(1, svc(web.id).endpoint.virtualIPs.size(), "the VIP is kept, not reallocated");
  }

  @Test
  void publishedPortsJoinTheIngressNetworkWithAVip() {
    Network ingress = network("ingress", null, true);
    Network app = network("app", null, false);
    Service web = service("web", null, List.of(app.id), 8080L);
    List<String> ids = tasks(web, 1);
    allocator.runOnce();
    Service s = svc(web.id);
    assertEquals(ingress.id, s.endpoint.virtualIPs.get(0).networkId);
    assertEquals("10.0.0.2/24", s.endpoint.virtualIPs.get(0).addr);
    assertEquals("ingress", s.endpoint.ports.get(0).publishMode);
    assertEquals("tcp", s.endpoint.ports.get(0).protocol);
    Task t = task(ids.get(0));
    assertEquals("10.0.0.3/24", addr(t, ingress.id));
    assertEquals("10.0.1.3/24", addr(t, app.id));
    scheduler.runOnce();
    assertEquals(TaskState.ASSIGNED, task(ids.get(0)).status.state);
  }

  @Test
  void everyNodeGetsAnIngressAddressKeptUntilTheNodeOrTheIngressNetworkGoes() {
    store.update(tx -> tx.nodes().create(node("node2")));
    allocator.runOnce();
    assertEquals(null, store.view(tx -> tx.nodes().get("node1")).attachments, "no ingress network, no attachment");
    Network ingress = network("ingress", null, true);
    allocator.runOnce();
    Node n1 = store.view(tx -> tx.nodes().get("node1"));
    Node n2 = store.view(tx -> tx.nodes().get("node2"));
    assertEquals(ingress.id, n1.attachments.get(0).network.id);
    assertEquals(List.of("10.0.0.2/24"), n1.attachments.get(0).addresses);
    assertEquals(List.of("10.0.0.3/24"), n2.attachments.get(0).addresses);
    assertEquals(0, allocator.runOnce(), "kept as they are");
    // a task never gets a node's address; a removed node gives its address back
    Service web = service("web", null, List.of(), 8080L);
    List<String> ids = tasks(web, 1);
    allocator.runOnce();
    assertEquals("10.0.0.5/24", addr(task(ids.get(0)), ingress.id), "after the VIP .4");
    store.update(tx -> {
      tx.nodes().delete("node2");
      return null;
    });
    allocator.runOnce();
    store.update(tx -> tx.nodes().create(node("node3")));
    allocator.runOnce();
    assertEquals(List.of("10.0.0.6/24"), store.view(tx -> tx.nodes().get("node3")).attachments.get(0).addresses,
        "serial: the next address, not node2's freed .3 at once");
    // a new leader rebuilds the book from the rows: nothing moves
    NetworkAllocatorLoop next = new NetworkAllocatorLoop(store, clock);
    assertEquals(0, next.runOnce());
    next.stop();
    // without an ingress network the nodes have no attachment
    store.update(tx -> {
      tx.services().delete(web.id);
      tx.tasks().delete(ids.get(0));
      tx.networks().delete(ingress.id);
      return null;
    });
    allocator.runOnce();
    assertEquals(null, store.view(tx -> tx.nodes().get("node1")).attachments);
    assertEquals(null, store.view(tx -> tx.nodes().get("node3")).attachments);
  }

  @Test
  void ingressPortsWithoutANumberGetOneFromTheDynamicRange() {
    network("ingress", null, true);
    Service fixed = service("fixed", null, List.of(), 30000L);
    Service a = service("a", null, List.of(), 0L);
    Service b = service("b", null, List.of(), 0L);
    allocator.runOnce();
    assertEquals(30000L, svc(fixed.id).endpoint.ports.get(0).publishedPort);
    assertEquals(Set.of(30001L, 30002L), Set.of(svc(a.id).endpoint.ports.get(0).publishedPort,
        svc(b.id).endpoint.ports.get(0).publishedPort), "the next free ones, skipping 30000");
    assertEquals(0, allocator.runOnce(), "chosen ports are kept");
    assertEquals(0L, svc(a.id).spec.endpointSpec.ports.get(0).publishedPort, "the spec is left as the user gave it");
  }

  @Test
  void randomChurnNeverHandsAnAddressOutTwiceAndARebuildAgrees() {
    long seed = 42;
    Random rnd = new Random(seed);
    Network small = network("small", "10.0.9.0/28", false); // .2-.14: 13 addresses
    Network big = network("big", null, false);
    List<Service> svcs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      svcs.add(service("s" + i, null, i == 2 ? List.of(big.id) : List.of(small.id, big.id), null));
    }
    boolean sawFull = false;
    for (int step = 0; step < 150; step++) {
      int op = rnd.nextInt(10);
      List<Task> live = store.view(tx -> tx.tasks().all());
      if (op < 5 || live.isEmpty()) {
        tasks(svcs.get(rnd.nextInt(svcs.size())), 1 + rnd.nextInt(3));
      } else if (op < 8) {
        finish(live.get(rnd.nextInt(live.size())).id);
      } else {
        String id = live.get(rnd.nextInt(live.size())).id;
        store.update(tx -> {
          tx.tasks().delete(id);
          return null;
        });
      }
      if (rnd.nextBoolean()) {
        allocator.runOnce();
      }
      // Invariant: no address is held twice by live tasks and VIPs, on any network.
      allocator.runOnce();
      sawFull |= store.view(tx -> tx.tasks().all()).stream()
          .anyMatch(t -> t.status.err != null && t.status.err.startsWith("no free address in network small"));
      for (Network n : List.of(small, big)) {
        Set<String> seen = new HashSet<>();
        for (Task t : store.view(tx -> tx.tasks().all())) {
          if (!NetworkAllocatorLoop.dead(t) && t.networksAttachments != null) {
            t.networksAttachments.stream().filter(a -> a.network.id.equals(n.id)).forEach(a ->
                assertTrue(seen.add(a.addresses.get(0)), "seed " + seed + ": " + a.addresses + " held twice"));
          }
        }
        for (Service sv : store.view(tx -> tx.services().all())) {
          sv.endpoint.virtualIPs.stream().filter(v -> v.networkId.equals(n.id)).forEach(v ->
              assertTrue(seen.add(v.addr), "seed " + seed + ": VIP " + v.addr + " held twice"));
        }
        assertEquals(n == small ? 13 - seen.size() : 253 - seen.size(), allocator.freeAddresses(n.id),
            "seed " + seed + ": the book agrees with the store");
      }
    }
    assertTrue(sawFull, "the churn filled the small network at least once");
    NetworkAllocatorLoop rebuilt = new NetworkAllocatorLoop(store, clock);
    cleanups.add(rebuilt::stop);
    assertEquals(allocator.freeAddresses(small.id), rebuilt.freeAddresses(small.id));
    assertEquals(allocator.freeAddresses(big.id), rebuilt.freeAddresses(big.id));
  }

  @Test
  void theLoopsTogetherTakeAServiceWithANetworkToAssignedTasks() throws Exception {
    Network net = network("net", null, false);
    Orchestrators orchestrators = new Orchestrators(store, Clock.systemUTC());
    cleanups.add(orchestrators::stop);
    orchestrators.start();
    allocator.start();
    scheduler.start();
    Service s = new Service();
    s.spec = new Service.ServiceSpec();
    s.spec.name = "web";
    s.spec.mode = ServiceMode.replicated(4);
    s.spec.taskTemplate = new TaskSpec();
    s.spec.taskTemplate.containerSpec = new ContainerSpec();
    s.spec.taskTemplate.containerSpec.image = "busybox";
    NetworkAttachmentConfig c = new NetworkAttachmentConfig();
    c.target = net.id;
    s.spec.taskTemplate.networks = List.of(c);
    String id = store.update(tx -> tx.services().create(s)).id;
    await(() -> store.view(tx -> tx.tasks().find(Tables.BY_SERVICE, id)).stream()
        .filter(t -> t.status.state == TaskState.ASSIGNED && t.networksAttachments != null).count() == 4);
    store.update(tx -> {
      tx.services().delete(id);
      return null;
    });
    // The orchestrator shuts the tasks down; once they are dead (as a worker would report) nothing is held.
    await(() -> store.view(tx -> tx.tasks().find(Tables.BY_SERVICE, id)).stream()
        .allMatch(t -> t.desiredState.number() > TaskState.RUNNING.number()));
    for (Task t : store.view(tx -> tx.tasks().find(Tables.BY_SERVICE, id))) {
      finish(t.id);
    }
    allocator.stop();
    assertEquals(253, new NetworkAllocatorLoop(store, clock).freeAddresses(net.id));
  }

  private static void await(BooleanSupplier cond) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(20);
    }
  }
}
