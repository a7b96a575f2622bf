package io.jswarm.consensus.raft;

import org.apache.ratis.grpc.server.GrpcServices;
import org.apache.ratis.thirdparty.io.grpc.ForwardingServerCallListener;
import org.apache.ratis.thirdparty.io.grpc.Grpc;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.ServerCallHandler;
import org.apache.ratis.thirdparty.io.grpc.ServerInterceptor;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.netty.NettyServerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a {@link RaftPeerPolicy} on this manager's Raft gRPC server: when a call starts and on every message of
 * it, the node its client certificate names (CN) must be allowed and the certificate within its dates
 * ({@link PeerCertificate}); otherwise the call is closed with {@code PERMISSION_DENIED} and the message is dropped.
 * Installed through Ratis' {@link GrpcServices.Customizer}.
 */
final class PeerCheckInterceptor implements ServerInterceptor {
  private static final Logger LOG = LoggerFactory.getLogger(PeerCheckInterceptor.class);
  private static final String SERVER_SERVICE = "ratis.grpc.RaftServerProtocolService";

  private final RaftPeerPolicy policy;

  PeerCheckInterceptor(RaftPeerPolicy policy) {
    this.policy = policy;
  }

  /** The customizer that adds this interceptor to the Raft gRPC server. */
  GrpcServices.Customizer customizer() {
    return (NettyServerBuilder builder, java.util.EnumSet<GrpcServices.Type> types) -> builder.intercept(this);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    RaftPeerPolicy.Kind kind = SERVER_SERVICE.equals(call.getMethodDescriptor().getServiceName())
        ? RaftPeerPolicy.Kind.REPLICATION : RaftPeerPolicy.Kind.CLIENT;
    PeerCertificate peer = PeerCertificate.of(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
    String refusal = refusal(peer, kind);
    if (refusal != null) {
      deny(call, refusal);
      return new ServerCall.Listener<>() {};
    }
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
      private volatile boolean denied;

      @Override
      public void onMessage(Q message) {
        if (denied) {
          return;
        }
        String now = refusal(peer, kind);
        if (now != null) {
          denied = true;
          deny(call, now);
          return;
        }
        super.onMessage(message);
      }
    };
  }

  private String refusal(PeerCertificate peer, RaftPeerPolicy.Kind kind) {
    if (peer != null && PeerCertificate.nodeIdAt(peer, System.currentTimeMillis()) == null) {
      return "the certificate of node " + peer.nodeId() + " is outside its validity dates";
    }
    return policy.refusal(peer == null ? null : peer.nodeId(), kind);
  }

  private static void deny(ServerCall<?, ?> call, String refusal) {
    LOG.info("refusing Raft call {}: {}", call.getMethodDescriptor().getFullMethodName(), refusal);
    try {
      call.close(Status.PERMISSION_DENIED.withDescription(refusal), new Metadata());
    } catch (IllegalStateException e) {
      // already closed
    }
  }
}
