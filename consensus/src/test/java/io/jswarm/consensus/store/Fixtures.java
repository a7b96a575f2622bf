package io.jswarm.consensus.store;

import io.jswarm.api.types.Config;
import io.jswarm.api.types.Network;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Secret;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Swarm;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Stores and rows for store tests. Seeds and times are fixed so every run makes the same ids. */
final class Fixtures {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private Fixtures() {}

  /** A store on a {@link LocalProposer}: every write is applied at the next index (1, 2, 3, ...). */
  static MemoryStore localStore(TestClock clock, long seed) {
    LocalProposer p = new LocalProposer();
    MemoryStore s = new MemoryStore(p, clock, IdGenerator.fromRandom(new Random(seed)));
    p.bind(s);
    return s;
  }

  static MemoryStore localStore() {
    return localStore(new TestClock(T0), 42);
  }

  static MemoryStore manualStore(ManualProposer p, long seed) {
    MemoryStore s = new MemoryStore(p, new TestClock(T0), IdGenerator.fromRandom(new Random(seed)));
    p.bind(s);
    return s;
  }

  static Service service(String name) {
    return service(null, name);
  }

  static Service service(String id, String name) {
    Service s = new Service();
    s.id = id;
    s.spec = new Service.ServiceSpec();
    s.spec.name = name;
    s.spec.labels = new LinkedHashMap<>();
    return s;
  }

  static Service service(String name, Map<String, String> labels) {
    Service s = service(name);
    s.spec.labels = new LinkedHashMap<>(labels);
    return s;
  }

  static Task task(String serviceId, long slot, String nodeId, TaskState desired) {
    Task t = new Task();
    t.serviceId = serviceId;
    t.slot = slot;
    t.nodeId = nodeId;
    t.desiredState = desired;
    t.name = serviceId + "." + slot;
    return t;
  }

  static Node node(String id, String hostname) {
    Node n = new Node();
    n.id = id;
    n.description = new Node.Description();
    n.description.hostname = hostname;
    return n;
  }

  static Network network(String name) {
    Network n = new Network();
    n.spec = new Network.Spec();
    n.spec.name = name;
    return n;
  }

  static Secret secret(String name) {
    Secret s = new Secret();
    s.spec = new Secret.Spec();
    s.spec.name = name;
    return s;
  }

  static Config config(String name) {
    Config c = new Config();
    c.spec = new Config.Spec();
    c.spec.name = name;
    return c;
  }

  static Swarm cluster(String name) {
    Swarm s = new Swarm();
    s.spec = new Swarm.Spec();
    s.spec.name = name;
    return s;
  }
}
