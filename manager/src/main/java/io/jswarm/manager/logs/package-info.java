/**
 * Task logs through any manager: the node log source (the node-local route every node serves on its cluster
 * port, reached over mutual TLS) and Docker's multiplexed stream framing.
 */
package io.jswarm.manager.logs;
