package io.jswarm.transport.http;

import io.jswarm.api.limits.PeerConnections;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps the connections one peer holds open on one listener: a TCP peer is its IP address, a unix-socket peer its
 * uid. A connection beyond the cap is closed as soon as it is accepted, before anything is read from it. One
 * instance per listener, shared by its connections; the counting is {@link PeerConnections}, as on the Raft port.
 */
@ChannelHandler.Sharable
final class PeerConnectionCap extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(PeerConnectionCap.class);
  private static final AttributeKey<Object> PEER = AttributeKey.valueOf("jswarm.peer");

  private final PeerConnections open;

  PeerConnectionCap(int max) {
    this.open = new PeerConnections(max);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    Object peer = peerOf(ctx.channel());
    if (!open.open(peer)) {
      LOG.warn(open.refusal(peer));
      ctx.close();
      return;
    }
    ctx.channel().attr(PEER).set(peer);
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    Object peer = ctx.channel().attr(PEER).getAndSet(null);
    if (peer != null) {
      open.close(peer);
    }
    super.channelInactive(ctx);
  }

  /** Connections {@code peer} (an IP address string or {@code uid N}) holds now; for tests. */
  int openBy(Object peer) {
    return open.openBy(peer);
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
