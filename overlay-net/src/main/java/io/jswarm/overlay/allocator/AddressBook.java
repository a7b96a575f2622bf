package io.jswarm.overlay.allocator;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which addresses of each overlay network are taken, and by whom: one bitmap per network, and at most one address
 * per owner per network (an owner is a task, holding its endpoint address, or a service, holding its VIP). The
 * network address, the broadcast address and the gateway are never handed out.
 *
 * <p>{@link #allocate} hands addresses out serially, as Docker's swarm IPAM does: the first free address after the
 * last one handed out (or claimed), wrapping at the end of the subnet. So a released address is not given again
 * until the rest of the subnet has been used: a task stopped by a rolling update and its replacement never share an
 * address while other nodes may still hold forwarding state (FDB, neighbour, conntrack) for the old one. A new
 * leader rebuilds the book from the store ({@link #claim}) and continues after the highest address held.
 *
 * <p>Not thread-safe: one leader loop owns it.
 */
public final class AddressBook {
  private final Map<String, Space> spaces = new HashMap<>();
  /** owner -> network id -> address. */
  private final Map<String, Map<String, Long>> byOwner = new HashMap<>();

  private static final class Space {
    final Ipv4Prefix subnet;
    final long gateway;
    final BitSet used = new BitSet();
    final Map<Long, String> owners = new HashMap<>();
    /** Offset where the next search starts: after the last address handed out or claimed. */
    long next = 1;

    Space(Ipv4Prefix subnet, long gateway) {
      this.subnet = subnet;
      this.gateway = gateway;
    }

    /** Offsets 1 .. size-2 are hosts; a /31 or /32 has none. */
    long hosts() {
      return Math.max(0, subnet.size() - 2) - (gateway >= 0 && subnet.contains(gateway) ? 1 : 0);
    }

    boolean handable(long addr) {
      return addr > subnet.base() && addr < subnet.last() && addr != gateway;
    }
  }

  /** Starts tracking a network's subnet; nothing happens when it is already tracked. */
  public void addNetwork(String networkId, Ipv4Prefix subnet, long gateway) {
    spaces.putIfAbsent(networkId, new Space(subnet, gateway));
  }

  /** Forgets a network and every holding in it. */
  public void removeNetwork(String networkId) {
    if (spaces.remove(networkId) != null) {
      for (Iterator<Map<String, Long>> it = byOwner.values().iterator(); it.hasNext(); ) {
        Map<String, Long> held = it.next();
        held.remove(networkId);
        if (held.isEmpty()) {
          it.remove();
        }
      }
    }
  }

  public boolean hasNetwork(String networkId) {
    return spaces.containsKey(networkId);
  }

  /** The subnet of a tracked network, or null. */
  public Ipv4Prefix subnet(String networkId) {
    Space s = spaces.get(networkId);
    return s == null ? null : s.subnet;
  }

  /**
   * The address {@code owner} holds on the network, else the next free one (see the class comment), now held by
   * {@code owner}; in CIDR form ({@code 10.0.5.3/24}). Null when the network is full.
   *
   * @throws IllegalArgumentException the network is not tracked
   */
  public String allocate(String owner, String networkId) {
    Space s = space(networkId);
    Long have = held(owner, networkId);
    if (have != null) {
      return s.subnet.cidrOf(have);
    }
    long last = s.subnet.size() - 2;
    long start = s.next > last ? 1 : s.next;
    Long addr = firstFree(s, start, last);
    if (addr == null && start > 1) {
      addr = firstFree(s, 1, start - 1);
    }
    if (addr == null) {
      return null;
    }
    take(s, owner, networkId, addr);
    s.next = addr - s.subnet.base() + 1;
    return s.subnet.cidrOf(addr);
  }

  /** The first free, handable address at offsets {@code from..to}, or null. */
  private static Long firstFree(Space s, long from, long to) {
    for (int off = s.used.nextClearBit((int) from); off <= to; off = s.used.nextClearBit(off + 1)) {
      long addr = s.subnet.base() + off;
      if (s.handable(addr)) {
        return addr;
      }
    }
    return null;
  }

  /**
   * Records that {@code owner} holds {@code cidr} (an address read from the store). False, changing nothing, when
   * the network is not tracked, the address is not one of its host addresses, or someone else holds it. An
   * owner claiming a second address on the same network gives up the first.
   */
  public boolean claim(String owner, String networkId, String cidr) {
    Space s = spaces.get(networkId);
    long addr = parseHost(cidr);
    if (s == null || addr < 0 || !s.handable(addr)) {
      return false;
    }
    String holder = s.owners.get(addr);
    if (holder != null) {
      return holder.equals(owner);
    }
    release(owner, networkId);
    take(s, owner, networkId, addr);
    s.next = Math.max(s.next, addr - s.subnet.base() + 1);
    return true;
  }

  /** Gives back what {@code owner} holds on one network. */
  public void release(String owner, String networkId) {
    Map<String, Long> held = byOwner.get(owner);
    if (held == null) {
      return;
    }
    Long addr = held.remove(networkId);
    if (held.isEmpty()) {
      byOwner.remove(owner);
    }
    Space s = spaces.get(networkId);
    if (addr != null && s != null) {
      s.used.clear((int) (addr - s.subnet.base()));
      s.owners.remove(addr);
    }
  }

  /** Gives back everything {@code owner} holds. */
  public void releaseAll(String owner) {
    Map<String, Long> held = byOwner.get(owner);
    if (held != null) {
      for (String net : held.keySet().toArray(new String[0])) {
        release(owner, net);
      }
    }
  }

  /** What {@code owner} holds: network id -> CIDR, sorted by network id. */
  public Map<String, String> holdings(String owner) {
    Map<String, String> out = new TreeMap<>();
    Map<String, Long> held = byOwner.get(owner);
    if (held != null) {
      held.forEach((net, addr) -> out.put(net, spaces.get(net).subnet.cidrOf(addr)));
    }
    return out;
  }

  /**
   * Makes {@code owner}'s holdings exactly {@code wanted} (network id -> CIDR, as read from the store): releases
   * the rest and claims these. Returns the entries that could not be claimed (held by someone else, or not in a
   * tracked network).
   */
  public Map<String, String> sync(String owner, Map<String, String> wanted) {
    Map<String, Long> held = byOwner.get(owner);
    if (held != null) {
      for (String net : held.keySet().toArray(new String[0])) {
        String w = wanted.get(net);
        if (w == null || parseHost(w) != held.get(net)) {
          release(owner, net);
        }
      }
    }
    Map<String, String> refused = new TreeMap<>();
    wanted.forEach((net, cidr) -> {
      if (!claim(owner, net, cidr)) {
        refused.put(net, cidr);
      }
    });
    return refused;
  }

  /** Free host addresses left on a tracked network. */
  public long free(String networkId) {
    Space s = space(networkId);
    return s.hosts() - s.owners.size();
  }

  /** Who holds {@code cidr} on the network, or null. */
  public String holder(String networkId, String cidr) {
    Space s = spaces.get(networkId);
    return s == null ? null : s.owners.get(parseHost(cidr));
  }

  private Long held(String owner, String networkId) {
    Map<String, Long> held = byOwner.get(owner);
    return held == null ? null : held.get(networkId);
  }

  private void take(Space s, String owner, String networkId, long addr) {
    s.used.set((int) (addr - s.subnet.base()));
    s.owners.put(addr, owner);
    byOwner.computeIfAbsent(owner, o -> new HashMap<>()).put(networkId, addr);
  }

  private Space space(String networkId) {
    Space s = spaces.get(networkId);
    if (s == null) {
      throw new IllegalArgumentException("network " + networkId + " has no subnet in the address book");
    }
    return s;
  }

  /** The address part of {@code a.b.c.d/n} (or a bare address), or -1 when malformed. */
  static long parseHost(String cidr) {
    if (cidr == null) {
      return -1;
    }
    int slash = cidr.indexOf('/');
    try {
      return Ipv4Prefix.parseAddress("address", slash < 0 ? cidr : cidr.substring(0, slash));
    } catch (RuntimeException e) {
      return -1;
    }
  }
}
