/** Task network sandboxes on this node: netns, veths, bridge, NAT and published ports. */
package io.jswarm.worker.network;
