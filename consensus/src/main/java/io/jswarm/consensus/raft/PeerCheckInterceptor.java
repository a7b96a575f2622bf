package io.jswarm.consensus.raft;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
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
 * it, the node its client certificate names (CN) must be allowed; otherwise the call is closed with
 * {@code PERMISSION_DENIED} and the message is dropped. Installed through Ratis' {@link GrpcServices.Customizer}.
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
    String peer = nodeId(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
    String refusal = policy.refusal(peer, kind);
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
        String now = policy.refusal(peer, kind);
        if (now != null) {
          denied = true;
          deny(call, now);
          return;
        }
        super.onMessage(message);
      }
    };
  }

  private static void deny(ServerCall<?, ?> call, String refusal) {
    LOG.info("refusing Raft call {}: {}", call.getMethodDescriptor().getFullMethodName(), refusal);
    try {
      call.close(Status.PERMISSION_DENIED.withDescription(refusal), new Metadata());
    } catch (IllegalStateException e) {
      // already closed
    }
  }

  /** The CN of the verified client certificate of {@code session}, or null. */
  static String nodeId(SSLSession session) {
    if (session == null) {
      return null;
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
        return null;
      }
      for (Rdn rdn : new LdapName(leaf.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return String.valueOf(rdn.getValue());
        }
      }
      return null;
    } catch (SSLPeerUnverifiedException | InvalidNameException e) {
      return null;
    }
  }
}
