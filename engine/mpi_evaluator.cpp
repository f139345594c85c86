#include "engine/mpi_evaluator.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "engine/study_runner.hpp"
#include "model/io/json_reader.hpp"

#ifdef ACCELSCOPE_HAVE_MPI
#include <mpi.h>
#endif

namespace accelscope::engine::mpi {

namespace {

Session* current_session = nullptr;

// The world size and rank a launcher announces in the environment (Open MPI's mpirun, Slurm's
// srun with PMI or PMIx, MPICH's Hydra).
int env_int(const char* name, int missing) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return missing;
  char* end = nullptr;
  const long parsed = std::strtol(value, &end, 10);
  return *end == '\0' && parsed >= 0 && parsed < (1 << 30) ? static_cast<int>(parsed) : missing;
}

int env_world_size() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE"})
    if (const int size = env_int(name, -1); size >= 0) return size;
  return -1;
}

}  // namespace

bool launched_with_several_ranks() {
  return env_world_size() > 1;
}

Session* session() {
  return current_session;
}

#ifndef ACCELSCOPE_HAVE_MPI

bool built_with_mpi() {
  return false;
}

namespace {
int env_world_rank() {
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"})
    if (const int rank = env_int(name, -1); rank >= 0) return rank;
  return 0;
}
}  // namespace

Session::Session(int&, char**&) {
  current_session = this;
  if (!launched_with_several_ranks()) return;
  rank_ = env_world_rank();
  size_ = env_world_size();
  if (rank_ == 0)
    throw io::InputError(fmt::format(
        "{} ranks were started (mpirun or srun), but this accelscope was built without MPI "
        "(ACCELSCOPE_MPI off: install libopenmpi-dev and rebuild); run it without a launcher",
        size_));
}

Session::~Session() {
  current_session = nullptr;
}

int Session::serve() {
  return 2;
}  // the rank 0 said why (this build has no MPI)

std::unique_ptr<BatchEvaluator> make_batch_evaluator(std::size_t) {
  return nullptr;
}

#else

bool built_with_mpi() {
  return true;
}

namespace {

bool launched_by_launcher() {
  return env_world_size() >= 0 || std::getenv("PMIX_RANK") != nullptr;
}

// Messages between rank 0 and the others. Payloads are MessagePack (nlohmann::json): exact doubles
// (NaN for the objectives of a failed design included), compact, one well-kept library.
enum Tag : int {
  kSpaceTag = 1,    // 0 -> n: the study's space and identity; n answers kReadyTag
  kReadyTag = 2,    // n -> 0: "" when loaded, else the one-line error
  kPointsTag = 3,   // 0 -> n: a slice of a chunk
  kResultsTag = 4,  // n -> 0: its results, or {"error": ...}
  kStopTag = 5,     // 0 -> n: exit
};

void send_bytes(const std::vector<std::uint8_t>& bytes, int to, int tag) {
  if (bytes.size() > static_cast<std::size_t>(INT32_MAX))
    throw std::runtime_error(fmt::format("MPI message of {} bytes is too large", bytes.size()));
  MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, to, tag, MPI_COMM_WORLD);
}

std::vector<std::uint8_t> receive_bytes(int from, int tag, int* received_tag = nullptr) {
  // Polls with a growing sleep instead of MPI_Probe, which spins on a core while it waits: a rank
  // waiting for work, or rank 0 waiting for results, would take a core from the evaluation.
  MPI_Status status;
  auto pause = std::chrono::microseconds(20);
  for (int arrived = 0; MPI_Iprobe(from, tag, MPI_COMM_WORLD, &arrived, &status), !arrived;) {
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(2000));
  }
  int count = 0;
  MPI_Get_count(&status, MPI_BYTE, &count);
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(count));
  MPI_Recv(bytes.data(), count, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD,
           MPI_STATUS_IGNORE);
  if (received_tag != nullptr) *received_tag = status.MPI_TAG;
  return bytes;
}

std::string host_name() {
  char name[MPI_MAX_PROCESSOR_NAME];
  int length = 0;
  MPI_Get_processor_name(name, &length);
  return std::string(name, static_cast<std::size_t>(length));
}

