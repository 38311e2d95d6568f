// Status codes and messages for the C entry points: every C++ exception becomes a status plus a message.
#pragma once

#include <cstdio>
#include <exception>
#include <new>
#include <string>

#include <faiss/impl/FaissException.h>

#include "CFaissShim.h"

namespace glimpse_shim {

struct ShimError {
    GlimpseShimStatus status;
    std::string message;
};

inline void writeMessage(char *message, const std::string &text) {
    if (message == nullptr) return;
    std::snprintf(message, GLIMPSE_SHIM_MESSAGE_CAPACITY, "%s", text.c_str());
}

/// Runs `body`, mapping every exception to a status; nothing escapes to the C caller.
template <typename Body>
GlimpseShimStatus guarded(char *message, Body &&body) {
    try {
        body();
        return GLIMPSE_SHIM_OK;
    } catch (const ShimError &error) {
        writeMessage(message, error.message);
        return error.status;
    } catch (const faiss::FaissException &error) {
        writeMessage(message, std::string("FAISS error: ") + error.what());
        return GLIMPSE_SHIM_FAILURE;
    } catch (const std::bad_alloc &) {
        writeMessage(message, "out of memory");
        return GLIMPSE_SHIM_FAILURE;
    } catch (const std::exception &error) {
        writeMessage(message, std::string("C++ exception: ") + error.what());
        return GLIMPSE_SHIM_FAILURE;
    } catch (...) {
        writeMessage(message, "unknown C++ exception");
        return GLIMPSE_SHIM_FAILURE;
    }
}

[[noreturn]] inline void fail(GlimpseShimStatus status, const std::string &message) {
    throw ShimError{status, message};
}

inline void require(bool condition, const std::string &message) {
    if (!condition) fail(GLIMPSE_SHIM_INVALID_ARGUMENT, message);
}

inline void requireSound(bool condition, const std::string &message) {
    if (!condition) fail(GLIMPSE_SHIM_CORRUPT, "index bytes are not a usable HNSW index: " + message);
}

} // namespace glimpse_shim
