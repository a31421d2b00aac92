#ifndef FLOWCRAFT_COPENSSL_SHIM_H
#define FLOWCRAFT_COPENSSL_SHIM_H
// Debian's libssl-dev (OpenSSL 3.0). A few OpenSSL APIs are macros, which Swift cannot call: these
// inline wrappers expose them as functions.
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/// SNI: SSL_set_tlsext_host_name is a macro over SSL_ctrl.
static inline int flowcraft_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}

/// Refuses anything older than TLS 1.2.
static inline int flowcraft_SSL_CTX_set_min_tls12(SSL_CTX *ctx) {
    return SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
}

/// Library and reason of a packed OpenSSL error code (inline functions in 3.0, macros before).
static inline int flowcraft_ERR_GET_LIB(unsigned long code) { return ERR_GET_LIB(code); }
static inline int flowcraft_ERR_GET_REASON(unsigned long code) { return ERR_GET_REASON(code); }
#endif