// Results in transit. Metrics go as an array over one key list per message (the names of the
// first result's metrics, as the store's key dictionary does), or as an object when a design has
// other names.
nlohmann::json encode_results(const std::vector<DesignResult>& results) {
  nlohmann::json keys = nlohmann::json::array();
  if (!results.empty())
    for (auto it = results.front().metrics.begin(); it != results.front().metrics.end(); ++it)
      keys.push_back(it.key());
  nlohmann::json rows = nlohmann::json::array();
  for (const DesignResult& r : results) {
    nlohmann::json metrics = r.metrics;
    bool same_keys = r.metrics.size() == keys.size();
    if (same_keys) {
      nlohmann::json values = nlohmann::json::array();
      std::size_t i = 0;
      for (auto it = r.metrics.begin(); it != r.metrics.end() && same_keys; ++it, ++i) {
        same_keys = it.key() == keys[i].get_ref<const std::string&>();
        values.push_back(it.value());
      }
      if (same_keys) metrics = std::move(values);
    }
    rows.push_back({{"o", r.evaluation.objectives},
                    {"v", r.evaluation.violation},
                    {"p", r.params},
                    {"m", std::move(metrics)},
                    {"w", r.workloads},
                    {"x", r.violations},
                    {"f", r.failed},
                    {"e", r.error},
                    {"s", r.eval_seconds}});
  }
  return {{"k", std::move(keys)}, {"r", std::move(rows)}};
}

std::vector<DesignResult> decode_results(const nlohmann::json& message,
                                         const std::vector<search::Point>& points,
                                         std::size_t first) {
  const nlohmann::json& keys = message.at("k");
  std::vector<DesignResult> results;
  for (const nlohmann::json& row : message.at("r")) {
    DesignResult r;
    r.evaluation.point = points.at(first + results.size());
    r.evaluation.objectives = row.at("o").get<std::vector<double> >();
    r.evaluation.violation = row.at("v").get<double>();
    r.params = row.at("p");
    const nlohmann::json& metrics = row.at("m");
    if (metrics.is_array()) {
      for (std::size_t i = 0; i < metrics.size(); ++i)
        r.metrics[keys.at(i).get<std::string>()] = metrics[i];
    } else {
      r.metrics = metrics;
    }
    r.workloads = row.at("w");
    r.violations = row.at("x");
    r.failed = row.at("f").get<bool>();
    r.error = row.at("e").get<std::string>();
    r.eval_seconds = row.at("s").get<double>();
    results.push_back(std::move(r));
  }
  return results;
}

// Spreads each chunk over all ranks in contiguous slices (rank 0 keeps the first); the results
// are pure functions of the points, so the split never changes them.
class MpiBatchEvaluator final : public BatchEvaluator {
 public:
  MpiBatchEvaluator(int size, std::size_t threads) : size_(size), threads_(threads) {}

  void start(const StudySpace& study) override {
    const nlohmann::json space = {{"file", study.spec_file},    {"spec", study.stored_spec},
                                  {"hash", study.spec_hash},    {"name", study.name},
                                  {"identity", study.identity}, {"threads", threads_}};
    const std::vector<std::uint8_t> bytes = nlohmann::json::to_msgpack(space);
    for (int rank = 1; rank < size_; ++rank) send_bytes(bytes, rank, kSpaceTag);
    std::string first_error;
    for (int rank = 1; rank < size_; ++rank) {
      const std::vector<std::uint8_t> answer = receive_bytes(rank, kReadyTag);
      if (first_error.empty() && !answer.empty()) first_error.assign(answer.begin(), answer.end());
    }
    if (!first_error.empty()) throw io::InputError(first_error);
  }

  std::vector<DesignResult> evaluate_all(const DesignEvaluator& local,
                                         const std::vector<search::Point>& points,
                                         std::size_t threads) override {
    const auto size = static_cast<std::size_t>(size_);
    auto slice_begin = [&](std::size_t rank) { return rank * points.size() / size; };
    for (std::size_t rank = 1; rank < size; ++rank) {
      const std::vector<search::Point> slice(points.begin() + slice_begin(rank),
                                             points.begin() + slice_begin(rank + 1));
      send_bytes(nlohmann::json::to_msgpack(nlohmann::json(slice)), static_cast<int>(rank),
                 kPointsTag);
    }
    std::vector<DesignResult> results = local.evaluate_all(
        std::vector<search::Point>(points.begin(), points.begin() + slice_begin(1)), threads);
    // Every answer is received before any is read, so that no rank is left blocked in a send.
    std::vector<nlohmann::json> answers;
    for (std::size_t rank = 1; rank < size; ++rank)
      answers.push_back(
          nlohmann::json::from_msgpack(receive_bytes(static_cast<int>(rank), kResultsTag)));
    for (std::size_t rank = 1; rank < size; ++rank) {
      const nlohmann::json& answer = answers[rank - 1];
      if (answer.contains("error")) throw std::runtime_error(answer.at("error").get<std::string>());
      std::vector<DesignResult> part = decode_results(answer, points, slice_begin(rank));
      if (part.size() != slice_begin(rank + 1) - slice_begin(rank))
        throw std::runtime_error(fmt::format("MPI rank {} returned {} results for {} designs", rank,
                                             part.size(),
                                             slice_begin(rank + 1) - slice_begin(rank)));
      std::move(part.begin(), part.end(), std::back_inserter(results));
    }
    return results;
  }

