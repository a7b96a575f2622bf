package io.jswarm.linux.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Traffic control over rtnetlink (what {@code tc qdisc/filter} do, without running tc): a rate limit on a link
 * in both directions.
 *
 * <ul>
 *   <li><b>Egress</b>: a token bucket filter ({@code tbf}) as the link's root qdisc: rate in bytes/s, a burst of
 *       10 ms of traffic (at least 4 full frames) and a queue of 50 ms on top.</li>
 *   <li><b>Ingress</b>: an {@code ingress} qdisc on the link, a {@code u32} filter matching every packet whose
 *       {@code mirred} action redirects it to an IFB device ({@code ifb-<link>}), and the same {@code tbf} on the
 *       IFB's egress: received traffic is shaped, not dropped. (A policer, {@code act_police}, would drop what
 *       exceeds the rate; this kernel has no {@code act_police} nor {@code cls_matchall}, so jswarm does not rely
 *       on them; it needs {@code sch_tbf}, {@code sch_ingress}, {@code cls_u32}, {@code act_mirred} and
 *       {@code ifb}.)</li>
 * </ul>
 * Every request is acknowledged by the kernel; a refusal throws {@link io.jswarm.linux.LinuxException} with the
 * errno and the kernel's extended-ack text. The objects live in the link's namespace and go with it.
 */
public final class TrafficControl {
  static final int RTM_NEWQDISC = 36;
  static final int RTM_GETQDISC = 38;
  static final int RTM_NEWTFILTER = 44;
  static final int TCA_KIND = 1;
  static final int TCA_OPTIONS = 2;
  static final int TCA_TBF_PARMS = 1;
  static final int TCA_TBF_BURST = 6;
  static final int TCA_U32_SEL = 5;
  static final int TCA_U32_ACT = 7;
  static final int TCA_ACT_KIND = 1;
  static final int TCA_ACT_OPTIONS = 2;
  static final int TCA_MIRRED_PARMS = 2;
  static final int TC_H_ROOT = 0xFFFFFFFF;
  static final int TC_H_INGRESS = 0xFFFFFFF1;
  static final int INGRESS_HANDLE = 0xFFFF0000;
  static final int TC_LINKLAYER_ETHERNET = 1;
  static final int TC_U32_TERMINAL = 1;
  static final int TC_ACT_STOLEN = 4;
  static final int TCA_EGRESS_REDIR = 1;
  /** {@code htons(ETH_P_ALL)} in the low 16 bits of {@code tcm_info}, priority 1 in the high ones. */
  static final int ALL_PROTOCOLS_PRIO_1 = (1 << 16) | (Short.toUnsignedInt(Short.reverseBytes((short) 3)));
  static final int FRAME = 1514;

  private final Rtnetlink rt;

  /** Traffic control of the links {@code rt} sees (its namespace). */
  public TrafficControl(Rtnetlink rt) {
    this.rt = rt;
  }

  /** The IFB device that carries {@code link}'s received traffic. */
  public static String ifbFor(String link) {
    String n = "ifb-" + link;
    return n.length() > 15 ? n.substring(0, 15) : n;
  }

  /**
   * Limits what {@code link} sends and what it receives to {@code bitsPerSecond} each (replacing an earlier limit
   * on the link).
   */
  public void limit(String link, long bitsPerSecond) {
    shapeEgress(link, bitsPerSecond);
    String ifb = ifbFor(link);
    if (rt.link(ifb).isEmpty()) {
      rt.createLink(ifb, "ifb");
    }
    rt.setUp(ifb, true);
    shapeEgress(ifb, bitsPerSecond);
    if (qdiscs(link).contains("ingress")) {
      return; // limited before: the redirect to the IFB is in place, only the rates changed
    }
    int index = rt.linkIndex(link);
    NlMessage q = new NlMessage(RTM_NEWQDISC, NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_ACK
        | Rtm.NLM_F_CREATE | Rtm.NLM_F_REPLACE);
    tcmsg(q, index, INGRESS_HANDLE, TC_H_INGRESS, 0);
    q.attrString(TCA_KIND, "ingress");
    rt.socket().request(q, "RTM_NEWQDISC", "ingress qdisc on " + link);
    redirectAll(link, index, ifb, rt.linkIndex(ifb));
  }

