package io.natswarm.holepunch.portmap.upnp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Records which files the JVM reads while a block runs, through Java Flight Recorder's {@code
 * jdk.FileRead} event at threshold 0 (every read of a FileInputStream, RandomAccessFile or
 * FileChannel is recorded with its path).
 */
final class FileReadWatch {
  private FileReadWatch() {}

  interface Body {
    void run() throws Exception;
  }

  /** The paths read while {@code body} ran. */
  static List<String> pathsRead(Body body) throws Exception {
    Path dump = Files.createTempFile("natswarm-fileread", ".jfr");
    try (Recording r = new Recording()) {
      r.enable("jdk.FileRead").withThreshold(Duration.ZERO);
      r.start();
      body.run();
      r.stop();
      r.dump(dump);
      return RecordingFile.readAllEvents(dump).stream()
          .filter(e -> e.getEventType().getName().equals("jdk.FileRead"))
          .map(FileReadWatch::path)
          .collect(Collectors.toList());
    } finally {
      Files.deleteIfExists(dump);
    }
  }

  private static String path(RecordedEvent e) {
    String p = e.getString("path");
    return p == null ? "" : p;
  }
}
