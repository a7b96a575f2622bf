package io.jswarm.cli.hollow;

import io.jswarm.api.dispatcher.SessionRequest;
import io.jswarm.api.cluster.JoinRequest;
import io.jswarm.api.types.Node;
import io.jswarm.cli.daemon.NodeDescriptions;
import io.jswarm.transport.pki.JoinClient;
import io.jswarm.transport.pki.TlsContexts;
import io.jswarm.worker.agent.Agent;
import io.jswarm.worker.agent.NettyDispatcherTransport;
import io.jswarm.worker.agent.SimulatedExecutor;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many real worker agents in one process, like Kubernetes' kubemark: each hollow node joins with the worker token
 * (its own key and certificate, a node row made by the managers), keeps its own dispatcher session over mutual TLS,
 * heartbeats and reports task statuses; its tasks run in the {@link SimulatedExecutor}. What the nodes share is
 * threads: one Netty event loop group for every connection (their TLS handshakes bounded and run on their own
 * threads, {@link #HANDSHAKE_PERMITS}), one timer ({@link #timerThreads}: its heartbeats and
 * reports block) and one small task pool for every agent,
 * and one session-reading thread per node with a small stack. That is what lets 1,000 of them run on a 2-core
 * machine beside the managers.
 */
public final class HollowNodes implements AutoCloseable {
  /** Joins running at once (each is a CA fetch, a key, a CSR and a Raft write on the managers). */
  static final int JOIN_PARALLELISM = 8;
  /** Fewest threads of the timer every agent shares (heartbeats, status reports). */
  static final int MIN_TIMER_THREADS = 32;
  /** Most threads of that timer. */
  static final int MAX_TIMER_THREADS = 512;
  /**
   * Session opens with their TLS handshake in progress at once across every node. A reconnect storm (1,000 sessions
   * ended together) otherwise started 1,000 handshakes at once: the managers answered none in time, connects timed
   * out and were retried, and heartbeats of connected nodes came late. (The heartbeat connection of an open session
   * takes no permit: it must not wait behind other nodes' opens.)
   */
  static final int HANDSHAKE_PERMITS = 32;
  /** Threads that run the handshakes' crypto, so the I/O threads keep moving heartbeats meanwhile. */
  static final int HANDSHAKE_THREADS = 2;
  /** Stack of each node's session thread: it only reads lines and decodes JSON. */
  static final long SESSION_STACK_BYTES = 256 * 1024;

  private final EventLoopGroup loops;
  private final ScheduledExecutorService timer;
  private final ExecutorService taskPool;
  private final ThreadFactory sessionThreads;
  private final ExecutorService handshakeThreads;
  private final NettyDispatcherTransport.Handshakes handshakes;
  private final SimulatedExecutor executor = new SimulatedExecutor();
  private final List<Agent> agents = Collections.synchronizedList(new ArrayList<>());
  private final List<NettyDispatcherTransport> transports = Collections.synchronizedList(new ArrayList<>());
  private final Clock clock;

  /**
   * Threads of the shared timer for {@code nodes} nodes: one per two nodes, within [{@value #MIN_TIMER_THREADS},
   * {@value #MAX_TIMER_THREADS}]. A heartbeat holds its thread for a round trip to the leader, and every node sends
   * one per period (5 s): with a fixed 32 threads and 1,000 nodes, a round trip slower than 160 ms (any loaded
   * leader) made heartbeats queue up here until the leader marked nodes down (seen at load 60: 24 nodes down while
   * 350 joined). With one thread per two nodes a round trip may take 2.5 s.
   */
  static int timerThreads(int nodes) {
    return Math.max(MIN_TIMER_THREADS, Math.min(MAX_TIMER_THREADS, nodes / 2));
  }

  public HollowNodes(Clock clock, int ioThreads, int nodes) {
    this.clock = clock;
    this.loops = new MultiThreadIoEventLoopGroup(ioThreads, new DefaultThreadFactory("hollow-io", true),
        NioIoHandler.newFactory());
    // heartbeats and status reports are blocking calls made on the timer's threads: enough of them that one slow
    // answer does not hold up other nodes' heartbeats (with 2, a loaded leader got nodes marked down)
    this.timer = Executors.newScheduledThreadPool(timerThreads(nodes),
        daemonThreads("hollow-timer", SESSION_STACK_BYTES));
    this.taskPool = Executors.newFixedThreadPool(4, daemonThreads("hollow-task", 0));
    this.sessionThreads = daemonThreads("hollow-session", SESSION_STACK_BYTES);
    this.handshakeThreads = Executors.newFixedThreadPool(HANDSHAKE_THREADS, daemonThreads("hollow-tls", 0));
    this.handshakes = new NettyDispatcherTransport.Handshakes(handshakeThreads,
        new java.util.concurrent.Semaphore(HANDSHAKE_PERMITS, true));
  }

  /**
   * Joins {@code count} nodes named {@code prefix-1..count} through {@code managers} (tried in turn) with the worker
   * token, and starts each node's agent as soon as it joined.
   *
   * @param progress called with the number of nodes joined so far
   */
  public void start(List<String> managers, String token, String prefix, int count,
      java.util.function.IntConsumer progress) throws IOException, InterruptedException {
    ExecutorService joins = Executors.newFixedThreadPool(JOIN_PARALLELISM, daemonThreads("hollow-join", 0));
    AtomicInteger joined = new AtomicInteger();
    List<Future<?>> all = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      String name = prefix + "-" + i;
      int n = i;
      all.add(joins.submit(() -> {
        startOne(managers, token, name, n);
        progress.accept(joined.incrementAndGet());
        return null;
      }));
    }
    joins.shutdown();
    try {
      for (Future<?> f : all) {
        f.get();
      }
    } catch (java.util.concurrent.ExecutionException e) {
      joins.shutdownNow();
      Throwable c = e.getCause();
      throw c instanceof IOException io ? io : new IOException("a hollow node could not join: " + c.getMessage(), c);
    }
  }

  private void startOne(List<String> managers, String token, String name, int n) throws Exception {
    JoinRequest fields = new JoinRequest();
    fields.hostname = name;
    Node.Description description = NodeDescriptions.describe(name, "hollow", Map.of("hollow", "true"));
    fields.description = description;
    JoinClient.Joined joined = null;
    Exception last = null;
    for (int attempt = 0; attempt < managers.size() * 3 && joined == null; attempt++) {
      String via = managers.get((n + attempt) % managers.size());
      try {
        joined = new JoinClient().join(via, token, fields);
      } catch (io.jswarm.api.errors.InvalidArgumentException e) {
        throw e; // a bad token: no other manager takes it either
      } catch (Exception e) {
        last = e;
        Thread.sleep(200);
      }
    }
    if (joined == null) {
      throw new IOException("hollow node " + name + " could not join through " + managers + ": " + last, last);
    }
    // Each hollow node has its own loopback address (127.1.x.y): its connections come from there, since a manager
    // bounds the connections one peer address may hold, and overlay endpoints name distinct underlays.
    String addr = "127.1." + ((n >> 8) & 0xff) + "." + (n & 0xff);
    // managers only, as a real node's agent (WorkerRole): a worker's certificate cannot pose as a dispatcher
    NettyDispatcherTransport transport = new NettyDispatcherTransport(loops,
        TlsContexts.nettyManagerClient(joined.credentials()), new java.net.InetSocketAddress(addr, 0), handshakes);
    transports.add(transport);
    List<String> known = new ArrayList<>(managers);
    Collections.rotate(known, -(n % known.size())); // spread first contact over the managers
    Agent agent = new Agent(known, transport, executor, () -> {
      SessionRequest r = new SessionRequest();
      r.description = description;
      r.addr = addr;
      return r;
    }, clock, Agent.Threads.shared(timer, taskPool, sessionThreads));
    agents.add(agent);
    agent.start();
  }

  /** Nodes whose agent has an open session now. */
  public int connected() {
    int n = 0;
    synchronized (agents) {
      for (Agent a : agents) {
        if (a.connectedManager() != null) {
          n++;
        }
      }
    }
    return n;
  }

  /** Tasks the hollow nodes hold, by last reported state name. */
  public Map<String, Integer> taskStates() {
    Map<String, Integer> out = new java.util.TreeMap<>();
    synchronized (agents) {
      for (Agent a : agents) {
        a.taskStatuses().values().forEach(s -> out.merge(s.state.json(), 1, Integer::sum));
      }
    }
    return out;
  }

  public int size() {
    return agents.size();
  }

  @Override
  public void close() {
    List<Agent> copy;
    synchronized (agents) {
      copy = new ArrayList<>(agents);
    }
    copy.parallelStream().forEach(Agent::close);
    synchronized (transports) {
      transports.forEach(NettyDispatcherTransport::close);
    }
    timer.shutdownNow();
    taskPool.shutdownNow();
    handshakeThreads.shutdownNow();
    executor.close();
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static ThreadFactory daemonThreads(String prefix, long stack) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(null, r, prefix + "-" + n.incrementAndGet(), stack);
      t.setDaemon(true);
      return t;
    };
  }
}
