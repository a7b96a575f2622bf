/**
 * Service discovery inside containers: the service directory the manager feeds, the embedded DNS at 127.0.0.11
 * in each container namespace, and service VIPs balanced with nftables there. See docs/discovery.md.
 */
package io.jswarm.worker.discovery;
