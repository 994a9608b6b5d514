"""Container health check of a Dari role: GET /healthz on its own port.

With DARI_TLS_CERTFILE set the role serves HTTPS (TLS 1.3) and, with DARI_TLS_CLIENT_CA, asks
for a client certificate: the check presents the role's own certificate (issued for server
and client use by `dari certs issue`) and trusts DARI_TLS_CLIENT_CA. Standard library only,
so it starts fast. Exit 0: healthy.
"""

import http.client
import os
import ssl
import sys


def main() -> int:
    port = int(os.environ.get("DARI_PORT", "8000"))
    cert = os.environ.get("DARI_TLS_CERTFILE")
    if not cert:
        conn: http.client.HTTPConnection = http.client.HTTPConnection("127.0.0.1", port, timeout=4)
    else:
        context = ssl.create_default_context(cafile=os.environ.get("DARI_TLS_CLIENT_CA") or None)
        context.minimum_version = ssl.TLSVersion.TLSv1_3
        context.check_hostname = False  # 127.0.0.1 need not be in the certificate
        context.load_cert_chain(cert, os.environ["DARI_TLS_KEYFILE"])
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=4, context=context)
    try:
        conn.request("GET", "/healthz")
        status = conn.getresponse().status
    except OSError as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
