package io.jswarm.manager.controlapi;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.EventMessage;
import io.jswarm.api.validation.LogParams;
import io.jswarm.manager.events.EventBus;
import io.jswarm.manager.events.EventFilter;
import io.jswarm.transport.http.HttpRequest;
import io.jswarm.transport.http.HttpResponse;
import io.jswarm.transport.http.Router;
import io.jswarm.transport.http.StreamSink;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /events} as dockerd serves it: {@code filters} ({@link EventFilter}), {@code since} and {@code until}
 * (Unix {@code seconds[.nanoseconds]}), the answer one JSON object per line, streamed. With {@code since} the kept
 * events from then are sent first; with an {@code until} in the past only those, and the stream ends; with an
 * {@code until} in the future the stream ends then. Any node answers it: a manager has the swarm's events, every
 * node its own containers' events. Each stream is written by its own thread from its {@link EventBus} buffer; a
 * client too slow to keep up is disconnected.
 */
public final class EventRoutes {
  private static final AtomicInteger STREAMS = new AtomicInteger();
  private final EventBus bus;
  private final Clock clock;

  public EventRoutes(EventBus bus, Clock clock) {
    this.bus = Objects.requireNonNull(bus, "bus");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public void routes(Router r) {
    r.get("/events", this::events);
  }

  private HttpResponse events(HttpRequest req) {
    Instant since = LogParams.unixTime("since", req.param("since"));
    Instant until = LogParams.unixTime("until", req.param("until"));
    if (since != null && until != null && until.isBefore(since)) {
      throw new InvalidArgumentException("`since` time (" + req.param("since") + ") cannot be after `until` time ("
          + req.param("until") + ")");
    }
    EventFilter filter = EventFilter.parse(req.param("filters"));
    EventBus.Subscription sub = bus.subscribe(filter, nanos(since), nanos(until));
    boolean onlyPast = until != null && until.isBefore(clock.instant());
    return HttpResponse.stream(200, "application/json", sink -> {
      Thread t = new Thread(() -> pump(sub, sink, onlyPast, until), "events-" + STREAMS.incrementAndGet());
      t.setDaemon(true);
      sink.onClose(sub::close);
      t.start();
    });
  }

  private void pump(EventBus.Subscription sub, StreamSink sink, boolean onlyPast, Instant until) {
    try {
      for (EventMessage m : sub.past()) {
        if (!send(sink, m)) {
          return;
        }
      }
      if (onlyPast) {
        return;
      }
      while (sink.isOpen() && !sub.isClosed()) {
        long wait = 500;
        if (until != null) {
          long left = nanos(until) / 1_000_000 - clock.millis();
          if (left <= 0) {
            return;
          }
          wait = Math.min(wait, left);
        }
        EventMessage m = sub.poll(wait, TimeUnit.MILLISECONDS);
        if (m != null && !send(sink, m)) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      sub.close();
      sink.close();
    }
  }

  private static boolean send(StreamSink sink, EventMessage m) {
    byte[] json = Json.toApiBytes(m);
    byte[] line = java.util.Arrays.copyOf(json, json.length + 1);
    line[json.length] = '\n';
    return sink.send(line);
  }

  /** Unix nanoseconds; a time past what they can hold (year 2262) is the largest. */
  private static long nanos(Instant t) {
    if (t == null) {
      return 0;
    }
    try {
      return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    } catch (ArithmeticException e) {
      return t.getEpochSecond() < 0 ? 1 : Long.MAX_VALUE;
    }
  }
}
