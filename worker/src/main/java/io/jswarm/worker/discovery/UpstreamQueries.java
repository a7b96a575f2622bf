package io.jswarm.worker.discovery;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The queries one container's embedded DNS server forwarded over UDP and has not answered yet. Each goes to the
 * container's upstream resolvers one after the other, {@link EmbeddedDns#UPSTREAM_TIMEOUT_MS} each, under an id
 * of its own (so answers of two clients that chose the same id do not mix); the answer goes back to the client
 * with the client's id, SERVFAIL when no server answered. At most {@link EmbeddedDns#MAX_PENDING} at once. Used
 * on the server's selector thread only.
 */
final class UpstreamQueries {
  private final DatagramChannel upstream;
  private final DatagramChannel replies;
  private final Map<Integer, Pending> pending = new HashMap<>();

  /** Sends on {@code upstream} (its answers arrive there too) and replies to clients on {@code replies}. */
  UpstreamQueries(DatagramChannel upstream, DatagramChannel replies) {
    this.upstream = upstream;
    this.replies = replies;
  }

  void forward(byte[] query, DnsMessage.Query q, SocketAddress client, List<InetSocketAddress> servers)
      throws IOException {
    if (servers.isEmpty() || pending.size() >= EmbeddedDns.MAX_PENDING) {
      replies.send(ByteBuffer.wrap(DnsMessage.error(query, q, DnsMessage.SERVFAIL)), client);
      return;
    }
    int id;
    do {
      id = ThreadLocalRandom.current().nextInt(0x10000);
    } while (pending.containsKey(id));
    Pending p = new Pending(query, q, client, servers, id);
    pending.put(id, p);
    send(p);
  }

  private void send(Pending p) throws IOException {
    byte[] out = p.query.clone();
    DnsMessage.putU16(out, 0, p.upstreamId);
    p.deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(EmbeddedDns.UPSTREAM_TIMEOUT_MS);
    upstream.send(ByteBuffer.wrap(out), p.servers.get(p.server));
  }

  /** Reads what the upstream socket holds (up to 64 datagrams) into {@code buf} and relays the answers. */
  void readAnswers(ByteBuffer buf) throws IOException {
    for (int i = 0; i < 64; i++) {
      buf.clear();
      SocketAddress from = upstream.receive(buf);
      if (from == null) {
        return;
      }
      if (buf.position() < DnsMessage.HEADER) {
        continue;
      }
      byte[] answer = new byte[buf.position()];
      buf.flip().get(answer);
      Pending p = pending.get(DnsMessage.u16(answer, 0));
      if (p == null || !from.equals(p.servers.get(p.server))) {
        continue; // late, or not from the server asked
      }
      pending.remove(p.upstreamId);
      DnsMessage.putU16(answer, 0, p.q.id());
      replies.send(ByteBuffer.wrap(answer), p.client);
    }
  }

  /** Moves each query past its deadline ({@code now}: {@link System#nanoTime}) to the next server, or fails it. */
  void expire(long now) {
    if (pending.isEmpty()) {
      return;
    }
    for (Pending p : new ArrayList<>(pending.values())) {
      if (now - p.deadline < 0) {
        continue;
      }
      try {
        if (p.server + 1 < p.servers.size()) {
          p.server++;
          send(p);
        } else {
          pending.remove(p.upstreamId);
          replies.send(ByteBuffer.wrap(DnsMessage.error(p.query, p.q, DnsMessage.SERVFAIL)), p.client);
        }
      } catch (IOException ex) {
        pending.remove(p.upstreamId);
      }
    }
  }

  void clear() {
    pending.clear();
  }

  /** A query sent upstream and not answered yet. */
  private static final class Pending {
    final byte[] query;
    final DnsMessage.Query q;
    final SocketAddress client;
    final List<InetSocketAddress> servers;
    final int upstreamId;
    int server;
    long deadline;

    Pending(byte[] query, DnsMessage.Query q, SocketAddress client, List<InetSocketAddress> servers, int upstreamId) {
      this.query = query;
      this.q = q;
      this.client = client;
      this.servers = servers;
      this.upstreamId = upstreamId;
    }
  }
}
