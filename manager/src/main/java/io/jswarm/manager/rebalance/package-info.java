/** Leader-only loops that move running tasks by themselves: the rebalance of opted-in services when nodes join. */
package io.jswarm.manager.rebalance;
