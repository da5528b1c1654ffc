// Shared pieces of the Node-API glue: the model handle shared by sessions, and error helpers.
#pragma once

#include <napi.h>

#include <memory>
#include <string>

#include "vxd.h"

namespace vxd_addon {

// Freed when the JS Model is disposed/collected AND every session of it is closed.
struct ModelHandle {
  vxd_model* model = nullptr;
  ~ModelHandle() { vxd_model_free(model); }
};

inline const char* status_code(vxd_status s) {
  switch (s) {
    case VXD_OK: return "OK";
    case VXD_ERR_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case VXD_ERR_IO: return "IO";
    case VXD_ERR_FORMAT: return "FORMAT";
    case VXD_ERR_UNSUPPORTED: return "UNSUPPORTED";
    case VXD_ERR_BACKEND_UNAVAILABLE: return "BACKEND_UNAVAILABLE";
    case VXD_ERR_OUT_OF_MEMORY: return "OUT_OF_MEMORY";
    case VXD_ERR_STATE: return "STATE";
    case VXD_ERR_INTERNAL: return "INTERNAL";
  }
  return "INTERNAL";
}

inline Napi::Error make_error(Napi::Env env, const std::string& code, const std::string& message) {
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("code", Napi::String::New(env, code));
  return e;
}

Napi::Object init_model(Napi::Env env, Napi::Object exports);
Napi::Object init_session(Napi::Env env, Napi::Object exports);
Napi::Object new_session(Napi::Env env, std::shared_ptr<ModelHandle> model, const Napi::CallbackInfo& info);

}  // namespace vxd_addon
