// Session: push() queues audio to the session's native thread, which steps as audio arrives and
// sends tokens back through a thread-safe function; flush() resolves when the stream is drained;
// close() stops the thread and frees the session. JS never waits on inference.
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <memory>
#include <vector>

#include "common.h"

namespace vxd_addon {
namespace {

Napi::FunctionReference* g_session_ctor = nullptr;

struct Command {
  enum Kind { kAudio, kFlush } kind;
  std::vector<float> pcm;
  uint64_t flush_id = 0;
};

struct Event {
  enum Kind { kTokens, kError, kFlushed, kFlushFailed } kind;
  std::vector<int32_t> ids;
  int64_t first_position = 0;
  std::string code, message;
  uint64_t flush_id = 0;
  int64_t steps = 0;
  double ms_per_step = 0, prefill_ms = 0;
  int64_t reused_prefix_tokens = 0;
};

class SessionWrap : public Napi::ObjectWrap<SessionWrap> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "Session",
                       {InstanceMethod("push", &SessionWrap::push), InstanceMethod("flush", &SessionWrap::flush),
                        InstanceMethod("close", &SessionWrap::close), InstanceMethod("captures", &SessionWrap::captures)});
  }
  explicit SessionWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<SessionWrap>(info) {}
  ~SessionWrap() override { shutdown(); }

  void start(Napi::Env env, std::shared_ptr<ModelHandle> model, Napi::Function on_tokens, Napi::Function on_error, uint32_t capture) {
    vxd_session_params sp;
    vxd_session_default_params(&sp);
    sp.capture_mask = capture;
    vxd_status st = vxd_session_create(model->model, &sp, &session_);
    if (st != VXD_OK) throw make_error(env, status_code(st), vxd_last_error());
    model_ = std::move(model);
    on_tokens_ = Napi::Persistent(on_tokens);
    on_error_ = Napi::Persistent(on_error);
    capture_mask_ = capture;
    // The finalizer runs on the JS thread after every queued event was delivered.
    tsfn_ = Napi::ThreadSafeFunction::New(env, Napi::Function::New(env, [](const Napi::CallbackInfo&) {}), "vxd-session", 0, 1,
                                          [this](Napi::Env) { Unref(); });
    Ref();  // keep this object alive while events can still arrive
    worker_ = std::thread([this] { run(); });
  }

 private:
  // ---- native thread ----
  void post(Event* e) {
    if (tsfn_.BlockingCall(e, [this](Napi::Env env, Napi::Function, Event* ev) { deliver(env, ev); }) != napi_ok) delete e;
  }

  void deliver(Napi::Env env, Event* raw) {
    std::unique_ptr<Event> ev(raw);
    Napi::HandleScope scope(env);
    try {
      if (ev->kind == Event::kFlushed || ev->kind == Event::kFlushFailed) {
        auto it = pending_.find(ev->flush_id);
        if (it == pending_.end()) return;
        Napi::Promise::Deferred d = it->second;
        pending_.erase(it);
        if (ev->kind == Event::kFlushFailed) {
          d.Reject(make_error(env, ev->code, ev->message).Value());
          return;
        }
        Napi::Object r = Napi::Object::New(env);
        r.Set("tokens", ids_array(env, ev->ids));
        r.Set("steps", Napi::Number::New(env, static_cast<double>(ev->steps)));
        r.Set("msPerStep", Napi::Number::New(env, ev->ms_per_step));
        r.Set("prefillMs", Napi::Number::New(env, ev->prefill_ms));
        r.Set("reusedPrefixTokens", Napi::Number::New(env, static_cast<double>(ev->reused_prefix_tokens)));
        d.Resolve(r);
      } else if (closed_) {
        return;  // nothing reaches JS after close()
      } else if (ev->kind == Event::kTokens) {
        on_tokens_.Call({ids_array(env, ev->ids), Napi::Number::New(env, static_cast<double>(ev->first_position))});
      } else {
        on_error_.Call({make_error(env, ev->code, ev->message).Value()});
      }
    } catch (const Napi::Error& e) {
      // A throwing user callback must not take the process down; surface it as an uncaught error.
      e.ThrowAsJavaScriptException();
    }
  }

  static Napi::Array ids_array(Napi::Env env, const std::vector<int32_t>& ids) {
    Napi::Array a = Napi::Array::New(env, ids.size());
    for (size_t i = 0; i < ids.size(); ++i) a.Set(static_cast<uint32_t>(i), Napi::Number::New(env, ids[i]));
    return a;
  }

  void run() {
    std::vector<int32_t> buf(256);
    for (;;) {
      Command cmd;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) break;
        cmd = std::move(queue_.front());
        queue_.pop_front();
      }
      std::lock_guard<std::mutex> session_lock(session_mu_);
      vxd_status st = cmd.kind == Command::kAudio ? vxd_session_push(session_, cmd.pcm.data(), cmd.pcm.size()) : vxd_session_finish(session_);
      // Decode everything the audio allows, posting each batch as soon as it is ready.
      while (st == VXD_OK) {
        vxd_session_stats stats;
        stats.struct_size = sizeof(stats);
        vxd_session_get_stats(session_, &stats);
        size_t got = 0;
        st = vxd_session_decode(session_, buf.data(), 1, &got);  // one step at a time: lowest latency
        if (st != VXD_OK || got == 0) break;
        all_tokens_.insert(all_tokens_.end(), buf.begin(), buf.begin() + static_cast<long>(got));
        auto* e = new Event{Event::kTokens};
        e->ids.assign(buf.begin(), buf.begin() + static_cast<long>(got));
        e->first_position = stats.next_position;
        post(e);
        {
          std::lock_guard<std::mutex> lock(mu_);
          if (stopping_) return;
        }
      }
      if (st != VXD_OK) {
        auto* e = new Event{cmd.kind == Command::kFlush ? Event::kFlushFailed : Event::kError};
        e->code = status_code(st);
        e->message = vxd_last_error();
        e->flush_id = cmd.flush_id;
        post(e);
      } else if (cmd.kind == Command::kFlush) {
        vxd_session_stats stats;
        stats.struct_size = sizeof(stats);
        vxd_session_get_stats(session_, &stats);
        auto* e = new Event{Event::kFlushed};
        e->flush_id = cmd.flush_id;
        e->ids = all_tokens_;
        e->steps = stats.steps;
        e->ms_per_step = stats.steps > 1 ? (stats.total_step_ms - stats.prefill_ms) / static_cast<double>(stats.steps - 1) : stats.total_step_ms;
        e->prefill_ms = stats.prefill_ms;
        e->reused_prefix_tokens = stats.reused_prefix_tokens;
        post(e);
      }
    }
  }

  // ---- JS thread ----
  void ensure_open(Napi::Env env) {
    if (closed_) throw make_error(env, "STATE", "session is closed");
  }

  Napi::Value push(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    ensure_open(env);
    if (flushed_) throw make_error(env, "STATE", "audio pushed after flush(); create a new session");
    if (info.Length() < 1 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      throw make_error(env, "INVALID_ARGUMENT", "push(pcm) needs a Float32Array");
    Napi::Float32Array a = info[0].As<Napi::Float32Array>();
    Command cmd{Command::kAudio};
    cmd.pcm.assign(a.Data(), a.Data() + a.ElementLength());
    enqueue(std::move(cmd));
    return env.Undefined();
  }

  Napi::Value flush(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto deferred = Napi::Promise::Deferred::New(env);
    if (closed_) {
      deferred.Reject(make_error(env, "STATE", "session is closed").Value());
      return deferred.Promise();
    }
    flushed_ = true;
    const uint64_t id = ++next_flush_id_;
    pending_.emplace(id, deferred);
    Command cmd{Command::kFlush};
    cmd.flush_id = id;
    enqueue(std::move(cmd));
    return deferred.Promise();
  }

  Napi::Value close(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (closed_) return env.Undefined();
    shutdown();
    for (auto& [id, d] : pending_) d.Reject(make_error(env, "STATE", "session closed before flush completed").Value());
    pending_.clear();
    return env.Undefined();
  }

  Napi::Value captures(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    ensure_open(env);
    Napi::Object out = Napi::Object::New(env);
    const std::pair<uint32_t, const char*> kinds[] = {
        {VXD_CAPTURE_MEL, "mel"}, {VXD_CAPTURE_ENCODER, "encoder"}, {VXD_CAPTURE_AUDIO_EMBEDS, "audio_embeds"}, {VXD_CAPTURE_LOGITS, "logits"}};
    std::lock_guard<std::mutex> lock(session_mu_);
    for (const auto& [flag, name] : kinds) {
      if (!(capture_mask_ & flag)) continue;
      const float* d = nullptr;
      size_t rows = 0, cols = 0;
      if (vxd_session_capture(session_, flag, &d, &rows, &cols) != VXD_OK) continue;
      Napi::Float32Array arr = Napi::Float32Array::New(env, rows * cols);
      if (rows * cols > 0) std::copy(d, d + rows * cols, arr.Data());
      Napi::Object entry = Napi::Object::New(env);
      entry.Set("data", arr);
      entry.Set("rows", Napi::Number::New(env, static_cast<double>(rows)));
      entry.Set("cols", Napi::Number::New(env, static_cast<double>(cols)));
      out.Set(name, entry);
    }
    return out;
  }

  void enqueue(Command&& cmd) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(cmd));
    }
    cv_.notify_one();
  }

  void shutdown() {
    if (closed_ || !session_) {
      closed_ = true;
      return;
    }
    closed_ = true;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      queue_.clear();
    }
    cv_.notify_one();
    // The worker may be blocked posting to the JS thread (queue is unbounded, so it is not).
    if (worker_.joinable()) worker_.join();
    tsfn_.Release();
    vxd_session_destroy(session_);
    session_ = nullptr;
    model_.reset();
  }

 public:
  uint32_t capture_mask_ = 0;
  Napi::FunctionReference on_tokens_, on_error_;
  std::map<uint64_t, Napi::Promise::Deferred> pending_;
  bool closed_ = false;

 private:
  std::shared_ptr<ModelHandle> model_;
  vxd_session* session_ = nullptr;
  Napi::ThreadSafeFunction tsfn_;
  std::thread worker_;
  std::mutex mu_, session_mu_;
  std::condition_variable cv_;
  std::deque<Command> queue_;
  bool stopping_ = false, flushed_ = false;
  uint64_t next_flush_id_ = 0;
  std::vector<int32_t> all_tokens_;
};

