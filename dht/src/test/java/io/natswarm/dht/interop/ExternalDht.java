package io.natswarm.dht.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A helper process speaking the line protocol of lt_dht.py; killed by PID on close. */
final class ExternalDht implements AutoCloseable {
  private final Process process;
  private final BufferedReader out;
  private final Writer in;

  ExternalDht(List<String> command) throws IOException {
    process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
  }

  /** Copies a classpath resource to a temporary file (python scripts). */
  static Path resource(String name) throws IOException {
    Path p = Files.createTempFile("natswarm-", "-" + name);
    try (InputStream s = ExternalDht.class.getResourceAsStream(name)) {
      if (s == null) {
        throw new IOException("missing test resource " + name);
      }
      Files.copy(s, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    p.toFile().deleteOnExit();
    return p;
  }

  /** Reads lines until one starts with {@code prefix}; returns it, or throws at end of output. */
  String expect(String prefix) throws IOException {
    for (String line; (line = out.readLine()) != null; ) {
      if (line.startsWith(prefix)) {
        return line;
      }
    }
    throw new IOException("helper exited before printing " + prefix);
  }

  String command(String line, String replyPrefix) throws IOException {
    in.write(line + "\n");
    in.flush();
    return expect(replyPrefix);
  }

  long pid() {
    return process.pid();
  }

  @Override
  public void close() throws IOException {
    try {
      in.write("quit\n");
      in.flush();
    } catch (IOException e) {
      // already gone
    }
    ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroy);
    try {
      if (!process.waitFor(3, TimeUnit.SECONDS)) {
        ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroyForcibly);
        process.waitFor(3, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
