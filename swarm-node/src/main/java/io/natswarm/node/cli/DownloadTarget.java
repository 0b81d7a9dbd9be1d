package io.natswarm.node.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Makes sure a download can be written where the user asked, before the engine starts. */
final class DownloadTarget {
  private DownloadTarget() {}

  /** Creates {@code dir} if needed and proves it writable; a {@link UserError} says why not. */
  static Path prepare(Path dir) throws UserError {
    Path abs = dir.toAbsolutePath().normalize();
    if (Files.exists(abs) && !Files.isDirectory(abs)) {
      throw UserError.badInput("the target " + abs + " is not a directory");
    }
    try {
      Files.createDirectories(abs);
    } catch (IOException e) {
      throw UserError.badInput("cannot create the target directory " + abs + ": " + reason(e));
    }
    try {
      Path probe = Files.createTempFile(abs, ".natswarm-write-check", ".tmp");
      Files.delete(probe);
    } catch (IOException e) {
      throw UserError.badInput("cannot write to the target directory " + abs + ": " + reason(e));
    }
    return abs;
  }

  /** Why an I/O operation failed, in words (no exception class names). */
  static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileAlreadyExistsException) {
      return "a file of that name is in the way";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    if (e.getMessage() != null) {
      return e.getMessage();
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }
}
