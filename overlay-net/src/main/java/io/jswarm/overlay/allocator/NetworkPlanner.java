package io.jswarm.overlay.allocator;

import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.types.Driver;
import io.jswarm.api.types.IPAMOptions;
import io.jswarm.api.types.Network;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses what a new overlay network gets: its subnet (the one asked for, or the first free one carved out of the
 * cluster's default address pools), its gateway (the one asked for, or the subnet's first address) and its VXLAN id
 * (the one asked for in {@value #VXLAN_OPTION}, or the lowest free one from {@value #FIRST_VNI}). Pure: it reads the
 * networks that exist and returns a {@link Plan}; a subnet overlapping another network's or a VXLAN id in use is
 * refused with an error naming that network.
 *
 * <p>The chosen values are stored in the network itself, Docker's way: {@code IPAMOptions.Configs[0]} holds the
 * subnet and gateway, {@code DriverState.Options[VXLAN_OPTION]} the VXLAN id. That is the state every manager shares
 * through the store; {@link #subnetOf}, {@link #gatewayOf} and {@link #vniOf} read it back.
 */
public final class NetworkPlanner {
  /** The network driver jswarm implements. */
  public static final String OVERLAY = "overlay";
  /** The driver option carrying the VXLAN id (Docker's name; a list, one id per subnet). */
  public static final String VXLAN_OPTION = "com.docker.network.driver.overlay.vxlanid_list";
  /** The first VXLAN id handed out automatically (Docker's). */
  public static final long FIRST_VNI = 4096;
  /** The largest VXLAN id (24 bits). */
  public static final long MAX_VNI = (1L << 24) - 1;
  /** The default address pool when the cluster has none (Docker's). */
  public static final List<String> DEFAULT_POOLS = List.of("10.0.0.0/8");
  /** The default prefix length of subnets carved from the pools. */
  public static final int DEFAULT_SUBNET_SIZE = 24;
  /** The longest network prefix accepted: a /30 still leaves one address after the gateway. */
  public static final int LONGEST_PREFIX = 30;
  /** The name of the routing-mesh network created at {@code swarm init}. */
  public static final String INGRESS_NAME = "ingress";

  private NetworkPlanner() {}

  /** What a new network gets. */
  public record Plan(Ipv4Prefix subnet, long gateway, long vni) {}

  /**
   * Plans a network for {@code spec} among {@code existing} networks.
   *
   * @param pools the cluster's {@code DefaultAddrPool} (null or empty: {@link #DEFAULT_POOLS})
   * @param subnetSize the cluster's {@code SubnetSize} (null or 0: {@link #DEFAULT_SUBNET_SIZE})
   * @throws InvalidArgumentException a malformed subnet, gateway or VXLAN id, naming the field
   * @throws ConflictException the subnet overlaps another network's, the VXLAN id is taken, or the pools are full
   */
  public static Plan plan(Network.Spec spec, Collection<Network> existing, List<String> pools, Long subnetSize) {
    IPAMOptions.IPAMConfig asked = requestedIpam(spec);
    Ipv4Prefix subnet;
    if (asked != null && asked.subnet != null && !asked.subnet.isEmpty()) {
      subnet = Ipv4Prefix.parse("IPAM.Config.Subnet", asked.subnet);
      if (subnet.bits() > LONGEST_PREFIX) {
        throw new InvalidArgumentException("IPAM.Config.Subnet: " + subnet + " is too small for a network: use a /"
            + LONGEST_PREFIX + " or larger");
      }
      for (Network n : existing) {
        Ipv4Prefix other = subnetOf(n);
        if (other != null && other.overlaps(subnet)) {
          throw new ConflictException("IPAM.Config.Subnet: " + subnet + " overlaps the subnet " + other
              + " of network \"" + nameOf(n) + "\" (" + n.id + "); choose a subnet that overlaps no other network");
        }
      }
    } else {
      subnet = carve(parsePools(pools), subnetSize(subnetSize), taken(existing));
    }
    long gateway = subnet.base() + 1;
    if (asked != null && asked.gateway != null && !asked.gateway.isEmpty()) {
      gateway = Ipv4Prefix.parseAddress("IPAM.Config.Gateway", asked.gateway);
      if (!subnet.contains(gateway) || gateway == subnet.base() || gateway == subnet.last()) {
        throw new InvalidArgumentException("IPAM.Config.Gateway: " + Ipv4Prefix.format(gateway)
            + " is not a host address of the subnet " + subnet);
      }
    }
    Long askedVni = requestedVni(spec);
    Map<Long, Network> vnis = new LinkedHashMap<>();
    for (Network n : existing) {
      Long v = vniOf(n);
      if (v != null) {
        vnis.put(v, n);
      }
    }
    long vni;
    if (askedVni != null) {
      Network holder = vnis.get(askedVni);
      if (holder != null) {
        throw new ConflictException("Options[" + VXLAN_OPTION + "]: VXLAN id " + askedVni + " is already used by "
            + "network \"" + nameOf(holder) + "\" (" + holder.id + "); choose another or leave it out");
      }
      vni = askedVni;
    } else {
      vni = FIRST_VNI;
      while (vnis.containsKey(vni)) {
        vni++;
      }
      if (vni > MAX_VNI) {
        throw new ConflictException("no free VXLAN id left (" + FIRST_VNI + ".." + MAX_VNI + ")");
      }
    }
    return new Plan(subnet, gateway, vni);
  }

  /** Writes {@code plan} into {@code n}: {@code DriverState} (overlay + VXLAN id) and {@code IPAMOptions}. */
  public static void apply(Network n, Plan plan) {
    n.driverState = new Driver();
    n.driverState.name = OVERLAY;
    n.driverState.options = new LinkedHashMap<>();
    if (n.spec != null && n.spec.driverConfiguration != null && n.spec.driverConfiguration.options != null) {
      n.driverState.options.putAll(n.spec.driverConfiguration.options);
    }
    n.driverState.options.put(VXLAN_OPTION, Long.toString(plan.vni()));
    n.ipamOptions = new IPAMOptions();
    n.ipamOptions.driver = new Driver();
    n.ipamOptions.driver.name = "default";
    IPAMOptions.IPAMConfig c = new IPAMOptions.IPAMConfig();
    c.subnet = plan.subnet().toString();
    c.gateway = Ipv4Prefix.format(plan.gateway());
    n.ipamOptions.configs = List.of(c);
  }

  /** The allocated subnet of {@code n}, or null when it has none. */
  public static Ipv4Prefix subnetOf(Network n) {
    IPAMOptions.IPAMConfig c = allocatedIpam(n);
    if (c == null || c.subnet == null) {
      return null;
    }
    try {
      return Ipv4Prefix.parse("subnet", c.subnet);
    } catch (InvalidArgumentException e) {
      return null;
    }
  }

  /** The allocated gateway of {@code n}, or -1 when it has none. */
  public static long gatewayOf(Network n) {
    IPAMOptions.IPAMConfig c = allocatedIpam(n);
    if (c == null || c.gateway == null) {
      return -1;
    }
    try {
      return Ipv4Prefix.parseAddress("gateway", c.gateway);
    } catch (InvalidArgumentException e) {
      return -1;
    }
  }

  /** The allocated VXLAN id of {@code n}, or null. */
  public static Long vniOf(Network n) {
    if (n.driverState == null || n.driverState.options == null) {
      return null;
    }
    String v = n.driverState.options.get(VXLAN_OPTION);
    try {
      return v == null ? null : Long.parseLong(v.split(",")[0].trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * Checks a cluster's {@code DefaultAddrPool} and {@code SubnetSize} ({@code swarm init --default-addr-pool
   * --default-addr-pool-mask-length}): valid IPv4 prefixes that do not overlap, and a subnet size that fits in
   * each pool and is no longer than /{@value #LONGEST_PREFIX}.
   */
  public static void validatePools(List<String> pools, Long subnetSize) {
    List<Ipv4Prefix> parsed = new ArrayList<>();
    if (pools != null) {
      for (String p : pools) {
        Ipv4Prefix q = Ipv4Prefix.parse("DefaultAddrPool", p);
        for (Ipv4Prefix o : parsed) {
          if (o.overlaps(q)) {
            throw new InvalidArgumentException("DefaultAddrPool: " + q + " overlaps " + o + "; give pools that do "
                + "not overlap");
          }
        }
        parsed.add(q);
      }
    }
    if (subnetSize != null && subnetSize != 0) {
      if (subnetSize < 1 || subnetSize > LONGEST_PREFIX) {
        throw new InvalidArgumentException("SubnetSize: " + subnetSize + " is not a valid mask length: use 1.."
            + LONGEST_PREFIX + " (default " + DEFAULT_SUBNET_SIZE + ")");
      }
      for (Ipv4Prefix p : parsed.isEmpty() ? parsePools(null) : parsed) {
        if (subnetSize < p.bits()) {
          throw new InvalidArgumentException("SubnetSize: /" + subnetSize + " subnets do not fit in the pool " + p
              + "; use a mask length of at least " + p.bits());
        }
      }
    }
  }

  /** The spec of the routing-mesh network made at {@code swarm init} (Docker's {@code ingress}). */
  public static Network.Spec ingressSpec() {
    Network.Spec s = new Network.Spec();
    s.name = INGRESS_NAME;
    s.ingress = true;
    s.driverConfiguration = new Driver();
    s.driverConfiguration.name = OVERLAY;
    s.scope = "swarm";
    return s;
  }

  private static List<Ipv4Prefix> parsePools(List<String> pools) {
    List<Ipv4Prefix> out = new ArrayList<>();
    for (String p : pools == null || pools.isEmpty() ? DEFAULT_POOLS : pools) {
      out.add(Ipv4Prefix.parse("DefaultAddrPool", p));
    }
    return out;
  }

  private static int subnetSize(Long size) {
    return size == null || size == 0 ? DEFAULT_SUBNET_SIZE : size.intValue();
  }

  private static List<Ipv4Prefix> taken(Collection<Network> existing) {
    List<Ipv4Prefix> out = new ArrayList<>();
    for (Network n : existing) {
      Ipv4Prefix p = subnetOf(n);
      if (p != null) {
        out.add(p);
      }
    }
    return out;
  }

  /** The first /{@code size} of {@code pools} (in order) that overlaps nothing in {@code taken}. */
  static Ipv4Prefix carve(List<Ipv4Prefix> pools, int size, List<Ipv4Prefix> taken) {
    for (Ipv4Prefix pool : pools) {
      if (size < pool.bits()) {
        continue;
      }
      long step = 1L << (32 - size);
      long candidate = pool.base();
      while (candidate + step - 1 <= pool.last()) {
        Ipv4Prefix c = new Ipv4Prefix(candidate, size);
        Ipv4Prefix clash = null;
        for (Ipv4Prefix t : taken) {
          if (t.overlaps(c)) {
            clash = t;
            break;
          }
        }
        if (clash == null) {
          return c;
        }
        // Skip past the clash, staying aligned to the subnet size.
        long next = Math.max(candidate + step, ((clash.last() + 1 + step - 1) / step) * step);
        candidate = next;
      }
    }
    throw new ConflictException("no free /" + size + " subnet left in the default address pools " + pools
        + ": remove unused networks, give --subnet, or init the swarm with a larger --default-addr-pool");
  }

  private static IPAMOptions.IPAMConfig requestedIpam(Network.Spec spec) {
    if (spec == null || spec.ipamOptions == null || spec.ipamOptions.configs == null
        || spec.ipamOptions.configs.isEmpty()) {
      return null;
    }
    if (spec.ipamOptions.configs.size() > 1) {
      throw new InvalidArgumentException("IPAM.Config: jswarm supports one subnet per network; give one --subnet");
    }
    IPAMOptions.IPAMConfig c = spec.ipamOptions.configs.get(0);
    if (c != null && c.range != null && !c.range.isEmpty()) {
      throw new InvalidArgumentException("IPAM.Config.IPRange: allocation ranges are not supported; leave "
          + "--ip-range out (addresses come from the whole subnet)");
    }
    return c;
  }

  private static IPAMOptions.IPAMConfig allocatedIpam(Network n) {
    if (n == null || n.ipamOptions == null || n.ipamOptions.configs == null || n.ipamOptions.configs.isEmpty()) {
      return null;
    }
    return n.ipamOptions.configs.get(0);
  }

  private static Long requestedVni(Network.Spec spec) {
    if (spec == null || spec.driverConfiguration == null || spec.driverConfiguration.options == null) {
      return null;
    }
    String v = spec.driverConfiguration.options.get(VXLAN_OPTION);
    if (v == null || v.isBlank()) {
      return null;
    }
    String[] ids = v.split(",");
    if (ids.length > 1) {
      throw new InvalidArgumentException("Options[" + VXLAN_OPTION + "]: give one VXLAN id (one subnet per "
          + "network), got \"" + v + "\"");
    }
    long id;
    try {
      id = Long.parseLong(ids[0].trim());
    } catch (NumberFormatException e) {
      id = -1;
    }
    if (id < 1 || id > MAX_VNI) {
      throw new InvalidArgumentException("Options[" + VXLAN_OPTION + "]: \"" + v + "\" is not a VXLAN id: use 1.."
          + MAX_VNI);
    }
    return id;
  }

  private static String nameOf(Network n) {
    return n.spec == null ? n.id : n.spec.name;
  }
}