  /** {@code tbf} as the root qdisc of {@code link}. */
  void shapeEgress(String link, long bitsPerSecond) {
    long bytesPerSecond = Math.max(1, bitsPerSecond / 8);
    if (bytesPerSecond > 0xFFFFFFFFL) {
      throw new IllegalArgumentException(bitsPerSecond + " bits/s: at most 32 Gbit/s");
    }
    int burst = (int) Math.max(4L * FRAME, bytesPerSecond / 100);
    long queue = Math.max(3L * FRAME, bytesPerSecond / 20) + burst;
    ByteBuffer p = ByteBuffer.allocate(36).order(ByteOrder.nativeOrder());
    ratespec(p, bytesPerSecond); // rate
    ratespec(p, 0); // no peak rate
    p.putInt((int) Math.min(queue, Integer.MAX_VALUE)); // limit: bytes queued
    p.putInt((int) Math.min(ticks(burst, bytesPerSecond), Integer.MAX_VALUE)); // buffer (TCA_TBF_BURST wins)
    p.putInt(0); // mtu: for the peak rate only
    NlMessage m = new NlMessage(RTM_NEWQDISC, NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_ACK
        | Rtm.NLM_F_CREATE | Rtm.NLM_F_REPLACE);
    tcmsg(m, rt.linkIndex(link), 0x00010000, TC_H_ROOT, 0);
    m.attrString(TCA_KIND, "tbf");
    m.beginNested(TCA_OPTIONS);
    m.attr(TCA_TBF_PARMS, p.array());
    m.attrU32(TCA_TBF_BURST, burst);
    m.endNested();
    rt.socket().request(m, "RTM_NEWQDISC", "tbf " + bitsPerSecond + " bit/s on " + link);
  }

  /** A u32 filter on the ingress qdisc of {@code link} matching every packet, redirected to {@code ifb}. */
  private void redirectAll(String link, int index, String ifb, int ifbIndex) {
    ByteBuffer sel = ByteBuffer.allocate(32).order(ByteOrder.nativeOrder());
    sel.put((byte) TC_U32_TERMINAL).put((byte) 0).put((byte) 1).put((byte) 0); // flags, offshift, nkeys, pad
    sel.putShort((short) 0).putShort((short) 0).putShort((short) 0).putShort((short) 0); // offmask off offoff hoff
    sel.putInt(0); // hmask
    sel.putInt(0).putInt(0).putInt(0).putInt(0); // key: mask 0, value 0 at offset 0: every packet
    ByteBuffer mirred = ByteBuffer.allocate(28).order(ByteOrder.nativeOrder());
    mirred.putInt(0).putInt(0).putInt(TC_ACT_STOLEN).putInt(0).putInt(0); // tc_gen: index capab action ref bind
    mirred.putInt(TCA_EGRESS_REDIR).putInt(ifbIndex);
    NlMessage m = new NlMessage(RTM_NEWTFILTER, NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_ACK
        | Rtm.NLM_F_CREATE | Rtm.NLM_F_EXCL);
    tcmsg(m, index, 0, INGRESS_HANDLE, ALL_PROTOCOLS_PRIO_1);
    m.attrString(TCA_KIND, "u32");
    m.beginNested(TCA_OPTIONS);
    m.attr(TCA_U32_SEL, sel.array());
    m.beginNested(TCA_U32_ACT).beginNested(1);
    m.attrString(TCA_ACT_KIND, "mirred");
    m.beginNested(TCA_ACT_OPTIONS).attr(TCA_MIRRED_PARMS, mirred.array()).endNested();
    m.endNested().endNested();
    m.endNested();
    rt.socket().request(m, "RTM_NEWTFILTER", "u32 redirect of " + link + " ingress to " + ifb);
  }

  /** The kinds of the qdiscs on {@code link}, e.g. {@code [tbf, ingress]}. */
  public List<String> qdiscs(String link) {
    int index = rt.linkIndex(link);
    NlMessage m = new NlMessage(RTM_GETQDISC, NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_DUMP);
    tcmsg(m, 0, 0, 0, 0);
    List<String> out = new ArrayList<>();
    for (ByteBuffer b : rt.socket().dump(m, "RTM_GETQDISC")) {
      if (Short.toUnsignedInt(b.getShort(4)) == RTM_NEWQDISC && b.getInt(20) == index) {
        out.add(NlAttrs.parse(b, 36, b.getInt(0)).string(TCA_KIND));
      }
    }
    return out;
  }

  private static void tcmsg(NlMessage m, int ifindex, int handle, int parent, int info) {
    m.u8(Rtm.AF_UNSPEC).u8(0).u16(0).u32(ifindex).u32(handle).u32(parent).u32(info);
  }

  /** A {@code tc_ratespec} for an Ethernet link layer (no rate table needed). */
  private static void ratespec(ByteBuffer p, long bytesPerSecond) {
    p.put((byte) 0).put((byte) (bytesPerSecond == 0 ? 0 : TC_LINKLAYER_ETHERNET)).putShort((short) 0);
    p.putShort((short) 0).putShort((short) 0).putInt((int) bytesPerSecond);
  }

  /** Time to send {@code bytes} at the rate, in the kernel's scheduler ticks (64 ns). */
  private static long ticks(long bytes, long bytesPerSecond) {
    return bytes * 1_000_000_000L / bytesPerSecond / 64;
  }
}