uint32_t capture_flags(Napi::Env env, const Napi::Value& opts) {
  if (!opts.IsObject()) return 0;
  Napi::Value cap = opts.As<Napi::Object>().Get("capture");
  if (cap.IsUndefined() || cap.IsNull()) return 0;
  if (!cap.IsArray()) throw make_error(env, "INVALID_ARGUMENT", "options.capture must be an array");
  Napi::Array a = cap.As<Napi::Array>();
  uint32_t mask = 0;
  for (uint32_t i = 0; i < a.Length(); ++i) {
    std::string k = a.Get(i).ToString().Utf8Value();
    if (k == "mel") mask |= VXD_CAPTURE_MEL;
    else if (k == "encoder") mask |= VXD_CAPTURE_ENCODER;
    else if (k == "audio_embeds") mask |= VXD_CAPTURE_AUDIO_EMBEDS;
    else if (k == "logits") mask |= VXD_CAPTURE_LOGITS;
    else throw make_error(env, "INVALID_ARGUMENT", "unknown capture '" + k + "' (mel, encoder, audio_embeds, logits)");
  }
  return mask;
}

}  // namespace

Napi::Object new_session(Napi::Env env, std::shared_ptr<ModelHandle> model, const Napi::CallbackInfo& info) {
  if (info.Length() < 2 || !info[0].IsFunction() || !info[1].IsFunction())
    throw make_error(env, "INVALID_ARGUMENT", "createSession(onTokens, onError, options?)");
  uint32_t mask = capture_flags(env, info.Length() > 2 ? info[2] : env.Undefined());
  Napi::Object obj = g_session_ctor->New({});
  SessionWrap::Unwrap(obj)->start(env, std::move(model), info[0].As<Napi::Function>(), info[1].As<Napi::Function>(), mask);
  return obj;
}

Napi::Object init_session(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = SessionWrap::define(env);
  g_session_ctor = new Napi::FunctionReference(Napi::Persistent(ctor));
  exports.Set("Session", ctor);
  return exports;
}

}  // namespace vxd_addon
