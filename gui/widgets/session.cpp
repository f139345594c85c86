#include "gui/widgets/session.hpp"

#include <QElapsedTimer>

#include <algorithm>
#include <climits>

#include "store/error.hpp"

namespace accelscope::gui {

namespace {

bool sameListing(const std::vector<store::StudyInfo>& a, const std::vector<store::StudyInfo>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].id != b[i].id || a[i].name != b[i].name || a[i].status != b[i].status ||
        a[i].budget != b[i].budget || !(a[i].counts == b[i].counts) ||
        a[i].updated_at != b[i].updated_at) {
      return false;
    }
  }
  return true;
}

}  // namespace

QString describeFailure(const QString& what, const std::exception& failure) {
  return QStringLiteral("%1: %2").arg(what, QString::fromStdString(failure.what()));
}

StudySession::StudySession(QObject* parent) : QObject(parent) {
  poll_timer_.setInterval(poll_interval_ms_);
  connect(&poll_timer_, &QTimer::timeout, this, &StudySession::refresh);
}

StudySession::~StudySession() {
  stopLoader();
}

void StudySession::stopLoader() {
  if (!loader_.joinable()) return;
  loader_.request_stop();
  loader_.join();  // the scan notices within 1,024 rows
}

void StudySession::setPreview(std::size_t threshold_designs, std::size_t sample_designs) {
  preview_threshold_ = threshold_designs;
  preview_sample_ = std::max<std::size_t>(sample_designs, 1);
}

store::OpenOptions StudySession::readOptions() const {
  store::OpenOptions options;
  options.mode = store::OpenMode::read_only;
  options.busy_timeout = busy_timeout_;
  return options;
}

bool StudySession::open(const QString& path) {
  close();
  try {
    auto db = std::make_unique<store::Database>(path.toStdString(), readOptions());
    std::vector<store::StudyInfo> studies = db->studies();
    db_ = std::move(db);
    studies_ = std::move(studies);
  } catch (const std::exception& failure) {
    emit errorOccurred(describeFailure(QStringLiteral("Cannot open the study database"), failure));
    return false;
  }
  path_ = path;
  emit opened(path_);
  emit studiesChanged();
  if (poll_interval_ms_ > 0) poll_timer_.start();
  return true;
}

void StudySession::close() {
  const bool was_open = db_ != nullptr;
  poll_timer_.stop();
  stopLoader();
  ++generation_;
  study_complete_ = true;
  study_.reset();
  studies_.clear();
  db_.reset();
  path_.clear();
  if (was_open) emit closed();
}

bool StudySession::selectStudy(store::StudyId id) {
  if (!db_) return false;
  stopLoader();
  const std::uint64_t generation = ++generation_;
  try {
    load_timer_.start();
    const store::StudyInfo info = db_->study(id);
    const bool preview =
        preview_threshold_ > 0 && info.counts.done > static_cast<std::int64_t>(preview_threshold_);
    study_ =
        preview ? StudyData::load_preview(*db_, id, preview_sample_) : StudyData::load(*db_, id);
    last_load_seconds_ = static_cast<double>(load_timer_.nsecsElapsed()) * 1e-9;
    study_complete_ = !preview;
    complete_load_seconds_ = preview ? 0.0 : last_load_seconds_;
  } catch (const std::exception& failure) {
    study_.reset();
    study_complete_ = true;
    emit errorOccurred(describeFailure(QStringLiteral("Cannot read the study"), failure));
    return false;
  }
  emit studyLoaded();
  if (study_complete_) {
    emit studyCompleted();
  } else {
    startFullLoad(id, generation);
  }
  return true;
}

void StudySession::startFullLoad(store::StudyId id, std::uint64_t generation) {
  // Its own connection: a Database is used by one thread at a time.
  loader_ = std::jthread([this, path = path_.toStdString(), options = readOptions(), id,
                          generation](std::stop_token stop) {
    std::shared_ptr<StudyData> loaded;
    QString failure;
    try {
      store::Database db(path, options);
      loaded = std::make_shared<StudyData>(StudyData::load(db, id, stop));
    } catch (const LoadCancelled&) {
      return;
    } catch (const std::exception& error) {
      failure = describeFailure(QStringLiteral("Cannot read the whole study"), error);
    }
    if (stop.stop_requested()) return;
    // Posted to the session's thread; dropped by Qt if the session is destroyed first (its
    // destructor joins this thread, so `this` is alive while the event is posted).
    QMetaObject::invokeMethod(
        this, [this, generation, loaded, failure] { finishFullLoad(generation, loaded, failure); },
        Qt::QueuedConnection);
  });
}

