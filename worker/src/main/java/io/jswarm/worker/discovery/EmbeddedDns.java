package io.jswarm.worker.discovery;

import io.jswarm.linux.NetNs;
import io.jswarm.linux.Nftables;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DNS server every container on an overlay network asks (Docker's embedded DNS at {@code 127.0.0.11}).
 *
 * <p>One instance per node. {@link #start} opens, for one container, a UDP socket, a TCP listening socket and a
 * UDP socket towards the upstream resolvers, all <em>inside the container's network namespace</em>: they are
 * created on a thread that entered the namespace ({@link NetNs#call}), and a socket keeps the namespace it was
 * created in for life, whichever thread uses it later. So one selector thread serves the UDP side of every
 * container, and TCP connections (rare: truncated answers) are served by a small pool of threads.
 *
 * <p>Names of services on the container's networks are answered from the {@link ServiceDirectory} at the moment
 * the query arrives (so a change is visible to the very next query), with TTL {@link #TTL} = 0 so that no
 * client-side cache keeps a removed task's address. Everything else is forwarded unchanged (the id
 * aside) to the container's upstream resolvers, one after the other with {@link #UPSTREAM_TIMEOUT_MS} each;
 * SERVFAIL when none answers or there are none. Packets that are not a readable standard query are dropped.
 */
public final class EmbeddedDns implements AutoCloseable {
  /** Where containers find the server, as in Docker. */
  public static final InetSocketAddress DEFAULT_LISTEN = new InetSocketAddress(loopback11(), 53);
  /** TTL of answers for service and task names (Docker uses 600; 0 keeps answers exactly as fresh as the directory). */
  public static final int TTL = 0;
  /** The nft table, in each container namespace, that sends the listen address to the server's real ports. */
  public static final String REDIRECT_TABLE = "jswarm_dns";
  static final int UPSTREAM_TIMEOUT_MS = 2000;
  static final int MAX_PENDING = 512;
  static final int TCP_IDLE_MS = 10_000;
  static final int TCP_MAX_CONNECTIONS = 32;

  private static final Logger log = LoggerFactory.getLogger(EmbeddedDns.class);

  private final ServiceDirectory directory;
  private final Selector selector;
  private final Thread loop;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final ExecutorService tcpPool;
  private final Map<Path, Endpoint> endpoints = new java.util.concurrent.ConcurrentHashMap<>();
  private final AtomicInteger tcpConnections = new AtomicInteger();
  private volatile boolean closed;

  public EmbeddedDns(ServiceDirectory directory) throws IOException {
    this.directory = directory;
    this.selector = Selector.open();
    AtomicInteger n = new AtomicInteger();
    this.tcpPool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "jswarm-dns-tcp-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.loop = new Thread(this::run, "jswarm-dns");
    loop.setDaemon(true);
  }

  /**
   * Starts the selector thread for the first endpoint: a node without containers on a network needs none (each idle
   * thread is ~100 KB of a daemon's memory, and this one woke every 200 ms; docs/footprint.md).
   */
  private synchronized void startLoop() {
    if (loop.getState() == Thread.State.NEW) {
      loop.start();
    }
  }

  /** {@link #start(Path, InetSocketAddress, List, List)} on {@link #DEFAULT_LISTEN}. */
  public Endpoint start(Path netns, List<String> networkIds, List<InetSocketAddress> upstreams) throws IOException {
    return start(netns, DEFAULT_LISTEN, networkIds, upstreams);
  }

  /**
   * Starts answering inside the network namespace {@code netns} on {@code listen} (UDP and TCP) for a container
   * attached to {@code networkIds} (in attachment order), forwarding other names to {@code upstreams}. The
   * namespace's loopback must be up. The sockets are bound to ephemeral ports of the listen address and
   * {@code listen} is DNATed to them in the namespace (table {@link #REDIRECT_TABLE}), as Docker does, so the
   * container may bind port 53 itself. Fails if a server runs in that namespace already.
   */
  public Endpoint start(Path netns, InetSocketAddress listen, List<String> networkIds, List<InetSocketAddress> upstreams)
      throws IOException {
    if (closed) {
      throw new IllegalStateException("embedded DNS is closed");
    }
    if (listen.getAddress() == null || !(listen.getAddress() instanceof Inet4Address) || listen.getPort() <= 0) {
      throw new IllegalArgumentException("embedded DNS listen address must be an IPv4 address and port, got " + listen);
    }
    Endpoint e = new Endpoint(netns, listen, networkIds, upstreams);
    if (endpoints.putIfAbsent(netns, e) != null) {
      throw new IOException("embedded DNS in " + netns + " on " + listen + ": already running in that namespace");
    }
    try {
      NetNs.call(netns, () -> {
        // bound on an ephemeral port and reached through DNAT, so that the container may bind port 53 itself
        InetSocketAddress any = new InetSocketAddress(listen.getAddress(), 0);
        e.udp = DatagramChannel.open(StandardProtocolFamily.INET);
        e.udp.bind(any);
        e.udp.configureBlocking(false);
        e.upstream = DatagramChannel.open(StandardProtocolFamily.INET);
        e.upstream.bind(new InetSocketAddress(0));
        e.upstream.configureBlocking(false);
        e.tcp = ServerSocketChannel.open(StandardProtocolFamily.INET);
        e.tcp.bind(any);
        e.tcp.configureBlocking(false);
        e.queries = new UpstreamQueries(e.upstream, e.udp);
        Nftables.run(redirectScript(listen, ((InetSocketAddress) e.udp.getLocalAddress()).getPort(),
            ((InetSocketAddress) e.tcp.getLocalAddress()).getPort()));
        return null;
      });
    } catch (RuntimeException ex) {
      endpoints.remove(netns, e);
      e.closeChannels();
      Throwable c = ex.getCause() instanceof IOException ? ex.getCause() : ex;
      throw new IOException("embedded DNS in " + netns + " on " + listen + ": " + c.getMessage(), c);
    }
    startLoop();
    onLoop(() -> {
      try {
        e.udp.register(selector, SelectionKey.OP_READ, e);
        e.upstream.register(selector, SelectionKey.OP_READ, e);
        e.tcp.register(selector, SelectionKey.OP_ACCEPT, e);
      } catch (ClosedChannelException ex) {
        throw new IllegalStateException(ex);
      }
    });
    return e;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    selector.wakeup();
    try {
      if (loop.getState() != Thread.State.NEW) {
        loop.join(5000);
      }
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    }
    for (Endpoint e : List.copyOf(endpoints.values())) {
      e.close();
    }
    for (SelectionKey k : selector.keys()) {
      try {
        k.channel().close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    try {
      selector.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    tcpPool.shutdownNow();
  }

  /** Runs {@code r} on the selector thread and waits for it. */
  private void onLoop(Runnable r) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    tasks.add(() -> {
      try {
        r.run();
        done.complete(null);
      } catch (Throwable t) {
        done.completeExceptionally(t);
      }
    });
    selector.wakeup();
    try {
      done.get(10, TimeUnit.SECONDS);
    } catch (Exception ex) {
      throw new IllegalStateException("embedded DNS loop: " + ex.getMessage(), ex);
    }
  }

  private void run() {
    ByteBuffer buf = ByteBuffer.allocate(65535);
    while (!closed) {
      try {
        selector.select(200);
        Runnable t;
        while ((t = tasks.poll()) != null) {
          t.run();
        }
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
          SelectionKey k = it.next();
          it.remove();
          if (!k.isValid()) {
            continue;
          }
          Endpoint e = (Endpoint) k.attachment();
          try {
            if (k.channel() == e.udp) {
              e.readQueries(buf);
            } else if (k.channel() == e.upstream) {
              e.queries.readAnswers(buf);
            } else if (k.isAcceptable()) {
              e.accept();
            }
          } catch (IOException ex) {
            if (!e.closed) {
              log.warn("embedded DNS in {}: {}", e.netns, ex.toString());
            }
          }
        }
        long now = System.nanoTime();
        for (SelectionKey k : selector.keys()) {
          if (k.isValid() && k.attachment() instanceof Endpoint e && k.channel() == e.upstream) {
            e.queries.expire(now);
          }
        }
      } catch (Throwable ex) {
        if (!closed) {
          log.error("embedded DNS loop", ex);
        }
      }
    }
  }

  /**
   * The DNAT from the address containers use to the ports the server really listens on (as Docker does with
   * iptables): replies are translated back by conntrack, so clients see answers from the listen address.
   */
  static String redirectScript(InetSocketAddress listen, int udpPort, int tcpPort) {
    String ip = listen.getAddress().getHostAddress();
    return "table ip " + REDIRECT_TABLE + "\n"
        + "delete table ip " + REDIRECT_TABLE + "\n"
        + "table ip " + REDIRECT_TABLE + " {\n"
        + "  chain output {\n    type nat hook output priority -100; policy accept;\n"
        + "    ip daddr " + ip + " udp dport " + listen.getPort() + " dnat to " + ip + ":" + udpPort + "\n"
        + "    ip daddr " + ip + " tcp dport " + listen.getPort() + " dnat to " + ip + ":" + tcpPort + "\n"
        + "  }\n}\n";
  }

  private static InetAddress loopback11() {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, 11});
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** Local answer for {@code q}, or empty when the name is not ours and must be forwarded. */
  private Optional<byte[]> localAnswer(Endpoint e, byte[] query, DnsMessage.Query q, int maxSize) {
    List<ServiceDirectory.NetworkView> views = directory.networks(e.networkIds);
    if (q.type() == DnsMessage.TYPE_PTR && q.qclass() == DnsMessage.CLASS_IN) {
      Optional<String> ptr = ServiceNameResolver.reverse(views, q.name());
      if (ptr.isPresent()) {
        return Optional.of(DnsMessage.answerPtr(query, q, ptr.get(), TTL));
      }
    }
    Optional<List<String>> r = ServiceNameResolver.resolve(views, q.name());
    if (r.isEmpty()) {
      return Optional.empty();
    }
    if (q.type() != DnsMessage.TYPE_A || q.qclass() != DnsMessage.CLASS_IN) {
      // the name exists but has only A records: an empty NOERROR (AAAA and others), as Docker does
      return Optional.of(DnsMessage.error(query, q, DnsMessage.NOERROR));
    }
    List<Inet4Address> addrs = new ArrayList<>();
    for (String a : r.get()) {
      try {
        String[] p = VipBalancer.ipv4(a, "address").split("\\.");
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
          b[i] = (byte) Integer.parseInt(p[i]);
        }
        addrs.add((Inet4Address) InetAddress.getByAddress(b));
      } catch (IllegalArgumentException | UnknownHostException ignored) {
        // not an IPv4 literal: skip
      }
    }
    return Optional.of(DnsMessage.answer(query, q, DnsMessage.NOERROR, addrs, TTL, maxSize));
  }

  /** One container's server: its sockets (all in its network namespace), networks and upstreams. */
  public final class Endpoint implements AutoCloseable {
    private final Path netns;
    private final InetSocketAddress listen;
    private volatile List<String> networkIds;
    private volatile List<InetSocketAddress> upstreams;
    private DatagramChannel udp;
    private DatagramChannel upstream;
    private ServerSocketChannel tcp;
    /** Set once the sockets are open; touched on the selector thread only. */
    private UpstreamQueries queries;
    private volatile boolean closed;

    private Endpoint(Path netns, InetSocketAddress listen, List<String> networkIds, List<InetSocketAddress> upstreams) {
      this.netns = netns;
      this.listen = listen;
      this.networkIds = List.copyOf(networkIds);
      this.upstreams = List.copyOf(upstreams);
    }

    public Path netns() {
      return netns;
    }

    /** The container joined or left networks. */
    public void setNetworks(List<String> ids) {
      this.networkIds = List.copyOf(ids);
    }

    public void setUpstreams(List<InetSocketAddress> servers) {
      this.upstreams = List.copyOf(servers);
    }

    /** Stops answering and closes the sockets (the address is free again in the namespace when this returns). */
    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (EmbeddedDns.this.closed) {
        closeChannels();
      } else {
        onLoop(this::closeChannels);
      }
      endpoints.remove(netns, this);
      try {
        Nftables.run(netns, "table ip " + REDIRECT_TABLE + "\ndelete table ip " + REDIRECT_TABLE + "\n");
      } catch (RuntimeException ex) {
        log.debug("DNS redirect in {} not removed (namespace gone?): {}", netns, ex.toString());
      }
    }

    private void closeChannels() {
      for (var c : new java.nio.channels.Channel[] {udp, upstream, tcp}) {
        if (c != null) {
          try {
            c.close();
          } catch (IOException ignored) {
            // best effort
          }
        }
      }
      if (queries != null) {
        queries.clear();
      }
    }

    private void readQueries(ByteBuffer buf) throws IOException {
      for (int i = 0; i < 64; i++) {
        buf.clear();
        SocketAddress from = udp.receive(buf);
        if (from == null) {
          return;
        }
        byte[] query = new byte[buf.position()];
        buf.flip().get(query);
        DnsMessage.Query q = DnsMessage.parseQuery(query, query.length);
        if (q == null) {
          continue; // malformed, a response, or not a plain query: dropped
        }
        Optional<byte[]> local = localAnswer(this, query, q, DnsMessage.UDP_MAX);
        if (local.isPresent()) {
          udp.send(ByteBuffer.wrap(local.get()), from);
        } else {
          queries.forward(query, q, from, upstreams);
        }
      }
    }

    private void accept() throws IOException {
      SocketChannel c;
      while ((c = tcp.accept()) != null) {
        if (tcpConnections.incrementAndGet() > TCP_MAX_CONNECTIONS) {
          tcpConnections.decrementAndGet();
          c.close();
          continue;
        }
        SocketChannel conn = c;
        tcpPool.execute(() -> {
          try (Socket s = conn.socket()) {
            serveTcp(s);
          } catch (IOException ex) {
            // client went away or sent garbage: nothing to answer
          } finally {
            tcpConnections.decrementAndGet();
          }
        });
      }
    }

    /** DNS over TCP (RFC 1035 4.2.2: each message prefixed by its length); blocking, on a pool thread. */
    private void serveTcp(Socket s) throws IOException {
      s.getChannel().configureBlocking(true);
      s.setSoTimeout(TCP_IDLE_MS);
      DataInputStream in = new DataInputStream(s.getInputStream());
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      while (!closed) {
        int len;
        try {
          len = in.readUnsignedShort();
        } catch (EOFException | SocketTimeoutException end) {
          return;
        }
        byte[] query = in.readNBytes(len);
        if (query.length < len) {
          return;
        }
        DnsMessage.Query q = DnsMessage.parseQuery(query, query.length);
        if (q == null) {
          return; // a stream we cannot read any further
        }
        byte[] answer = localAnswer(this, query, q, 65535)
            .orElseGet(() -> forwardTcp(query, q));
        out.writeShort(answer.length);
        out.write(answer);
        out.flush();
      }
    }

    /** Forwards over TCP from inside the namespace: the socket is created there, then used from this thread. */
    private byte[] forwardTcp(byte[] query, DnsMessage.Query q) {
      for (InetSocketAddress server : upstreams) {
        try (SocketChannel ch = NetNs.call(netns, SocketChannel::open); Socket up = ch.socket()) {
          up.connect(server, UPSTREAM_TIMEOUT_MS);
          up.setSoTimeout(UPSTREAM_TIMEOUT_MS);
          DataOutputStream o = new DataOutputStream(up.getOutputStream());
          o.writeShort(query.length);
          o.write(query);
          o.flush();
          DataInputStream i = new DataInputStream(up.getInputStream());
          byte[] answer = i.readNBytes(i.readUnsignedShort());
          if (answer.length >= DnsMessage.HEADER && DnsMessage.u16(answer, 0) == q.id()) {
            return answer;
          }
        } catch (IOException | RuntimeException ex) {
          // try the next one
        }
      }
      return DnsMessage.error(query, q, DnsMessage.SERVFAIL);
    }

    @Override
    public String toString() {
      return "dns " + listen + " in " + netns;
    }
  }

  /** The nameservers of a resolv.conf that a container can reach: loopback ones (127.0.0.0/8, ::1) are left out. */
  public static List<InetSocketAddress> upstreamsFrom(List<String> nameservers) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (String ns : nameservers) {
      if (!ns.strip().matches("[0-9a-fA-F:.]+")) {
        continue; // only literals: never resolve a name here
      }
      try {
        InetAddress a = InetAddress.getByName(ns.strip());
        if (!a.isLoopbackAddress()) {
          out.add(new InetSocketAddress(a, 53));
        }
      } catch (UnknownHostException ignored) {
        // not an address
      }
    }
    return out;
  }
}
