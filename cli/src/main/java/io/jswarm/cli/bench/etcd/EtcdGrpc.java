package io.jswarm.cli.bench.etcd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.thirdparty.com.google.protobuf.CodedInputStream;
import org.apache.ratis.thirdparty.com.google.protobuf.CodedOutputStream;
import org.apache.ratis.thirdparty.com.google.protobuf.WireFormat;
import org.apache.ratis.thirdparty.io.grpc.CallOptions;
import org.apache.ratis.thirdparty.io.grpc.ManagedChannel;
import org.apache.ratis.thirdparty.io.grpc.MethodDescriptor;
import org.apache.ratis.thirdparty.io.grpc.netty.NettyChannelBuilder;
import org.apache.ratis.thirdparty.io.grpc.stub.ClientCalls;

/**
 * etcd's native v3 API (gRPC, protobuf) for the benchmark: the few calls it needs (Range, Put, Txn, Status),
 * encoded by hand over the gRPC that Ratis already ships (relocated), so the CLI gains no dependency. Calls are
 * spread over {@code conns} HTTP/2 connections, as etcd's own benchmark tool does ({@code --conns}).
 */
public final class EtcdGrpc implements AutoCloseable {
  private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new java.io.ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };
  private static final MethodDescriptor<byte[], byte[]> RANGE = unary("etcdserverpb.KV/Range");
  private static final MethodDescriptor<byte[], byte[]> PUT = unary("etcdserverpb.KV/Put");
  private static final MethodDescriptor<byte[], byte[]> TXN = unary("etcdserverpb.KV/Txn");
  private static final MethodDescriptor<byte[], byte[]> STATUS = unary("etcdserverpb.Maintenance/Status");

  private final List<ManagedChannel> channels = new ArrayList<>();
  private final AtomicInteger next = new AtomicInteger();
  private final long timeoutMs;

  /** A key's value and the revision of its last change ({@code mod_revision}); null value when absent. */
  public record Kv(byte[] value, long modRevision) {}

  /** A member's view: its id, the leader's id (0: none known) and the store's revision. */
  public record Status(long memberId, long leaderId, long revision) {}

  /** The outcome of a compare-and-set: whether it took effect, and the key's revision after it. */
  public record Cas(boolean succeeded, long modRevision) {}

  public EtcdGrpc(String host, int port, int conns, long timeoutMs) {
    this.timeoutMs = timeoutMs;
    for (int i = 0; i < Math.max(1, conns); i++) {
      channels.add(NettyChannelBuilder.forAddress(host, port).usePlaintext().build());
    }
  }

  private static MethodDescriptor<byte[], byte[]> unary(String name) {
    return MethodDescriptor.<byte[], byte[]>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(name).setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
  }

  private byte[] call(MethodDescriptor<byte[], byte[]> m, byte[] req) {
    ManagedChannel ch = channels.get(Math.floorMod(next.getAndIncrement(), channels.size()));
    return ClientCalls.blockingUnaryCall(ch, m, CallOptions.DEFAULT.withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS),
        req);
  }

  /** A serializable (local to the member) read of one key. */
  public Kv get(byte[] key) throws IOException {
    Msg req = new Msg().bytes(1, key).bool(7, true);
    Kv kv = new Kv(null, 0);
    CodedInputStream in = CodedInputStream.newInstance(call(RANGE, req.done()));
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (WireFormat.getTagFieldNumber(tag) == 2) { // kvs
        kv = keyValue(in.readBytes().toByteArray());
      } else {
        in.skipField(tag);
      }
    }
    return kv;
  }

  private static Kv keyValue(byte[] b) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(b);
    byte[] value = new byte[0];
    long mod = 0;
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 3 -> mod = in.readInt64();
        case 5 -> value = in.readBytes().toByteArray();
        default -> in.skipField(tag);
      }
    }
    return new Kv(value, mod);
  }

  /** A blind write; returns the revision it made. */
  public long put(byte[] key, byte[] value) throws IOException {
    return headerRevision(call(PUT, new Msg().bytes(1, key).bytes(2, value).done()));
  }

  /**
   * One transaction: if the key's {@code mod_revision} is still {@code expected}, put the value; else read the key.
   * On success the key's new revision is the transaction's (the header's) revision.
   */
  public Cas compareAndSet(byte[] key, long expected, byte[] value) throws IOException {
    byte[] compare = new Msg().varint(1, 0 /* EQUAL */).varint(2, 2 /* MOD */).bytes(3, key).varint(6, expected).done();
    byte[] success = new Msg().message(2, new Msg().bytes(1, key).bytes(2, value).done()).done();
    byte[] failure = new Msg().message(1, new Msg().bytes(1, key).bool(7, true).done()).done();
    byte[] resp = call(TXN, new Msg().message(1, compare).message(2, success).message(3, failure).done());
    CodedInputStream in = CodedInputStream.newInstance(resp);
    long revision = 0;
    boolean ok = false;
    long current = 0;
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> revision = headerRevisionOf(in.readBytes().toByteArray());
        case 2 -> ok = in.readBool();
        case 3 -> current = rangeInResponseOp(in.readBytes().toByteArray(), current);
        default -> in.skipField(tag);
      }
    }
    return new Cas(ok, ok ? revision : current);
  }

  /** The mod_revision of the first kv of a ResponseOp's response_range, or {@code dflt}. */
  private static long rangeInResponseOp(byte[] op, long dflt) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(op);
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (WireFormat.getTagFieldNumber(tag) == 1) {
        CodedInputStream r = CodedInputStream.newInstance(in.readBytes().toByteArray());
        for (int t; (t = r.readTag()) != 0; ) {
          if (WireFormat.getTagFieldNumber(t) == 2) {
            return keyValue(r.readBytes().toByteArray()).modRevision();
          }
          r.skipField(t);
        }
      } else {
        in.skipField(tag);
      }
    }
    return dflt;
  }

  /** This connection's member and its leader. */
  public Status status() throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(call(STATUS, new byte[0]));
    long member = 0;
    long leader = 0;
    long revision = 0;
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> {
          byte[] header = in.readBytes().toByteArray();
          member = headerField(header, 2);
          revision = headerField(header, 3);
        }
        case 4 -> leader = in.readUInt64();
        default -> in.skipField(tag);
      }
    }
    return new Status(member, leader, revision);
  }

  private static long headerRevision(byte[] response) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(response);
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (WireFormat.getTagFieldNumber(tag) == 1) {
        return headerRevisionOf(in.readBytes().toByteArray());
      }
      in.skipField(tag);
    }
    return 0;
  }

  private static long headerRevisionOf(byte[] header) throws IOException {
    return headerField(header, 3);
  }

  /** A varint field of a ResponseHeader (1 cluster_id, 2 member_id, 3 revision, 4 raft_term). */
  private static long headerField(byte[] header, int field) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(header);
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (WireFormat.getTagFieldNumber(tag) == field) {
        return in.readRawVarint64();
      }
      in.skipField(tag);
    }
    return 0;
  }

  @Override
  public void close() throws InterruptedException {
    for (ManagedChannel c : channels) {
      c.shutdownNow();
    }
    for (ManagedChannel c : channels) {
      c.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** A protobuf message being written: fields in order. */
  private static final class Msg {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream(64);
    private final CodedOutputStream out = CodedOutputStream.newInstance(buf);

    Msg bytes(int field, byte[] b) throws IOException {
      out.writeByteArray(field, b);
      return this;
    }

    Msg message(int field, byte[] encoded) throws IOException {
      return bytes(field, encoded);
    }

    Msg varint(int field, long v) throws IOException {
      out.writeInt64(field, v);
      return this;
    }

    Msg bool(int field, boolean v) throws IOException {
      out.writeBool(field, v);
      return this;
    }

    byte[] done() throws IOException {
      out.flush();
      return buf.toByteArray();
    }
  }
}
