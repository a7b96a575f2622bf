package io.jswarm.consensus.store;

import io.jswarm.api.types.Config;
import io.jswarm.api.types.Network;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Secret;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.StoreObject;
import io.jswarm.api.types.Swarm;
import io.jswarm.api.types.Task;

/** A consistent read of every table, as of one applied index. */
public interface ReadTx {
  <T extends StoreObject> TableReader<T> table(TableSpec<T> table);

  /** The applied Raft index this view reflects. */
  long index();

  default TableReader<Node> nodes() {
    return table(Tables.NODES);
  }

  default TableReader<Service> services() {
    return table(Tables.SERVICES);
  }

  default TableReader<Task> tasks() {
    return table(Tables.TASKS);
  }

  default TableReader<Network> networks() {
    return table(Tables.NETWORKS);
  }

  default TableReader<Secret> secrets() {
    return table(Tables.SECRETS);
  }

  default TableReader<Config> configs() {
    return table(Tables.CONFIGS);
  }

  default TableReader<Swarm> cluster() {
    return table(Tables.CLUSTER);
  }
}
