package io.jswarm.manager.dispatcher;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.dispatcher.NetworkEndpoints;
import io.jswarm.api.dispatcher.NetworkServices;
import io.jswarm.consensus.store.MemoryStore;
import java.util.Iterator;
import java.util.List;

/**
 * What a leader term sends its sessions when it has read a committed store batch, beside the assignments: the
 * secrets and configs each node now needs, overlay endpoints and service records. Events thread only.
 */
final class CommitFanout {
  private CommitFanout() {}

  /**
   * Sends each node whose needs changed in the batch just read the secrets and configs it now needs and withdraws the
   * ones it does not. A session whose full set was taken at a later index than {@code readIndex} (what the events
   * thread has read) waits (its node stays dirty), so that it is never told to drop what its snapshot gave it.
   */
  static void dependencies(DependencyFeed dependencies, Sessions sessions, MemoryStore store, long readIndex) {
    for (Iterator<String> it = dependencies.dirtyNodes().iterator(); it.hasNext(); ) {
      Session s = sessions.ofNode(it.next());
      if (s == null || !s.registered()) {
        it.remove();
      } else if (s.index <= readIndex) {
        it.remove();
        DependencyFeed.Delta d = dependencies.delta(s.nodeId, s.sentDependencies);
        if (!d.isEmpty()) {
          s.send(store.viewStale(tx -> DependencyFeed.message(tx, false, d)));
        }
      }
    }
  }

  /** Sends every session what changed in the networks touched by the batch just committed. */
  static void endpoints(EndpointFeed endpoints, Sessions sessions) {
    if (!endpoints.hasDirty()) {
      return;
    }
    for (Session s : sessions.registered()) {
      List<NetworkEndpoints> changes = endpoints.changes(s);
      if (!changes.isEmpty()) {
        s.send(DispatcherMessage.endpoints(false, changes));
      }
    }
    endpoints.clearDirty();
  }

  /** Sends every session the service records that changed in the batch just committed (see {@link ServiceRecordFeed}). */
  static void records(ServiceRecordFeed records, Sessions sessions) {
    if (!records.hasDirty()) {
      return;
    }
    for (Session s : sessions.registered()) {
      List<NetworkServices> changes = records.changes(s.nodeId, s.sentRecords);
      if (!changes.isEmpty()) {
        s.send(DispatcherMessage.services(false, changes));
      }
    }
    records.clearDirty();
  }
}
