"""Internal certificates: a private CA and one certificate per service (`dari certs`).

Every connection between Dari's containers is TLS 1.3, mutual where both ends are Dari's
(docs/containers.md). The certificates come from a CA kept in a directory on the host:

    DIR/ca/ca.key, DIR/ca/ca.pem      the CA's key (0600) and certificate; never mounted
    DIR/ca.pem                        the trust bundle (the CA, plus the previous one while a
                                      CA rotation is under way)
    DIR/<service>/cert.pem, key.pem   a service's certificate and key (0600, or 0640 with
                                      --owner), with ca.pem, the trust bundle: mount only this
                                      folder into the service's container
"""
