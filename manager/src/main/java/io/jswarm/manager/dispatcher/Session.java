package io.jswarm.manager.dispatcher;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.transport.http.StreamSink;
import java.util.HashSet;
import java.util.Set;

/**
 * One agent's open session: its stream, and what each feed last sent on it (so that later store batches send only
 * what changed). Fields other than the identity are read and written on the term's events thread only.
 */
final class Session {
  final String id;
  final String nodeId;
  final StreamSink sink;
  /** Store index of the full assignment set; later events only. -1 until registered. */
  long index = -1;
  /** The overlay networks whose whole endpoint list was sent, increments since ({@link EndpointFeed}). */
  final Set<String> endpointNets = new HashSet<>();
  /** The service records last sent ({@link ServiceRecordFeed}). */
  final ServiceRecordFeed.Sent sentRecords = new ServiceRecordFeed.Sent();
  /** The secrets and configs last sent ({@link DependencyFeed}). */
  final DependencyFeed.Sent sentDependencies = new DependencyFeed.Sent();

  Session(String id, String nodeId, StreamSink sink) {
    this.id = id;
    this.nodeId = nodeId;
    this.sink = sink;
  }

  /** Whether the session got its full set, so increments apply to it. */
  boolean registered() {
    return index >= 0;
  }

  void send(DispatcherMessage m) {
    sink.send(Dispatcher.line(m));
  }
}
