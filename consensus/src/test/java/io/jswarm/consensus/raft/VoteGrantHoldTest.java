package io.jswarm.consensus.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
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
  private final VoteGrantHold hold = new VoteGrantHold(Duration.ofMillis(180), clock::get);

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
    la.onMessage(AppendEntriesRequestProto.getDefaultInstance());
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
