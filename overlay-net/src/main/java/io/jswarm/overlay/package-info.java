/**
 * Overlay networking: IPAM, VNI and VIP allocation (manager side) and the node-side VXLAN driver. (Issue 5.)
 */
package io.jswarm.overlay;
