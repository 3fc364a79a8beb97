package dev.medallion.launcher.readonly;

import dev.medallion.common.error.Errors;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkproject.connect.grpc.ForwardingServerCallListener;
import org.sparkproject.connect.grpc.Metadata;
import org.sparkproject.connect.grpc.ServerCall;
import org.sparkproject.connect.grpc.ServerCallHandler;
import org.sparkproject.connect.grpc.ServerInterceptor;
import org.sparkproject.connect.grpc.Status;

/**
 * {@code serve}'s Spark Connect interceptor ({@code spark.connect.grpc.interceptor.classes}): a
 * call to a method not in {@link ConnectRequests#METHODS}, or a request {@link ConnectRequests}
 * refuses, is closed with PERMISSION_DENIED and one line before the service sees it. gRPC (shaded
 * into Spark Connect's jar) makes it with its no-argument constructor.
 */
public final class ConnectGuard implements ServerInterceptor {
  static final String REFUSED = "medallion serve is read-only and does not run ";
  private static final Logger LOG = LoggerFactory.getLogger(ConnectGuard.class);

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getBareMethodName();
    if (!ConnectRequests.METHODS.contains(method)) {
      refuse(call, "the Spark Connect call " + method);
      return new ServerCall.Listener<>() {};
    }
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
        next.startCall(call, headers)) {
      private boolean refused;

      @Override
      public void onMessage(Q request) {
        Optional<String> refusal = ConnectRequests.refusal(request);
        if (refusal.isPresent()) {
          refused = true;
          refuse(call, refusal.get());
          return;
        }
        super.onMessage(request);
      }

      @Override
      public void onHalfClose() {
        if (!refused) {
          super.onHalfClose();
        }
      }
    };
  }

  private static void refuse(ServerCall<?, ?> call, String what) {
    LOG.warn("serve: refused over Spark Connect: {}", Errors.oneLine(what));
    call.close(
        Status.PERMISSION_DENIED.withDescription(
            REFUSED + what + ": tables change only through the layer jobs"),
        new Metadata());
  }
}
