package dev.medallion.launcher;

import dev.medallion.common.error.Errors;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import javax.security.sasl.AuthenticationException;
import org.apache.hive.service.auth.PasswdAuthenticationProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve}'s HiveServer2 password check (its CUSTOM authentication): any user name, the
 * password must be {@code serve.token}. HiveServer2 makes one with the no-argument constructor, so
 * the token is handed over through {@link #expect}.
 */
public final class ServeAuthentication implements PasswdAuthenticationProvider {
  private static final Logger LOG = LoggerFactory.getLogger(ServeAuthentication.class);
  private static volatile byte[] token = new byte[0];

  static void expect(String expected) {
    token = expected.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void Authenticate(String user, String password) throws AuthenticationException {
    byte[] given = password == null ? new byte[0] : password.getBytes(StandardCharsets.UTF_8);
    if (token.length == 0 || !MessageDigest.isEqual(token, given)) {
      LOG.warn("serve: refused a login as '{}': wrong token", Errors.oneLine(user));
      throw new AuthenticationException(
          "Wrong password for user '" + user + "': send medallion serve's token (serve.token)");
    }
  }
}
