package io.jswarm.api.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.json.Json;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskStateTest {

  @Test
  void numbersAreSwarmsAndFollowDeclarationOrder() {
    List<Integer> swarmNumbers = List.of(0, 64, 192, 256, 320, 384, 448, 512, 576, 640, 704, 768, 800, 832);
    assertEquals(swarmNumbers, Arrays.stream(TaskState.values()).map(TaskState::number).toList());
  }

  @Test
  void forwardMovesAndStayingPutAreAllowed() {
    for (TaskState from : TaskState.values()) {
      for (TaskState to : TaskState.values()) {
        if (to.ordinal() >= from.ordinal()) {
          assertTrue(from.canMoveTo(to), from + " -> " + to);
          assertSame(to, from.moveTo(to));
        }
      }
    }
  }

  @Test
  void backwardMoveThrowsNamingBothStates() {
    assertFalse(TaskState.RUNNING.canMoveTo(TaskState.STARTING));
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> TaskState.RUNNING.moveTo(TaskState.STARTING));
    assertEquals("task state cannot move backwards from running to starting", e.getMessage());
  }

  @Test
  void terminalStatesStartAtComplete() {
    assertFalse(TaskState.RUNNING.isTerminal());
    assertTrue(TaskState.COMPLETE.isTerminal());
    assertTrue(TaskState.ORPHANED.isTerminal());
  }

  @Test
  void jsonIsLowercaseAndUnknownStatesAreRejected() {
    assertEquals("\"preparing\"", Json.toString(TaskState.PREPARING));
    assertSame(TaskState.SHUTDOWN, Json.fromString("\"shutdown\"", TaskState.class));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TaskState.fromJson("sleeping"));
    assertTrue(e.getMessage().contains("unknown task state \"sleeping\""), e.getMessage());
  }
}
