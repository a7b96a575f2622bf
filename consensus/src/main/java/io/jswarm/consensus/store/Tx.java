package io.jswarm.consensus.store;

import io.jswarm.api.types.Config;
import io.jswarm.api.types.Network;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Secret;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.StoreObject;
import io.jswarm.api.types.Swarm;
import io.jswarm.api.types.Task;

/** A read-write transaction: its writes become one atomic batch, one Raft log entry. */
public interface Tx extends ReadTx {
  @Override
  <T extends StoreObject> TableWriter<T> table(TableSpec<T> table);

  @Override
  default TableWriter<Node> nodes() {
    return table(Tables.NODES);
  }

  @Override
  default TableWriter<Service> services() {
    return table(Tables.SERVICES);
  }

  @Override
  default TableWriter<Task> tasks() {
    return table(Tables.TASKS);
  }

  @Override
  default TableWriter<Network> networks() {
    return table(Tables.NETWORKS);
  }

  @Override
  default TableWriter<Secret> secrets() {
    return table(Tables.SECRETS);
  }

  @Override
  default TableWriter<Config> configs() {
    return table(Tables.CONFIGS);
  }

  @Override
  default TableWriter<Swarm> cluster() {
    return table(Tables.CLUSTER);
  }
}
