package io.jswarm.transport.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps the connections one peer holds open on one listener: a TCP peer is its IP address, a unix-socket peer its
 * uid. A connection beyond the cap is closed as soon as it is accepted, before anything is read from it. One
 * instance per listener, shared by its connections.
 */
@ChannelHandler.Sharable
final class PeerConnectionCap extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(PeerConnectionCap.class);
  private static final AttributeKey<Object> PEER = AttributeKey.valueOf("jswarm.peer");

  private final int max;
  private final ConcurrentHashMap<Object, AtomicInteger> open = new ConcurrentHashMap<>();

  PeerConnectionCap(int max) {
    this.max = max;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    Object peer = peerOf(ctx.channel());
    int n = open.computeIfAbsent(peer, k -> new AtomicInteger()).incrementAndGet();
    ctx.channel().attr(PEER).set(peer);
    if (n > max) {
      LOG.warn("refusing a connection from {}: it already holds {} connections to this listener (the cap)", peer, max);
      ctx.close();
      return;
    }
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    Object peer = ctx.channel().attr(PEER).getAndSet(null);
    if (peer != null) {
      open.computeIfPresent(peer, (k, c) -> c.decrementAndGet() <= 0 ? null : c);
    }
    super.channelInactive(ctx);
  }

  /** Connections {@code peer} (an IP address string or {@code uid N}) holds now; for tests. */
  int openBy(Object peer) {
    AtomicInteger c = open.get(peer);
    return c == null ? 0 : c.get();
  }

  private static Object peerOf(Channel ch) {
    if (ch.remoteAddress() instanceof InetSocketAddress a) {
      return a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
    }
    if (ch instanceof EpollDomainSocketChannel d) {
      try {
        return "uid " + d.peerCredentials().uid();
      } catch (java.io.IOException e) {
        return "unix";
      }
    }
    return "unix";
  }
}
