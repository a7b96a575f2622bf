/** Named local volumes on this node. */
package io.jswarm.worker.volume;
