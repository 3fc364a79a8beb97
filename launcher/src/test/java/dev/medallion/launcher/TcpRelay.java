package dev.medallion.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on 127.0.0.1 in front of a test server, which a test can cut and restore: the network
 * between one client and the server failing while other clients still reach it.
 */
final class TcpRelay implements AutoCloseable {
  private final int port;
  private final int targetPort;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile ServerSocket server;

  private TcpRelay(int port, int targetPort) {
    this.port = port;
    this.targetPort = targetPort;
  }

  /** A relay from a free loopback port to {@code targetPort}, relaying. */
  static TcpRelay to(int targetPort) {
    TcpRelay relay = new TcpRelay(Loopback.freePort(), targetPort);
    relay.restore();
    return relay;
  }

  int port() {
    return port;
  }

  /** Stops relaying: open connections are closed and new ones refused. */
  synchronized void cut() {
    closeQuietly(server);
    open.forEach(TcpRelay::closeQuietly);
    open.clear();
  }

  /** Relays again, on the same port. */
  synchronized void restore() {
    try {
      ServerSocket socket = new ServerSocket();
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      server = socket;
      daemon(() -> accept(socket));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot listen on 127.0.0.1:" + port, e);
    }
  }

  private void accept(ServerSocket socket) {
    while (!socket.isClosed()) {
      try {
        Socket client = socket.accept();
        Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        open.add(client);
        open.add(target);
        daemon(() -> pipe(client, target));
        daemon(() -> pipe(target, client));
      } catch (IOException e) {
        return; // cut, or closed
      }
    }
  }

  private void pipe(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
        out.write(buffer, 0, read);
        out.flush();
      }
    } catch (IOException e) {
      // the other side closed, or the relay was cut
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      open.remove(from);
      open.remove(to);
    }
  }

  private static void daemon(Runnable work) {
    Thread thread = new Thread(work, "tcp-relay");
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      if (closeable != null) {
        closeable.close();
      }
    } catch (Exception e) {
      // closing a socket that is already gone
    }
  }

  @Override
  public void close() {
    cut();
  }
}