 private:
  int size_;
  std::size_t threads_;
};

// A rank's evaluator for the space rank 0 names: loaded from its own files, which must match the
// study (spec hash, model version, technology data) or the results would not be the study's.
std::unique_ptr<DesignEvaluator> load_space(const nlohmann::json& space, std::size_t& threads) {
  const SpaceSpec spec =
      space_spec_matching(space.at("file").get<std::string>(), space.at("spec"),
                          space.at("hash").get<std::string>(), space.at("name").get<std::string>());
  const io::TechLibrary library = io::load_default_tech_library();
  const nlohmann::json identity = study_identity(library);
  if (identity != space.at("identity"))
    throw io::InputError(fmt::format(
        "study '{}' was made with {}, this rank's accelscope and technology data give {}",
        space.at("name").get<std::string>(), space.at("identity").dump(), identity.dump()));
  threads = space.at("threads").get<std::size_t>();
  return std::make_unique<DesignEvaluator>(spec, library);
}

}  // namespace

Session::Session(int& argc, char**& argv) {
  current_session = this;
  if (!launched_by_launcher()) return;
  int provided = 0;
  // The runner evaluates chunks on a helper thread, one at a time: serialized calls suffice.
  MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided);
  active_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  if (provided < MPI_THREAD_SERIALIZED && size_ > 1) {
    if (rank_ == 0)
      spdlog::error(
          "this MPI library does not allow calls from several threads (MPI_THREAD_SERIALIZED); "
          "use an Open MPI built with thread support");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
}

Session::~Session() {
  current_session = nullptr;
  if (!active_) return;
  if (rank_ == 0)
    for (int rank = 1; rank < size_; ++rank)
      MPI_Send(nullptr, 0, MPI_BYTE, rank, kStopTag, MPI_COMM_WORLD);
  MPI_Finalize();
}

int Session::serve() {
  const std::string where = fmt::format("MPI rank {} on {}", rank_, host_name());
  std::unique_ptr<DesignEvaluator> evaluator;
  std::size_t threads = 0;
  while (true) {
    int tag = 0;
    const std::vector<std::uint8_t> bytes = receive_bytes(0, MPI_ANY_TAG, &tag);
    if (tag == kStopTag) return 0;
    if (tag == kSpaceTag) {
      std::string error;
      try {
        evaluator.reset();
        evaluator = load_space(nlohmann::json::from_msgpack(bytes), threads);
      } catch (const std::exception& e) {
        error = where + ": " + e.what();
      }
      send_bytes(std::vector<std::uint8_t>(error.begin(), error.end()), 0, kReadyTag);
    } else if (tag == kPointsTag) {
      nlohmann::json answer;
      try {
        if (!evaluator) throw std::runtime_error("designs sent before a space");
        const auto points = nlohmann::json::from_msgpack(bytes).get<std::vector<search::Point> >();
        answer = encode_results(evaluator->evaluate_all(points, threads));
      } catch (const std::exception& e) {
        answer = {{"error", where + ": " + e.what()}};
      }
      send_bytes(nlohmann::json::to_msgpack(answer), 0, kResultsTag);
    } else {
      spdlog::error("{}: unknown message tag {} from rank 0", where, tag);
      MPI_Abort(MPI_COMM_WORLD, 1);
    }
  }
}

std::unique_ptr<BatchEvaluator> make_batch_evaluator(std::size_t threads) {
  if (current_session == nullptr || !current_session->active() || current_session->size() < 2 ||
      current_session->rank() != 0)
    return nullptr;
  return std::make_unique<MpiBatchEvaluator>(current_session->size(), threads);
}

#endif

}  // namespace accelscope::engine::mpi
