#include "gui/widgets/session.hpp"

#include <QElapsedTimer>

#include <algorithm>

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

StudySession::~StudySession() = default;

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
  study_.reset();
  studies_.clear();
  db_.reset();
  path_.clear();
  if (was_open) emit closed();
}

bool StudySession::selectStudy(store::StudyId id) {
  if (!db_) return false;
  try {
    QElapsedTimer timer;
    timer.start();
    study_ = StudyData::load(*db_, id);
    last_load_seconds_ = static_cast<double>(timer.nsecsElapsed()) * 1e-9;
  } catch (const std::exception& failure) {
    study_.reset();
    emit errorOccurred(describeFailure(QStringLiteral("Cannot read the study"), failure));
    return false;
  }
  emit studyLoaded();
  return true;
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
    if (study_) {
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
