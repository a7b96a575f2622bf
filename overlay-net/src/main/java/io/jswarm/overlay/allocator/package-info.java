/**
 * The manager side of overlay networking, as pure logic with no store and no I/O: IPv4 prefixes
 * ({@link io.jswarm.overlay.allocator.Ipv4Prefix}), carving network subnets out of the cluster's default address
 * pools and choosing VXLAN ids ({@link io.jswarm.overlay.allocator.NetworkPlanner}), the per-network address
 * bitmaps that hand out task addresses and service VIPs ({@link io.jswarm.overlay.allocator.AddressBook}), and which
 * networks a task needs ({@link io.jswarm.overlay.allocator.NetworkNeeds}). The manager's leader loop
 * ({@code io.jswarm.manager.allocator}) applies them to the store.
 */
package io.jswarm.overlay.allocator;
