package io.jswarm.worker.network;

import java.util.List;

/** The target of an nftables DNAT that spreads new connections over backends (VIPs and the routing mesh). */
public final class NftBalance {
  private NftBalance() {}

  /**
   * {@code 10.0.1.3} for one backend, else {@code numgen random mod N map { 0 : a, 1 : b, ... }}: each new connection
   * picks a backend independently and evenly; conntrack keeps an established connection on its backend whatever the
   * rules say later. The addresses must already be checked IPv4 literals.
   */
  public static String target(List<String> addrs) {
    if (addrs.isEmpty()) {
      throw new IllegalArgumentException("no backend to balance over");
    }
    if (addrs.size() == 1) {
      return addrs.get(0);
    }
    StringBuilder s = new StringBuilder("numgen random mod ").append(addrs.size()).append(" map { ");
    for (int i = 0; i < addrs.size(); i++) {
      s.append(i == 0 ? "" : ", ").append(i).append(" : ").append(addrs.get(i));
    }
    return s.append(" }").toString();
  }
}
