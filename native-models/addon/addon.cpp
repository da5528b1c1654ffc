// Node-API entry point: listBackends(), loadModel(), Model, Session.
#include "common.h"

namespace vxd_addon {

Napi::Value list_backends(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object json = env.Global().Get("JSON").As<Napi::Object>();
  return json.Get("parse").As<Napi::Function>().Call(json, {Napi::String::New(env, vxd_backends_json())});
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
  exports.Set("listBackends", Napi::Function::New(env, list_backends));
  init_model(env, exports);
  init_session(env, exports);
  return exports;
}

}  // namespace vxd_addon

static Napi::Object init_addon(Napi::Env env, Napi::Object exports) { return vxd_addon::init(env, exports); }

NODE_API_MODULE(vxd_addon, init_addon)
