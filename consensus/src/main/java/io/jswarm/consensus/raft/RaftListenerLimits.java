package io.jswarm.consensus.raft;

import io.jswarm.api.limits.ListenerLimits;
import io.jswarm.api.limits.PeerConnections;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.grpc.server.GrpcServices;
import org.apache.ratis.thirdparty.io.grpc.netty.NettyServerBuilder;
import org.apache.ratis.thirdparty.io.netty.channel.Channel;
import org.apache.ratis.thirdparty.io.netty.channel.ChannelHandlerContext;
import org.apache.ratis.thirdparty.io.netty.channel.ChannelInboundHandlerAdapter;
import org.apache.ratis.thirdparty.io.netty.channel.nio.NioEventLoopGroup;
import org.apache.ratis.thirdparty.io.netty.channel.socket.nio.NioServerSocketChannel;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.SslHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's {@link ListenerLimits} on the Raft port (Ratis' gRPC server), as on every other listener: one peer
 * address holds at most {@code maxConnectionsPerPeer} connections (more are closed as they are accepted, before any
 * byte is read: {@link CappedServerChannel}); with TLS, a connection whose handshake has not completed within
 * {@code readTimeout} is closed; a connection with no call in flight for {@code idleTimeout} is closed (gRPC's
 * {@code maxConnectionIdle}; a member's replication and client streams are calls in flight, so they are never idle).
 * The server runs on its own NIO loops: the cap hooks the NIO accept.
 */
final class RaftListenerLimits implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RaftListenerLimits.class);

  private final ListenerLimits limits;
  private final long handshakeMillis;
  private final PeerConnections open;
  /** The server's own NIO loops (the cap needs an NIO server channel); made on first use, shut down by close. */
  private NioEventLoopGroup boss;
  private NioEventLoopGroup workers;

  /** {@code tls}: the handshake deadline applies. */
  RaftListenerLimits(ListenerLimits limits, boolean tls) {
    this.limits = limits;
    this.handshakeMillis = tls ? limits.readTimeout().toMillis() : 0;
    this.open = new PeerConnections(limits.maxConnectionsPerPeer());
  }

  /** A customizer applying the limits to the gRPC server being built, then {@code then} (may be null). */
  GrpcServices.Customizer customizer(GrpcServices.Customizer then) {
    return (builder, types) -> {
      NettyServerBuilder b = apply(builder);
      return then == null ? b : then.customize(b, types);
    };
  }

  private synchronized NettyServerBuilder apply(NettyServerBuilder builder) {
    if (boss == null) {
      boss = new NioEventLoopGroup(1, daemonThreads("raft-accept"));
      workers = new NioEventLoopGroup(0, daemonThreads("raft-io"));
    }
    return builder
        .bossEventLoopGroup(boss)
        .workerEventLoopGroup(workers)
        .channelFactory(() -> new CappedServerChannel(open, handshakeMillis))
        .maxConnectionIdle(limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  private static java.util.concurrent.ThreadFactory daemonThreads(String name) {
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      t.setPriority(RaftThreads.PRIORITY);
      return t;
    };
  }

  /** Shuts the server's loops down (after the server closed). */
  @Override
  public synchronized void close() {
    if (boss != null) {
      boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
      workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
  }

  /**
   * The Raft port's server socket: counts each accepted connection against its peer address and closes those past
   * the cap at once; gives each admitted TLS connection {@code handshakeMillis} to complete its handshake.
   */
  static final class CappedServerChannel extends NioServerSocketChannel {
    private final PeerConnections open;
    private final long handshakeMillis;

    CappedServerChannel(PeerConnections open, long handshakeMillis) {
      this.open = open;
      this.handshakeMillis = handshakeMillis;
    }

    @Override
    protected int doReadMessages(List<Object> buf) throws Exception {
      int from = buf.size();
      int read = super.doReadMessages(buf);
      for (int i = buf.size() - 1; i >= from; i--) {
        Channel ch = (Channel) buf.get(i);
        Object peer = peerOf(ch);
        if (!open.open(peer)) {
          LOG.warn("Raft port: {}", open.refusal(peer));
          buf.remove(i);
          read--;
          ch.unsafe().closeForcibly();
          continue;
        }
        ch.closeFuture().addListener(f -> open.close(peer));
        if (handshakeMillis > 0) {
          ch.pipeline().addFirst("jswarm-handshake-deadline", new HandshakeDeadline(handshakeMillis));
        }
      }
      return read;
    }

    static Object peerOf(Channel ch) {
      if (ch.remoteAddress() instanceof InetSocketAddress a) {
        return a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
      }
      return String.valueOf(ch.remoteAddress());
    }
  }

  /** Closes a connection whose TLS handshake has not completed {@code millis} after it became active. */
  static final class HandshakeDeadline extends ChannelInboundHandlerAdapter {
    private final long millis;

    HandshakeDeadline(long millis) {
      this.millis = millis;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      ctx.executor().schedule(() -> {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (ctx.channel().isOpen() && (ssl == null || !ssl.handshakeFuture().isSuccess())) {
          LOG.info("Raft port: closing a connection from {} whose TLS handshake did not complete within {} ms",
              CappedServerChannel.peerOf(ctx.channel()), millis);
          ctx.close();
        }
      }, millis, TimeUnit.MILLISECONDS);
      super.channelActive(ctx);
    }
  }
}
