package io.jswarm.consensus.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.grpc.server.GrpcServices;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcReplyProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteReplyProto;
import org.apache.ratis.thirdparty.io.grpc.Attributes;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.MethodDescriptor;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.ServerCallHandler;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A member sends a vote it granted no sooner than the hold after a leader's append arrived; refusals, and grants
 * after the hold, go at once; nothing is reordered.
 */
class VoteGrantHoldTest {
  private final AtomicLong clock = new AtomicLong(TimeUnit.SECONDS.toNanos(100));
  private final AtomicLong term = new AtomicLong(7);
  private final VoteGrantHold hold = new VoteGrantHold(Duration.ofMillis(180), term::get, clock::get);

  @AfterEach
  void close() {
    hold.close();
  }

  @Test
  void theHoldIsAShareOfTheElectionTimeoutCappedSoThatMembersAgree() {
    assertEquals(Duration.ofMillis(180), VoteGrantHold.hold(Duration.ofMillis(300)));
    assertEquals(Duration.ofMillis(180), VoteGrantHold.hold(Duration.ofMillis(1000)));
    assertEquals(Duration.ofMillis(60), VoteGrantHold.hold(Duration.ofMillis(100)));
    assertEquals(Duration.ofMillis(162), VoteGrantHold.lease(Duration.ofMillis(500)));
  }

  @Test
  void withTheLeaseOffThereIsNoHoldAndNoInterceptor() {
    assertEquals(Duration.ZERO, VoteGrantHold.hold(Duration.ofMillis(300), false));
    assertEquals(Duration.ofMillis(180), VoteGrantHold.hold(Duration.ofMillis(300), true));
    try (VoteGrantHold none = new VoteGrantHold(VoteGrantHold.hold(Duration.ofMillis(500), false), term::get,
        clock::get)) {
      assertEquals(0, none.holdNanos(), "a member that just started holds nothing without the lease");
      append(none, 7);
      assertEquals(0, none.holdNanos(), "nor after an append");
      FakeCall<String, RequestVoteReplyProto> granted = call("requestVote");
      none.interceptCall(granted, new Metadata(), answering(granted, vote(true))).onHalfClose();
      assertEquals(List.of("message granted", "close OK"), granted.events(), "sent at once");
      GrpcServices.Customizer then = (b, types) -> b;
      assertSame(then, none.customizer(then), "no interceptor is added to the Raft server");
    }
  }

  @Test
  void anAppendOfAnOlderTermDoesNotRefreshTheHold() {
    clock.addAndGet(ms(500)); // the start's hold is over
    term.set(8); // a new term began: the leader of term 7 was deposed
    append(hold, 7);
    assertEquals(0, hold.holdNanos(), "Ratis refuses the deposed leader's append: nothing to hold for");
    installSnapshot(hold, 7);
    assertEquals(0, hold.holdNanos(), "nor for its snapshot");
    append(hold, 8);
    assertEquals(ms(180), hold.holdNanos(), "an append of the current term is noted");
    clock.addAndGet(ms(500));
    append(hold, 9);
    assertEquals(ms(180), hold.holdNanos(), "and one of a later term (it makes the member follow that term)");
    clock.addAndGet(ms(500));
    term.set(10);
    installSnapshot(hold, 10);
    assertEquals(ms(180), hold.holdNanos(), "a snapshot of the current term is noted");
  }

  @Test
  void anAppendIsNotedWhenTheTermCannotBeReadYet() {
    try (VoteGrantHold starting = new VoteGrantHold(Duration.ofMillis(180), () -> {
      throw new IllegalStateException("not started");
    }, clock::get)) {
      clock.addAndGet(ms(500));
      append(starting, 1);
      assertEquals(ms(180), starting.holdNanos());
    }
  }

  /** An append of a leader of {@code leaderTerm} arriving through {@code h}. */
  private static void append(VoteGrantHold h, long leaderTerm) {
    FakeCall<AppendEntriesRequestProto, String> call = call("appendEntries");
    List<Object> seen = new ArrayList<>();
    h.interceptCall(call, new Metadata(), (c, m) -> new ServerCall.Listener<>() {
      @Override
      public void onMessage(AppendEntriesRequestProto m) {
        seen.add(m);
      }
    }).onMessage(AppendEntriesRequestProto.newBuilder().setLeaderTerm(leaderTerm).build());
    assertEquals(1, seen.size(), "the append goes on to Ratis whatever its term");
  }

