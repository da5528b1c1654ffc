// loadModel(opts, onProgress) -> Promise<Model>: loads on a worker thread, reports progress on
// the JS thread. Model: info (JSON), createSession(...), dispose().
#include <string>
#include <utility>

#include "common.h"

namespace vxd_addon {
namespace {

Napi::FunctionReference* g_model_ctor = nullptr;

class ModelWrap : public Napi::ObjectWrap<ModelWrap> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "Model",
                       {InstanceMethod("createSession", &ModelWrap::create_session), InstanceMethod("dispose", &ModelWrap::dispose),
                        InstanceAccessor("infoJson", &ModelWrap::info_json, nullptr)});
  }
  explicit ModelWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ModelWrap>(info) {}
  void adopt(std::shared_ptr<ModelHandle> h) { handle_ = std::move(h); }

 private:
  Napi::Value info_json(const Napi::CallbackInfo& info) {
    if (!handle_) throw make_error(info.Env(), "STATE", "model is disposed");
    return Napi::String::New(info.Env(), vxd_model_info_json(handle_->model));
  }
  Napi::Value create_session(const Napi::CallbackInfo& info) {
    if (!handle_) throw make_error(info.Env(), "STATE", "model is disposed");
    return new_session(info.Env(), handle_, info);
  }
  Napi::Value dispose(const Napi::CallbackInfo& info) {
    handle_.reset();  // sessions keep their own reference until closed
    return info.Env().Undefined();
  }
  std::shared_ptr<ModelHandle> handle_;
};

struct Progress {
  float fraction;
  std::string stage;
};

// loadModel's options, copied off the JS heap for the worker thread.
struct LoadRequest {
  std::string pte, ptd, backend, dtype, device;
  int threads = 0;
  uint64_t budget = 0;
};

class LoadWorker : public Napi::AsyncProgressQueueWorker<Progress> {
 public:
  LoadWorker(Napi::Env env, Napi::Function on_progress, LoadRequest request)
      : Napi::AsyncProgressQueueWorker<Progress>(env), deferred_(Napi::Promise::Deferred::New(env)), req_(std::move(request)) {
    if (!on_progress.IsEmpty()) on_progress_ = Napi::Persistent(on_progress);
  }
  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute(const ExecutionProgress& progress) override {
    vxd_model_params p;
    vxd_model_default_params(&p);
    p.pte_path = req_.pte.c_str();
    p.ptd_path = req_.ptd.empty() ? nullptr : req_.ptd.c_str();
    p.backend = req_.backend.c_str();
    p.dtype = req_.dtype.c_str();
    p.device = req_.device.empty() ? nullptr : req_.device.c_str();
    p.n_threads = req_.threads;
    p.memory_budget_bytes = req_.budget;
    struct Ctx {
      const ExecutionProgress* prog;
    } ctx{&progress};
    p.progress = [](float f, const char* stage, void* user) {
      Progress item{f, stage};
      static_cast<Ctx*>(user)->prog->Send(&item, 1);
    };
    p.progress_user = &ctx;
    vxd_status st = vxd_model_load(&p, &model_);
    if (st != VXD_OK) {
      code_ = status_code(st);
      SetError(vxd_last_error());
    }
  }
  void OnProgress(const Progress* items, size_t n) override {
    if (on_progress_.IsEmpty()) return;
    Napi::HandleScope scope(Env());
    for (size_t i = 0; i < n; ++i)
      on_progress_.Call({Napi::Number::New(Env(), items[i].fraction), Napi::String::New(Env(), items[i].stage)});
  }
  void OnOK() override {
    Napi::Object obj = g_model_ctor->New({});
    auto handle = std::make_shared<ModelHandle>();
    handle->model = model_;
    model_ = nullptr;
    ModelWrap::Unwrap(obj)->adopt(std::move(handle));
    deferred_.Resolve(obj);
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(make_error(Env(), code_, e.Message()).Value()); }
  ~LoadWorker() override { vxd_model_free(model_); }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::FunctionReference on_progress_;
  LoadRequest req_;
  vxd_model* model_ = nullptr;
  std::string code_ = "INTERNAL";
};

std::string opt_string(const Napi::Object& o, const char* key, const char* dflt) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return dflt;
  if (!v.IsString()) throw make_error(o.Env(), "INVALID_ARGUMENT", std::string("option ") + key + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

Napi::Value load_model(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw make_error(env, "INVALID_ARGUMENT", "loadModel(options, onProgress?)");
  Napi::Object o = info[0].As<Napi::Object>();
  std::string pte = opt_string(o, "pte", "");
  if (pte.empty()) throw make_error(env, "INVALID_ARGUMENT", "options.pte is required");
  Napi::Value threads = o.Get("threads"), budget = o.Get("memoryBudgetBytes");
  Napi::Function on_progress = info.Length() > 1 && info[1].IsFunction() ? info[1].As<Napi::Function>() : Napi::Function();
  LoadRequest req;
  req.pte = pte;
  req.ptd = opt_string(o, "ptd", "");
  req.backend = opt_string(o, "backend", "cpu");
  req.dtype = opt_string(o, "dtype", "fp32");
  req.device = opt_string(o, "gpu", "");
  req.threads = threads.IsNumber() ? threads.As<Napi::Number>().Int32Value() : 0;
  req.budget = budget.IsNumber() ? static_cast<uint64_t>(budget.As<Napi::Number>().DoubleValue()) : 0;
  auto* w = new LoadWorker(env, on_progress, std::move(req));
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

}  // namespace

Napi::Object init_model(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = ModelWrap::define(env);
  g_model_ctor = new Napi::FunctionReference(Napi::Persistent(ctor));
  exports.Set("Model", ctor);
  exports.Set("loadModel", Napi::Function::New(env, load_model));
  return exports;
}

}  // namespace vxd_addon