void StudySession::finishFullLoad(std::uint64_t generation, std::shared_ptr<StudyData> loaded,
                                  QString failure) {
  if (generation != generation_ || !study_) return;  // a newer selection or close() won
  if (loader_.joinable()) loader_.join();            // it has posted this and is returning
  study_complete_ = true;
  if (!loaded) {
    // The preview stays; the next poll's refresh notices the missing designs and re-reads.
    emit errorOccurred(failure);
    return;
  }
  const std::size_t shown = study_->designs().size();
  study_ = std::move(*loaded);
  complete_load_seconds_ = static_cast<double>(load_timer_.nsecsElapsed()) * 1e-9;
  const std::size_t added = study_->designs().size() > shown ? study_->designs().size() - shown : 0;
  emit studyUpdated(static_cast<int>(std::min<std::size_t>(added, INT_MAX)));
  emit studyCompleted();
}

std::optional<nlohmann::json> StudySession::breakdown(store::TrialId trial) {
  if (!db_) return std::nullopt;
  try {
    return db_->breakdown(trial);
  } catch (const std::exception& failure) {
    emit errorOccurred(describeFailure(QStringLiteral("Cannot read the breakdown"), failure));
    return std::nullopt;
  }
}

std::optional<reports::Design> StudySession::reportDesign(store::TrialId trial) {
  if (!db_) return std::nullopt;
  try {
    const std::optional<store::Trial> stored = db_->trial(trial, false);
    if (!stored) return std::nullopt;
    return reports::design_of(*stored);
  } catch (const std::exception& failure) {
    emit errorOccurred(describeFailure(QStringLiteral("Cannot read the design"), failure));
    return std::nullopt;
  }
}

std::optional<ReportPicks> StudySession::reportPicks() {
  if (!db_ || !study_) return std::nullopt;
  try {
    return report_picks(*db_, study_->info().id);
  } catch (const std::exception& failure) {
    emit errorOccurred(
        describeFailure(QStringLiteral("Cannot read the report's knee and shortlist"), failure));
    return std::nullopt;
  }
}

std::optional<StudyData> StudySession::loadStudy(const QString& path, store::StudyId id) {
  try {
    if (db_ && path == path_) return StudyData::load(*db_, id);
    store::Database other(path.toStdString(), readOptions());
    return StudyData::load(other, id);
  } catch (const std::exception& failure) {
    emit errorOccurred(describeFailure(QStringLiteral("Cannot read the overlay study"), failure));
    return std::nullopt;
  }
}

void StudySession::setPollInterval(int milliseconds) {
  poll_interval_ms_ = std::max(milliseconds, 0);
  poll_timer_.stop();
  if (poll_interval_ms_ == 0) return;
  poll_timer_.setInterval(poll_interval_ms_);
  if (db_) poll_timer_.start();
}

void StudySession::refresh() {
  if (!db_) return;
  try {
    std::vector<store::StudyInfo> studies = db_->studies();
    if (!sameListing(studies, studies_)) {
      studies_ = std::move(studies);
      emit studiesChanged();
    }
    if (study_ && study_complete_) {  // a preview waits for its full read
      const RefreshResult result = study_->refresh(*db_);
      if (result.changed) emit studyUpdated(static_cast<int>(result.added));
    }
  } catch (const store::StoreError& failure) {
    if (failure.kind() == store::ErrorKind::no_such_study && study_) {
      // Deleted by someone else: drop it rather than failing on every poll.
      study_.reset();
      emit errorOccurred(describeFailure(QStringLiteral("The study is gone"), failure));
      emit studyLoaded();
      return;
    }
    emit refreshFailed(describeFailure(QStringLiteral("Refresh failed (will retry)"), failure));
  } catch (const std::exception& failure) {
    emit refreshFailed(describeFailure(QStringLiteral("Refresh failed (will retry)"), failure));
  }
}

}  // namespace accelscope::gui