  private static void installSnapshot(VoteGrantHold h, long leaderTerm) {
    FakeCall<InstallSnapshotRequestProto, String> call = call("installSnapshot");
    h.interceptCall(call, new Metadata(), (c, m) -> new ServerCall.Listener<>() { })
        .onMessage(InstallSnapshotRequestProto.newBuilder().setLeaderTerm(leaderTerm).build());
  }

  @Test
  void aGrantWithinTheHoldOfAnAppendWaitsAndTheCloseAfterIt() throws Exception {
    clock.addAndGet(ms(500)); // long after the start: nothing held
    FakeCall<String, RequestVoteReplyProto> quiet = call("requestVote");
    var l0 = hold.interceptCall(quiet, new Metadata(), answering(quiet, vote(true)));
    l0.onHalfClose();
    assertEquals(List.of("message granted", "close OK"), quiet.events(), "no append for longer than the hold");

    FakeCall<AppendEntriesRequestProto, String> append = call("appendEntries");
    List<Object> seen = new ArrayList<>();
    var la = hold.interceptCall(append, new Metadata(), (c, h) -> new ServerCall.Listener<>() {
      @Override
      public void onMessage(AppendEntriesRequestProto m) {
        seen.add(m);
      }
    });
    la.onMessage(AppendEntriesRequestProto.newBuilder().setLeaderTerm(7).build());
    assertEquals(1, seen.size(), "the append goes on to Ratis");

    clock.addAndGet(ms(50));
    FakeCall<String, RequestVoteReplyProto> refused = call("requestVote");
    hold.interceptCall(refused, new Metadata(), answering(refused, vote(false))).onHalfClose();
    assertEquals(List.of("message refused", "close OK"), refused.events(), "a refusal is never held");

    FakeCall<String, RequestVoteReplyProto> granted = call("requestVote");
    hold.interceptCall(granted, new Metadata(), answering(granted, vote(true))).onHalfClose();
    assertEquals(List.of(), granted.events(), "granted 50 ms after an append: held");
    assertEquals(ms(130), hold.holdNanos());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (granted.events().size() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(List.of("message granted", "close OK"), granted.events(), "sent after the hold, in order");

    clock.addAndGet(ms(180));
    assertEquals(0, hold.holdNanos(), "the hold ran out");
  }

  @Test
  void aMemberThatJustStartedHoldsItsGrants() {
    assertEquals(ms(180), hold.holdNanos(), "it may have acknowledged a leader before a restart");
  }

  private static long ms(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }

  private static RequestVoteReplyProto vote(boolean granted) {
    return RequestVoteReplyProto.newBuilder().setTerm(7)
        .setServerReply(RaftRpcReplyProto.newBuilder().setSuccess(granted)).build();
  }

  /** A handler that answers the call once it is half-closed, as a unary gRPC method does. */
  private static <Q> ServerCallHandler<Q, RequestVoteReplyProto> answering(FakeCall<Q, RequestVoteReplyProto> unused,
      RequestVoteReplyProto reply) {
    return (call, headers) -> new ServerCall.Listener<>() {
      @Override
      public void onHalfClose() {
        call.sendHeaders(new Metadata());
        call.sendMessage(reply);
        call.close(Status.OK, new Metadata());
      }
    };
  }

  private static <Q, R> FakeCall<Q, R> call(String method) {
    return new FakeCall<>(MethodDescriptor.<Q, R>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(VoteGrantHold.SERVER_SERVICE, method))
        .setRequestMarshaller(new Unused<>()).setResponseMarshaller(new Unused<>()).build());
  }

  /** Records what is sent on it. */
  private static final class FakeCall<Q, R> extends ServerCall<Q, R> {
    private final MethodDescriptor<Q, R> method;
    private final List<String> events = new ArrayList<>();

    FakeCall(MethodDescriptor<Q, R> method) {
      this.method = method;
    }

    synchronized List<String> events() {
      return new ArrayList<>(events);
    }

    @Override
    public void request(int n) {
    }

    @Override
    public void sendHeaders(Metadata headers) {
    }

    @Override
    public synchronized void sendMessage(R message) {
      events.add("message " + (message instanceof RequestVoteReplyProto r && r.getServerReply().getSuccess()
          ? "granted" : "refused"));
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
      events.add("close " + status.getCode());
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public Attributes getAttributes() {
      return Attributes.EMPTY;
    }

    @Override
    public MethodDescriptor<Q, R> getMethodDescriptor() {
      return method;
    }
  }

  private static final class Unused<T> implements MethodDescriptor.Marshaller<T> {
    @Override
    public InputStream stream(T value) {
      return new ByteArrayInputStream(new byte[0]);
    }

    @Override
    public T parse(InputStream stream) {
      throw new UnsupportedOperationException();
    }
  }
}
